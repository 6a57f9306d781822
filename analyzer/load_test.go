package analyzer

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestLoadErrors checks the load failures that have no file to annotate.
func TestLoadErrors(t *testing.T) {
	noMod := t.TempDir()
	if err := os.WriteFile(filepath.Join(noMod, "main.go"), []byte("package main\nfunc main() {}\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dir, want string }{
		{filepath.Join(t.TempDir(), "missing"), "no such directory"},
		{noMod, "no go.mod"},
	} {
		_, err := Load(tc.dir, Config{})
		var le *LoadError
		if !errors.As(err, &le) || !errors.Is(err, ErrLoad) || errors.Is(err, ErrFindings) {
			t.Errorf("Load(%s) = %v, want a *LoadError", tc.dir, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || le.Diagnostics[0].Hint == "" {
			t.Errorf("Load(%s) = %q, want %q with a hint", tc.dir, err, tc.want)
		}
	}
}

// TestCompileErrorsAsToolchain checks that type errors read as go build
// prints them: same positions, same messages.
func TestCompileErrorsAsToolchain(t *testing.T) {
	dir := filepath.Join("testdata", "src", "compileerror")
	cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("go build succeeded on the compile error case")
	}
	line := regexp.MustCompile(`^(?:\./)?(\S+\.go:\d+:\d+: .*)$`)
	var want []string
	for _, l := range strings.Split(string(out), "\n") {
		if m := line.FindStringSubmatch(l); m != nil {
			want = append(want, m[1])
		}
	}
	_, err = Load(dir, Config{Dir: dir})
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Load = %v, want a *LoadError", err)
	}
	var got []string
	for _, d := range le.Diagnostics {
		got = append(got, d.String())
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Load errors:\n%s\ngo build:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPositionsRelativeToDir checks that positions follow Config.Dir and
// that findings are errors of their own kind.
func TestPositionsRelativeToDir(t *testing.T) {
	dir := filepath.Join("testdata", "src", "nonconst")
	p, err := Load(dir, Config{Dir: "."})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Analyze(p)
	var fe *FindingsError
	if !errors.As(err, &fe) || !errors.Is(err, ErrFindings) || errors.Is(err, ErrLoad) {
		t.Fatalf("Analyze = %v, want a *FindingsError", err)
	}
	want := filepath.Join(dir, "main.go") + ":12:18: pattern is not a constant"
	if got := fe.Diagnostics[0].String(); !strings.HasPrefix(got, want) || !strings.Contains(got, "use a string constant") {
		t.Errorf("finding = %q, want prefix %q and a hint", got, want)
	}
}

// TestDeterministic checks that two analyses of one app give equal
// models.
func TestDeterministic(t *testing.T) {
	dir := filepath.Join("testdata", "src", "servemux")
	var prev string
	for range 2 {
		p, err := Load(dir, Config{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		m, err := Analyze(p)
		if err != nil {
			t.Fatal(err)
		}
		got := dumpModel(m)
		if prev != "" && got != prev {
			t.Errorf("models differ:\n%s\n---\n%s", prev, got)
		}
		prev = got
	}
}

// BenchmarkLoadAnalyze measures Load and Analyze on the largest case.
func BenchmarkLoadAnalyze(b *testing.B) {
	dir := filepath.Join("testdata", "src", "shop")
	for b.Loop() {
		p, err := Load(dir, Config{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Analyze(p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCgoError checks that a cgo failure is reported as the go command
// reports it, rather than as the type errors it causes.
func TestCgoError(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no C compiler")
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module example.com/cgoapp\n\ngo 1.26\n",
		"main.go": "package main\n\n// #include \"missing_header.h\"\nimport \"C\"\n\nfunc main() {}\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Load(dir, Config{Dir: dir, Env: append(os.Environ(), "CGO_ENABLED=1")})
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Load = %v, want a *LoadError", err)
	}
	if !strings.Contains(err.Error(), "missing_header.h") || strings.Contains(err.Error(), "could not import C") {
		t.Errorf("Load error = %q, want the cgo failure", err)
	}
}

// BenchmarkAnalyze measures Analyze alone on the largest case.
func BenchmarkAnalyze(b *testing.B) {
	dir := filepath.Join("testdata", "src", "shop")
	p, err := Load(dir, Config{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Analyze(p); err != nil {
			b.Fatal(err)
		}
	}
}
