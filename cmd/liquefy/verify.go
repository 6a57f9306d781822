package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/liquefy/liquefy"
	"github.com/liquefy/liquefy/verify"
)

var cmdVerify = &command{
	name:    "verify",
	summary: "check that the liquefied service answers exactly as the monolith",
	usage: `usage: liquefy verify -trace FILE [-mode all|split] [-workers N] [-liquid DIR] APPDIR

Builds the monolith in APPDIR and its liquefied service (APPDIR/liquid, as
liquefy wrote it), starts both on free loopback ports, replays the request
trace FILE against both, and compares status, body and every header but
Date (and those the trace says to ignore). Each mismatch is shown as a
diff. Both forms are stopped whatever happens.

-mode all runs the liquefied service as one process (its default role);
-mode split runs one gateway and N worker processes joined over a NATS
server that verify starts on loopback.

The trace is JSON lines; see docs/trace.md.

Exit status: 0 every answer agrees, 1 some differ, 2 usage, build or start
failures.

Example:

	go run ./cmd/liquefy verify -trace testdata/apps/todo/trace.jsonl ./testdata/apps/todo

Flags:
`,
}

func init() {
	cmdVerify.run = runVerify
}

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := newFlags(cmdVerify, stderr)
	trace := fs.String("trace", "", "request trace, JSON lines (default APPDIR/trace.jsonl)")
	mode := fs.String("mode", "all", "how to run the liquefied service: all or split")
	workers := fs.Int("workers", verify.DefaultWorkers, "worker processes in -mode split")
	liquid := fs.String("liquid", "", "liquefied service directory (default APPDIR/liquid)")
	keep := fs.Bool("keep", false, "keep binaries and process logs, and say where")
	dir, code, ok := parse(fs, args, stderr)
	if !ok {
		return code
	}
	if *mode != string(verify.ModeAll) && *mode != string(verify.ModeSplit) {
		fmt.Fprintf(stderr, "liquefy verify: -mode %q: want all or split\n", *mode)
		return exitUsage
	}
	if *trace == "" {
		*trace = filepath.Join(dir, "trace.jsonl")
	}
	if *liquid == "" {
		*liquid = filepath.Join(dir, liquefy.OutDir)
	}
	if _, err := os.Stat(*liquid); err != nil {
		fmt.Fprintf(stderr, "liquefy verify: no liquefied service in %s: run `liquefy %s` first\n", *liquid, dir)
		return exitUsage
	}

	// Stop both forms on ^C as on any other way out.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err := verify.Run(ctx, verify.Config{
		AppDir: dir, Liquid: *liquid, Trace: *trace, Out: stdout,
		Mode: verify.Mode(*mode), Workers: *workers, Keep: *keep,
	})
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, verify.ErrMismatch):
		return exitFindings
	default:
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
}
