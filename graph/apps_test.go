package graph_test

import (
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liquefy/liquefy"
	"github.com/liquefy/liquefy/graph"
)

// TestEveryBundledAppRenders draws the page of every app in
// testdata/apps and renders it in headless Chromium: the graph is there,
// and so is every route and root in the tables.
func TestEveryBundledAppRenders(t *testing.T) {
	bin := chromium(t)
	mods, err := filepath.Glob(filepath.Join("..", "testdata", "apps", "*", "go.mod"))
	if err != nil || len(mods) < 6 {
		t.Fatalf("bundled apps: %v %v", mods, err)
	}
	for _, mod := range mods {
		dir := filepath.Dir(mod)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, m, err := liquefy.Analyze(liquefy.Options{Dir: dir, WorkDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			in := liquefy.Inspect(m, 0)
			page, err := graph.HTML(in)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "graph.html")
			if err := os.WriteFile(file, page, 0o644); err != nil {
				t.Fatal(err)
			}
			dom := string(runChromium(t, bin, "file://"+filepath.ToSlash(file), "--dump-dom"))
			if !strings.Contains(dom, "<svg ") || !strings.Contains(dom, `<g class="node `) {
				t.Error("the rendered page has no graph")
			}
			for _, r := range in.Routes {
				if !strings.Contains(dom, "<code>"+html.EscapeString(r.Pattern)+"</code>") {
					t.Errorf("the routes table lacks %s", r.Pattern)
				}
			}
			for _, r := range in.Roots {
				if !strings.Contains(dom, "<code>"+html.EscapeString(r.Name)+"</code>") {
					t.Errorf("the roots table lacks %s", r.Name)
				}
			}
		})
	}
}
