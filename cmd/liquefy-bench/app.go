package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/liquefy/liquefy"
	"github.com/liquefy/liquefy/bench"
	"github.com/liquefy/liquefy/internal/scratch"
	"github.com/liquefy/liquefy/verify"
)

// A form is one way of running the app that -app measures.
type form struct {
	name string
	mode verify.Mode
	env  []string
}

// forms are measured in this order; the monolith row comes from the
// first deployment.
var forms = []form{
	{name: "liquefied, role all", mode: verify.ModeAll},
	{name: "liquefied, role all, no fast path", mode: verify.ModeAll, env: []string{"LIQUEFY_FASTPATH=0"}},
	{name: "liquefied, gateway + 2 workers", mode: verify.ModeSplit},
}

// runApp liquefies a scratch copy of the app in dir, then measures the
// monolith and each liquefied form in turn with the same workload, each
// on a fresh start, and prints the table with throughput ratios.
func runApp(ctx context.Context, out io.Writer, cfg bench.Config, dir string) error {
	work, err := os.MkdirTemp("", "liquefy-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	app := filepath.Join(work, filepath.Base(dir))
	if err := scratch.Copy(dir, app, liquefy.OutDir); err != nil {
		return err
	}
	if _, err := liquefy.Liquefy(liquefy.Options{Dir: app}); err != nil {
		return err
	}
	trace, err := verify.ReadTrace(filepath.Join(app, "trace.jsonl"))
	if err != nil {
		return err
	}

	fmt.Fprint(out, bench.MarkdownHeader())
	var base float64
	for i, f := range forms {
		lctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		d, err := verify.Launch(lctx, verify.LaunchConfig{AppDir: app, Start: trace.Start, Mode: f.mode, Env: f.env})
		if err != nil {
			cancel()
			return err
		}
		targets := []struct{ name, url string }{{f.name, d.Liquid}}
		if i == 0 {
			targets = append([]struct{ name, url string }{{"monolith", d.Monolith}}, targets...)
		}
		for _, t := range targets {
			c := cfg
			c.URL = t.url
			res, err := bench.Run(ctx, c)
			if err != nil {
				d.Stop()
				cancel()
				return fmt.Errorf("%s: %w", t.name, err)
			}
			if t.name == "monolith" {
				base = res.RPS
			}
			fmt.Fprint(out, res.MarkdownRow(fmt.Sprintf("%s (%.2fx)", t.name, res.RPS/base)))
		}
		d.Stop()
		cancel()
	}
	return nil
}
