package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// A route is a Route of the model with what the walks need.
type route struct {
	*Route
	reg *registration
	act *activity
}

// findRoutes fills m.Served and returns the routes on the served mux and
// the muxes under it, with the findings that stop the analysis.
func (a *analysis) findRoutes(m *Model) ([]*route, []Diagnostic) {
	var ds []Diagnostic

	// Every pattern must be a constant.
	for _, r := range a.regs {
		if !r.constant {
			ds = append(ds, Diagnostic{Pos: a.p.position(a.patternPos(r)),
				Message: "pattern is not a constant: liquefy needs every route's pattern at build time",
				Hint:    "use a string constant"})
		}
	}

	// Exactly one call serves HTTP.
	switch len(a.servings) {
	case 0:
		pos := token.NoPos
		if fn := a.p.SSAMain.Func("main"); fn != nil {
			pos = fn.Pos()
		}
		return nil, append(ds, Diagnostic{Pos: a.p.position(pos),
			Message: "no call that serves HTTP is reachable from main",
			Hint:    "serve the app with http.ListenAndServe, http.Serve or an *http.Server's ListenAndServe or Serve (or their TLS variants)"})
	case 1:
	default:
		for _, s := range a.servings {
			ds = append(ds, Diagnostic{Pos: a.p.position(a.callStart(s.site.Pos())),
				Message: fmt.Sprintf("more than one call serves HTTP: %s here is one of %d", s.name, len(a.servings)),
				Hint:    "serve one handler from one call; liquefy turns that call into the service's gateway"})
		}
		return nil, ds
	}

	// The served handler, its wrappers and mux; then the routes under it.
	s := a.servings[0]
	m.Served = a.served(s)
	served := a.servedMuxes(s.handler)
	routes := a.routesOn(served)
	if m.Served.Mux == "http.DefaultServeMux" {
		routes = append(routes, a.implicitRoutes()...)
	}
	if m.Served.Mux != "" && len(routes) == 0 && len(ds) == 0 {
		ds = append(ds, Diagnostic{Pos: m.Served.Pos,
			Message: "no routes found on the served mux " + m.Served.Mux,
			Hint:    "register handlers with " + registerHint(m.Served.Mux) + " before serving"})
	}
	return routes, ds
}

// registerHint says how to register on the named mux.
func registerHint(mux string) string {
	if mux == "http.DefaultServeMux" {
		return "http.Handle or http.HandleFunc"
	}
	return mux + ".Handle or " + mux + ".HandleFunc"
}

// patternPos returns the position of a registration's pattern argument.
func (a *analysis) patternPos(r *registration) token.Pos {
	if c := a.calls[r.pos]; c != nil && len(c.Args) > 0 && r.pos == r.site.Pos() {
		return c.Args[0].Pos()
	}
	return r.pos
}

// served describes the serving call: the mux it serves through its
// wrappers, outermost first.
func (a *analysis) served(s *serving) *Served {
	sv := &Served{Pos: a.p.position(a.callStart(s.site.Pos())), Call: s.name}
	hs := s.handler
	for len(hs) == 1 {
		h := hs[0]
		switch h.kind {
		case hWrap, hMiddleware:
			sv.Wrappers = append(sv.Wrappers, h.name)
			hs = h.wrapped
			continue
		case hMux:
			if len(h.muxes) == 1 {
				sv.Mux = h.muxes[0].name
			}
		}
		break
	}
	return sv
}

// servedMuxes returns the mux the served handler ends in, through its
// wrappers; none when it is not a single mux.
func (a *analysis) servedMuxes(hs []*hnode) []*muxObj {
	for len(hs) == 1 {
		switch h := hs[0]; h.kind {
		case hWrap, hMiddleware:
			hs = h.wrapped
		case hMux:
			if len(h.muxes) == 1 {
				return h.muxes
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}

// routesOn returns the registrations on muxes and on the muxes their
// handlers serve through, in registration position order.
func (a *analysis) routesOn(muxes []*muxObj) []*route {
	var out []*route
	seen := map[*muxObj]bool{}
	for len(muxes) > 0 {
		m := muxes[0]
		muxes = muxes[1:]
		if seen[m] {
			continue
		}
		seen[m] = true
		for _, r := range a.regs {
			if !hasMux(r.muxes, m) || !r.constant {
				continue
			}
			out = append(out, a.newRoute(r, m))
			muxes = append(muxes, subMuxes(r.handler)...)
		}
	}
	return out
}

// subMuxes returns the muxes a handler serves through.
func subMuxes(hs []*hnode) []*muxObj {
	var out []*muxObj
	for _, h := range hs {
		switch h.kind {
		case hMux:
			out = append(out, h.muxes...)
		case hWrap, hMiddleware:
			out = append(out, subMuxes(h.wrapped)...)
		}
	}
	return out
}

// newRoute makes the route of registration r on mux m.
func (a *analysis) newRoute(r *registration, m *muxObj) *route {
	rt := &Route{Pattern: r.pattern, Pos: a.p.position(a.callStart(r.pos)), Mux: m.name, Handler: r.spelling}
	return &route{Route: rt, reg: r, act: &activity{phase: phaseRoute, route: rt, muxes: true, seen: map[string]bool{}}}
}

// implicitRoutes returns the routes that imported packages register on
// the default mux.
func (a *analysis) implicitRoutes() []*route {
	var out []*route
	add := func(pos token.Pos, pattern, handler string) {
		rt := &Route{Pattern: pattern, Pos: a.p.position(pos), Mux: "http.DefaultServeMux",
			Handler: handler, Implicit: true}
		out = append(out, &route{Route: rt, act: &activity{phase: phaseRoute, route: rt, seen: map[string]bool{}}})
	}
	if a.p.Imports["expvar"] {
		add(a.importPos("expvar"), "GET /debug/vars", "expvar.Handler()")
	}
	if a.p.Imports["net/http/pprof"] {
		pos := a.importPos("net/http/pprof")
		for _, name := range []string{"", "cmdline", "profile", "symbol", "trace"} {
			fn := "Index"
			if name != "" {
				fn = strings.ToUpper(name[:1]) + name[1:]
			}
			add(pos, "GET /debug/pprof/"+name, "pprof."+fn)
		}
	}
	for _, pos := range a.rpcPos {
		pos = a.callStart(pos)
		add(pos, "/_goRPC_", "rpc.DefaultServer")
		add(pos, "/debug/rpc", "rpc.HandleHTTP debug handler")
	}
	return out
}

// importPos returns the position of an import of path in the module's
// files, or of the main package's first package clause.
func (a *analysis) importPos(path string) token.Pos {
	for _, f := range a.files {
		for _, imp := range f.Imports {
			if strings.Trim(imp.Path.Value, "`\"") == path {
				return imp.Pos()
			}
		}
	}
	if len(a.p.Main.Syntax) > 0 {
		return a.p.Main.Syntax[0].Package
	}
	return token.NoPos
}

// callStart returns the position where the call whose opening
// parenthesis is at lparen starts, as the toolchain positions a call; any
// other position is returned as it is.
func (a *analysis) callStart(lparen token.Pos) token.Pos {
	if c := a.calls[lparen]; c != nil {
		return c.Pos()
	}
	return lparen
}

// argSpelling spells argument i of the call at lparen as the source
// writes it.
func (a *analysis) argSpelling(lparen token.Pos, i int) string {
	c := a.calls[lparen]
	if c == nil || i < 0 || i >= len(c.Args) {
		return "handler"
	}
	return a.spell(c.Args[i])
}

// spell writes an expression briefly: calls and selectors in full, a
// function literal as its position.
func (a *analysis) spell(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.FuncLit:
		return "func literal at " + a.p.position(e.Pos()).String()
	case *ast.CallExpr:
		args := make([]string, len(e.Args))
		for i, x := range e.Args {
			args[i] = a.spell(x)
		}
		return a.spell(e.Fun) + "(" + strings.Join(args, ", ") + ")"
	case *ast.SelectorExpr:
		return a.spell(e.X) + "." + e.Sel.Name
	case *ast.ParenExpr:
		return "(" + a.spell(e.X) + ")"
	case *ast.UnaryExpr:
		return e.Op.String() + a.spell(e.X)
	}
	return types.ExprString(e)
}

// assignedName returns the name of the variable that the expression at
// pos is assigned to or declares, or "".
func (a *analysis) assignedName(pos token.Pos) string {
	for _, f := range a.files {
		if pos < f.FileStart || pos > f.FileEnd {
			continue
		}
		path, _ := astutil.PathEnclosingInterval(f, pos, pos)
		for i, n := range path {
			if name := lhsName(n, path, i); name != "" {
				return name
			}
		}
	}
	return ""
}

// lhsName returns the variable that node n of path assigns its operand
// (path[i-1]) to.
func lhsName(n ast.Node, path []ast.Node, i int) string {
	if i == 0 {
		return ""
	}
	child := path[i-1]
	switch n := n.(type) {
	case *ast.AssignStmt:
		for j, r := range n.Rhs {
			if r == child && j < len(n.Lhs) {
				return types.ExprString(n.Lhs[j])
			}
		}
	case *ast.ValueSpec:
		for j, r := range n.Values {
			if r == child && j < len(n.Names) {
				return n.Names[j].Name
			}
		}
	}
	return ""
}

// sortRoutes sorts routes by position.
func sortRoutes(rs []*route) {
	sort.SliceStable(rs, func(i, j int) bool { return posLess(rs[i].Pos, rs[j].Pos) })
}

// dirOf returns the directory of a file.
func dirOf(file string) string { return filepath.Dir(file) }
