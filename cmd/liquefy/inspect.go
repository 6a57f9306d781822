package main

import (
	"io"
	"os"

	"github.com/liquefy/liquefy"
)

var cmdInspect = &command{
	name:    "inspect",
	summary: "show an app's routes, state roots, their classes and contexts",
	usage: `usage: liquefy inspect [-json] [-tags TAGS] [-partitions N] APPDIR

Analyzes the app in APPDIR and prints, without writing anything, every
route with the fluxion that will serve it, every state root with its class
and the accesses that decided it, and the execution contexts. -json prints
the same as a stable JSON document (see docs/inspect.md).

Example:

	go run ./cmd/liquefy inspect -json ./testdata/apps/todo

Flags:
`,
}

func init() {
	cmdInspect.run = runInspect
}

func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := newFlags(cmdInspect, stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	var tags stringList
	fs.Var(&tags, "tags", "comma-separated build tags to load the app with")
	partitions := fs.Int("partitions", 0, "partitions of each keyed context (default 64)")
	dir, code, ok := parse(fs, args, stderr)
	if !ok {
		return code
	}
	wd, _ := os.Getwd()
	_, m, err := liquefy.Analyze(liquefy.Options{Dir: dir, Tags: tags, WorkDir: wd})
	if err != nil {
		return report(stderr, err)
	}
	in := liquefy.Inspect(m, *partitions)
	if *asJSON {
		err = in.WriteJSON(stdout)
	} else {
		err = in.WriteText(stdout)
	}
	if err != nil {
		return report(stderr, err)
	}
	return exitOK
}
