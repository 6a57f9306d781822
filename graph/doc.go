// Package graph draws the fluxion graph of an inspected app: its routes,
// the fluxions that serve them and the execution contexts and state
// those fluxions run on, coloured by class.
//
// The graph is read from a *liquefy.Inspection, the stable form of an
// analysis, in three columns:
//
//	routes  ──▶  fluxions  ──▶  contexts and state
//
// A route points at its fluxion; a fluxion points at the context it runs
// on (solid) and at the replicated or background state its routes read
// (dashed). Every node is coloured by class: stateless, replicated,
// keyed, singleton, background or not-splittable. The fluxions and
// contexts of the residue, the state that cannot leave a process, are
// grouped in one box, because they all run in one process.
//
// DOT writes the graph in Graphviz's language; SVG renders it with
// Graphviz's dot when it is on PATH and with this package's own layered
// drawing (Draw) otherwise; HTML writes one self-contained page with the
// drawing and the inspection's routes, roots and contexts as tables.
// Every output depends only on the inspection, except SVG's, which
// depends on the Graphviz found.
package graph
