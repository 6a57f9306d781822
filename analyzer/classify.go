package analyzer

import (
	"fmt"
	"go/types"
	"sort"
)

// walkServing walks the wrappers around the served mux, then every
// route's handler.
func (a *analysis) walkServing(m *Model, routes []*route) {
	// When the served handler is not a mux the analysis sees through, the
	// wrapper walk is all there is: every request goes to one fluxion.
	a.wrapper = &activity{phase: phaseWrapper, muxes: m.Served.Mux == "", seen: map[string]bool{}}
	a.runHandlers(a.wrapper, a.servings[0].handler, nil)
	sortRoutes(routes)
	for _, r := range routes {
		if r.reg != nil {
			a.runHandlers(r.act, r.reg.handler, nil)
		}
	}
}

// A rootUse gathers the accesses to one root by the walk they belong to.
type rootUse struct {
	info   *rootInfo
	all    []*access
	writes map[*activity][]*access
	reads  map[*activity][]*access
}

// classify fills the model's routes, roots and contexts from the
// accesses the walks recorded.
func (a *analysis) classify(m *Model, routes []*route) {
	uses := a.rootUses()
	roots := map[string]*Root{}
	for _, name := range sortedKeys(uses) {
		if r := a.classifyRoot(uses[name]); r != nil {
			roots[name] = r
			m.Roots = append(m.Roots, r)
		}
	}
	a.fillRoutes(m, routes, uses, roots)
	a.fillContexts(m, routes, uses, roots)
	a.keyContexts(m, routes, uses, roots)
}

// rootUses groups the accesses by root, leaving out sync primitives,
// which are guards rather than state, and muxes and handlers, which are
// the routing the start-up code built rather than state.
func (a *analysis) rootUses() map[string]*rootUse {
	uses := map[string]*rootUse{}
	for _, ac := range a.accesses {
		info := a.roots[ac.root]
		if info == nil || isSyncType(info.typ) || a.isHandlerType(info.typ) {
			continue
		}
		u := uses[ac.root]
		if u == nil {
			u = &rootUse{info: info, writes: map[*activity][]*access{}, reads: map[*activity][]*access{}}
			uses[ac.root] = u
		}
		u.all = append(u.all, ac)
		if ac.write {
			u.writes[ac.act] = append(u.writes[ac.act], ac)
		} else {
			u.reads[ac.act] = append(u.reads[ac.act], ac)
		}
	}
	return uses
}

// classifyRoot returns the root of u, or nil when neither a route nor a
// background goroutine reaches it.
//
// The classes err toward keeping state together: a root any request may
// write is a singleton, which keyContexts makes keyed once every access
// is shown to go through one key of the request; a root a
// request writes while a background goroutine also writes it, or that
// holds something a process cannot hand over, is not splittable.
func (a *analysis) classifyRoot(u *rootUse) *Root {
	reached := false
	for _, ac := range u.all {
		if ac.act.phase >= phaseBackground {
			reached = true
		}
	}
	if !reached {
		return nil
	}
	r := &Root{Name: u.info.name, Kind: u.info.kind, Type: types.TypeString(u.info.typ, a.qualifier),
		Pos: a.p.position(u.info.pos), Guards: a.guardsOf(u)}
	routeW, bgW := u.byPhase(true, phaseWrapper, phaseRoute), u.byPhase(true, phaseBackground)
	routeUse := append(u.byPhase(false, phaseWrapper, phaseRoute), routeW...)
	encoding, encPath := a.encodingReason(u, r, len(routeW) > 0)
	switch what := unmovable(u.info.typ, a.p, 0); {
	case what != "" && len(routeUse) > 0:
		r.Class = NotSplittable
		r.Reasons = a.reasons(fmt.Sprintf("holds %s (%s) used by", what, r.Type), routeUse)
		if encPath != "" && encPath != r.Name {
			r.Reasons = append(r.Reasons, encoding)
		}
	case encPath != "":
		r.Class = NotSplittable
		r.Reasons = append([]Reason{encoding}, a.reasons("written by", routeW)...)
	case len(routeW) > 0 && len(bgW) > 0:
		r.Class = NotSplittable
		r.Reasons = append(a.reasons("written by", routeW), a.reasons("also written by", bgW)...)
	case len(routeW) > 0:
		r.Class = Singleton
		r.Reasons = a.reasons("written by", routeW)
	case len(bgW) > 0:
		r.Class = Background
		r.Reasons = append(a.reasons("written by", bgW), a.reasons("only read by", routeUse)...)
	default:
		r.Class = Replicated
		r.Reasons = a.replicatedReasons(u)
	}
	return r
}

// byPhase returns the writes (or reads) of u made by walks in phases,
// sorted by position.
func (u *rootUse) byPhase(write bool, phases ...phase) []*access {
	m := u.reads
	if write {
		m = u.writes
	}
	var out []*access
	for act, acs := range m {
		for _, ph := range phases {
			if act.phase == ph {
				out = append(out, acs...)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}

// reasons returns one reason per walk among acs, at its first access:
// "written by route POST /todos at main.go:42:3".
func (a *analysis) reasons(verb string, acs []*access) []Reason {
	var out []Reason
	seen := map[*activity]bool{}
	for _, ac := range acs {
		if seen[ac.act] {
			continue
		}
		seen[ac.act] = true
		pos := a.p.position(a.callStart(ac.pos))
		out = append(out, Reason{Pos: pos, What: fmt.Sprintf("%s %s at %s", verb, a.describe(ac.act), pos)})
	}
	sort.SliceStable(out, func(i, j int) bool { return posLess(out[i].Pos, out[j].Pos) })
	return out
}

// describe names the walk an access belongs to.
func (a *analysis) describe(act *activity) string {
	switch act.phase {
	case phaseRoute:
		return "route " + act.route.Pattern
	case phaseWrapper:
		return "the served wrappers, for every request,"
	case phaseBackground:
		if act.after {
			return "main after it starts serving at " + a.p.position(act.pos).String() + ","
		}
		return "a goroutine started outside any request at " + a.p.position(act.pos).String() + ","
	case phaseInit:
		return "init"
	}
	return "main"
}

// replicatedReasons says why a root no request writes is replicated.
func (a *analysis) replicatedReasons(u *rootUse) []Reason {
	var out []Reason
	inMain := u.byPhase(true, phaseMain)
	if w := u.byPhase(true, phaseInit); len(w) > 0 {
		pos := a.p.position(a.callStart(w[0].pos))
		only := " only"
		if len(inMain) > 0 {
			only = ""
		}
		out = append(out, Reason{Pos: pos, What: "written" + only + " in init at " + pos.String()})
	}
	if w := inMain; len(w) > 0 {
		pos := a.p.position(a.callStart(w[0].pos))
		out = append(out, Reason{Pos: pos, What: "written in main before serving at " + pos.String()})
	}
	if len(out) == 0 {
		pos := a.p.position(u.info.pos)
		out = append(out, Reason{Pos: pos, What: "written by no route and no background goroutine (declared at " + pos.String() + ")"})
	}
	return out
}

// guardsOf returns the mutexes held around the accesses to u by routes
// and background goroutines.
func (a *analysis) guardsOf(u *rootUse) []string {
	set := map[string]bool{}
	for _, ac := range u.all {
		if ac.act.phase < phaseBackground {
			continue
		}
		for _, g := range ac.guards {
			if g != u.info.name {
				set[g] = true
			}
		}
	}
	return sortedKeys(set)
}

// fillRoutes fills each route's roots and writes.
func (a *analysis) fillRoutes(m *Model, routes []*route, uses map[string]*rootUse, roots map[string]*Root) {
	for _, r := range routes {
		reach, writes := map[string]bool{}, map[string]bool{}
		for name, u := range uses {
			if roots[name] == nil {
				continue
			}
			if len(u.reads[r.act]) > 0 || len(u.writes[r.act]) > 0 {
				reach[name] = true
			}
			if len(u.writes[r.act]) > 0 {
				writes[name] = true
			}
		}
		r.Roots, r.Writes = sortedKeys(reach), sortedKeys(writes)
		m.Routes = append(m.Routes, r.Route)
	}
	var wrapped []string
	for name, u := range uses {
		if roots[name] != nil && (len(u.reads[a.wrapper]) > 0 || len(u.writes[a.wrapper]) > 0) {
			wrapped = append(wrapped, name)
		}
	}
	sort.Strings(wrapped)
	m.Served.Roots = wrapped
}

// fillContexts unions the mutable roots reached by one route, by the
// served wrappers together with every route, or guarded by one mutex,
// and names each union after its first root.
func (a *analysis) fillContexts(m *Model, routes []*route, uses map[string]*rootUse, roots map[string]*Root) {
	uf := newUnionFind()
	mutable := func(name string) bool {
		r := roots[name]
		return r != nil && (r.Class == Singleton || r.Class == NotSplittable)
	}

	// Union by route, by wrapper, and by guard.
	wrapperRoots := filter(m.Served.Roots, mutable)
	for _, r := range routes {
		uf.unionAll(append(filter(r.Roots, mutable), wrapperRoots...))
	}
	uf.unionAll(wrapperRoots)
	byGuard := map[string][]string{}
	for _, r := range m.Roots {
		if mutable(r.Name) {
			uf.add(r.Name)
			for _, g := range r.Guards {
				byGuard[g] = append(byGuard[g], r.Name)
				if mutable(g) {
					byGuard[g] = append(byGuard[g], g)
				}
			}
		}
	}
	for _, g := range sortedKeys(byGuard) {
		uf.unionAll(byGuard[g])
	}

	// Name the contexts and bind roots and routes to them.
	ctxs := map[string]*Context{}
	for _, r := range m.Roots {
		if !mutable(r.Name) {
			continue
		}
		r.Context = uf.min(r.Name)
		c := ctxs[r.Context]
		if c == nil {
			c = &Context{Name: r.Context, Class: Singleton}
			ctxs[r.Context] = c
		}
		c.Roots = append(c.Roots, r.Name)
		if r.Class == NotSplittable {
			c.Class = NotSplittable
		}
	}
	for _, r := range routes {
		for _, name := range append(filter(r.Roots, mutable), wrapperRoots...) {
			r.Context = roots[name].Context
			break
		}
		if c := ctxs[r.Context]; c != nil {
			c.Routes = append(c.Routes, r.Pattern)
		}
	}
	for _, name := range sortedKeys(ctxs) {
		m.Contexts = append(m.Contexts, ctxs[name])
	}
}

// filter returns the names that keep.
func filter(names []string, keep func(string) bool) []string {
	var out []string
	for _, n := range names {
		if keep(n) {
			out = append(out, n)
		}
	}
	return out
}

// A unionFind keeps disjoint sets of names; each set is represented by
// its least name.
type unionFind struct{ parent map[string]string }

func newUnionFind() *unionFind { return &unionFind{parent: map[string]string{}} }

func (u *unionFind) add(x string) {
	if _, ok := u.parent[x]; !ok {
		u.parent[x] = x
	}
}

// min returns the least name of x's set.
func (u *unionFind) min(x string) string {
	u.add(x)
	for u.parent[x] != x {
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(x, y string) {
	rx, ry := u.min(x), u.min(y)
	if rx == ry {
		return
	}
	if ry < rx {
		rx, ry = ry, rx
	}
	u.parent[ry] = rx
}

func (u *unionFind) unionAll(names []string) {
	for i := 1; i < len(names); i++ {
		u.union(names[0], names[i])
	}
	for _, n := range names {
		u.add(n)
	}
}

// isSyncType reports whether t is, or points to, a sync.Mutex, RWMutex,
// Once or WaitGroup.
func isSyncType(t types.Type) bool {
	t = deref(t)
	for _, name := range []string{"Mutex", "RWMutex", "Once", "WaitGroup"} {
		if isNamed(t, "sync", name) {
			return true
		}
	}
	return false
}

// unmovable says what in t cannot leave a process ("a channel", "a
// func", "a net.Conn", "an *os.File", "an unsafe.Pointer"), or "". It
// looks through the module's own types and composite types; library
// types are opaque except the few known to be bound to a process.
func unmovable(t types.Type, p *Program, depth int) string {
	if depth > 6 {
		return ""
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		switch {
		case isNamed(n, "net", "Conn"), isNamed(n, "net", "Listener"):
			return "a " + n.Obj().Pkg().Name() + "." + n.Obj().Name()
		case isNamed(n, "os", "File"):
			return "an *os.File"
		}
		if !p.inModule(n.Obj().Pkg()) {
			return ""
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Chan:
		return "a channel"
	case *types.Signature:
		return "a func"
	case *types.Basic:
		if u.Kind() == types.UnsafePointer {
			return "an unsafe.Pointer"
		}
	case *types.Pointer:
		return unmovable(u.Elem(), p, depth+1)
	case *types.Slice:
		return unmovable(u.Elem(), p, depth+1)
	case *types.Array:
		return unmovable(u.Elem(), p, depth+1)
	case *types.Map:
		if w := unmovable(u.Key(), p, depth+1); w != "" {
			return w
		}
		return unmovable(u.Elem(), p, depth+1)
	case *types.Struct:
		for i := range u.NumFields() {
			if w := unmovable(u.Field(i).Type(), p, depth+1); w != "" {
				return w
			}
		}
	}
	return ""
}
