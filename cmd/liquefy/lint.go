package main

import (
	"fmt"
	"io"
	"os"

	"github.com/liquefy/liquefy"
	"github.com/liquefy/liquefy/analyzer"
	"github.com/liquefy/liquefy/analyzer/lint"
)

var cmdLint = &command{
	name:    "lint",
	summary: "check that an app is still splittable, for CI",
	usage: `usage: liquefy lint [-format text|json|sarif] [-strict] [-tags TAGS] APPDIR

Analyzes the app in APPDIR and prints one finding per line: every state
root that is not splittable, at the access that makes it so, with the
reason and the fix, and warnings for what scales badly or behaves
differently once liquefied (singleton contexts, background state, local
files, streaming, hijacked connections). Each finding has a code, LQ001
and up, explained in docs/lint.md. -format json prints a stable JSON
document and -format sarif a SARIF 2.1.0 log for code scanning; both give
file names relative to the app's module root. The same pass runs under
go vet -vettool=$(which liquefy-vet).

Exit status: 0 no errors (warnings allowed unless -strict), 1 some error
(a root that is not splittable, or an app liquefy cannot analyse: no
serving call, no routes, a pattern that is not a constant), 2 bad usage
or an app that does not load.

Example:

	go run ./cmd/liquefy lint -format sarif ./testdata/apps/ticker > liquefy.sarif

Flags:
`,
}

func init() {
	cmdLint.run = runLint
}

func runLint(args []string, stdout, stderr io.Writer) int {
	fs := newFlags(cmdLint, stderr)
	format := fs.String("format", "text", "output format: text, json or sarif")
	strict := fs.Bool("strict", false, "fail on warnings too")
	var tags stringList
	fs.Var(&tags, "tags", "comma-separated build tags to load the app with")
	dir, code, ok := parse(fs, args, stderr)
	if !ok {
		return code
	}
	if *format != "text" && *format != "json" && *format != "sarif" {
		fmt.Fprintf(stderr, "liquefy lint: -format %q: want text, json or sarif\n", *format)
		return exitUsage
	}
	rep, err := lint.Check(dir, analyzer.Config{Tags: tags})
	if err != nil {
		return report(stderr, err)
	}
	if err := writeLint(rep, *format, stdout); err != nil {
		return report(stderr, err)
	}
	if *format == "text" && len(rep.Findings) > 0 {
		fmt.Fprintf(stderr, "liquefy lint: %s, %s\n", lintCount(rep.Errors(), "error"), lintCount(rep.Warnings(), "warning"))
	}
	if rep.Failed(*strict) {
		return exitFindings
	}
	return exitOK
}

// lintCount spells n things: "1 error", "2 errors".
func lintCount(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// writeLint writes rep to w in format.
func writeLint(rep *lint.Report, format string, w io.Writer) error {
	switch format {
	case "json":
		return rep.WriteJSON(w)
	case "sarif":
		return rep.WriteSARIF(w, liquefy.Version)
	}
	wd, _ := os.Getwd()
	return rep.WriteText(w, wd)
}
