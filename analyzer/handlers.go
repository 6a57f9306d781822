package analyzer

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// hkind is the shape of a handler value.
type hkind int

// The shapes of handler values.
const (
	hFunc       hkind = iota // a function or closure
	hMethod                  // a method value: srv.handleX
	hTyped                   // a value of a type with ServeHTTP
	hWrap                    // http.StripPrefix or http.TimeoutHandler
	hMiddleware              // a call of the app's own middleware
	hMux                     // a *http.ServeMux
	hLib                     // a library handler (http.FileServer)
	hUnknown                 // a handler the analysis cannot trace
)

// An hnode is a handler value decoded: what runs when it serves, and
// what it wraps.
type hnode struct {
	kind     hkind
	name     string        // wrapper or middleware name
	fn       *ssa.Function // function, method or ServeHTTP method run
	free     []val         // closure bindings
	recv     val           // method receiver
	recvName string        // receiver type name, first letter lowered
	inner    []*hnode      // what a middleware returns, or what a wrapper serves
	wrapped  []*hnode      // the handlers passed to a middleware or wrapper
	muxes    []*muxObj
}

// A muxObj is one *http.ServeMux: the default one, or one made by
// http.NewServeMux, new(http.ServeMux) or &http.ServeMux{}.
type muxObj struct {
	v    ssa.Value
	name string
}

// A registration is one call that registers a handler on a mux.
type registration struct {
	site     ssa.CallInstruction
	pos      token.Pos // where the pattern is spelled
	muxes    []*muxObj
	pattern  string
	constant bool
	handler  []*hnode
	spelling string
	implicit bool
}

// A serving is one call that serves HTTP.
type serving struct {
	site    ssa.CallInstruction
	name    string
	handler []*hnode
}

// handlers decodes the handler value v.
func (a *analysis) handlers(v val) []*hnode {
	if hs, ok := a.hmemo[v]; ok {
		return hs
	}
	a.hmemo[v] = nil // cycle guard
	var out []*hnode
	for _, s := range a.sources(v) {
		out = append(out, a.decode(s)...)
	}
	a.hmemo[v] = out
	return out
}

// decode decodes one source of a handler value.
func (a *analysis) decode(s val) []*hnode {
	switch x := s.v.(type) {
	case *ssa.Function:
		return []*hnode{{kind: hFunc, fn: x}}
	case *ssa.MakeClosure:
		return []*hnode{a.decodeClosure(x, s.f)}
	case *ssa.MakeInterface:
		return a.decodeInterface(val{v: x.X, f: s.f})
	case *ssa.Call:
		return a.decodeCall(x, s.f)
	case *ssa.Global, *ssa.Alloc:
		if isNamed(deref(x.Type()), "net/http", "ServeMux") {
			return []*hnode{{kind: hMux, muxes: a.muxesOf(s)}}
		}
	}
	return []*hnode{{kind: hUnknown}}
}

// decodeClosure decodes a closure: a method value is a closure of a
// bound method wrapper whose one binding is the receiver.
func (a *analysis) decodeClosure(mc *ssa.MakeClosure, f *frame) *hnode {
	fn := mc.Fn.(*ssa.Function)
	if strings.HasPrefix(fn.Synthetic, "bound method wrapper") {
		if m := boundMethod(fn); a.p.isApp(m) {
			return &hnode{kind: hMethod, fn: m, recv: val{v: mc.Bindings[0], f: f}, recvName: receiverName(m)}
		}
	}
	return &hnode{kind: hFunc, fn: fn, free: closureFree(mc, f)}
}

// boundMethod returns the method a bound method wrapper calls.
func boundMethod(wrapper *ssa.Function) *ssa.Function {
	for _, b := range wrapper.Blocks {
		for _, in := range b.Instrs {
			if c, ok := in.(*ssa.Call); ok {
				return c.Call.StaticCallee()
			}
		}
	}
	return nil
}

// receiverName names a method's receiver type as roots are named:
// "server" for (*Server).handleX.
func receiverName(m *ssa.Function) string {
	if m.Signature.Recv() == nil {
		return ""
	}
	return typeRootName(m.Signature.Recv().Type())
}

// typeRootName names t, or what it points to, with its first letter
// lowered.
func typeRootName(t types.Type) string {
	t = deref(t)
	if n, ok := t.(*types.Named); ok {
		return lowerFirst(n.Obj().Name())
	}
	return lowerFirst(types.TypeString(t, func(*types.Package) string { return "" }))
}

// decodeInterface decodes a value converted to an interface: a
// HandlerFunc, a mux, or a value of a type with ServeHTTP.
func (a *analysis) decodeInterface(x val) []*hnode {
	t := x.v.Type()
	switch {
	case isNamed(t, "net/http", "HandlerFunc"):
		return a.handlers(x)
	case isNamed(deref(t), "net/http", "ServeMux"):
		return []*hnode{{kind: hMux, muxes: a.muxesOf(x)}}
	}
	m := a.method(t, a.serveHTTP)
	if !a.p.isApp(m) {
		return []*hnode{{kind: hLib, name: types.TypeString(t, a.qualifier)}}
	}
	return []*hnode{{kind: hTyped, fn: m, recv: x, recvName: typeRootName(t)}}
}

// decodeCall decodes a handler returned by a call: a library wrapper, a
// new mux, the app's middleware, or a function of the app that builds a
// handler.
func (a *analysis) decodeCall(call *ssa.Call, f *frame) []*hnode {
	callee := call.Call.StaticCallee()
	if callee == nil {
		return []*hnode{{kind: hUnknown}}
	}
	args := call.Call.Args
	if obj, ok := callee.Object().(*types.Func); ok && obj.Pkg() != nil && obj.Pkg().Path() == "net/http" {
		switch obj.Name() {
		case "StripPrefix", "TimeoutHandler":
			h := args[0]
			if obj.Name() == "StripPrefix" {
				h = args[1]
			}
			inner := a.handlers(val{v: h, f: f})
			return []*hnode{{kind: hWrap, name: "http." + obj.Name(), inner: inner, wrapped: inner}}
		case "NewServeMux":
			return []*hnode{{kind: hMux, muxes: a.muxesOf(val{v: call, f: f})}}
		}
	}
	if !a.p.isApp(callee) {
		return a.decodeLibrary(call, callee, f)
	}
	return a.decodeAppCall(call, callee, f)
}

// decodeLibrary decodes a handler made by a library function: one that
// takes handlers (http.MaxBytesHandler, say) wraps them; any other one is a
// library handler of its own (http.FileServer).
func (a *analysis) decodeLibrary(call *ssa.Call, callee *ssa.Function, f *frame) []*hnode {
	name := callee.Name()
	if obj, ok := callee.Object().(*types.Func); ok && obj.Pkg() != nil {
		name = obj.Pkg().Name() + "." + obj.Name()
	}
	var wrapped []*hnode
	for _, x := range call.Call.Args {
		if a.isHandlerType(x.Type()) {
			wrapped = append(wrapped, a.handlers(val{v: x, f: f})...)
		}
	}
	if len(wrapped) == 0 {
		return []*hnode{{kind: hLib, name: name}}
	}
	return []*hnode{{kind: hWrap, name: name, inner: wrapped, wrapped: wrapped}}
}

// decodeAppCall decodes what a function of the app returns. One that
// takes a handler is middleware: its result runs, and it wraps its
// handler arguments.
func (a *analysis) decodeAppCall(call *ssa.Call, callee *ssa.Function, f *frame) []*hnode {
	var inner []*hnode
	for _, r := range a.results(call, f, 0) {
		inner = append(inner, a.handlers(r)...)
	}
	var wrapped []*hnode
	for i, p := range callee.Params {
		if a.isHandlerType(p.Type()) && i < len(call.Call.Args) {
			wrapped = append(wrapped, a.handlers(val{v: call.Call.Args[i], f: f})...)
		}
	}
	if len(wrapped) == 0 {
		return inner
	}
	return []*hnode{{kind: hMiddleware, name: a.funcSpelling(callee), inner: inner, wrapped: wrapped}}
}

// funcSpelling names a function of the app as code in the main package
// spells it: "logging", "mw.Logging".
func (a *analysis) funcSpelling(fn *ssa.Function) string {
	if fn.Pkg != nil && fn.Pkg.Pkg != a.p.Main.Types {
		return fn.Pkg.Pkg.Name() + "." + fn.Name()
	}
	return fn.Name()
}

// muxesOf returns the muxes v may be.
func (a *analysis) muxesOf(v val) []*muxObj {
	var out []*muxObj
	for _, s := range a.sources(v) {
		if mi, ok := s.v.(*ssa.MakeInterface); ok {
			out = append(out, a.muxesOf(val{v: mi.X, f: s.f})...)
			continue
		}
		if m := a.muxObject(s.v); m != nil {
			out = appendMux(out, m)
		}
	}
	return out
}

// muxObject returns the mux made or named by v, or nil.
func (a *analysis) muxObject(v ssa.Value) *muxObj {
	if m, ok := a.muxes[v]; ok {
		return m
	}
	var m *muxObj
	switch x := v.(type) {
	case *ssa.Global:
		if x.Pkg != nil && x.Pkg.Pkg.Path() == "net/http" && x.Name() == "DefaultServeMux" {
			m = &muxObj{v: x, name: "http.DefaultServeMux"}
		}
	case *ssa.Call:
		if fn := x.Call.StaticCallee(); fn != nil && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "net/http" && fn.Name() == "NewServeMux" {
			m = &muxObj{v: x, name: a.valueName(x)}
		}
	case *ssa.Alloc:
		if isNamed(deref(x.Type()), "net/http", "ServeMux") {
			m = &muxObj{v: x, name: a.valueName(x)}
		}
	}
	if m != nil {
		a.muxes[v] = m
	}
	return m
}

// appendMux appends m to list unless it is there.
func appendMux(list []*muxObj, m *muxObj) []*muxObj {
	for _, x := range list {
		if x == m {
			return list
		}
	}
	return append(list, m)
}

// valueName names the variable or field a value is kept in, as the
// source spells it: "mux", "server.mux", "apiMux".
func (a *analysis) valueName(v ssa.Value) string {
	for _, r := range *v.Referrers() {
		st, ok := r.(*ssa.Store)
		if !ok || st.Val != v {
			continue
		}
		switch addr := st.Addr.(type) {
		case *ssa.Global:
			return addr.Name()
		case *ssa.Alloc:
			if addr.Comment != "" && addr.Comment != "complit" && addr.Comment != "new" {
				return addr.Comment
			}
		case *ssa.FieldAddr:
			st := deref(addr.X.Type()).Underlying().(*types.Struct)
			return typeRootName(addr.X.Type()) + "." + st.Field(addr.Field).Name()
		}
	}
	if name := a.assignedName(v.Pos()); name != "" {
		return name
	}
	return "mux at " + a.p.position(v.Pos()).String()
}

// isHandlerType reports whether t is an http.Handler, a handler function
// or a mux: what middleware takes.
func (a *analysis) isHandlerType(t types.Type) bool {
	if a.handlerIface == nil {
		return false
	}
	if sig, ok := t.Underlying().(*types.Signature); ok {
		return isHandlerSig(sig)
	}
	return types.Implements(t, a.handlerIface)
}

// isHandlerSig reports whether sig is func(http.ResponseWriter, *http.Request).
func isHandlerSig(sig *types.Signature) bool {
	p := sig.Params()
	return p.Len() == 2 && sig.Results().Len() == 0 &&
		isNamed(p.At(0).Type(), "net/http", "ResponseWriter") &&
		isNamed(deref(p.At(1).Type()), "net/http", "Request")
}

// isNamed reports whether t is the named type path.name.
func isNamed(t types.Type, path, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == path && n.Obj().Name() == name
}
