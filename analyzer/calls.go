package analyzer

import (
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// call handles a call, go or defer instruction.
func (a *analysis) call(act *activity, f *frame, site ssa.CallInstruction) {
	c := site.Common()

	// Builtins, start-up calls, sync and atomic have fixed meanings.
	if b, ok := c.Value.(*ssa.Builtin); ok {
		a.builtin(act, f, site, b)
		return
	}
	if act.phase < phaseWrapper && a.startup(act, f, site) {
		return
	}
	if a.syncCall(act, f, site) {
		return
	}

	// Handlers are dispatched to what is bound at this route.
	if a.dispatch(act, f, site) {
		return
	}

	// Calls into the module are walked; library calls are summaries.
	callee := c.StaticCallee()
	switch {
	case a.p.isApp(callee):
		a.walkCall(act, f, site, callee, c.Value)
	case callee != nil:
		a.library(act, f, site, callee.Object())
	case c.IsInvoke():
		a.invoke(act, f, site)
	default:
		a.dynamic(act, f, site)
	}
}

// walkCall walks callee as called from site in f; value is the called
// value, a closure whose bindings become the callee's free variables.
func (a *analysis) walkCall(act *activity, f *frame, site ssa.CallInstruction, callee *ssa.Function, value ssa.Value) {
	a.walkWith(act, f, site, callee, argVals(site.Common(), f), closureFree(value, f))
}

// walkWith walks callee with the given arguments and free variables.
func (a *analysis) walkWith(act *activity, f *frame, site ssa.CallInstruction, callee *ssa.Function, args, free []val) {
	if f.onStack(callee) {
		return
	}
	a.walk(act, callee, a.frameFor(f, site, callee, args, free))
}

// closureFree returns the bindings of a closure value as free variables.
func closureFree(v ssa.Value, f *frame) []val {
	mc, ok := v.(*ssa.MakeClosure)
	if !ok {
		return nil
	}
	out := make([]val, len(mc.Bindings))
	for i, b := range mc.Bindings {
		out[i] = val{v: b, f: f}
	}
	return out
}

// dynamic resolves a call of a func value to the functions and closures
// the value is traced to.
func (a *analysis) dynamic(act *activity, f *frame, site ssa.CallInstruction) {
	args := argVals(site.Common(), f)
	for _, s := range a.sources(val{v: site.Common().Value, f: f}) {
		switch x := s.v.(type) {
		case *ssa.Function:
			a.walkWith(act, f, site, x, args, nil)
		case *ssa.MakeClosure:
			a.walkWith(act, f, site, x.Fn.(*ssa.Function), args, closureFree(x, s.f))
		}
	}
}

// invoke resolves an interface method call to the concrete types the
// receiver is traced to, or else to every type of the module that
// implements the interface (CHA), and summarises library receivers.
func (a *analysis) invoke(act *activity, f *frame, site ssa.CallInstruction) {
	c := site.Common()
	args := argVals(c, f)
	found := false
	for _, s := range a.sources(val{v: c.Value, f: f}) {
		mi, ok := s.v.(*ssa.MakeInterface)
		if !ok {
			continue
		}
		found = true
		if m := a.method(mi.X.Type(), c.Method); a.p.isApp(m) {
			// The receiver is the value as the call sees it, so that
			// what it points into (a root it was loaded from) carries on.
			a.walkWith(act, f, site, m, args, nil)
		} else {
			a.library(act, f, site, c.Method)
		}
	}
	if found {
		return
	}
	for _, m := range a.implementations(c.Value.Type(), c.Method) {
		a.walkWith(act, f, site, m, args, nil)
	}
	a.library(act, f, site, c.Method)
}

// method returns the method of type t named like m, with its body.
func (a *analysis) method(t types.Type, m *types.Func) *ssa.Function {
	sel := a.p.SSA.MethodSets.MethodSet(t).Lookup(m.Pkg(), m.Name())
	if sel == nil {
		return nil
	}
	return a.p.SSA.MethodValue(sel)
}

// implementations returns the methods named like m of the module's types
// that implement iface.
func (a *analysis) implementations(iface types.Type, m *types.Func) []*ssa.Function {
	it, ok := iface.Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	var out []*ssa.Function
	for _, t := range a.appTypes {
		for _, tt := range []types.Type{t, types.NewPointer(t)} {
			if types.Implements(tt, it) {
				if fn := a.method(tt, m); a.p.isApp(fn) {
					out = append(out, fn)
				}
				break
			}
		}
	}
	return out
}

// builtin handles a call of a builtin function.
func (a *analysis) builtin(act *activity, f *frame, site ssa.CallInstruction, b *ssa.Builtin) {
	args := site.Common().Args
	switch b.Name() {
	case "delete", "clear":
		a.record(act, f, site, val{v: args[0], f: f}, true, b.Name())
	case "copy":
		a.record(act, f, site, val{v: args[0], f: f}, true, "copy")
		a.record(act, f, site, val{v: args[1], f: f}, false, "copy")
	default:
		for _, x := range args {
			a.record(act, f, site, val{v: x, f: f}, false, b.Name())
		}
	}
}

// syncCall handles sync and sync/atomic: mutexes are guards, not writes;
// Once.Do and WaitGroup.Go run their function; atomic loads read and every
// other atomic operation writes.
func (a *analysis) syncCall(act *activity, f *frame, site ssa.CallInstruction) bool {
	c := site.Common()
	fn := calleeObject(c)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	switch fn.Pkg().Path() {
	case "sync":
		return a.syncMethod(act, f, site, fn)
	case "sync/atomic":
		write := !strings.HasPrefix(fn.Name(), "Load")
		a.record(act, f, site, val{v: callArgs(c)[0], f: f}, write, "atomic "+fn.Name())
		return true
	}
	return false
}

func (a *analysis) syncMethod(act *activity, f *frame, site ssa.CallInstruction, fn *types.Func) bool {
	c := site.Common()
	recv := recvName(fn)
	args := callArgs(c)
	switch {
	case recv == "Mutex" || recv == "RWMutex" || recv == "WaitGroup" && fn.Name() != "Go":
		return true
	case recv == "Once" || recv == "WaitGroup":
		a.runFuncs(act, f, site, args[1:])
		return true
	case recv == "Map":
		write := fn.Name() != "Load" && fn.Name() != "Range"
		a.record(act, f, site, val{v: args[0], f: f}, write, "call of (*sync.Map)."+fn.Name())
		a.runFuncs(act, f, site, args[1:])
		return true
	}
	return false
}

// syncMethod returns the name of a method of sync.Mutex or sync.RWMutex
// that c calls, or "".
func syncMethod(c *ssa.CallCommon) string {
	fn := calleeObject(c)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
		return ""
	}
	if r := recvName(fn); r == "Mutex" || r == "RWMutex" {
		return fn.Name()
	}
	return ""
}

// calleeObject returns the function or method a call names statically.
func calleeObject(c *ssa.CallCommon) *types.Func {
	if c.IsInvoke() {
		return c.Method
	}
	if fn := c.StaticCallee(); fn != nil {
		if obj, ok := fn.Object().(*types.Func); ok {
			return obj
		}
	}
	return nil
}

// recvName returns the name of fn's receiver type, or "".
func recvName(fn *types.Func) string {
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil || sig.Recv() == nil {
		return ""
	}
	if n, ok := deref(sig.Recv().Type()).(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}

// runFuncs walks the functions and closures among args, as a library
// function that takes them may call them.
func (a *analysis) runFuncs(act *activity, f *frame, site ssa.CallInstruction, args []ssa.Value) {
	for _, x := range args {
		if _, ok := x.Type().Underlying().(*types.Signature); !ok {
			continue
		}
		for _, s := range a.sources(val{v: x, f: f}) {
			switch fn := s.v.(type) {
			case *ssa.Function:
				a.walkWith(act, f, site, fn, nil, nil)
			case *ssa.MakeClosure:
				a.walkWith(act, f, site, fn.Fn.(*ssa.Function), nil, closureFree(fn, s.f))
			}
		}
	}
}

// library summarises a call of a library function or method fn: every
// argument that points into a root is written, unless fn is known to
// only read it; functions passed to it are taken to be called.
func (a *analysis) library(act *activity, f *frame, site ssa.CallInstruction, obj types.Object) {
	fn, _ := obj.(*types.Func)
	args := callArgs(site.Common())
	for i, x := range args {
		if !mayRef(x.Type()) {
			continue
		}
		write := fn == nil || !readOnly(fn, i)
		a.record(act, f, site, val{v: x, f: f}, write, "call of "+funcName(fn))
	}
	a.runFuncs(act, f, site, args)
}

// funcName names fn for reasons: "fmt.Println", "(*bytes.Buffer).Write".
func funcName(fn *types.Func) string {
	if fn == nil {
		return "a function value"
	}
	return fn.FullName()
}
