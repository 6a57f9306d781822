package analyzer

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// A keyed map is split by its key, so what a request stores into an
// entry must belong to that entry alone: a pointer, map, slice, channel
// or interface that other state also holds (a package-level variable,
// another root, a captured variable, another map's entry, a parameter the
// analysis cannot bind) would be copied to the partition of each key that
// stores it, and writes through one copy would no longer reach the
// others. A stored value is accepted only when it is copied by value (its
// type holds no reference), made during the request (&T{}, new(T), make,
// a composite literal, a library call's result from accepted arguments,
// the request or what is decoded from it), or read from the same map,
// whose entries the route selects by its one key; and only when every
// value stored into the parts of a fresh value is accepted too. Anything
// else keeps the map whole. The trace is deliberately short: what it
// cannot follow counts as shared, erring toward singleton.

// storedValues returns the values the write access ac puts into the
// entry of root ri it selects: the value of a map update or of a store
// through a pointer into an entry, the value given to a sync.Map, what
// copy copies, and the other arguments of a library call that writes the
// entry.
func (a *analysis) storedValues(ac *access, ri *rootInfo) []val {
	f := ac.addr.f
	var out []ssa.Value
	switch in := ac.instr.(type) {
	case *ssa.MapUpdate:
		if in.Map == ac.addr.v {
			out = append(out, in.Value)
		}
	case *ssa.Store:
		if in.Addr == ac.addr.v {
			out = append(out, in.Val)
		}
	case ssa.CallInstruction:
		for _, x := range callArgs(in.Common()) {
			if x != ac.addr.v && !a.derives(val{v: x, f: f}, ri.name) {
				out = append(out, x)
			}
		}
	}
	vals := make([]val, 0, len(out))
	for _, x := range out {
		vals = append(vals, val{v: x, f: f})
	}
	return vals
}

// sharedBy says what the value v, stored into an entry of root ri, shares
// with other state ("def", "a parameter the analysis cannot bind"), or
// returns "" when v is copied by value or made during the request.
func (a *analysis) sharedBy(v val, ri *rootInfo, depth int, seen map[val]bool) string {
	if v.v == nil || !mayRef(v.v.Type()) || seen[v] {
		return ""
	}
	if depth > maxKeyDepth {
		return "a value too deep to trace"
	}
	seen[v] = true
	if b, ok := v.f.bound(v.v); ok {
		return a.sharedBy(b, ri, depth+1, seen)
	}

	// A value that points into another root is shared with it.
	for _, r := range a.rootsOf(v) {
		name, ok := a.materialize(r)
		switch {
		case !ok:
			return "the handler's receiver"
		case name != ri.name:
			return name
		}
	}
	return a.sharedByInstr(v, ri, depth, seen)
}

// sharedByInstr is sharedBy for the instruction or constant that made v.
func (a *analysis) sharedByInstr(v val, ri *rootInfo, depth int, seen map[val]bool) string {
	next := func(x ssa.Value) string { return a.sharedBy(val{v: x, f: v.f}, ri, depth+1, seen) }
	switch x := v.v.(type) {
	case *ssa.Const, *ssa.Function:
		return ""
	case *ssa.Alloc, *ssa.MakeMap, *ssa.MakeSlice, *ssa.MakeChan:
		return a.freshShares(v, ri, depth, seen)
	case *ssa.MakeClosure:
		for _, b := range x.Bindings {
			if why := next(b); why != "" {
				return why
			}
		}
		return ""
	case *ssa.Phi:
		for _, e := range x.Edges {
			if why := next(e); why != "" {
				return why
			}
		}
		return ""
	case *ssa.Lookup:
		if a.derives(val{v: x.X, f: v.f}, ri.name) {
			return "" // the entry the route selects by its key
		}
		return next(x.X)
	case *ssa.UnOp:
		return a.loadShares(x, v, ri, depth, seen)
	case *ssa.Extract:
		return a.extractShares(x, v, ri, depth, seen)
	case *ssa.Call:
		return a.callShares(x, v, ri, depth, seen)
	case *ssa.Parameter:
		if a.isRequest(v, 0) || a.isResponse(v) {
			return ""
		}
		return "a parameter the analysis cannot bind to a call"
	case *ssa.FreeVar:
		return "a variable a closure captures"
	case *ssa.Global:
		return "a variable of package " + x.Pkg.Pkg.Path()
	}
	if op := operandOf(v.v); op != nil {
		return next(op)
	}
	return "a value the analysis cannot follow"
}

// operandOf returns the value that v selects a part of, converts or
// slices, or nil.
func operandOf(v ssa.Value) ssa.Value {
	switch x := v.(type) {
	case *ssa.FieldAddr:
		return x.X
	case *ssa.Field:
		return x.X
	case *ssa.IndexAddr:
		return x.X
	case *ssa.Index:
		return x.X
	case *ssa.Slice:
		return x.X
	case *ssa.ChangeType:
		return x.X
	case *ssa.Convert:
		return x.X
	case *ssa.MultiConvert:
		return x.X
	case *ssa.ChangeInterface:
		return x.X
	case *ssa.MakeInterface:
		return x.X
	case *ssa.TypeAssert:
		return x.X
	case *ssa.SliceToArrayPointer:
		return x.X
	}
	return nil
}

// loadShares handles a value loaded from memory: from a local variable
// of the request, the stores into it; from a part of a value, that value.
func (a *analysis) loadShares(ld *ssa.UnOp, v val, ri *rootInfo, depth int, seen map[val]bool) string {
	if ld.Op != token.MUL {
		return "received from a channel"
	}
	addr := val{v: ld.X, f: v.f}
	if b, ok := v.f.bound(ld.X); ok {
		addr = b
	}
	if _, ok := addr.v.(*ssa.Alloc); ok {
		return a.freshShares(addr, ri, depth, seen)
	}
	if op := operandOf(addr.v); op != nil {
		return a.sharedBy(val{v: op, f: addr.f}, ri, depth+1, seen)
	}
	return a.sharedBy(addr, ri, depth+1, seen)
}

// extractShares handles a component of a tuple: a comma-ok index or type
// assertion, or a result of a call.
func (a *analysis) extractShares(x *ssa.Extract, v val, ri *rootInfo, depth int, seen map[val]bool) string {
	switch t := x.Tuple.(type) {
	case *ssa.Lookup:
		return a.sharedBy(val{v: t, f: v.f}, ri, depth+1, seen)
	case *ssa.TypeAssert:
		return a.sharedBy(val{v: t.X, f: v.f}, ri, depth+1, seen)
	case *ssa.Call:
		if a.p.isApp(t.Call.StaticCallee()) {
			return a.resultsShare(t, v.f, x.Index, ri, depth, seen)
		}
		return a.callShares(t, v, ri, depth, seen)
	}
	return "a value the analysis cannot follow"
}

// callShares handles a call's result: what a function of the module
// returns, what append joins, and the arguments of a library call, whose
// result is taken to be fresh when they are.
func (a *analysis) callShares(c *ssa.Call, v val, ri *rootInfo, depth int, seen map[val]bool) string {
	if a.p.isApp(c.Call.StaticCallee()) {
		return a.resultsShare(c, v.f, 0, ri, depth, seen)
	}
	if c.Call.StaticCallee() == nil && !c.Call.IsInvoke() {
		if _, ok := c.Call.Value.(*ssa.Builtin); !ok {
			return "returned by a function value"
		}
	}
	if a.isSyncLoad(c) && a.derives(val{v: callArgs(&c.Call)[0], f: v.f}, ri.name) {
		return "" // the entry the route selects by its key
	}
	for _, x := range callArgs(&c.Call) {
		if why := a.sharedBy(val{v: x, f: v.f}, ri, depth+1, seen); why != "" {
			return why
		}
	}
	return ""
}

// resultsShare handles result i of a call of a function of the module.
func (a *analysis) resultsShare(c *ssa.Call, f *frame, i int, ri *rootInfo, depth int, seen map[val]bool) string {
	rs := a.results(c, f, i)
	for _, r := range rs {
		if r.v == ssa.Value(c) {
			return "returned by a call the analysis cannot follow"
		}
		if why := a.sharedBy(r, ri, depth+1, seen); why != "" {
			return why
		}
	}
	return ""
}

// freshShares handles a value made by the request (an allocation, a make,
// a local variable): it must be made in a walk of the request, and what
// is stored into it or its parts must be accepted too.
func (a *analysis) freshShares(v val, ri *rootInfo, depth int, seen map[val]bool) string {
	if v.f == nil || !v.f.request {
		return "a value made outside the request"
	}
	return a.contentsShare(v.v, v.f, ri, depth, seen)
}

// contentsShare checks what the code stores into the fresh value x or
// its parts, x being an address, a map or a slice: stores, map updates,
// and the arguments of calls of the module's functions that take it. A
// local variable captured by a closure is written where the analysis
// does not look, and counts as shared.
func (a *analysis) contentsShare(x ssa.Value, f *frame, ri *rootInfo, depth int, seen map[val]bool) string {
	if depth > maxKeyDepth {
		return "a value too deep to trace"
	}
	refs := x.Referrers()
	if refs == nil {
		return ""
	}
	check := func(y ssa.Value) string { return a.sharedBy(val{v: y, f: f}, ri, depth+1, seen) }
	for _, ref := range *refs {
		why := ""
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr == x {
				why = check(ref.Val)
			}
		case *ssa.MapUpdate:
			if ref.Map == x {
				why = check(ref.Value)
			}
		case *ssa.MakeClosure:
			why = "a variable a closure captures"
		case ssa.CallInstruction:
			why = a.calleeStores(ref, x, f, ri, depth, seen)
		case *ssa.FieldAddr, *ssa.IndexAddr, *ssa.Slice, *ssa.ChangeType, *ssa.Convert, *ssa.MakeInterface:
			why = a.contentsShare(ref.(ssa.Value), f, ri, depth+1, seen)
		}
		if why != "" {
			return why
		}
	}
	return ""
}

// calleeStores checks what a call that takes the fresh value x stores
// into it: a function of the module is followed to its parameter, and
// copy copies its source; other library calls are taken to fill it with
// fresh values of their own, as a decoder does.
func (a *analysis) calleeStores(site ssa.CallInstruction, x ssa.Value, f *frame, ri *rootInfo, depth int, seen map[val]bool) string {
	c := site.Common()
	args := callArgs(c)
	if b, ok := c.Value.(*ssa.Builtin); ok && b.Name() == "copy" && args[0] == x {
		return a.sharedBy(val{v: args[1], f: f}, ri, depth+1, seen)
	}
	callee := c.StaticCallee()
	if !a.p.isApp(callee) || f.onStack(callee) {
		return ""
	}
	cf := a.frameFor(f, site, callee, argVals(c, f), nil)
	if cf == nil {
		return "a value passed too deep to trace"
	}
	for i, y := range args {
		if y == x && i < len(callee.Params) {
			if why := a.contentsShare(callee.Params[i], cf, ri, depth+1, seen); why != "" {
				return why
			}
		}
	}
	return ""
}

// isResponse reports whether v is the http.ResponseWriter of the
// handler being walked: it belongs to the request.
func (a *analysis) isResponse(v val) bool {
	p, ok := v.v.(*ssa.Parameter)
	return ok && v.f != nil && v.f.request && isNamed(p.Type(), "net/http", "ResponseWriter")
}
