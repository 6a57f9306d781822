package gen_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/liquefy/liquefy/analyzer"
	"github.com/liquefy/liquefy/gen"
)

// TestStateRoundTrip generates the key functions, state accessors and
// encoders of a small app into a scratch module that requires this
// checkout, then builds and runs tests inside the generated package:
// every kind of value liquefy encodes comes back equal, nil and empty
// stay apart, and the key functions compute what the handlers use.
func TestStateRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated package")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, from string) {
		data, err := os.ReadFile(filepath.Join("testdata", "state", from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.go", "main.go.txt")
	gomod := "module example.com/state\n\ngo 1.26.0\n\nrequire " + gen.ModulePath + " v0.0.0-00010101000000-000000000000\n\nreplace " + gen.ModulePath + " => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}

	prog, err := analyzer.Load(dir, analyzer.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m := &analyzer.Model{
		Module: "example.com/state", Package: "example.com/state", Dir: dir,
		Served: &analyzer.Served{Call: "http.ListenAndServe", Mux: "http.DefaultServeMux"},
		Routes: []*analyzer.Route{
			{Pattern: "GET /lists/{id}", Mux: "http.DefaultServeMux", Context: "lists",
				Key: &analyzer.Key{From: "path", Name: "id", Type: "string", Expr: `r.PathValue("id")`}},
			{Pattern: "PUT /lists", Mux: "http.DefaultServeMux", Context: "lists", Writes: []string{"lists"},
				Key: &analyzer.Key{From: "json", Name: "n", Ops: []string{"strconv.Atoi"}, Type: "string", Expr: "strconv.Itoa(doc.N)"}},
			{Pattern: "POST /count", Mux: "http.DefaultServeMux", Context: "hits", Writes: []string{"hits"}},
			{Pattern: "POST /cart", Mux: "http.DefaultServeMux", Context: "carts", Writes: []string{"carts"}},
		},
		Roots: []*analyzer.Root{
			{Name: "lists", Class: analyzer.Keyed, Guards: []string{"mu"}, Context: "lists"},
			{Name: "hits", Class: analyzer.Singleton, Guards: []string{"hitsMu"}, Context: "hits"},
			{Name: "seen", Class: analyzer.Singleton, Guards: []string{"hitsMu"}, Context: "hits"},
			{Name: "carts", Class: analyzer.Singleton, Context: "carts"},
		},
		Contexts: []*analyzer.Context{
			{Name: "carts", Class: analyzer.Singleton, Roots: []string{"carts"}},
			{Name: "hits", Class: analyzer.Singleton, Roots: []string{"hits", "seen"}},
			{Name: "lists", Class: analyzer.Keyed, Roots: []string{"lists"}},
		},
	}
	out, err := gen.Service(prog.Main, m, gen.NewPlan(m, "liquefy test", 8))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Warnings) > 0 {
		t.Errorf("warnings: %v", out.Warnings)
	}
	if _, err := gen.Write(out, filepath.Join(dir, "liquid")); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join("liquid", "state_test.go"), "state_test.go.txt")

	for _, args := range [][]string{{"mod", "tidy"}, {"vet", "./liquid"}, {"test", "-count=1", "./liquid"}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			state, _ := os.ReadFile(filepath.Join(dir, "liquid", gen.StateFile))
			t.Fatalf("go %v: %v\n%s\n--- %s:\n%s", args, err, out, gen.StateFile, state)
		}
	}
}
