package graph

import (
	"slices"
	"strings"

	"github.com/liquefy/liquefy"
)

// The classes nodes are coloured by: the state-root classes of package
// analyzer, and stateless for what touches no state.
const (
	classStateless     = "stateless"
	classReplicated    = "replicated"
	classKeyed         = "keyed"
	classSingleton     = "singleton"
	classBackground    = "background"
	classNotSplittable = "not-splittable"
)

// classes lists the classes in legend order.
var classes = []string{classStateless, classReplicated, classKeyed, classSingleton, classBackground, classNotSplittable}

// colours are each class's fill and stroke.
var colours = map[string][2]string{
	classStateless:     {"#eef1f5", "#6b7785"},
	classReplicated:    {"#d6eaf8", "#2471a3"},
	classKeyed:         {"#d5f5e3", "#1e8449"},
	classSingleton:     {"#fdebd0", "#b9770e"},
	classBackground:    {"#e8daef", "#76448a"},
	classNotSplittable: {"#fadbd8", "#b03a2e"},
}

// colour returns a class's fill and stroke; an unknown class is drawn as
// stateless.
func colour(class string) (fill, stroke string) {
	c, ok := colours[class]
	if !ok {
		c = colours[classStateless]
	}
	return c[0], c[1]
}

// A column is one of the graph's three layers.
type column int

const (
	colRoutes column = iota
	colFluxions
	colState
)

// A node is one box of the graph.
type node struct {
	id      string // unique across the graph
	col     column
	title   string
	lines   []string // below the title
	class   string
	residue bool // inside the residue group
	tip     string
}

// An edge joins two nodes; reads marks a fluxion reading replicated or
// background state rather than running on a context.
type edge struct {
	from, to string
	reads    bool
}

// A graph is the layered form of an inspection: nodes in column order,
// residue nodes last in their column.
type graph struct {
	title string
	nodes []*node
	edges []edge
}

// build lays out in's routes, fluxions, contexts and context-less roots
// as a graph.
func build(in *liquefy.Inspection) *graph {
	g := &graph{title: in.Module}
	if g.title == "" {
		g.title = in.Package
	}
	contexts := map[string]liquefy.InspectContext{}
	for _, c := range in.Contexts {
		contexts[c.Name] = c
	}
	roots := map[string]liquefy.InspectRoot{}
	for _, r := range in.Roots {
		roots[r.Name] = r
	}

	// Routes, and their fluxions in order of first use.
	fluxions := map[string]*node{}
	var flux, state []*node
	stateSeen := map[string]bool{}
	for i, r := range in.Routes {
		class := routeClass(r, contexts)
		rid := "route" + itoa(i)
		g.nodes = append(g.nodes, &node{
			id: rid, col: colRoutes, title: r.Pattern, lines: []string{r.Handler}, class: class,
			tip: r.Pattern + " at " + r.Pos,
		})
		f := fluxions[r.Fluxion]
		if f == nil {
			f = &node{
				id: "fluxion:" + r.Fluxion, col: colFluxions, title: r.Fluxion, lines: []string{r.Kind},
				class: class, residue: r.Kind == "residue", tip: r.Kind + " fluxion " + r.Fluxion,
			}
			fluxions[r.Fluxion] = f
			flux = append(flux, f)
		}
		g.edges = append(g.edges, edge{from: rid, to: f.id})

		// The fluxion's context, then the context-less state it reads.
		if r.Context != "" {
			state = g.addState(state, stateSeen, contextNode(r.Context, contexts))
			g.addEdge(edge{from: f.id, to: "context:" + r.Context})
		}
		for _, name := range r.Roots {
			root, ok := roots[name]
			if !ok || root.Context != "" {
				continue
			}
			state = g.addState(state, stateSeen, rootNode(root))
			g.addEdge(edge{from: f.id, to: "root:" + name, reads: true})
		}
	}

	// Contexts no route runs on still belong in the picture.
	for _, c := range in.Contexts {
		state = g.addState(state, stateSeen, contextNode(c.Name, contexts))
	}
	g.nodes = append(g.nodes, residueLast(flux)...)
	g.nodes = append(g.nodes, residueLast(state)...)
	return g
}

// addState appends n to state unless a node with its id is there.
func (g *graph) addState(state []*node, seen map[string]bool, n *node) []*node {
	if seen[n.id] {
		return state
	}
	seen[n.id] = true
	return append(state, n)
}

// addEdge adds e unless it is there already.
func (g *graph) addEdge(e edge) {
	if !slices.Contains(g.edges, e) {
		g.edges = append(g.edges, e)
	}
}

// contextNode is the node of the context called name.
func contextNode(name string, contexts map[string]liquefy.InspectContext) *node {
	c, ok := contexts[name]
	if !ok {
		c = liquefy.InspectContext{Name: name, Class: classSingleton}
	}
	n := &node{
		id: "context:" + name, col: colState, title: name, class: c.Class,
		lines:   append([]string{"context · " + c.Class}, wrap(c.Roots, 36)...),
		residue: c.Class == classNotSplittable,
		tip:     c.Class + " context " + name,
	}
	return n
}

// rootNode is the node of a root outside every context: replicated state,
// or background state handlers only read.
func rootNode(r liquefy.InspectRoot) *node {
	return &node{
		id: "root:" + r.Name, col: colState, title: r.Name, class: r.Class,
		lines: []string{r.Class + " · " + r.Type},
		tip:   r.Class + " root " + r.Name + " at " + r.Pos,
	}
}

// routeClass is the class a route and its fluxion are coloured by: its
// context's class, or stateless.
func routeClass(r liquefy.InspectRoute, contexts map[string]liquefy.InspectContext) string {
	switch {
	case r.Kind == "residue":
		return classNotSplittable
	case r.Context == "":
		return classStateless
	case contexts[r.Context].Class != "":
		return contexts[r.Context].Class
	default:
		return r.Kind
	}
}

// residueLast moves the residue nodes to the end, keeping the order of
// the others.
func residueLast(nodes []*node) []*node {
	var out, res []*node
	for _, n := range nodes {
		if n.residue {
			res = append(res, n)
		} else {
			out = append(out, n)
		}
	}
	return append(out, res...)
}

// wrap joins words with ", " into lines of at most width bytes, a word
// longer than width on a line of its own.
func wrap(words []string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range words {
		if cur.Len() > 0 && cur.Len()+2+len(w) > width {
			lines = append(lines, cur.String()+",")
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteString(", ")
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// column returns the nodes of column c, in order.
func (g *graph) column(c column) []*node {
	var out []*node
	for _, n := range g.nodes {
		if n.col == c {
			out = append(out, n)
		}
	}
	return out
}

// hasResidue reports whether the graph has residue nodes.
func (g *graph) hasResidue() bool {
	return slices.ContainsFunc(g.nodes, func(n *node) bool { return n.residue })
}
