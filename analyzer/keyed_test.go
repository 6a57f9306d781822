package analyzer

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestKeyDetails checks what the harness's annotations do not spell: a
// key's type, expression and position, the reasons of a keyed root, and
// the field path of an unencodable one.
func TestKeyDetails(t *testing.T) {
	dir := filepath.Join("testdata", "src", "keyed")
	p, err := Load(dir, Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Analyze(p)
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]*Route{}
	for _, r := range m.Routes {
		routes[r.Pattern] = r
	}
	roots := map[string]*Root{}
	for _, r := range m.Roots {
		roots[r.Name] = r
	}

	// Keys: type, spelling, position.
	for pattern, want := range map[string]struct{ typ, expr string }{
		"GET /num/{n}":   {"int", `strconv.Atoi(r.PathValue("n"))`},
		"POST /hit":      {"string", `strings.ToLower(r.Header.Get("X-User"))`},
		"POST /json":     {"string", "in.ID"},
		"POST /login":    {"string", "c.Value"},
		"GET /path/{id}": {"string", `r.PathValue("id")`},
	} {
		k := routes[pattern].Key
		if k == nil {
			t.Errorf("%s: no key", pattern)
			continue
		}
		if k.Type != want.typ || k.Expr != want.expr || k.Pos.Filename != "main.go" || k.Pos.Line == 0 {
			t.Errorf("%s: key type %q, expr %q at %v; want %q, %q in main.go", pattern, k.Type, k.Expr, k.Pos, want.typ, want.expr)
		}
	}

	// A keyed root lists every access with its key and route.
	assertReason(t, roots["byPath"], `read byPath[r.PathValue("id")] with key r.PathValue("id") in route GET /path/{id} at main.go:`)
	assertReason(t, roots["byPath"], `wrote byPath[r.PathValue("id")] with key r.PathValue("id") in route PUT /path/{id} at main.go:`)
	assertReason(t, roots["counters"], `wrote counters[id] with key r.PathValue("id") in route POST /counters/{id}`)
	assertReason(t, roots["sessions"], `wrote sessions.Store(c.Value, 1) with key c.Value in route POST /login`)

	// Singletons say what keeps them whole, with the position.
	assertReason(t, roots["ranged"], "not keyed: ranged over by route GET /ranged at main.go:")
	assertReason(t, roots["pairs"], `not keyed: two keys in one request, route POST /swap/{a}/{b}`)
	assertReason(t, roots["numbers"], "its key is read from the variable seq, not a pure function of the request")
	assertReason(t, roots["subs"], "cannot be encoded for persistence: subs[key].ch is a channel")
	assertReason(t, roots["favorites"], "not keyed: its entries are also reached as fav.N")
	assertReason(t, roots["aliased"], "not keyed: stores def, which other state shares, into aliased[k] by route POST /aliased/{k} at main.go:")
	assertReason(t, roots["pooled"], "not keyed: stores pool, which other state shares, into pooled[k] by route POST /pooled/{k}")
	assertReason(t, roots["sliced"], "not keyed: stores common, which other state shares, into sliced[k] by route POST /sliced/{k}")
	assertReason(t, roots["buffers"], "buffers[key] is of type bytes.Buffer, a struct of another package with unexported fields")

	// Roots of one keyed context share it with their routes.
	if roots["names"].Context != roots["scores"].Context || routes["GET /scores/{id}"].Context != roots["names"].Context {
		t.Errorf("names, scores and GET /scores/{id} are in contexts %q, %q and %q, want one",
			roots["names"].Context, roots["scores"].Context, routes["GET /scores/{id}"].Context)
	}
}

// assertReason checks that one of r's reasons contains want.
func assertReason(t *testing.T, r *Root, want string) {
	t.Helper()
	if r == nil {
		t.Errorf("no root for reason %q", want)
		return
	}
	for _, why := range r.Reasons {
		if strings.Contains(why.What, want) && why.Pos.IsValid() {
			return
		}
	}
	t.Errorf("root %s (%s): no positioned reason containing %q in %+v", r.Name, r.Class, want, r.Reasons)
}

// TestTodoAppIsKeyed checks the bundled to-do app: lists is keyed by the
// path's id on every route that touches it, with every access positioned.
func TestTodoAppIsKeyed(t *testing.T) {
	dir := filepath.Join("..", "testdata", "apps", "todo")
	p, err := Load(dir, Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Analyze(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Roots) != 1 || m.Roots[0].Name != "lists" || m.Roots[0].Class != Keyed {
		t.Fatalf("roots = %+v, want lists alone, keyed", m.Roots)
	}
	seen := map[string]bool{}
	for _, why := range m.Roots[0].Reasons {
		if !why.Pos.IsValid() || !strings.Contains(why.What, `with key r.PathValue("id") in route `) {
			t.Errorf("reason %+v is not a positioned access through the path's id", why)
		}
		seen[why.What[strings.Index(why.What, " in route ")+10:strings.Index(why.What, " at ")]] = true
	}
	for _, r := range m.Routes {
		switch {
		case r.Pattern == "GET /healthz":
			if r.Context != "" || r.Key != nil {
				t.Errorf("GET /healthz: context %q, key %+v; want stateless", r.Context, r.Key)
			}
		case r.Key == nil || r.Key.From != "path" || r.Key.Name != "id" || len(r.Key.Ops) != 0 || r.Key.Type != "string":
			t.Errorf("%s: key %+v, want path id", r.Pattern, r.Key)
		case !seen[r.Pattern]:
			t.Errorf("%s: no reason names an access of this route", r.Pattern)
		}
	}
}
