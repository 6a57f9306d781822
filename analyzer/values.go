package analyzer

import (
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Values are traced through the module's SSA with a small value-flow
// analysis of our own rather than through a prebuilt call graph.
//
// Dynamic calls are resolved by tracing the called value (a func value,
// or the receiver of an interface method call) back to where it was
// made: a function, a closure, a method value, a conversion to an
// interface. The trace is flow-insensitive and field-based through
// memory (a load from a field sees every store to that field of that
// struct type), and context-sensitive through parameters and closure
// bindings: a walk enters a callee with a frame that binds its parameters
// to the caller's arguments. That context sensitivity is what keeps
// next.ServeHTTP in a middleware bound to the handler wrapped at that
// route, where CHA or VTA would merge every handler the middleware ever
// wraps (and neither sees through http.HandlerFunc, whose ServeHTTP has
// no body here). When a value cannot be traced (it came from a library
// call, a map, a channel), interface calls fall back to CHA over the
// module's own types, and func-value calls are left unresolved: library
// functions have no bodies in this program anyway.

// A frame is one activation of a function during a walk or a trace: what
// its parameters and free variables are bound to. A nil frame stands for
// "any activation": parameters and free variables are then traced to
// every call site and every closure that binds them.
type frame struct {
	fn      *ssa.Function
	args    []val // by parameter; nil when unbound
	free    []val // by free variable; nil when unbound
	call    ssa.CallInstruction
	parent  *frame
	depth   int
	request bool     // runs while serving a request
	bg      bool     // runs in a goroutine that start-up code started
	guards  []string // mutexes the function locks
}

// A val is an SSA value in a frame. recv, when set, marks the receiver
// of the handler being walked: the fields of what it points to are state
// roots named after recv.
type val struct {
	v    ssa.Value
	f    *frame
	recv string
}

// maxDepth bounds the frames of one walk or trace; deeper calls are
// analysed context-insensitively.
const maxDepth = 24

// bind returns v as seen in frame f: a parameter or free variable bound
// by f becomes what it is bound to.
func (f *frame) bound(v ssa.Value) (val, bool) {
	if f == nil {
		return val{}, false
	}
	switch v := v.(type) {
	case *ssa.Parameter:
		for i, p := range f.fn.Params {
			if p == v && i < len(f.args) && (f.args[i].v != nil || f.args[i].recv != "") {
				return f.args[i], true
			}
		}
	case *ssa.FreeVar:
		for i, fv := range f.fn.FreeVars {
			if fv == v && i < len(f.free) && f.free[i].v != nil {
				return f.free[i], true
			}
		}
	}
	return val{}, false
}

// onStack reports whether fn is already active in f or its callers.
func (f *frame) onStack(fn *ssa.Function) bool {
	for ; f != nil; f = f.parent {
		if f.fn == fn {
			return true
		}
	}
	return false
}

// A location is where a store puts a value and a load finds it: a
// global, a local cell, or a field of every struct of one type.
type location struct {
	global *ssa.Global
	alloc  *ssa.Alloc
	field  string // struct type and field index
}

// indexStores records every store of the module's code by location, and
// every call site and closure creation by function.
func (a *analysis) indexStores() {
	for _, fn := range a.funcs {
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				a.indexInstr(fn, in)
			}
		}
	}
}

func (a *analysis) indexInstr(fn *ssa.Function, in ssa.Instruction) {
	switch in := in.(type) {
	case *ssa.Store:
		for _, l := range addrLocations(in.Addr) {
			a.stores[l] = append(a.stores[l], in)
		}
	case *ssa.MakeClosure:
		c := in.Fn.(*ssa.Function)
		a.closures[c] = append(a.closures[c], in)
	case ssa.CallInstruction:
		if callee := in.Common().StaticCallee(); callee != nil {
			a.callers[callee] = append(a.callers[callee], in)
		}
	}
}

// addrLocations returns the locations an address expression names
// syntactically, without tracing.
func addrLocations(addr ssa.Value) []location {
	switch addr := addr.(type) {
	case *ssa.Global:
		return []location{{global: addr}}
	case *ssa.Alloc:
		return []location{{alloc: addr}}
	case *ssa.FieldAddr:
		return []location{{field: fieldKey(addr.X.Type(), addr.Field)}}
	}
	return nil
}

// fieldKey names field i of the struct that t is, or points to.
func fieldKey(t types.Type, i int) string {
	t = deref(t)
	return types.TypeString(t, nil) + "#" + itoa(i)
}

// sources returns where v was made: the values it is copied, converted,
// loaded or returned from, traced to the instruction or constant that
// produced it. Interface conversions stop the trace, since a caller that
// decodes handlers needs the concrete type.
func (a *analysis) sources(v val) []val {
	var out []val
	seen := map[val]bool{}
	a.trace(v, seen, &out)
	return out
}

func (a *analysis) trace(v val, seen map[val]bool, out *[]val) {
	if v.v == nil || seen[v] || len(seen) > 4096 {
		return
	}
	seen[v] = true
	if b, ok := v.f.bound(v.v); ok {
		a.trace(b, seen, out)
		return
	}
	switch x := v.v.(type) {
	case *ssa.Phi:
		for _, e := range x.Edges {
			a.trace(val{v: e, f: v.f}, seen, out)
		}
	case *ssa.ChangeType:
		a.trace(val{v: x.X, f: v.f}, seen, out)
	case *ssa.ChangeInterface:
		a.trace(val{v: x.X, f: v.f}, seen, out)
	case *ssa.TypeAssert:
		a.trace(val{v: x.X, f: v.f}, seen, out)
	case *ssa.Extract:
		a.traceExtract(x, v.f, seen, out)
	case *ssa.UnOp:
		if x.Op != token.MUL {
			*out = append(*out, v)
			return
		}
		a.traceLoad(val{v: x.X, f: v.f}, seen, out)
	case *ssa.Field:
		for _, st := range a.stores[location{field: fieldKey(x.X.Type(), x.Field)}] {
			a.trace(val{v: st.Val}, seen, out)
		}
	case *ssa.Parameter:
		a.traceParam(x, seen, out)
	case *ssa.FreeVar:
		a.traceFree(x, seen, out)
	default:
		*out = append(*out, v)
	}
}

// traceExtract traces component i of a tuple: a type assertion's value,
// or a result of a call into the module.
func (a *analysis) traceExtract(x *ssa.Extract, f *frame, seen map[val]bool, out *[]val) {
	switch t := x.Tuple.(type) {
	case *ssa.TypeAssert:
		if x.Index == 0 {
			a.trace(val{v: t.X, f: f}, seen, out)
		}
	case *ssa.Call:
		for _, r := range a.results(t, f, x.Index) {
			a.trace(r, seen, out)
		}
	default:
		*out = append(*out, val{v: x, f: f})
	}
}

// traceLoad traces what a load from addr may find.
func (a *analysis) traceLoad(addr val, seen map[val]bool, out *[]val) {
	for _, l := range a.locations(addr) {
		if l.global != nil && !a.p.inModule(l.global.Pkg.Pkg) {
			*out = append(*out, val{v: l.global})
			continue
		}
		for _, st := range a.stores[l.location] {
			f := (*frame)(nil)
			if l.alloc != nil {
				f = l.f // a local cell is stored in the frame that owns it
			}
			a.trace(val{v: st.Val, f: f}, seen, out)
		}
	}
}

// A locationIn is a location with the frame of a local cell.
type locationIn struct {
	location
	f *frame
}

// locations returns the locations addr may name, tracing addresses passed
// through parameters and closure bindings.
func (a *analysis) locations(addr val) []locationIn {
	var out []locationIn
	for _, s := range a.sources(addr) {
		switch x := s.v.(type) {
		case *ssa.Global, *ssa.Alloc, *ssa.FieldAddr:
			for _, l := range addrLocations(x) {
				out = append(out, locationIn{location: l, f: s.f})
			}
		}
	}
	return out
}

// traceParam traces an unbound parameter to the arguments of every call
// site of its function.
func (a *analysis) traceParam(p *ssa.Parameter, seen map[val]bool, out *[]val) {
	fn := p.Parent()
	idx := -1
	for i, q := range fn.Params {
		if q == p {
			idx = i
		}
	}
	for _, site := range a.callers[fn] {
		args := callArgs(site.Common())
		if idx < len(args) {
			a.trace(val{v: args[idx]}, seen, out)
		}
	}
	if len(a.callers[fn]) == 0 {
		*out = append(*out, val{v: p})
	}
}

// traceFree traces an unbound free variable to every closure creation
// that binds it.
func (a *analysis) traceFree(fv *ssa.FreeVar, seen map[val]bool, out *[]val) {
	fn := fv.Parent()
	for i, q := range fn.FreeVars {
		if q != fv {
			continue
		}
		for _, mc := range a.closures[fn] {
			a.trace(val{v: mc.Bindings[i]}, seen, out)
		}
	}
	if len(a.closures[fn]) == 0 {
		*out = append(*out, val{v: fv})
	}
}

// callArgs returns the arguments of a call as the callee's parameters see
// them: with the receiver first for an interface method call.
func callArgs(c *ssa.CallCommon) []ssa.Value {
	if c.IsInvoke() {
		return append([]ssa.Value{c.Value}, c.Args...)
	}
	return c.Args
}

// enter returns the frame in which callee runs when called from site in
// frame f.
func (a *analysis) enter(f *frame, site ssa.CallInstruction, callee *ssa.Function, args []val, free []val) *frame {
	depth, request, bg := 0, false, false
	if f != nil {
		depth, request, bg = f.depth+1, f.request, f.bg
	}
	if _, ok := site.(*ssa.Go); ok && !request {
		bg = true
	}
	if depth > maxDepth {
		return nil
	}
	return &frame{fn: callee, args: args, free: free, call: site, parent: f, depth: depth, request: request, bg: bg}
}

// argVals returns the arguments of site as values in frame f.
func argVals(site *ssa.CallCommon, f *frame) []val {
	args := callArgs(site)
	out := make([]val, len(args))
	for i, x := range args {
		out[i] = val{v: x, f: f}
	}
	return out
}

// results returns result i of call in frame f: the values the callee
// returns, when it is a function of the module.
func (a *analysis) results(call *ssa.Call, f *frame, i int) []val {
	callee := call.Call.StaticCallee()
	if !a.p.isApp(callee) || f.onStack(callee) {
		return []val{{v: call, f: f}}
	}
	cf := a.frameFor(f, call, callee, argVals(&call.Call, f), nil)
	var out []val
	for _, b := range callee.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && i < len(ret.Results) {
			out = append(out, val{v: ret.Results[i], f: cf})
		}
	}
	return out
}

// frameFor returns the frame for callee at site from f, made once so that
// traces through it share their memo.
func (a *analysis) frameFor(f *frame, site ssa.CallInstruction, callee *ssa.Function, args, free []val) *frame {
	k := frameKey{parent: f, site: site, callee: callee}
	if cf, ok := a.frames[k]; ok {
		return cf
	}
	cf := a.enter(f, site, callee, args, free)
	a.frames[k] = cf
	return cf
}

// A frameKey identifies a frame by its caller, call site and callee.
type frameKey struct {
	parent *frame
	site   ssa.CallInstruction
	callee *ssa.Function
}

// deref returns what t points to, or t.
func deref(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// itoa formats small integers without strconv.
func itoa(i int) string {
	if i < 10 && i >= 0 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + itoa(i%10)
}

// lowerFirst lowers the first letter of s.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
