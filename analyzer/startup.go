package analyzer

import (
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// startup recognises, in start-up code, the calls that register
// handlers, serve HTTP, register net/rpc's handlers or install signal
// handling. It reports whether site was one of them.
func (a *analysis) startup(act *activity, f *frame, site ssa.CallInstruction) bool {
	fn := calleeObject(site.Common())
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	args := callArgs(site.Common())
	switch path, recv, name := fn.Pkg().Path(), recvName(fn), fn.Name(); {
	case path == "net/http" && recv == "" && (name == "Handle" || name == "HandleFunc"):
		a.register(f, site, []*muxObj{a.defaultMux()}, args[0], args[1])
	case path == "net/http" && recv == "ServeMux" && (name == "Handle" || name == "HandleFunc"):
		a.register(f, site, a.muxesOf(val{v: args[0], f: f}), args[1], args[2])
	case path == "net/http" && recv == "" && isServeFunc(name):
		h := args[1]
		if name == "ListenAndServeTLS" {
			h = args[3]
		}
		a.serve(site, "http."+name, a.servedHandlers(val{v: h, f: f}))
	case path == "net/http" && recv == "Server" && isServeFunc(name):
		a.serve(site, "(*http.Server)."+name, a.serverHandlers(val{v: args[0], f: f}))
	case path == "net/rpc" && recv == "" && name == "HandleHTTP":
		a.rpcPos = appendPos(a.rpcPos, site.Pos())
	case path == "os/signal" && (name == "Notify" || name == "NotifyContext"):
		a.signals = true
	default:
		return false
	}
	return true
}

// isServeFunc reports whether name is one of the serving calls.
func isServeFunc(name string) bool {
	switch name {
	case "ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS":
		return true
	}
	return false
}

// appendPos appends pos unless it is there.
func appendPos(list []token.Pos, pos token.Pos) []token.Pos {
	for _, p := range list {
		if p == pos {
			return list
		}
	}
	return append(list, pos)
}

// defaultMux returns http.DefaultServeMux.
func (a *analysis) defaultMux() *muxObj {
	g := a.p.SSA.ImportedPackage("net/http").Members["DefaultServeMux"].(*ssa.Global)
	return a.muxObject(g)
}

// register records a registration made at site in frame f.
func (a *analysis) register(f *frame, site ssa.CallInstruction, muxes []*muxObj, pattern, handler ssa.Value) {
	for _, r := range a.regs {
		if r.site == site {
			return // walked again in another frame with the same effect
		}
	}
	r := &registration{site: site, muxes: muxes, handler: a.handlers(val{v: handler, f: f})}
	r.pattern, r.pos, r.constant = a.constString(val{v: pattern, f: f}, site.Pos())
	r.spelling = a.argSpelling(site.Pos(), len(callArgs(site.Common()))-1-regArgOffset(site))
	a.regs = append(a.regs, r)
}

// regArgOffset is 1 for a method call, whose receiver is an argument in
// SSA but not in the call's argument list.
func regArgOffset(site ssa.CallInstruction) int {
	if fn := calleeObject(site.Common()); fn != nil && recvName(fn) != "" {
		return 1
	}
	return 0
}

// constString returns the constant string v is, traced through the
// parameters it is passed in, and the position of the call that spells
// it.
func (a *analysis) constString(v val, at token.Pos) (string, token.Pos, bool) {
	if b, ok := v.f.bound(v.v); ok && v.f.call != nil {
		return a.constString(b, v.f.call.Pos())
	}
	if c, ok := v.v.(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.String {
		return constant.StringVal(c.Value), at, true
	}
	return "", at, false
}

// serve records a serving call.
func (a *analysis) serve(site ssa.CallInstruction, name string, hs []*hnode) {
	for _, s := range a.servings {
		if s.site == site {
			return
		}
	}
	a.servings = append(a.servings, &serving{site: site, name: name, handler: hs})
}

// servedHandlers decodes the handler passed to a serving function; nil
// is the default mux.
func (a *analysis) servedHandlers(h val) []*hnode {
	if c, ok := h.v.(*ssa.Const); ok && c.IsNil() {
		return []*hnode{{kind: hMux, muxes: []*muxObj{a.defaultMux()}}}
	}
	return a.handlers(h)
}

// serverHandlers decodes the Handler field of the *http.Server srv: every
// value stored into that field of a server srv may be, or the default
// mux when none is.
func (a *analysis) serverHandlers(srv val) []*hnode {
	objs := map[ssa.Value]bool{}
	for _, s := range a.sources(srv) {
		objs[s.v] = true
	}
	named := a.p.SSA.ImportedPackage("net/http").Type("Server").Type()
	st := named.Underlying().(*types.Struct)
	idx := -1
	for i := range st.NumFields() {
		if st.Field(i).Name() == "Handler" {
			idx = i
		}
	}
	var out []*hnode
	for _, store := range a.stores[location{field: fieldKey(named, idx)}] {
		fa := store.Addr.(*ssa.FieldAddr)
		if !a.sameObject(objs, val{v: fa.X, f: a.frameOf(srv.f, store.Parent())}) {
			continue
		}
		out = append(out, a.servedHandlers(val{v: store.Val, f: a.frameOf(srv.f, store.Parent())})...)
	}
	if len(out) == 0 {
		out = []*hnode{{kind: hMux, muxes: []*muxObj{a.defaultMux()}}}
	}
	return out
}

// sameObject reports whether v may be one of objs.
func (a *analysis) sameObject(objs map[ssa.Value]bool, v val) bool {
	for _, s := range a.sources(v) {
		if objs[s.v] {
			return true
		}
	}
	return false
}

// frameOf returns the frame among f and its callers that runs fn, or nil.
func (a *analysis) frameOf(f *frame, fn *ssa.Function) *frame {
	for ; f != nil; f = f.parent {
		if f.fn == fn {
			return f
		}
	}
	return nil
}

// dispatch handles calls of ServeHTTP on a handler, and on a mux: they
// run what is bound to the handler at this route.
func (a *analysis) dispatch(act *activity, f *frame, site ssa.CallInstruction) bool {
	c := site.Common()
	if c.IsInvoke() {
		if c.Method.Name() != "ServeHTTP" {
			return false
		}
		a.runHandlers(act, a.handlers(val{v: c.Value, f: f}), f)
		return true
	}
	fn := calleeObject(c)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "net/http" || fn.Name() != "ServeHTTP" {
		return false
	}
	switch recvName(fn) {
	case "HandlerFunc":
		a.runHandlers(act, a.handlers(val{v: c.Args[0], f: f}), f)
	case "ServeMux":
		a.runHandlers(act, []*hnode{{kind: hMux, muxes: a.muxesOf(val{v: c.Args[0], f: f})}}, f)
	}
	return true
}

// runHandlers walks what each handler runs when it serves a request.
func (a *analysis) runHandlers(act *activity, hs []*hnode, parent *frame) {
	for _, h := range hs {
		a.runHandler(act, h, parent)
	}
}

func (a *analysis) runHandler(act *activity, h *hnode, parent *frame) {
	switch h.kind {
	case hFunc:
		a.walk(act, h.fn, a.entryFrame(h, parent, nil))
	case hMethod, hTyped:
		recv := val{v: h.recv.v, f: h.recv.f, recv: h.recvName}
		a.walk(act, h.fn, a.entryFrame(h, parent, []val{recv}))
	case hWrap:
		a.runHandlers(act, h.wrapped, parent)
	case hMiddleware:
		a.runHandlers(act, h.inner, parent)
	case hMux:
		if !act.muxes {
			return // the routes are walked one by one
		}
		for _, m := range h.muxes {
			a.runMux(act, m)
		}
	}
}

// runMux walks every handler registered on m, for a route that serves
// through a sub-mux.
func (a *analysis) runMux(act *activity, m *muxObj) {
	key := "mux " + m.name
	if act.seen[key] {
		return
	}
	act.seen[key] = true
	for _, r := range a.regs {
		if hasMux(r.muxes, m) {
			a.runHandlers(act, r.handler, nil)
		}
	}
}

// hasMux reports whether m is among list.
func hasMux(list []*muxObj, m *muxObj) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}

// entryFrame returns the request frame in which h's function starts.
func (a *analysis) entryFrame(h *hnode, parent *frame, args []val) *frame {
	k := entryKey{h: h, parent: parent}
	if f, ok := a.entries[k]; ok {
		return f
	}
	f := &frame{fn: h.fn, args: args, free: h.free, parent: parent, request: true}
	if parent != nil {
		f.depth = parent.depth + 1
	}
	a.entries[k] = f
	return f
}

// An entryKey identifies the entry frame of a handler.
type entryKey struct {
	h      *hnode
	parent *frame
}
