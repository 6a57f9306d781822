package analyzer

import (
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/ssa"
)

// A ref is what a value may point into: a state root, or the receiver of
// the handler being walked (recv), possibly through an embedded struct
// field (emb) whose own fields are then named as the receiver's.
type ref struct {
	root string
	recv string
	emb  *types.Var
}

// A rootInfo is a state root as the analysis found it.
type rootInfo struct {
	name string
	kind RootKind
	typ  types.Type
	pos  token.Pos
}

// rootsOf returns the roots v may point into. Only values whose type can
// hold a reference are traced: a scalar loaded from a root is a copy.
func (a *analysis) rootsOf(v val) []ref {
	if v.recv != "" {
		return []ref{{recv: v.recv}}
	}
	if v.v == nil {
		return nil
	}
	if rs, ok := a.rootMemo[v]; ok {
		return rs
	}
	a.rootMemo[v] = nil // cycle guard
	rs := dedupRefs(a.computeRoots(v))
	a.rootMemo[v] = rs
	return rs
}

func (a *analysis) computeRoots(v val) []ref {
	if b, ok := v.f.bound(v.v); ok {
		return a.boundRoots(v, b)
	}
	switch x := v.v.(type) {
	case *ssa.Global:
		return a.globalRoot(x)
	case *ssa.FreeVar:
		return a.unboundFreeRoots(x)
	case *ssa.FieldAddr:
		return a.fieldRoots(a.objectRoots(val{v: x.X, f: v.f}), x.X.Type(), x.Field)
	case *ssa.Field:
		return a.fieldRoots(a.rootsOf(val{v: x.X, f: v.f}), x.X.Type(), x.Field)
	case *ssa.UnOp:
		if x.Op == token.MUL || x.Op == token.ARROW {
			return a.loadRoots(val{v: x.X, f: v.f}, x.Type())
		}
	case *ssa.Phi:
		var out []ref
		for _, e := range x.Edges {
			out = append(out, a.rootsOf(val{v: e, f: v.f})...)
		}
		return out
	case *ssa.Call:
		return a.callRoots(x, v.f)
	case *ssa.Extract:
		if c, ok := x.Tuple.(*ssa.Call); ok && a.p.isApp(c.Call.StaticCallee()) {
			var out []ref
			for _, r := range a.results(c, v.f, x.Index) {
				out = append(out, a.rootsOf(r)...)
			}
			return out
		}
		return a.operandRoots(x, v.f)
	case *ssa.IndexAddr, *ssa.Index, *ssa.Lookup, *ssa.Slice, *ssa.Range, *ssa.Next,
		*ssa.ChangeType, *ssa.Convert, *ssa.ChangeInterface, *ssa.MakeInterface,
		*ssa.TypeAssert, *ssa.MultiConvert, *ssa.SliceToArrayPointer:
		if mayRef(x.Type()) {
			return a.operandRoots(x.(ssa.Instruction), v.f)
		}
	}
	return nil
}

// boundRoots returns the roots of a parameter or free variable bound to
// b. A free variable bound to a local cell of code that runs outside any
// request is a captured state root.
func (a *analysis) boundRoots(v val, b val) []ref {
	if fv, ok := v.v.(*ssa.FreeVar); ok {
		// A variable of start-up code captured by a closure outlives the
		// call that declared it: it is a root. One of a request or of a
		// background goroutine is that activation's own. A captured
		// handler is what a middleware wraps, not state.
		cell, ok := b.v.(*ssa.Alloc)
		if ok && (b.f == nil || !b.f.request && !b.f.bg) && !a.isHandlerType(deref(cell.Type())) {
			return []ref{a.capturedRoot(fv, cell)}
		}
	}
	return a.rootsOf(b)
}

// unboundFreeRoots returns the roots of a free variable traced to every
// closure creation that binds it.
func (a *analysis) unboundFreeRoots(fv *ssa.FreeVar) []ref {
	fn := fv.Parent()
	var out []ref
	for i, q := range fn.FreeVars {
		if q != fv {
			continue
		}
		for _, mc := range a.closures[fn] {
			out = append(out, a.boundRoots(val{v: fv}, val{v: mc.Bindings[i]})...)
		}
	}
	return out
}

// globalRoot returns the root of a package-level variable of the module.
func (a *analysis) globalRoot(g *ssa.Global) []ref {
	if g.Pkg == nil || !a.p.inModule(g.Pkg.Pkg) || g.Object() == nil {
		return nil
	}
	name := g.Name()
	if g.Pkg.Pkg != a.p.Main.Types {
		name = g.Pkg.Pkg.Name() + "." + name
	}
	a.addRoot(&rootInfo{name: name, kind: Global, typ: deref(g.Type()), pos: g.Pos()})
	return []ref{{root: name}}
}

// capturedRoot returns the root of a variable captured by a closure:
// "<function>.<variable>", the function being the outermost one that
// declares it.
func (a *analysis) capturedRoot(fv *ssa.FreeVar, cell *ssa.Alloc) ref {
	outer := cell.Parent()
	for outer.Parent() != nil {
		outer = outer.Parent()
	}
	name := outer.Name() + "." + cell.Comment
	a.addRoot(&rootInfo{name: name, kind: Captured, typ: deref(cell.Type()), pos: cell.Pos()})
	return ref{root: name}
}

// fieldRoots returns the roots reached by selecting field i of a struct
// that rs point into: a field of the handler's receiver is a root of its
// own; a field of any other root is part of that root.
func (a *analysis) fieldRoots(rs []ref, t types.Type, i int) []ref {
	st, ok := deref(t).Underlying().(*types.Struct)
	if !ok {
		return rs
	}
	fld := st.Field(i)
	var out []ref
	for _, r := range rs {
		if r.recv == "" {
			out = append(out, r)
			continue
		}
		if _, isStruct := fld.Type().Underlying().(*types.Struct); fld.Embedded() && isStruct && r.emb == nil {
			out = append(out, ref{recv: r.recv, emb: fld})
			continue
		}
		out = append(out, a.fieldRoot(r.recv, fld))
	}
	return out
}

// fieldRoot returns the root of field fld of the receiver type recv.
func (a *analysis) fieldRoot(recv string, fld *types.Var) ref {
	name := recv + "." + fld.Name()
	a.addRoot(&rootInfo{name: name, kind: Field, typ: fld.Type(), pos: fld.Pos()})
	return ref{root: name}
}

// materialize turns a pending embedded-field ref into the root of that
// embedded field; receiver refs without a field name no root.
func (a *analysis) materialize(r ref) (string, bool) {
	switch {
	case r.root != "":
		return r.root, true
	case r.emb != nil:
		return a.fieldRoot(r.recv, r.emb).root, true
	}
	return "", false
}

// loadRoots returns the roots of a value of type t loaded from addr.
// The handler's receiver stays a receiver when loaded: its fields are
// roots however they are reached.
func (a *analysis) loadRoots(addr val, t types.Type) []ref {
	var out []ref
	rs := a.rootsOf(addr)
	if mayRef(t) {
		rs = append(rs, a.cellRoots(addr)...)
	}
	for _, r := range rs {
		if r.recv != "" || mayRef(t) {
			out = append(out, r)
		}
	}
	return out
}

// callRoots returns the roots a call's result may point into: what a
// function of the module returns, what append extends, and what a library
// method returns from a receiver that points into a root (a sync.Map's
// Load, say). Library functions are taken to return fresh values.
func (a *analysis) callRoots(call *ssa.Call, f *frame) []ref {
	c := &call.Call
	if b, ok := c.Value.(*ssa.Builtin); ok {
		if b.Name() == "append" && len(c.Args) > 0 {
			return a.rootsOf(val{v: c.Args[0], f: f})
		}
		return nil
	}
	if a.p.isApp(c.StaticCallee()) {
		var out []ref
		for _, r := range a.results(call, f, 0) {
			out = append(out, a.rootsOf(r)...)
		}
		return out
	}
	if !mayRef(call.Type()) {
		return nil
	}
	if c.IsInvoke() {
		return a.rootsOf(val{v: c.Value, f: f})
	}
	if callee := c.StaticCallee(); callee != nil && callee.Signature.Recv() != nil && len(c.Args) > 0 {
		return a.rootsOf(val{v: c.Args[0], f: f})
	}
	return nil
}

// objectRoots returns the roots of the struct that addr points to, for
// selecting one of its fields.
//
// A struct of the module reached through a pointer value (loaded from a
// variable, passed as a parameter or receiver, returned by a call) may be
// reached by other routes through other pointers: a method-value
// handler's receiver, a variable captured by another closure, a global.
// Its fields are therefore named after its type ("server.named") however
// the pointer was reached, so that every alias names one root. An entry
// of a map root (lists[id].Title) is the exception: it is part of the
// map, so that keyed inference sees the access through the map's key;
// keyed.go keeps such a map whole when a root named after the entry's
// type shows the entries are reached some other way too. Two
// objects of one type share their roots: that errs toward keeping state
// together, never toward a split. A struct held in a variable itself
// (var st store) keeps the variable's name.
func (a *analysis) objectRoots(addr val) []ref {
	rs := a.baseRoots(addr)
	if len(rs) == 0 || !a.heapPointer(addr.v) || a.entryOfRoots(addr, rs) {
		return rs
	}
	if name := a.structName(addr.v.Type()); name != "" {
		return []ref{{recv: name}}
	}
	return rs
}

// heapPointer reports whether v is a pointer value rather than the
// address of a variable or of a part of one.
func (a *analysis) heapPointer(v ssa.Value) bool {
	switch v.(type) {
	case *ssa.Global, *ssa.Alloc, *ssa.FieldAddr, *ssa.IndexAddr:
		return false
	}
	return true
}

// structName returns the root name of the struct type of the module that
// t points to, or "".
func (a *analysis) structName(t types.Type) string {
	n, ok := types.Unalias(deref(t)).(*types.Named)
	if !ok || t == deref(t) || !a.p.inModule(n.Obj().Pkg()) {
		return ""
	}
	if _, ok := n.Underlying().(*types.Struct); !ok {
		return ""
	}
	return typeRootName(n)
}

// aliasType reports whether a root of type t only refers to state held
// elsewhere (a pointer to a struct of the module, an interface): reading
// it is no access to that state, which is named where it is used.
func (a *analysis) aliasType(t types.Type) bool {
	return a.structName(t) != "" || types.IsInterface(t)
}

// baseRoots returns the roots of the struct addr points to. A local cell
// holding a copy of the handler's receiver (a value receiver spilled to
// memory) stands for the receiver; a copy of any other root is not the
// root, so writing into it writes nothing shared.
func (a *analysis) baseRoots(addr val) []ref {
	rs := a.rootsOf(addr)
	if _, ok := addr.v.(*ssa.Alloc); ok {
		for _, r := range a.cellRoots(addr) {
			if r.recv != "" {
				rs = append(rs, r)
			}
		}
	}
	return rs
}

// cellRoots returns the roots that the local cells addr may be point
// into: those of every value stored into them. A cell itself is not
// state: storing into it writes no root.
func (a *analysis) cellRoots(addr val) []ref {
	var out []ref
	for _, s := range a.sources(addr) {
		cell, ok := s.v.(*ssa.Alloc)
		if !ok {
			continue
		}
		for _, st := range a.stores[location{alloc: cell}] {
			out = append(out, a.rootsOf(val{v: st.Val, f: s.f})...)
		}
	}
	return out
}

// operandRoots returns the union of the roots of in's operands.
func (a *analysis) operandRoots(in ssa.Instruction, f *frame) []ref {
	var out []ref
	for _, op := range in.Operands(nil) {
		if *op != nil {
			out = append(out, a.rootsOf(val{v: *op, f: f})...)
		}
	}
	return out
}

// addRoot records r unless a root of that name is known.
func (a *analysis) addRoot(r *rootInfo) {
	if _, ok := a.roots[r.name]; !ok {
		a.roots[r.name] = r
	}
}

// mayRef reports whether a value of type t can refer to memory that
// outlives it.
func mayRef(t types.Type) bool {
	return mayRefDepth(t, 0)
}

func mayRefDepth(t types.Type, depth int) bool {
	if depth > 8 {
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	case *types.Struct:
		for i := range u.NumFields() {
			if mayRefDepth(u.Field(i).Type(), depth+1) {
				return true
			}
		}
		return false
	case *types.Array:
		return mayRefDepth(u.Elem(), depth+1)
	case *types.Tuple:
		for i := range u.Len() {
			if mayRefDepth(u.At(i).Type(), depth+1) {
				return true
			}
		}
		return false
	}
	return true
}

// dedupRefs sorts and deduplicates rs.
func dedupRefs(rs []ref) []ref {
	if len(rs) < 2 {
		return rs
	}
	seen := map[ref]bool{}
	var out []ref
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].root != out[j].root {
			return out[i].root < out[j].root
		}
		return out[i].recv < out[j].recv
	})
	return out
}
