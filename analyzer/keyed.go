package analyzer

import (
	"fmt"
	"go/types"
	"sort"
	"strings"
)

// A context is keyed when every root in it is a map (or sync.Map) that
// every route reaches only through one key per request, derived from the
// request, and nothing outside the routes (the served wrappers, a
// background goroutine) reaches it after start-up. Start-up code may fill
// the map: every process runs it. Each route may take its key from a
// place of its own (one from the path, another from a header), since a
// partition is chosen by the key's value; the key types must agree.

// keyContexts turns the singleton contexts that are keyed into keyed
// ones: their class, their roots' classes and reasons, and their routes'
// keys. A context that is not keyed keeps its class, and each of its map
// roots gets the reasons it is not.
func (a *analysis) keyContexts(m *Model, routes []*route, uses map[string]*rootUse, roots map[string]*Root) {
	for _, c := range m.Contexts {
		if c.Class != Singleton {
			continue
		}
		kc := a.keyContext(c, routes, uses)
		if len(kc.blockers) > 0 {
			kc.explain(c, roots)
			continue
		}
		kc.apply(a, c, routes, roots)
	}
}

// A keyedContext is the keyed analysis of one context.
type keyedContext struct {
	uses     map[string][]keyUse // by root
	routeKey map[*activity]keyUse
	blocked  map[*activity]bool // routes with a blocker of their own
	blockers []Reason           // the facts that keep the context whole
}

// keyContext analyses context c.
func (a *analysis) keyContext(c *Context, routes []*route, uses map[string]*rootUse) *keyedContext {
	kc := &keyedContext{uses: map[string][]keyUse{}, routeKey: map[*activity]keyUse{}, blocked: map[*activity]bool{}}
	for _, name := range c.Roots {
		u := uses[name]
		if u == nil || !keyableType(u.info.typ) {
			r := Reason{What: fmt.Sprintf("not keyed: the context also holds %s, which is not a map", name)}
			if u != nil {
				r.Pos = a.p.position(u.info.pos)
				r.What += " (declared at " + r.Pos.String() + ")"
			}
			kc.block(r)
			continue
		}
		a.keyRoot(kc, u)
	}
	a.checkRouteKeys(kc, c, routes)
	return kc
}

// block records a fact that keeps the context whole, once.
func (kc *keyedContext) block(r Reason) {
	for _, b := range kc.blockers {
		if b.What == r.What {
			return
		}
	}
	kc.blockers = append(kc.blockers, r)
}

// keyRoot classifies every access to one keyable root.
func (a *analysis) keyRoot(kc *keyedContext, u *rootUse) {
	if alias := a.entryAlias(u.info); alias != "" {
		kc.block(Reason{Pos: a.p.position(u.info.pos), What: "not keyed: its entries are also reached as " + alias})
	}
	for _, ac := range u.all {
		switch ac.act.phase {
		case phaseInit, phaseMain:
			continue
		case phaseBackground, phaseWrapper:
			kc.block(a.accessReason("not keyed: used by", ac, ""))
			continue
		}
		ku := a.keyUseOf(ac, u.info)
		switch {
		case ku.whole != "":
			kc.blocked[ac.act] = true
			kc.block(a.accessReason("not keyed: "+ku.whole+" by", ac, ""))
		case ku.bad != "":
			kc.blocked[ac.act] = true
			kc.block(a.accessReason("not keyed: "+ku.spell+" in", ac, ": its key is "+ku.bad+", not a pure function of the request"))
		case !ku.neutral:
			kc.uses[u.info.name] = append(kc.uses[u.info.name], ku)
		}
		if ac.write && ku.whole == "" && ku.bad == "" && !ku.neutral {
			a.checkStored(kc, ac, u.info, ku.spell)
		}
	}
}

// checkStored keeps the context whole when the write ac stores into the
// entry spell of root ri a value that other state shares (shared.go).
func (a *analysis) checkStored(kc *keyedContext, ac *access, ri *rootInfo, spell string) {
	for _, v := range a.storedValues(ac, ri) {
		if what := a.sharedBy(v, ri, 0, map[val]bool{}); what != "" {
			kc.blocked[ac.act] = true
			kc.block(a.accessReason(fmt.Sprintf("not keyed: stores %s, which other state shares, into %s by", what, spell), ac, ""))
			return
		}
	}
}

// accessReason writes "<verb> <walk> at <pos><tail>" for an access.
func (a *analysis) accessReason(verb string, ac *access, tail string) Reason {
	pos := a.p.position(a.callStart(ac.pos))
	return Reason{Pos: pos, What: fmt.Sprintf("%s %s at %s%s", verb, a.describe(ac.act), pos, tail)}
}

// checkRouteKeys checks that each route uses one key in a request, and
// that the key types of all routes agree; it records each route's key.
func (a *analysis) checkRouteKeys(kc *keyedContext, c *Context, routes []*route) {
	var all []keyUse
	for _, name := range sortedKeys(kc.uses) {
		all = append(all, kc.uses[name]...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].ac.pos < all[j].ac.pos })
	for _, ku := range all {
		first, ok := kc.routeKey[ku.ac.act]
		switch {
		case !ok:
			kc.routeKey[ku.ac.act] = ku
		case !sameKey(first.key, ku.key) && !kc.blocked[ku.ac.act]:
			kc.blocked[ku.ac.act] = true
			kc.block(a.accessReason("not keyed: two keys in one request,", ku.ac,
				fmt.Sprintf(": %s here and %s at %s", keyString(ku.key), keyString(first.key), first.key.Pos)))
		}
	}
	for _, r := range routes {
		ku, ok := kc.routeKey[r.act]
		if r.Context != c.Name {
			continue
		}
		if !ok && !kc.blocked[r.act] {
			kc.block(Reason{Pos: r.Pos, What: fmt.Sprintf("not keyed: route %s reaches the context without selecting an entry", r.Pattern)})
			continue
		}
		if !ok {
			continue
		}
		if k := ku.key; k.From == "path" && !hasWildcard(r.Pattern, k.Name) {
			kc.block(Reason{Pos: k.Pos, What: fmt.Sprintf("not keyed: the key %s is not a wildcard of route %s, whose gateway cannot read it", k.Expr, r.Pattern)})
		}
		for _, other := range kc.routeKey {
			if other.key.Type != ku.key.Type {
				kc.block(Reason{Pos: ku.key.Pos, What: fmt.Sprintf("not keyed: keys of types %s and %s select entries of one context", ku.key.Type, other.key.Type)})
			}
		}
	}
}

// explain adds to each map root of a context that is not keyed the
// reasons it is not.
func (kc *keyedContext) explain(c *Context, roots map[string]*Root) {
	for _, name := range c.Roots {
		r := roots[name]
		if r == nil || !strings.HasPrefix(r.Type, "map[") && !strings.HasSuffix(r.Type, "sync.Map") {
			continue
		}
		r.Reasons = append(r.Reasons, kc.blockers...)
	}
}

// apply makes context c keyed: its roots' classes and reasons, and the
// key of each of its routes.
func (kc *keyedContext) apply(a *analysis, c *Context, routes []*route, roots map[string]*Root) {
	c.Class = Keyed
	for _, name := range c.Roots {
		r := roots[name]
		r.Class, r.Reasons = Keyed, nil
		for _, ku := range kc.uses[name] {
			verb := "read"
			if ku.ac.write {
				verb = "wrote"
			}
			r.Reasons = append(r.Reasons, a.accessReason(fmt.Sprintf("%s %s with key %s in", verb, ku.spell, ku.key.Expr), ku.ac, ""))
		}
		r.Reasons = dedupReasons(r.Reasons)
	}
	for _, rt := range routes {
		if rt.Context == c.Name {
			k := *kc.routeKey[rt.act].key
			rt.Key = &k
		}
	}
}

// dedupReasons sorts reasons by position and drops repeats.
func dedupReasons(rs []Reason) []Reason {
	sort.SliceStable(rs, func(i, j int) bool { return posLess(rs[i].Pos, rs[j].Pos) })
	var out []Reason
	for i, r := range rs {
		if i > 0 && r.What == rs[i-1].What {
			continue
		}
		out = append(out, r)
	}
	return out
}

// entryAlias names a root whose name says it holds fields of the
// struct type that the map root ri holds pointers to: the entries are
// then reached outside the map too, and cannot be split by its key.
func (a *analysis) entryAlias(ri *rootInfo) string {
	name := entryTypeName(ri.typ)
	if name == "" {
		return ""
	}
	for _, other := range sortedKeys(a.roots) {
		if strings.HasPrefix(other, name+".") && a.roots[other].kind == Field {
			return other
		}
	}
	return ""
}

// entryTypeName returns the root name of the struct type a map's values
// point to, or "".
func entryTypeName(t types.Type) string {
	m, ok := t.Underlying().(*types.Map)
	if !ok {
		return ""
	}
	if _, ok := m.Elem().Underlying().(*types.Pointer); !ok {
		return ""
	}
	return typeRootName(m.Elem())
}

// hasWildcard reports whether pattern has the wildcard {name} or
// {name...}: a path value of a sub-mux's route is not one of the served
// route's, and the gateway, which matches only that, cannot compute it.
func hasWildcard(pattern, name string) bool {
	return strings.Contains(pattern, "{"+name+"}") || strings.Contains(pattern, "{"+name+"...}")
}
