package gen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/liquefy/liquefy/analyzer"
	"github.com/liquefy/liquefy/rewrite"
	"github.com/liquefy/liquefy/runtime"
)

// An Output is the liquefied service, held in memory until Write puts it
// on disk.
type Output struct {
	// Files maps each file's path, relative to the output directory and
	// slash-separated, to its contents.
	Files map[string][]byte

	// Changes are the serving calls the rewrite handed to the runtime.
	Changes []rewrite.Change

	// Warnings say what the service does that its user should know, such
	// as contexts kept in memory only.
	Warnings []Warning
}

// Service builds the liquefied form of the app whose main package is pkg
// (loaded with syntax and types), whose analysis is m and whose plan is
// plan: the rewritten copy of every source file of the package, the files
// it embeds or builds with, the generated plan, and the key functions,
// state accessors and encoders that persist its contexts. It writes
// nothing.
func Service(pkg *packages.Package, m *analyzer.Model, plan *runtime.Plan) (*Output, error) {
	out := &Output{Files: map[string][]byte{}}

	// Decide how each context persists first: the rewrite records the
	// values of the types whose fields hold state.
	st := newStateGen(pkg.Types, m)
	st.build(plan)

	// The package's own Go files, rewritten.
	files := make([]rewrite.File, len(pkg.Syntax))
	for i, f := range pkg.Syntax {
		files[i] = rewrite.File{Name: filepath.Base(pkg.Fset.File(f.Pos()).Name()), Syntax: f}
	}
	srcs, changes, err := rewrite.Files(pkg.Fset, pkg.TypesInfo, files, rewrite.Options{
		RuntimePath: RuntimePath, RuntimeName: RuntimeName, Plan: PlanVar, Track: st.trackers(),
	})
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, fmt.Errorf("%s: no call in package main serves HTTP: liquefy rewrites http.ListenAndServe, (*http.Server).ListenAndServe, Serve and their TLS variants, and needs one of them in the main package", pkg.PkgPath)
	}
	for i, f := range files {
		if _, clash := out.Files[f.Name]; clash || f.Name == PlanFile || f.Name == StateFile {
			return nil, fmt.Errorf("%s: file name %s is reserved for liquefy's generated plan: rename the file", pkg.PkgPath, f.Name)
		}
		out.Files[f.Name] = marked(srcs[i])
	}
	out.Changes = changes

	// Files the build reads as they are: other build configurations'
	// Go files, assembly and C, and everything embedded.
	if err := copyVerbatim(out, pkg); err != nil {
		return nil, err
	}

	// Key functions and state accessors, then the plan that names them.
	state, err := st.render()
	if err != nil {
		return nil, err
	}
	if state != nil {
		out.Files[StateFile] = state
	}
	out.Warnings = st.warnings
	src, err := emitPlan(plan, st.keys, st.states)
	if err != nil {
		return nil, err
	}
	out.Files[PlanFile] = src
	return out, nil
}

// copyVerbatim adds to out the package's files that are not rewritten:
// Go files excluded by build constraints (with go:generate disarmed),
// non-Go source files, and embedded files at their paths relative to
// the package directory, so //go:embed patterns keep matching.
func copyVerbatim(out *Output, pkg *packages.Package) error {
	dir := pkgDir(pkg)
	var paths []string
	for _, f := range pkg.IgnoredFiles {
		if !strings.HasSuffix(f, "_test.go") {
			paths = append(paths, f)
		}
	}
	paths = append(paths, pkg.OtherFiles...)
	paths = append(paths, pkg.EmbedFiles...)
	sort.Strings(paths)

	for _, p := range paths {
		rel, err := filepath.Rel(dir, p)
		if err != nil || strings.HasPrefix(rel, "..") {
			return fmt.Errorf("%s: file %s lies outside the package directory", pkg.PkgPath, p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("gen: reading %s: %w", p, err)
		}
		if strings.HasSuffix(p, ".go") {
			data = marked(disarm(data))
		}
		out.Files[filepath.ToSlash(rel)] = data
	}
	return nil
}

// disarm turns the //go:generate directives of a Go file that is copied
// as it is into plain comments.
func disarm(src []byte) []byte {
	src = bytes.ReplaceAll(src, []byte("\n//go:generate"), []byte("\n// go:generate"))
	if bytes.HasPrefix(src, []byte("//go:generate")) {
		src = append([]byte("// "), src[2:]...)
	}
	return src
}

// marked prefixes a copied Go file with the generated-code header, so
// that tools and people know not to edit the copy: the app's own file is
// where changes go.
func marked(src []byte) []byte {
	return append([]byte(Header+"\n// This is a copy of the app's file, liquefied; edit the original.\n\n"), src...)
}

// pkgDir is the directory of a loaded package.
func pkgDir(pkg *packages.Package) string {
	if pkg.Dir != "" {
		return pkg.Dir
	}
	return filepath.Dir(pkg.GoFiles[0])
}
