package lint

import (
	_ "embed"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/liquefy/liquefy/analyzer"
)

//go:embed doc.go
var docSource []byte

// Analyzer is the lint as a go/analysis pass, for go vet -vettool (see
// cmd/liquefy-vet) and other analysis drivers. Its Doc is the package
// documentation.
var Analyzer = &analysis.Analyzer{
	Name:      "liquefy",
	Doc:       analyzerDoc(docSource),
	URL:       DocsURL,
	Requires:  []*analysis.Analyzer{inspect.Analyzer, buildssa.Analyzer},
	FactTypes: []analysis.Fact{new(Reach)},
	Run:       run,
}

// reportWarnings is the -liquefy.warnings flag.
var reportWarnings = true

func init() {
	Analyzer.Flags.BoolVar(&reportWarnings, "warnings", true, "report warnings as well as errors")
}

// analyzerDoc derives the Analyzer's Doc from the package documentation
// in src: its first sentence, without "Package lint" and the final
// period, is the title; the rest follows after a blank line.
func analyzerDoc(src []byte) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", src, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil || f.Doc == nil {
		panic(fmt.Sprintf("lint: doc.go has no package documentation: %v", err))
	}
	text := strings.TrimPrefix(f.Doc.Text(), "Package lint ")
	title, rest, _ := strings.Cut(text, "\n\n")
	title = strings.TrimSuffix(strings.Join(strings.Fields(title), " "), ".")
	return title + "\n\n" + strings.TrimSpace(rest)
}

// run exports the package's Reach facts and, on a main package that
// serves HTTP, reports the lint of its module.
func run(pass *analysis.Pass) (any, error) {
	if len(pass.Files) == 0 || inGOROOT(pass) {
		return nil, nil
	}
	ssaInfo := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	reach := exportReach(pass, ssaInfo)
	if pass.Pkg.Name() != "main" || !servesHTTP(pass) {
		return nil, nil
	}

	// The shortcut: lint the whole module from the package's directory.
	dir := filepath.Dir(pass.Fset.File(pass.Files[0].Pos()).Name())
	rep, err := Check(dir, analyzer.Config{})
	if err != nil {
		var le *analyzer.LoadError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("liquefy: load %s: %w", dir, err)
		}
		return nil, fmt.Errorf("liquefy: %w", err)
	}
	r := newReporter(pass, rep, reach)
	for _, f := range rep.Findings {
		if f.Level == Error || reportWarnings {
			r.report(f)
		}
	}
	return nil, nil
}

// inGOROOT reports whether the package is part of the Go distribution,
// which holds no app state and gets no facts.
func inGOROOT(pass *analysis.Pass) bool {
	root := build.Default.GOROOT
	if root == "" {
		return false
	}
	name := pass.Fset.File(pass.Files[0].Pos()).Name()
	return strings.HasPrefix(filepath.Clean(name), filepath.Clean(root)+string(filepath.Separator))
}

// servingFuncs are the net/http functions and methods that serve HTTP.
var servingFuncs = map[string]bool{"ListenAndServe": true, "ListenAndServeTLS": true, "Serve": true, "ServeTLS": true}

// servesHTTP reports whether the package's own code calls one of
// net/http's serving functions or methods.
func servesHTTP(pass *analysis.Pass) bool {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	found := false
	ins.Preorder([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node) {
		fn, ok := typeutil.Callee(pass.TypesInfo, n.(*ast.CallExpr)).(*types.Func)
		if ok && fn.Pkg() != nil && fn.Pkg().Path() == "net/http" && servingFuncs[fn.Name()] {
			found = true
		}
	})
	return found
}

// A reporter turns findings, positioned relative to the module root,
// into the pass's diagnostics.
type reporter struct {
	pass  *analysis.Pass
	rep   *Report
	reach *reachIndex
	files map[string]*token.File // the pass's files, and others added for related positions
	calls map[token.Pos]token.Pos
}

func newReporter(pass *analysis.Pass, rep *Report, reach *reachIndex) *reporter {
	r := &reporter{pass: pass, rep: rep, reach: reach, files: map[string]*token.File{}, calls: map[token.Pos]token.Pos{}}
	for _, f := range pass.Files {
		tf := pass.Fset.File(f.Pos())
		r.files[tf.Name()] = tf
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ins.Preorder([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node) {
		c := n.(*ast.CallExpr)
		r.calls[c.Lparen] = c.Pos()
	})
	return r
}

// report reports f: where it is when that is in the package, else at the
// call of the package that leads there, with the true position as the
// first related location.
func (r *reporter) report(f Finding) {
	d := analysis.Diagnostic{Category: f.Code, Message: f.Message, URL: DocsURL + "#" + strings.ToLower(f.Code)}
	pos, ok := r.inPackage(f.Pos)
	if !ok {
		pos = r.anchor(f.Pos)
		if here, ok := r.anywhere(f.Pos); ok {
			d.Related = append(d.Related, analysis.RelatedInformation{Pos: here, Message: "the finding is here, reached from the reported call"})
		}
	}
	d.Pos = pos
	for _, rel := range f.Related {
		if p, ok := r.anywhere(rel.Pos); ok {
			d.Related = append(d.Related, analysis.RelatedInformation{Pos: p, Message: rel.Message})
		}
	}
	r.pass.Report(d)
}

// abs returns the absolute file name of a position of the report.
func (r *reporter) abs(p token.Position) string {
	if filepath.IsAbs(p.Filename) {
		return p.Filename
	}
	return filepath.Join(r.rep.ModuleDir, p.Filename)
}

// inPackage returns the pass position of p when p is in one of the
// package's files.
func (r *reporter) inPackage(p token.Position) (token.Pos, bool) {
	if p.Filename == "" {
		return token.NoPos, false
	}
	for _, f := range r.pass.Files {
		if tf := r.pass.Fset.File(f.Pos()); tf.Name() == r.abs(p) {
			return filePos(tf, p), true
		}
	}
	return token.NoPos, false
}

// anywhere returns a pass position for p, adding p's file to the pass's
// file set when no file of the package holds it. Related information
// may point anywhere in the module.
func (r *reporter) anywhere(p token.Position) (token.Pos, bool) {
	if p.Filename == "" {
		return token.NoPos, false
	}
	name := r.abs(p)
	tf := r.files[name]
	if tf == nil {
		data, err := os.ReadFile(name)
		if err != nil {
			return token.NoPos, false
		}
		tf = r.pass.Fset.AddFile(name, -1, len(data))
		tf.SetLinesForContent(data)
		r.files[name] = tf
	}
	return filePos(tf, p), true
}

// anchor returns the position of the first call of the package whose
// callee's Reach covers p, or failing that the package clause of the
// package's first file.
func (r *reporter) anchor(p token.Position) token.Pos {
	if at := r.reach.firstCover(r.abs(p), p.Line); at.IsValid() {
		if start, ok := r.calls[at]; ok {
			return start
		}
		return at
	}
	return r.pass.Files[0].Package
}

// filePos returns the position of line and column p in tf, clamped to
// the file.
func filePos(tf *token.File, p token.Position) token.Pos {
	line := max(1, min(p.Line, tf.LineCount()))
	off := tf.Offset(tf.LineStart(line)) + max(0, p.Column-1)
	return tf.Pos(min(off, tf.Size()))
}
