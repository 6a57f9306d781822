package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestAnalyzer runs the pass over every case under testdata/src, one
// module, in one load: each case's expectations are the want comments
// beside its lines, facts included.
func TestAnalyzer(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData()+"/src", Analyzer, "./...")
	if len(results) == 0 {
		t.Fatal("no packages analysed")
	}

	// Every diagnostic carries its code as category and a link to it.
	for _, res := range results {
		if res.Pass.Pkg.Path() == "example.com/lintcases/crosspkg" {
			checkCrossPackage(t, res)
		}
		for _, d := range res.Diagnostics {
			if _, ok := RuleFor(d.Category); !ok || !strings.HasSuffix(d.URL, "#"+strings.ToLower(d.Category)) {
				t.Errorf("%s: category %q, URL %q: want a code of the catalogue and its link", res.Pass.Fset.Position(d.Pos), d.Category, d.URL)
			}
		}
	}
}

// checkCrossPackage checks that the finding in package store is
// reported on the main package with its true position as the first
// related location.
func checkCrossPackage(t *testing.T, res *analysistest.Result) {
	for _, d := range res.Diagnostics {
		if d.Category != NotSplittable {
			continue
		}
		if len(d.Related) == 0 {
			t.Fatalf("diagnostic %q has no related information", d.Message)
		}
		first := res.Pass.Fset.Position(d.Related[0].Pos)
		if !strings.HasSuffix(first.Filename, "store/store.go") || first.Line != 12 {
			t.Errorf("first related position = %v, want store/store.go:12 (the channel send)", first)
		}
		return
	}
	t.Error("no LQ001 diagnostic on crosspkg")
}

// TestDoc checks that the Analyzer's Doc is the package documentation.
func TestDoc(t *testing.T) {
	title, rest, ok := strings.Cut(Analyzer.Doc, "\n\n")
	if !ok || title != "checks whether a monolithic net/http app is still splittable by liquefy" {
		t.Errorf("Doc title = %q", title)
	}
	if !strings.Contains(rest, "LQ007") || !strings.Contains(rest, "shortcut") {
		t.Errorf("Doc body lacks the codes or the shortcut: %q", rest)
	}
	if err := analysis.Validate([]*analysis.Analyzer{Analyzer}); err != nil {
		t.Error(err)
	}
}

// TestCatalogue checks that docs/lint.md and doc.go document every code
// of the catalogue, and that the codes run in order without gaps.
func TestCatalogue(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "lint.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs := string(data)
	for i, r := range Rules {
		if want := fmt.Sprintf("LQ%03d", i+1); r.Code != want {
			t.Errorf("rule %d has code %s, want %s", i, r.Code, want)
		}
		if !strings.Contains(docs, "\n### "+r.Code+"\n") || !strings.Contains(docs, "| ["+r.Code+"](#"+strings.ToLower(r.Code)+") | "+string(r.Level)+" |") {
			t.Errorf("docs/lint.md lacks the section or the table row of %s (%s)", r.Code, r.Level)
		}
		if !strings.Contains(string(docSource), r.Code+"  "+string(r.Level)) {
			t.Errorf("doc.go does not list %s as %s", r.Code, r.Level)
		}
	}
}
