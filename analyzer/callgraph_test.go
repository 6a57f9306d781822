package analyzer

import (
	"fmt"
	"go/types"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/callgraph"
	"golang.org/x/tools/go/callgraph/cha"
	"golang.org/x/tools/go/callgraph/vta"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// TestCallGraphsAgainstWalks compares, on the bundled apps and the keyed
// cases, what each route reaches by the analysis's own walks with what it
// reaches in the call graphs of golang.org/x/tools/go/callgraph/cha and
// .../vta: the number of edges, and the package-level state roots of the
// module each route's handler reaches. doc.go sums up the result. The
// test fails when VTA has more edges than CHA, which it refines, or when
// a call graph reaches a root no walk found, which would mean the walks
// miss state.
func TestCallGraphsAgainstWalks(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "testdata", "apps", "*"))
	dirs = append(dirs, filepath.Join("testdata", "src", "keyed"), filepath.Join("testdata", "src", "keyedpkg"),
		filepath.Join("testdata", "src", "wrappers"), filepath.Join("testdata", "src", "wrapcounter"))
	var lines []string
	for _, dir := range dirs {
		lines = append(lines, compareCallGraphs(t, dir)...)
	}
	t.Logf("edges leaving the module's functions, package-level roots reached, and the routes where a call graph reaches fewer than the walks:\n%s", strings.Join(lines, "\n"))
}

// compareCallGraphs analyses one app and returns its lines of the table.
func compareCallGraphs(t *testing.T, dir string) []string {
	p, err := Load(dir, Config{Dir: dir})
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	start := time.Now()
	a, m, routes := analyzeInternals(t, p)
	walks := time.Since(start)
	start = time.Now()
	chaG := cha.CallGraph(p.SSA)
	chaT := time.Since(start)
	start = time.Now()
	vtaG := vta.CallGraph(ssautil.AllFunctions(p.SSA), chaG)
	vtaT := time.Since(start)
	ce, ve := appEdges(p, chaG), appEdges(p, vtaG)
	if ve > ce {
		t.Errorf("%s: VTA has %d edges among the module's functions, CHA %d", dir, ve, ce)
	}
	var out []string
	sumW, sumC, sumV := 0, 0, 0
	for _, r := range routes {
		if r.reg == nil {
			continue // an implicit route: no handler of the module
		}
		walked := globalRootsOf(m, r.Route)
		entries := handlerFuncs(r.reg.handler)
		cr, vr := a.graphRoots(chaG, entries), a.graphRoots(vtaG, entries)
		for _, g := range append(cr, vr...) {
			if !walked[g] {
				t.Errorf("%s: route %s: a call graph reaches %s, which no walk of the route found", dir, r.Pattern, g)
			}
		}
		sumW, sumC, sumV = sumW+len(walked), sumC+len(cr), sumV+len(vr)
		if len(cr) < len(walked) || len(vr) < len(walked) {
			out = append(out, fmt.Sprintf("  %-28s walks %d, CHA %d, VTA %d", r.Pattern, len(walked), len(cr), len(vr)))
		}
	}
	head := fmt.Sprintf("%s: edges CHA %d, VTA %d; roots over all routes: walks %d, CHA %d, VTA %d; time: walks %v, CHA %v, VTA (after CHA) %v",
		filepath.Base(dir), ce, ve, sumW, sumC, sumV, walks.Round(time.Millisecond), chaT.Round(time.Millisecond), vtaT.Round(time.Millisecond))
	return append([]string{head}, out...)
}

// analyzeInternals runs Analyze's steps and keeps the internals.
func analyzeInternals(t *testing.T, p *Program) (*analysis, *Model, []*route) {
	a := newAnalysis(p)
	a.walkStartup()
	m := &Model{Module: p.Module}
	routes, ds := a.findRoutes(m)
	if len(ds) > 0 {
		t.Fatalf("findings: %v", ds)
	}
	a.walkServing(m, routes)
	a.classify(m, routes)
	return a, m, routes
}

// appEdges counts the edges of g that leave a function of the module.
func appEdges(p *Program, g *callgraph.Graph) int {
	n := 0
	for fn, node := range g.Nodes {
		if fn != nil && p.isApp(fn) {
			n += len(node.Out)
		}
	}
	return n
}

// handlerFuncs returns the functions a route's handler runs first.
func handlerFuncs(hs []*hnode) []*ssa.Function {
	var out []*ssa.Function
	for _, h := range hs {
		if h.fn != nil {
			out = append(out, h.fn)
		}
		out = append(out, handlerFuncs(h.inner)...)
		if h.kind == hWrap {
			out = append(out, handlerFuncs(h.wrapped)...)
		}
	}
	return out
}

// globalRootsOf returns the package-level roots the walks found a route
// reaching, by root name.
func globalRootsOf(m *Model, r *Route) map[string]bool {
	kinds := map[string]RootKind{}
	for _, root := range m.Roots {
		kinds[root.Name] = root.Kind
	}
	out := map[string]bool{}
	for _, name := range r.Roots {
		if kinds[name] == Global {
			out[name] = true
		}
	}
	return out
}

// graphRoots returns the package-level roots of the module (as the walks
// name them, sync primitives and handlers left out) that the functions
// reachable from entries in g refer to.
func (a *analysis) graphRoots(g *callgraph.Graph, entries []*ssa.Function) []string {
	seen := map[*ssa.Function]bool{}
	var queue []*ssa.Function
	for _, fn := range entries {
		if !seen[fn] {
			seen[fn] = true
			queue = append(queue, fn)
		}
	}
	roots := map[string]bool{}
	for len(queue) > 0 {
		fn := queue[0]
		queue = queue[1:]
		a.globalsIn(fn, roots)
		if node := g.Nodes[fn]; node != nil {
			for _, e := range node.Out {
				if !seen[e.Callee.Func] {
					seen[e.Callee.Func] = true
					queue = append(queue, e.Callee.Func)
				}
			}
		}
	}
	out := sortedKeys(roots)
	sort.Strings(out)
	return out
}

// globalsIn adds the module's globals that fn loads or stores, by root
// name, to roots. Globals that the walks leave out by design (sync
// primitives, handlers, muxes, pointers to structs whose fields are the
// roots) are skipped.
func (a *analysis) globalsIn(fn *ssa.Function, roots map[string]bool) {
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			for _, op := range in.Operands(nil) {
				g, ok := (*op).(*ssa.Global)
				if !ok || g.Pkg == nil || !a.p.inModule(g.Pkg.Pkg) || g.Object() == nil {
					continue
				}
				t := deref(g.Type())
				if isSyncType(t) || a.isHandlerType(t) || a.aliasType(t) || isConstLike(g) {
					continue
				}
				name := g.Name()
				if g.Pkg.Pkg != a.p.Main.Types {
					name = g.Pkg.Pkg.Name() + "." + name
				}
				roots[name] = true
			}
		}
	}
}

// isConstLike reports whether g is a synthetic global (init guards).
func isConstLike(g *ssa.Global) bool {
	_, ok := g.Object().(*types.Var)
	return !ok || strings.HasPrefix(g.Name(), "init$")
}
