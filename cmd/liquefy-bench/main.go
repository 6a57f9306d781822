// Command liquefy-bench load-tests HTTP services on this machine and
// prints one Markdown table row per target.
//
// Usage:
//
//	liquefy-bench [flags] [name=]url...
//
// Each target is benchmarked in turn with the same workload: the todo mix
// (bench.TodoWorkload) by default, or the requests of a trace replayed
// round-robin with -trace. Targets must be loopback addresses.
//
// Example:
//
//	liquefy-bench -c 32 -d 10s monolith=http://127.0.0.1:8080 liquefied=http://127.0.0.1:8081
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/liquefy/liquefy/bench"
	"github.com/liquefy/liquefy/verify"
)

func main() {
	flag.Usage = usage
	tracePath := flag.String("trace", "", "replay the requests of this trace.jsonl instead of the todo mix")
	keys := flag.Int("keys", 100, "todo mix: number of lists created before measuring and then read or updated")
	seed := flag.Uint64("seed", 1, "todo mix: seed that picks each request")
	noSetup := flag.Bool("no-setup", false, "todo mix: do not create the lists first (the target already has them)")
	cfg := bench.Config{}
	flag.IntVar(&cfg.Concurrency, "c", bench.DefaultConcurrency, "requests in flight")
	flag.DurationVar(&cfg.Duration, "d", bench.DefaultDuration, "longest time to measure each target")
	flag.IntVar(&cfg.MaxRequests, "n", bench.DefaultMaxRequests, "most requests to send to each target")
	flag.DurationVar(&cfg.Timeout, "timeout", bench.DefaultTimeout, "longest wait for one answer")
	app := flag.String("app", "", "liquefy a scratch copy of this app, start the monolith and each liquefied form in turn, and measure them")
	flag.Parse()
	if flag.NArg() == 0 && *app == "" {
		usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if *app != "" {
		if err = workload(&cfg, *tracePath, *keys, *seed, !*noSetup); err == nil {
			err = runApp(ctx, os.Stdout, cfg, *app)
		}
	} else {
		err = run(ctx, os.Stdout, cfg, *tracePath, *keys, *seed, !*noSetup, flag.Args())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "liquefy-bench:", err)
		os.Exit(1)
	}
}

// run benchmarks each target in turn and prints the table to out.
func run(ctx context.Context, out io.Writer, cfg bench.Config, tracePath string, keys int, seed uint64, setup bool, targets []string) error {
	if err := workload(&cfg, tracePath, keys, seed, setup); err != nil {
		return err
	}
	for _, t := range targets {
		_, url := splitTarget(t)
		if err := bench.CheckLoopback(url); err != nil {
			return err
		}
	}

	// Measure each target in turn.
	fmt.Fprint(out, bench.MarkdownHeader())
	for _, t := range targets {
		name, url := splitTarget(t)
		cfg.URL = url
		res, err := bench.Run(ctx, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprint(out, res.MarkdownRow(name))
		if res.LastError != nil {
			fmt.Fprintf(os.Stderr, "liquefy-bench: %s: last error: %v\n", name, res.LastError)
		}
	}
	return nil
}

// workload sets the requests of cfg from a trace or the todo mix.
func workload(cfg *bench.Config, tracePath string, keys int, seed uint64, setup bool) error {
	if tracePath == "" {
		var s []bench.Request
		s, cfg.Next = bench.TodoWorkload(keys, seed)
		if setup {
			cfg.Setup = s
		}
		return nil
	}
	tr, err := verify.ReadTrace(tracePath)
	if err != nil {
		return err
	}
	cfg.Requests = bench.TraceRequests(tr)
	return nil
}

// splitTarget splits "name=url"; a bare URL is its own name.
func splitTarget(t string) (name, url string) {
	if name, url, ok := strings.Cut(t, "="); ok && !strings.Contains(name, "/") {
		return name, url
	}
	return t, t
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: liquefy-bench [flags] [name=]url...
       liquefy-bench [flags] -app APPDIR

liquefy-bench sends a closed-loop load to each target in turn (loopback
addresses only) and prints a Markdown table: requests, errors, non-2xx
answers, requests per second and latency percentiles. The default workload
is the todo mix: -keys lists created first, each with one item, then 40%
GET of a list, 40% GET of an item, 10% PUT of a list, 5% PUT of an item and
5% POST of a new item, each picked by -seed and its index.

With -app, it liquefies a scratch copy of the app, then measures the
monolith and the liquefied service (role all with and without the fast
path, and one gateway with two workers) in turn, each freshly started, and
prints each form's throughput as a ratio of the monolith's.

Examples:

	liquefy-bench -c 32 -d 10s monolith=http://127.0.0.1:8080 liquefied=http://127.0.0.1:8081
	liquefy-bench -d 10s -app ./testdata/apps/todo

Flags:
`)
	flag.PrintDefaults()
}
