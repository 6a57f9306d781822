package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/liquefy/liquefy"
	"github.com/liquefy/liquefy/graph"
)

var cmdGraph = &command{
	name:    "graph",
	summary: "draw an app's fluxion graph: routes, fluxions and contexts by class",
	usage: `usage: liquefy graph [-format dot|svg|html] [-o FILE] [-tags TAGS] [-partitions N] APPDIR

Analyzes the app in APPDIR and draws, without writing the service, its
routes, the fluxions that will serve them and the execution contexts and
state they run on, coloured by class (stateless, replicated, keyed,
singleton, background, not-splittable), with the not-splittable residue
framed as the one process it stays in.

-format dot writes Graphviz's DOT; svg renders it with Graphviz's dot when
it is on PATH and with liquefy's own drawing otherwise; html (the default)
writes one self-contained page with the drawing and the routes, state
roots and contexts as tables. The output goes to standard output, or to
FILE with -o.

Example:

	go run ./cmd/liquefy graph -o todo.html ./testdata/apps/todo

Flags:
`,
}

func init() {
	cmdGraph.run = runGraph
}

func runGraph(args []string, stdout, stderr io.Writer) int {
	fs := newFlags(cmdGraph, stderr)
	format := fs.String("format", "html", "output format: dot, svg or html")
	out := fs.String("o", "", "write to FILE instead of standard output")
	var tags stringList
	fs.Var(&tags, "tags", "comma-separated build tags to load the app with")
	partitions := fs.Int("partitions", 0, "partitions of each keyed context (default 64)")
	dir, code, ok := parse(fs, args, stderr)
	if !ok {
		return code
	}

	if !slices.Contains(graph.Formats, *format) {
		fmt.Fprintf(stderr, "liquefy graph: -format %q: want dot, svg or html\n", *format)
		return exitUsage
	}
	wd, _ := os.Getwd()
	_, m, err := liquefy.Analyze(liquefy.Options{Dir: dir, Tags: tags, WorkDir: wd})
	if err != nil {
		return report(stderr, err)
	}
	b, err := graph.Render(liquefy.Inspect(m, *partitions), *format)
	if err != nil {
		return report(stderr, err)
	}
	if err := writeGraph(*out, b, stdout); err != nil {
		return report(stderr, fmt.Errorf("liquefy graph: write %s: %w", *out, err))
	}
	return exitOK
}

// writeGraph writes b to standard output, or to the file path through a
// temporary file renamed into place, so a failed run leaves no half
// file.
func writeGraph(path string, b []byte, stdout io.Writer) error {
	if path == "" {
		_, err := stdout.Write(b)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".liquefy-graph-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
