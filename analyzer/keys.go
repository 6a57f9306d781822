package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Keyed inference works on the accesses the walks recorded. A root can be
// keyed when it is a map or a sync.Map; each access of a route to it is
// traced back, through the values the address was computed from, to the
// map operation that selected an entry (an index, an update, a delete, a
// sync.Map method), whose key is then traced to the request. An access
// that reaches the map itself without selecting an entry (a range, len,
// clear, a copy, the map passed on whole) uses the root whole. Entries
// reached through a pointer (m[k].F = v, p := m[k]; p.X++) are accesses
// through m[k]: roots.go names the fields of such a pointer after the map,
// not after the struct type.
//
// The inference errs toward singleton: a key it cannot trace, a branch
// between two values, a helper that returns a constant on one path, all
// keep the root whole.

// A keyUse is how one access of a route selects its entry of a root.
type keyUse struct {
	ac      *access
	neutral bool   // a load of the map reference itself: neither whole nor keyed
	whole   string // how the access uses the root whole ("ranged over"), or ""
	key     *Key   // the key, when it derives from the request
	bad     string // why the key does not derive from the request
	spell   string // the entry as the source spells it: "lists[id]"
}

// An entryRef is where a value derived from a root selected its entry:
// the key value and the operation that used it, or whole.
type entryRef struct {
	key   val
	at    token.Pos // position of the map operation
	whole string
}

// keyableType reports whether a root of type t is a map or a sync.Map.
func keyableType(t types.Type) bool {
	if _, ok := t.Underlying().(*types.Map); ok {
		return true
	}
	return isNamed(deref(t), "sync", "Map")
}

// isRootValue reports whether v is the map of root ri itself, or its
// address.
func isRootValue(v ssa.Value, ri *rootInfo) bool {
	t := v.Type()
	if types.Identical(t, ri.typ) || types.Identical(t, types.NewPointer(ri.typ)) {
		return true
	}
	return isNamed(deref(ri.typ), "sync", "Map") && isNamed(deref(t), "sync", "Map")
}

// keyUseOf classifies one access of a route to the keyable root ri.
func (a *analysis) keyUseOf(ac *access, ri *rootInfo) keyUse {
	u := keyUse{ac: ac}
	var refs []entryRef
	if isRootValue(ac.addr.v, ri) {
		refs = a.rootOp(ac, ri, &u)
	} else {
		refs = a.entryRefs(ac.addr, ri, 0, map[val]bool{})
	}
	if u.neutral || u.whole != "" {
		return u
	}
	return a.resolveRefs(u, refs)
}

// resolveRefs turns the entry operations an access goes through into its
// key: one key derived from the request, or the reason there is none.
func (a *analysis) resolveRefs(u keyUse, refs []entryRef) keyUse {
	if len(refs) == 0 {
		u.whole = "reached in a way the analysis cannot follow"
		return u
	}
	for _, r := range refs {
		if r.whole != "" {
			u.whole = r.whole
			return u
		}
		k, why := a.requestKey(r.key)
		if k == nil {
			u.bad, u.key = why, nil
			u.spell = a.entrySpelling(r.at)
			return u
		}
		if u.key != nil && !sameKey(u.key, k) {
			u.bad = "reached through two different keys"
			return u
		}
		u.key, u.spell = k, a.entrySpelling(r.at)
	}
	return u
}

// rootOp handles an access whose operand is the map itself: an operation
// that selects an entry, a load of the map reference, or a whole use.
func (a *analysis) rootOp(ac *access, ri *rootInfo, u *keyUse) []entryRef {
	f := ac.addr.f
	switch in := ac.instr.(type) {
	case *ssa.Lookup:
		return []entryRef{{key: val{v: in.Index, f: f}, at: in.Pos()}}
	case *ssa.MapUpdate:
		return []entryRef{{key: val{v: in.Key, f: f}, at: in.Pos()}}
	case *ssa.UnOp:
		if types.Identical(ac.addr.v.Type(), types.NewPointer(ri.typ)) && !isNamed(ri.typ, "sync", "Map") {
			u.neutral = true
			u.whole = a.mapEscapes(in)
			return nil
		}
	case *ssa.Range:
		u.whole = "ranged over"
	case *ssa.Store:
		u.whole = "assigned whole"
	case ssa.CallInstruction:
		return a.rootCall(in, f, u)
	}
	if u.whole == "" {
		u.whole = "used whole"
	}
	return nil
}

// rootCall handles a call with the map itself as an argument: delete and
// the keyed methods of sync.Map select an entry; anything else uses the
// map whole.
func (a *analysis) rootCall(in ssa.CallInstruction, f *frame, u *keyUse) []entryRef {
	c := in.Common()
	if b, ok := c.Value.(*ssa.Builtin); ok {
		if b.Name() == "delete" {
			return []entryRef{{key: val{v: c.Args[1], f: f}, at: in.Pos()}}
		}
		u.whole = map[string]string{"len": "measured with len", "clear": "cleared"}[b.Name()]
		if u.whole == "" {
			u.whole = "passed to " + b.Name()
		}
		return nil
	}
	fn := calleeObject(c)
	if fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "sync" && recvName(fn) == "Map" {
		switch fn.Name() {
		case "Range":
			u.whole = "ranged over"
		case "Clear":
			u.whole = "cleared"
		default:
			return []entryRef{{key: val{v: callArgs(c)[1], f: f}, at: in.Pos()}}
		}
		return nil
	}
	u.whole = "passed whole to " + funcName(fn)
	return nil
}

// mapEscapes says how the map loaded by ld is copied somewhere the
// analysis does not follow it, or "".
func (a *analysis) mapEscapes(ld *ssa.UnOp) string {
	for _, ref := range *ld.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Val == ld {
				return "copied into another variable"
			}
		case *ssa.MapUpdate:
			if ref.Value == ld {
				return "stored in another map"
			}
		case *ssa.Send:
			return "sent on a channel"
		}
	}
	return ""
}

// entryRefs traces v, a value derived from root ri, back to the map
// operations that selected the entries it derives from.
func (a *analysis) entryRefs(v val, ri *rootInfo, depth int, seen map[val]bool) []entryRef {
	if v.v == nil || seen[v] || depth > maxDepth {
		return nil
	}
	seen[v] = true
	if !a.derives(v, ri.name) {
		return nil
	}
	if b, ok := v.f.bound(v.v); ok {
		return a.entryRefs(b, ri, depth+1, seen)
	}
	if isRootValue(v.v, ri) {
		return []entryRef{{whole: a.wholeHow(v)}}
	}
	next := func(x ssa.Value) []entryRef { return a.entryRefs(val{v: x, f: v.f}, ri, depth+1, seen) }
	switch x := v.v.(type) {
	case *ssa.Lookup:
		if isRootValue(x.X, ri) && a.derives(val{v: x.X, f: v.f}, ri.name) {
			return []entryRef{{key: val{v: x.Index, f: v.f}, at: x.Pos()}}
		}
		return next(x.X)
	case *ssa.Extract:
		return a.extractRefs(x, v, ri, depth, seen)
	case *ssa.Call:
		return a.callRefs(x, v, ri, depth, seen)
	case *ssa.UnOp:
		return append(next(x.X), a.cellRefs(val{v: x.X, f: v.f}, ri, depth, seen)...)
	case *ssa.Phi:
		var out []entryRef
		for _, e := range x.Edges {
			out = append(out, next(e)...)
		}
		return out
	case *ssa.FieldAddr:
		return next(x.X)
	case *ssa.Field:
		return next(x.X)
	case *ssa.IndexAddr:
		return next(x.X)
	case *ssa.Index:
		return next(x.X)
	case *ssa.Slice:
		return next(x.X)
	case *ssa.ChangeType:
		return next(x.X)
	case *ssa.Convert:
		return next(x.X)
	case *ssa.MakeInterface:
		return next(x.X)
	case *ssa.TypeAssert:
		return next(x.X)
	case *ssa.ChangeInterface:
		return next(x.X)
	case *ssa.SliceToArrayPointer:
		return next(x.X)
	}
	return []entryRef{{whole: "reached through a value the analysis cannot follow"}}
}

// wholeHow says how a value that is the map itself reached an access
// that expected an entry: passed on whole.
func (a *analysis) wholeHow(v val) string {
	if _, ok := v.v.(*ssa.Parameter); ok {
		return "passed whole to " + v.v.Parent().Name()
	}
	return "used whole"
}

// extractRefs handles a component of a tuple: a comma-ok index, a
// sync.Map load, a result of a function of the module.
func (a *analysis) extractRefs(x *ssa.Extract, v val, ri *rootInfo, depth int, seen map[val]bool) []entryRef {
	switch t := x.Tuple.(type) {
	case *ssa.Lookup:
		return a.entryRefs(val{v: t, f: v.f}, ri, depth+1, seen)
	case *ssa.TypeAssert:
		return a.entryRefs(val{v: t.X, f: v.f}, ri, depth+1, seen)
	case *ssa.Call:
		if a.p.isApp(t.Call.StaticCallee()) {
			var out []entryRef
			for _, r := range a.results(t, v.f, x.Index) {
				out = append(out, a.entryRefs(r, ri, depth+1, seen)...)
			}
			return out
		}
		return a.callRefs(t, v, ri, depth, seen)
	}
	return []entryRef{{whole: "reached through a value the analysis cannot follow"}}
}

// callRefs handles a call whose result derives from the root: a keyed
// sync.Map method, append, a function of the module, a library method of
// an entry.
func (a *analysis) callRefs(c *ssa.Call, v val, ri *rootInfo, depth int, seen map[val]bool) []entryRef {
	args := callArgs(&c.Call)
	if b, ok := c.Call.Value.(*ssa.Builtin); ok && b.Name() == "append" {
		return a.entryRefs(val{v: args[0], f: v.f}, ri, depth+1, seen)
	}
	if a.p.isApp(c.Call.StaticCallee()) {
		var out []entryRef
		for _, r := range a.results(c, v.f, 0) {
			out = append(out, a.entryRefs(r, ri, depth+1, seen)...)
		}
		return out
	}
	fn := calleeObject(&c.Call)
	if fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "sync" && recvName(fn) == "Map" && len(args) > 1 &&
		isRootValue(args[0], ri) {
		return []entryRef{{key: val{v: args[1], f: v.f}, at: c.Pos()}}
	}
	if len(args) > 0 {
		return a.entryRefs(val{v: args[0], f: v.f}, ri, depth+1, seen)
	}
	return []entryRef{{whole: "returned by " + funcName(fn)}}
}

// cellRefs traces a load from a local cell to the values stored in it.
func (a *analysis) cellRefs(addr val, ri *rootInfo, depth int, seen map[val]bool) []entryRef {
	cell, ok := addr.v.(*ssa.Alloc)
	if !ok {
		return nil
	}
	var out []entryRef
	for _, st := range a.stores[location{alloc: cell}] {
		out = append(out, a.entryRefs(val{v: st.Val, f: addr.f}, ri, depth+1, seen)...)
	}
	return out
}

// derives reports whether v may point into the root named root.
func (a *analysis) derives(v val, root string) bool {
	for _, r := range a.rootsOf(v) {
		if r.root == root {
			return true
		}
	}
	return false
}

// entrySpelling spells the map operation at pos as the source writes it:
// "lists[id]", "delete(lists, id)", "sessions.Load(id)".
func (a *analysis) entrySpelling(pos token.Pos) string {
	if c := a.calls[pos]; c != nil {
		return a.spell(c)
	}
	if e := a.exprAt(pos); e != nil {
		if ix, ok := e.(*ast.IndexExpr); ok {
			return types.ExprString(ix)
		}
		return a.spell(e)
	}
	return "an entry"
}

// isMapEntry reports whether v is an entry of a map, or a fresh value
// that may become one: read with an index, a comma-ok index or a
// sync.Map load, possibly through a type assertion, a local variable, a
// branch or a result of a function of the module. roots.go asks it to
// name the fields of a pointer entry after the map that holds it.
func (a *analysis) isMapEntry(v val, depth int) bool {
	if depth > maxKeyDepth || v.v == nil {
		return false
	}
	if b, ok := v.f.bound(v.v); ok {
		return a.isMapEntry(b, depth+1)
	}
	switch x := v.v.(type) {
	case *ssa.Lookup:
		_, ok := x.X.Type().Underlying().(*types.Map)
		return ok
	case *ssa.Extract:
		return a.isEntryTuple(x, v.f, depth)
	case *ssa.TypeAssert:
		return a.isMapEntry(val{v: x.X, f: v.f}, depth+1)
	case *ssa.ChangeType:
		return a.isMapEntry(val{v: x.X, f: v.f}, depth+1)
	case *ssa.Phi:
		return a.phiIsEntry(x, v.f, depth)
	case *ssa.UnOp:
		cell, ok := x.X.(*ssa.Alloc)
		if !ok || x.Op != token.MUL {
			return false
		}
		stores := a.stores[location{alloc: cell}]
		for _, st := range stores {
			if !a.isMapEntry(val{v: st.Val, f: v.f}, depth+1) && !fresh(st.Val) {
				return false
			}
		}
		return len(stores) > 0
	case *ssa.Call:
		return a.isSyncLoad(x) || a.resultsAreEntries(x, v.f, 0, depth)
	}
	return false
}

// isEntryTuple handles isMapEntry for a component of a tuple.
func (a *analysis) isEntryTuple(x *ssa.Extract, f *frame, depth int) bool {
	switch t := x.Tuple.(type) {
	case *ssa.Lookup:
		return x.Index == 0 && a.isMapEntry(val{v: t, f: f}, depth+1)
	case *ssa.TypeAssert:
		return x.Index == 0 && a.isMapEntry(val{v: t.X, f: f}, depth+1)
	case *ssa.Call:
		return x.Index == 0 && (a.isSyncLoad(t) || a.resultsAreEntries(t, f, 0, depth))
	}
	return false
}

// phiIsEntry reports whether every edge of a phi is an entry or a fresh
// value (a new struct that the handler then puts in the map, nil).
func (a *analysis) phiIsEntry(x *ssa.Phi, f *frame, depth int) bool {
	any := false
	for _, e := range x.Edges {
		switch {
		case a.isMapEntry(val{v: e, f: f}, depth+1):
			any = true
		case !fresh(e):
			return false
		}
	}
	return any
}

// resultsAreEntries reports whether every result i of a call of a
// function of the module is an entry.
func (a *analysis) resultsAreEntries(c *ssa.Call, f *frame, i, depth int) bool {
	if !a.p.isApp(c.Call.StaticCallee()) {
		return false
	}
	rs := a.results(c, f, i)
	for _, r := range rs {
		if !a.isMapEntry(r, depth+1) && !fresh(r.v) {
			return false
		}
	}
	return len(rs) > 0
}

// isSyncLoad reports whether c is a sync.Map method that returns an
// entry.
func (a *analysis) isSyncLoad(c *ssa.Call) bool {
	fn := calleeObject(&c.Call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync" || recvName(fn) != "Map" {
		return false
	}
	switch fn.Name() {
	case "Load", "LoadOrStore", "LoadAndDelete", "Swap":
		return true
	}
	return false
}

// fresh reports whether v is a value made on the spot: a new allocation
// or nil.
func fresh(v ssa.Value) bool {
	switch x := v.(type) {
	case *ssa.Alloc:
		return x.Heap
	case *ssa.Const:
		return x.IsNil()
	}
	return false
}

// entryOfRoots reports whether the pointer addr is an entry of the map
// roots rs, all of which are maps or sync.Maps.
func (a *analysis) entryOfRoots(addr val, rs []ref) bool {
	for _, r := range rs {
		ri := a.roots[r.root]
		if r.root == "" || ri == nil || !keyableType(ri.typ) {
			return false
		}
	}
	return a.isMapEntry(addr, 0)
}
