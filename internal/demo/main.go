// Command demo shows liquefy's main job on the bundled to-do app (to-do
// lists kept in a map keyed by list id): it liquefies a scratch copy of
// testdata/apps/todo, starts the monolith and the liquefied service side
// by side on loopback, sends both the same few requests and prints the
// answers. Run it from the repository root with `make demo`.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/liquefy/liquefy"
	"github.com/liquefy/liquefy/internal/scratch"
	"github.com/liquefy/liquefy/verify"
)

// requests are what the demo sends, in order.
var requests = []struct{ method, path, body string }{
	{"PUT", "/lists/groceries", `{"title":"Groceries"}`},
	{"POST", "/lists/groceries/items", `{"title":"milk"}`},
	{"POST", "/lists/groceries/items", `{"title":"bread"}`},
	{"PUT", "/lists/groceries/items/1", `{"title":"oat milk","done":true}`},
	{"GET", "/lists/groceries", ""},
	{"DELETE", "/lists/groceries/items/2", ""},
	{"GET", "/lists/groceries/items/2", ""},
	{"PUT", "/lists/work", `{"title":`},
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) error {
	// Liquefy a scratch copy, so the checkout stays as it is.
	work, err := os.MkdirTemp("", "liquefy-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	app := filepath.Join(work, "todo")
	if err := scratch.Copy(filepath.Join("testdata", "apps", "todo"), app, liquefy.OutDir); err != nil {
		return err
	}
	fmt.Fprintf(out, "$ liquefy %s\n", app)
	res, err := liquefy.Liquefy(liquefy.Options{Dir: app})
	if err != nil {
		return err
	}
	for _, c := range res.ModuleChanges {
		fmt.Fprintln(out, c)
	}
	fmt.Fprintf(out, "%s: %d routes, %d contexts\n\n", res.Out, len(res.Model.Routes), len(res.Model.Contexts))

	// Start both forms and ask them the same questions.
	fmt.Fprintln(out, "starting the monolith (go run .) and the liquefied service (go run ./liquid) ...")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	trace, err := verify.ReadTrace(filepath.Join(app, "trace.jsonl"))
	if err != nil {
		return err
	}
	d, err := verify.Launch(ctx, verify.LaunchConfig{AppDir: app, Start: trace.Start})
	if err != nil {
		return err
	}
	defer d.Stop()
	fmt.Fprintf(out, "monolith at %s, liquefied service at %s\n\n", d.Monolith, d.Liquid)
	for _, r := range requests {
		mono, err := ask(ctx, d.Monolith, r.method, r.path, r.body)
		if err != nil {
			return err
		}
		liquid, err := ask(ctx, d.Liquid, r.method, r.path, r.body)
		if err != nil {
			return err
		}
		same := "same"
		if mono != liquid {
			same = "DIFFERENT"
		}
		fmt.Fprintf(out, "%s %s %s\n  monolith:  %s\n  liquefied: %s  (%s)\n", r.method, r.path, r.body, mono, liquid, same)
	}
	return nil
}

// ask sends one request and returns the status and body on one line.
func ask(ctx context.Context, base, method, path, body string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(data))), err
}
