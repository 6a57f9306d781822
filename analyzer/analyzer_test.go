package analyzer

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The cases under testdata/src carry their expectations in comments, as
// analysistest's inputs do:
//
//	var store = map[string]Todo{} // class:singleton
//	mux.HandleFunc("GET /todos", list) // route:singleton
//	mux.HandleFunc(pattern, list) // want "pattern is not a constant"
//	mux.HandleFunc("GET /n/{n}", get) // route:keyed key:path/n/strconv.Atoi
//
// class: names the class of the root declared on that line; route: the
// fluxion kind of every route registered on that line (stateless,
// singleton, keyed, residue); key: the Key of a keyed route, as From,
// Name and Ops joined by slashes; want: a regexp that a load error or
// finding positioned on that line must match. Every root, route, key and
// diagnostic must be expected, and every expectation met.

var (
	classRe = regexp.MustCompile(`class:([a-z-]+)`)
	routeRe = regexp.MustCompile(`route:([a-z-]+)`)
	wantRe  = regexp.MustCompile(`want "((?:[^"\\]|\\.)*)"`)
	ctxRe   = regexp.MustCompile(`context:([A-Za-z0-9_.]+)`)
	keyRe   = regexp.MustCompile(`key:(\S+)`)
	tagsRe  = regexp.MustCompile(`^// tags:(\S+)`)
)

// expectations are a case's annotations by "file:line".
type expectations struct {
	classes  map[string]string
	routes   map[string]string
	contexts map[string]string
	keys     map[string]string
	wants    map[string][]*regexp.Regexp
	tags     []string
}

func readExpectations(t *testing.T, dir string) *expectations {
	t.Helper()
	e := &expectations{classes: map[string]string{}, routes: map[string]string{},
		contexts: map[string]string{}, keys: map[string]string{}, wants: map[string][]*regexp.Regexp{}}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			key := fmt.Sprintf("%s:%d", rel, line)
			text := sc.Text()
			if m := tagsRe.FindStringSubmatch(text); m != nil {
				e.tags = strings.Split(m[1], ",")
			}
			if m := classRe.FindStringSubmatch(text); m != nil {
				e.classes[key] = m[1]
			}
			if m := routeRe.FindStringSubmatch(text); m != nil {
				e.routes[key] = m[1]
			}
			if m := ctxRe.FindStringSubmatch(text); m != nil {
				e.contexts[key] = m[1]
			}
			if m := keyRe.FindStringSubmatch(text); m != nil {
				e.keys[key] = m[1]
			}
			for _, m := range wantRe.FindAllStringSubmatch(text, -1) {
				e.wants[key] = append(e.wants[key], regexp.MustCompile(strings.ReplaceAll(m[1], `\"`, `"`)))
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// lineKey returns "file:line" of a position.
func lineKey(file string, line int) string { return fmt.Sprintf("%s:%d", file, line) }

// fluxionKind maps a route's context to the fluxion kind the planner
// will give it.
func fluxionKind(m *Model, r *Route) string {
	if r.Context == "" {
		return "stateless"
	}
	for _, c := range m.Contexts {
		switch {
		case c.Name == r.Context && c.Class == NotSplittable:
			return "residue"
		case c.Name == r.Context && c.Class == Keyed:
			return "keyed"
		}
	}
	return "singleton"
}

// runCase loads and analyses one case and checks its annotations.
func runCase(t *testing.T, dir string) {
	e := readExpectations(t, dir)
	p, err := Load(dir, Config{Dir: dir, Tags: e.tags})
	var m *Model
	if err == nil {
		m, err = Analyze(p)
	}
	if err != nil {
		checkDiagnostics(t, e, err)
		return
	}
	if len(e.wants) > 0 {
		t.Errorf("analysis succeeded; want diagnostics at %v", sortedKeys(e.wants))
	}
	checkRoots(t, e, m)
	checkRoutes(t, e, m)
}

func checkDiagnostics(t *testing.T, e *expectations, err error) {
	t.Helper()
	var ds []Diagnostic
	var le *LoadError
	var fe *FindingsError
	switch {
	case errors.As(err, &le):
		ds = le.Diagnostics
	case errors.As(err, &fe):
		ds = fe.Diagnostics
	default:
		t.Fatalf("error %v (%T) is neither a *LoadError nor a *FindingsError", err, err)
	}
	matched := map[*regexp.Regexp]bool{}
	for _, d := range ds {
		key := lineKey(d.Pos.Filename, d.Pos.Line)
		ok := false
		for _, re := range e.wants[key] {
			if re.MatchString(d.Message) {
				matched[re], ok = true, true
			}
		}
		if !ok {
			t.Errorf("unexpected diagnostic: %s", d)
		}
	}
	for key, res := range e.wants {
		for _, re := range res {
			if !matched[re] {
				t.Errorf("%s: no diagnostic matching %q; got:\n%v", key, re, err)
			}
		}
	}
}

func checkRoots(t *testing.T, e *expectations, m *Model) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range m.Roots {
		key := lineKey(r.Pos.Filename, r.Pos.Line)
		seen[key] = true
		want, ok := e.classes[key]
		switch {
		case !ok:
			t.Errorf("%s: unexpected root %s (%s)", key, r.Name, r.Class)
		case want != string(r.Class):
			t.Errorf("%s: root %s is %s, want %s; reasons: %v", key, r.Name, r.Class, want, r.Reasons)
		}
		if len(r.Reasons) == 0 {
			t.Errorf("%s: root %s has no reasons", key, r.Name)
		}
	}
	for _, key := range sortedKeys(e.classes) {
		if !seen[key] {
			t.Errorf("%s: no root found, want one of class %s", key, e.classes[key])
		}
	}
}

func checkRoutes(t *testing.T, e *expectations, m *Model) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range m.Routes {
		key := lineKey(r.Pos.Filename, r.Pos.Line)
		seen[key] = true
		want, ok := e.routes[key]
		got := fluxionKind(m, r)
		switch {
		case !ok:
			t.Errorf("%s: unexpected route %q (%s)", key, r.Pattern, got)
		case want != got:
			t.Errorf("%s: route %q is %s, want %s (roots %v, context %q)", key, r.Pattern, got, want, r.Roots, r.Context)
		}
		if c, ok := e.contexts[key]; ok && c != r.Context {
			t.Errorf("%s: route %q has context %q, want %q", key, r.Pattern, r.Context, c)
		}
		checkKey(t, key, r, e.keys[key])
	}
	for _, key := range sortedKeys(e.routes) {
		if !seen[key] {
			t.Errorf("%s: no route found, want one of kind %s", key, e.routes[key])
		}
	}
}

// TestCases runs every case under testdata/src.
func TestCases(t *testing.T) {
	entries, err := os.ReadDir("testdata/src")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range entries {
		if d.IsDir() {
			names = append(names, d.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runCase(t, filepath.Join("testdata", "src", name))
		})
	}
}

// dumpModel writes m as indented JSON.
func dumpModel(m *Model) string {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// checkKey checks a route's Key against its annotation, "" meaning none.
func checkKey(t *testing.T, line string, r *Route, want string) {
	t.Helper()
	got := ""
	if k := r.Key; k != nil {
		got = strings.Join(append([]string{k.From, k.Name}, k.Ops...), "/")
		if k.Type == "" || k.Expr == "" || !k.Pos.IsValid() {
			t.Errorf("%s: route %q key %s lacks its type, expression or position: %+v", line, r.Pattern, got, k)
		}
	}
	if got != want {
		t.Errorf("%s: route %q has key %q, want %q", line, r.Pattern, got, want)
	}
}
