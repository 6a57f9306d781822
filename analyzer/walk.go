package analyzer

import (
	"fmt"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A phase says when code runs, which decides what its writes mean.
type phase int

// The phases, from start-up to serving.
const (
	phaseInit       phase = iota // package initialisation
	phaseMain                    // main, before and around serving
	phaseBackground              // a goroutine started outside any request
	phaseWrapper                 // middleware around the served mux, every request
	phaseRoute                   // one route's handler
)

// An activity is one walk: start-up code, a background goroutine, the
// served wrappers, or one route.
type activity struct {
	phase phase
	route *Route    // for phaseRoute
	muxes bool      // whether a mux reached serves its routes in this walk
	pos   token.Pos // where a background goroutine starts
	after bool      // main, once a goroutine it started serves HTTP
	seen  map[string]bool
}

// An access is one read or write of a state root. Accesses are kept whole
// (instruction, value and frame) so that a later pass can ask how the
// address was computed, for instance whether a map key derives from the
// request.
type access struct {
	root   string
	pos    token.Pos
	write  bool
	what   string // "store", "map update", "call of (*T).M"
	instr  ssa.Instruction
	addr   val // the root-derived operand
	fn     *ssa.Function
	act    *activity
	guards []string
}

// walk runs fn in frame f as part of act: it records the accesses to
// state roots, follows calls, and hands what start-up code registers and
// serves to the route finder.
func (a *analysis) walk(act *activity, fn *ssa.Function, f *frame) {
	if !a.p.isApp(fn) || f == nil {
		return
	}
	key := a.walkKey(fn, f)
	if act.seen[key] {
		return
	}
	act.seen[key] = true
	a.lockGuards(f)
	for _, b := range fn.DomPreorder() {
		for _, in := range b.Instrs {
			a.step(act, f, in)
		}
	}
}

// walkKey identifies an activation by its function and by what its
// arguments and free variables may point to or dispatch to, so that
// calls with the same effect are walked once.
func (a *analysis) walkKey(fn *ssa.Function, f *frame) string {
	var b strings.Builder
	b.WriteString(fn.String())
	for _, vs := range [][]val{f.args, f.free} {
		b.WriteString("|")
		for _, v := range vs {
			for _, r := range a.rootsOf(v) {
				b.WriteString(r.root + "/" + r.recv + ",")
			}
			if v.v != nil && dispatches(v.v.Type()) {
				b.WriteString(ptrString(v))
			}
			b.WriteString(";")
		}
	}
	return b.String()
}

// dispatches reports whether a value of type t can be called or hold a
// handler, so that its identity matters to a walk.
func dispatches(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Interface, *types.Signature:
		return true
	}
	return false
}

// step handles one instruction.
func (a *analysis) step(act *activity, f *frame, in ssa.Instruction) {
	switch in := in.(type) {
	case *ssa.Store:
		a.record(act, f, in, val{v: in.Addr, f: f}, true, "store")
		a.recordStored(act, f, in, val{v: in.Addr, f: f}, in.Val)
	case *ssa.MapUpdate:
		a.record(act, f, in, val{v: in.Map, f: f}, true, "map update")
		a.recordStored(act, f, in, val{v: in.Map, f: f}, in.Value)
	case *ssa.Send:
		a.record(act, f, in, val{v: in.Chan, f: f}, true, "channel send")
	case *ssa.UnOp:
		if in.Op == token.MUL || in.Op == token.ARROW {
			a.record(act, f, in, val{v: in.X, f: f}, false, "load")
		}
	case *ssa.Lookup, *ssa.Index, *ssa.Range, *ssa.Field, *ssa.Select:
		a.readOperands(act, f, in)
	case *ssa.Go:
		a.goStmt(act, f, in)
	case ssa.CallInstruction:
		a.call(act, f, in)
	}
}

// readOperands records a read of every root-derived operand of in.
func (a *analysis) readOperands(act *activity, f *frame, in ssa.Instruction) {
	for _, op := range in.Operands(nil) {
		if *op != nil {
			a.record(act, f, in, val{v: *op, f: f}, false, "read")
		}
	}
}

// record records an access to every root addr may point into.
func (a *analysis) record(act *activity, f *frame, in ssa.Instruction, addr val, write bool, what string) {
	if act.phase == phaseMain && a.afterServe != nil {
		act = a.afterServe
	}
	for _, r := range a.rootsOf(addr) {
		name, ok := a.materialize(r)
		if !ok || !write && a.aliasType(a.roots[name].typ) {
			continue
		}
		a.recordRoot(act, f, in, addr, name, write, what)
	}
}

// recordRoot records one access to the root name.
func (a *analysis) recordRoot(act *activity, f *frame, in ssa.Instruction, addr val, name string, write bool, what string) {
	pos := in.Pos()
	if !pos.IsValid() && f.call != nil {
		pos = f.call.Pos()
	}
	a.accesses = append(a.accesses, &access{
		root: name, pos: pos, write: write, what: what, instr: in,
		addr: addr, fn: f.fn, act: act, guards: frameGuards(f),
	})
}

// recordStored handles a value stored at addr, an entry of a map root or
// a part of one: every other root the value points into is then shared
// with the entry, and writes through the entry reach it, so the store
// counts as a write of that root. Its reasons and the route's roots then
// name it, and it joins the map's context (shared.go keeps the map whole).
func (a *analysis) recordStored(act *activity, f *frame, in ssa.Instruction, addr val, value ssa.Value) {
	if !mayRef(value.Type()) {
		return
	}
	if act.phase == phaseMain && a.afterServe != nil {
		act = a.afterServe
	}
	targets, keyable := map[string]bool{}, false
	for _, r := range a.rootsOf(addr) {
		if name, ok := a.materialize(r); ok {
			targets[name] = true
			keyable = keyable || keyableType(a.roots[name].typ)
		}
	}
	if !keyable {
		return
	}
	v := val{v: value, f: f}
	for _, r := range a.rootsOf(v) {
		if name, ok := a.materialize(r); ok && !targets[name] {
			a.recordRoot(act, f, in, v, name, true, "store into an entry of a map")
		}
	}
}

// goStmt handles a go statement: outside a request it starts a
// background goroutine; inside one it is part of the request.
func (a *analysis) goStmt(act *activity, f *frame, in *ssa.Go) {
	if act.phase == phaseRoute || act.phase == phaseWrapper || act.phase == phaseBackground {
		a.call(act, f, in)
		return
	}
	bg := &activity{phase: phaseBackground, pos: in.Pos(), seen: map[string]bool{}}
	a.background = append(a.background, bg)
	n := len(a.servings)
	a.call(bg, f, in)

	// Once a goroutine of main serves HTTP, what main does next runs
	// alongside the requests, as a background goroutine would.
	if len(a.servings) > n && act.phase == phaseMain && a.afterServe == nil {
		a.afterServe = &activity{phase: phaseBackground, pos: in.Pos(), after: true, seen: map[string]bool{}}
	}
}

// lockGuards records, in f, the mutexes its function locks: accesses in
// it and its callees are taken to happen under them.
func (a *analysis) lockGuards(f *frame) {
	for _, b := range f.fn.Blocks {
		for _, in := range b.Instrs {
			call, ok := in.(ssa.CallInstruction)
			if !ok {
				continue
			}
			if name := syncMethod(call.Common()); name == "Lock" || name == "RLock" {
				for _, r := range a.rootsOf(val{v: call.Common().Args[0], f: f}) {
					if g, ok := a.materialize(r); ok {
						f.guards = appendUnique(f.guards, g)
					}
				}
			}
		}
	}
}

// frameGuards returns the mutexes held in f and its callers.
func frameGuards(f *frame) []string {
	var out []string
	for ; f != nil; f = f.parent {
		for _, g := range f.guards {
			out = appendUnique(out, g)
		}
	}
	sort.Strings(out)
	return out
}

// appendUnique appends s to list unless it is there.
func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// ptrString returns a string unique to v's identity.
func ptrString(v val) string {
	return fmt.Sprintf("%p@%p", v.v, v.f)
}
