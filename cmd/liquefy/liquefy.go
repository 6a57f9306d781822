package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/liquefy/liquefy"
	"github.com/liquefy/liquefy/deploy"
)

var cmdLiquefy = &command{
	name:    "liquefy",
	summary: "write the liquefied service of a net/http app",
	usage: `usage: liquefy [-o DIR] [-tags TAGS] [-partitions N] [deploy flags] APPDIR

Loads the app whose main package is in APPDIR (its own module, anywhere on
disk), finds its routes and the state each handler needs, and writes the
liquefied service to APPDIR/liquid (or -o DIR), with the plan manifest
liquid/liquefy.yaml and Kubernetes manifests in liquid/deploy/ (see
docs/deploy.md; the deploy flags below set their image, namespace and
replica counts). It adds what the module
needs to build it to APPDIR's go.mod (a require line for liquefy's runtime,
a replace line when liquefy runs from a checkout, then go mod tidy) and
prints each change. Nothing is written when any step fails.

Run the result from the app's directory exactly like the monolith:

	cd APPDIR && go run ./liquid -addr 127.0.0.1:8080

Exit status: 0 done, 1 analysis findings (no routes, a pattern that is not
a constant), 2 usage, load or build failures.

Example:

	go run ./cmd/liquefy ./testdata/apps/todo

Flags:
`,
}

func init() {
	cmdLiquefy.run = runLiquefy
}

func runLiquefy(args []string, stdout, stderr io.Writer) int {
	fs := newFlags(cmdLiquefy, stderr)
	out := fs.String("o", "", "output directory (default APPDIR/liquid)")
	var tags stringList
	fs.Var(&tags, "tags", "comma-separated build tags to load the app with")
	partitions := fs.Int("partitions", 0, "partitions of each keyed context (default 64)")
	var dopts deploy.Options
	fs.StringVar(&dopts.Image, "image", "", "deploy: container image (default SERVICE:latest)")
	fs.StringVar(&dopts.Namespace, "namespace", "", "deploy: Kubernetes namespace (default \"default\")")
	fs.IntVar(&dopts.GatewayReplicas, "gateways", 0, "deploy: gateway replicas, the autoscaler's minimum (default 2)")
	fs.IntVar(&dopts.Workers, "workers", 0, "deploy: worker replicas (default 3)")
	var appArgs stringList
	fs.Var(&appArgs, "app-args", "deploy: the app's own arguments for every pod, comma-separated (e.g. -addr=:8080)")
	dir, code, ok := parse(fs, args, stderr)
	if !ok {
		return code
	}
	if *out != "" {
		abs, err := filepath.Abs(*out)
		if err != nil {
			return report(stderr, err)
		}
		*out = abs
	}
	wd, _ := os.Getwd()

	dopts.AppArgs = appArgs
	res, err := liquefy.Liquefy(liquefy.Options{Dir: dir, Out: *out, Tags: tags, Partitions: *partitions, WorkDir: wd, Deploy: dopts})
	if err != nil {
		return report(stderr, err)
	}

	// Say what changed, relative to where the user stands.
	for _, c := range res.ModuleChanges {
		fmt.Fprintln(stdout, c)
	}
	for _, c := range res.Calls {
		fmt.Fprintf(stdout, "%s: %s handed to %s\n", c.Pos, c.From, c.To)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "liquefy: warning: %s\n", w)
	}
	for _, f := range res.Dropped {
		fmt.Fprintf(stderr, "liquefy: warning: %s removed: liquefy owns %s and writes it whole; keep your own files elsewhere\n",
			filepath.Join(res.Out, f), res.Out)
	}
	where := liquefy.Rel(res.Out)
	state := "unchanged"
	if res.Changed {
		state = "written"
	}
	fmt.Fprintf(stdout, "%s: %s (%d routes, %d contexts)\n", where, state, len(res.Model.Routes), len(res.Model.Contexts))
	return exitOK
}
