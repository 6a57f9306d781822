package lint

import (
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"
)

// A Reach is the fact the Analyzer exports on a function or method: the
// source lines a call of it may run, in its own package and in those it
// imports, following static calls and function values (not interface
// method calls). The main package's pass uses it to find the call that
// leads to a finding in another package.
type Reach struct {
	Spans []Span
}

// A Span is the lines From to To, inclusive, of the file File (an
// absolute name).
type Span struct {
	File     string
	From, To int
}

// AFact marks Reach as a fact.
func (*Reach) AFact() {}

// String lists the spans with base file names: "reaches store.go:7-11".
func (r *Reach) String() string {
	parts := make([]string, len(r.Spans))
	for i, s := range r.Spans {
		parts[i] = fmt.Sprintf("%s:%d-%d", filepath.Base(s.File), s.From, s.To)
	}
	return "reaches " + strings.Join(parts, " ")
}

// covers reports whether r runs line of file.
func (r *Reach) covers(file string, line int) bool {
	for _, s := range r.Spans {
		if s.File == file && s.From <= line && line <= s.To {
			return true
		}
	}
	return false
}

// A reachIndex holds, for one package, what each function reaches and
// the places the package's code refers to functions.
type reachIndex struct {
	refs []reachRef // sorted by position
}

// A reachRef is one reference of the package's code to a function: a
// call, or a function value.
type reachRef struct {
	pos   token.Pos
	reach *Reach
}

// firstCover returns the position of the first reference whose reach
// covers line of file, or NoPos.
func (x *reachIndex) firstCover(file string, line int) token.Pos {
	for _, r := range x.refs {
		if r.reach.covers(file, line) {
			return r.pos
		}
	}
	return token.NoPos
}

// exportReach computes the Reach of every function of the package,
// exports it as a fact on the functions and methods that have an object
// (in packages other than main), and returns the index of the package's
// references.
func exportReach(pass *analysis.Pass, info *buildssa.SSA) *reachIndex {
	c := &reachComputer{pass: pass, byObj: map[types.Object]*ssa.Function{}, memo: map[*ssa.Function]*Reach{}}
	for _, fn := range info.SrcFuncs {
		if obj := fn.Object(); obj != nil {
			c.byObj[obj] = fn
		}
	}
	for _, fn := range info.SrcFuncs {
		if pass.Pkg.Name() == "main" {
			break // no package imports a main package: facts would go unused
		}
		if obj, ok := fn.Object().(*types.Func); ok && obj.Pkg() == pass.Pkg {
			if r := c.reach(fn); len(r.Spans) > 0 {
				pass.ExportObjectFact(obj, r)
			}
		}
	}
	return c.index(info)
}

// A reachComputer computes the Reach of the functions of one package.
type reachComputer struct {
	pass  *analysis.Pass
	byObj map[types.Object]*ssa.Function
	memo  map[*ssa.Function]*Reach
}

// reach returns what fn reaches: a walk over the functions of the
// package that fn refers to, directly or not, collecting their own lines
// and the facts of the imported functions they refer to.
func (c *reachComputer) reach(fn *ssa.Function) *Reach {
	if r, ok := c.memo[fn]; ok {
		return r
	}
	var spans []Span
	seen := map[*ssa.Function]bool{fn: true}
	queue := []*ssa.Function{fn}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		spans = append(spans, c.ownSpan(f)...)
		for _, g := range referenced(f) {
			if local := c.local(g); local != nil {
				if !seen[local] {
					seen[local] = true
					queue = append(queue, local)
				}
				continue
			}
			spans = append(spans, c.imported(g)...)
		}
	}
	r := &Reach{Spans: mergeSpans(spans)}
	c.memo[fn] = r
	return r
}

// local returns the function of this package that g is or wraps, or nil.
func (c *reachComputer) local(g *ssa.Function) *ssa.Function {
	if g.Pkg != nil && g.Pkg.Pkg == c.pass.Pkg && g.Synthetic == "" {
		return g
	}
	if o := g.Origin(); o != nil && o.Pkg != nil && o.Pkg.Pkg == c.pass.Pkg {
		return o
	}
	if obj := g.Object(); obj != nil && obj.Pkg() == c.pass.Pkg {
		return c.byObj[obj]
	}
	return nil
}

// imported returns the spans of the Reach fact of the imported function
// g (or of the method a wrapper g calls).
func (c *reachComputer) imported(g *ssa.Function) []Span {
	obj, ok := g.Object().(*types.Func)
	if !ok || obj.Pkg() == nil {
		return nil
	}
	var r Reach
	if c.pass.ImportObjectFact(obj.Origin(), &r) {
		return r.Spans
	}
	return nil
}

// ownSpan returns the lines of fn's own source. A function literal lies
// inside its parent's lines, which the walk reaches first.
func (c *reachComputer) ownSpan(fn *ssa.Function) []Span {
	syn := fn.Syntax()
	if syn == nil || !syn.Pos().IsValid() {
		return nil
	}
	from, to := c.pass.Fset.Position(syn.Pos()), c.pass.Fset.Position(syn.End())
	return []Span{{File: from.Filename, From: from.Line, To: to.Line}}
}

// index lists the package's references to functions that reach
// something, by position.
func (c *reachComputer) index(info *buildssa.SSA) *reachIndex {
	x := &reachIndex{}
	for _, fn := range info.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				x.add(c, in)
			}
		}
	}
	sort.SliceStable(x.refs, func(i, j int) bool { return x.refs[i].pos < x.refs[j].pos })
	return x
}

// add records the references of instruction in to imported functions.
func (x *reachIndex) add(c *reachComputer, in ssa.Instruction) {
	if !in.Pos().IsValid() {
		return
	}
	for _, g := range operandFuncs(in) {
		if c.local(g) != nil {
			continue
		}
		if spans := c.imported(g); len(spans) > 0 {
			x.refs = append(x.refs, reachRef{pos: in.Pos(), reach: &Reach{Spans: spans}})
		}
	}
}

// referenced returns the functions fn's instructions refer to: callees,
// function values, closures.
func referenced(fn *ssa.Function) []*ssa.Function {
	var out []*ssa.Function
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			out = append(out, operandFuncs(in)...)
		}
	}
	return out
}

// operandFuncs returns the functions among in's operands.
func operandFuncs(in ssa.Instruction) []*ssa.Function {
	var out []*ssa.Function
	for _, op := range in.Operands(nil) {
		if g, ok := (*op).(*ssa.Function); ok {
			out = append(out, g)
		}
	}
	return out
}

// mergeSpans sorts spans and merges those of one file that overlap or
// touch.
func mergeSpans(spans []Span) []Span {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].File != spans[j].File {
			return spans[i].File < spans[j].File
		}
		return spans[i].From < spans[j].From
	})
	var out []Span
	for _, s := range spans {
		if n := len(out); n > 0 && out[n-1].File == s.File && s.From <= out[n-1].To+1 {
			out[n-1].To = max(out[n-1].To, s.To)
			continue
		}
		out = append(out, s)
	}
	return out
}
