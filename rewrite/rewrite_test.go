package rewrite_test

import (
	"bytes"
	"flag"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/liquefy/liquefy/rewrite"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var opts = rewrite.Options{
	RuntimePath: "github.com/liquefy/liquefy/runtime",
	RuntimeName: "liquefyruntime",
	Plan:        "liquefyPlan",
}

// load type-checks the package in testdata/name.
func load(t *testing.T, name string) *packages.Package {
	t.Helper()
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
		packages.NeedTypes | packages.NeedTypesInfo, Dir: "testdata/" + name}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil || len(pkgs) != 1 || len(pkgs[0].Errors) > 0 {
		t.Fatalf("loading testdata/%s: %v %v", name, err, pkgs[0].Errors)
	}
	return pkgs[0]
}

// rewriteAll rewrites every file of the package in testdata/name and
// compares each with its .golden file.
func rewriteAll(t *testing.T, name string) []rewrite.Change {
	t.Helper()
	return rewriteWith(t, load(t, name), name, opts)
}

func rewriteWith(t *testing.T, pkg *packages.Package, name string, opts rewrite.Options) []rewrite.Change {
	t.Helper()
	var files []rewrite.File
	for _, f := range pkg.Syntax {
		files = append(files, rewrite.File{Name: filepath.Base(pkg.Fset.File(f.Pos()).Name()), Syntax: f})
	}
	srcs, changes, err := rewrite.Files(pkg.Fset, pkg.TypesInfo, files, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		golden := filepath.Join("testdata", name, f.Name+".golden")
		if *update {
			if err := os.WriteFile(golden, srcs[i], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./rewrite -update to create it)", err)
		}
		if !bytes.Equal(srcs[i], want) {
			t.Errorf("%s: rewritten source differs from %s:\n%s", f.Name, golden, srcs[i])
		}
	}
	return changes
}

func TestEveryServingForm(t *testing.T) {
	changes := rewriteAll(t, "serve")
	var to []string
	for _, c := range changes {
		to = append(to, strings.TrimPrefix(c.To, "liquefyruntime."))
	}
	want := "ListenAndServe ListenAndServeTLS Serve ServeTLS ServeServer ServeServerTLS ServeServerListener ServeServerListenerTLS ServeServer ServeServer"
	if got := strings.Join(to, " "); got != want {
		t.Errorf("rewritten calls:\n got %s\nwant %s", got, want)
	}
	if changes[0].Pos.Line != 36 || changes[0].From != "http.ListenAndServe" {
		t.Errorf("first change = %+v, want http.ListenAndServe at line 36", changes[0])
	}
}

func TestImportDroppedWhenOnlyServing(t *testing.T) {
	if n := len(rewriteAll(t, "onlyserve")); n != 1 {
		t.Errorf("got %d changes, want 1", n)
	}
}

func TestTrackedAllocations(t *testing.T) {
	pkg := load(t, "track")
	o := opts
	o.Track = map[*types.TypeName]string{pkg.Types.Scope().Lookup("store").(*types.TypeName): "liquefyTrack1"}
	rewriteWith(t, pkg, "track", o)
	data, _ := os.ReadFile(filepath.Join("testdata", "track", "main.go.golden"))
	if n := strings.Count(string(data), "liquefyTrack1("); n != 2 {
		t.Errorf("%d allocations recorded, want &store{...} and new(store):\n%s", n, data)
	}
}
