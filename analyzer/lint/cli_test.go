package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/liquefy/liquefy/internal/scratch"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// The commands under test, built once into binDir when a test first
// needs them.
var (
	binDir    string
	buildOnce sync.Once
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "liquefy-lint-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// checkout returns the root of the liquefy checkout under test.
func checkout(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// binaries builds cmd/liquefy and cmd/liquefy-vet and returns their
// paths. Until cmd/liquefy/main.go lists cmdLint among its commands, the
// build overlays main.go with a copy that does, so that the lint command
// is tested as it will be built.
func binaries(t *testing.T) (liquefyBin, vetBin string) {
	t.Helper()
	root := checkout(t)
	buildOnce.Do(func() {
		args := []string{"build", "-o", filepath.Join(binDir, "liquefy")}
		overlay, err := registerLint(root)
		if err != nil {
			buildErr = err
			return
		}
		if overlay != "" {
			args = append(args, "-overlay", overlay)
		}
		steps := [][]string{
			append(args, "./cmd/liquefy"),
			{"build", "-o", filepath.Join(binDir, "liquefy-vet"), "./cmd/liquefy-vet"},
		}
		for _, s := range steps {
			cmd := exec.Command("go", s...)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go %s: %v\n%s", strings.Join(s, " "), err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "liquefy"), filepath.Join(binDir, "liquefy-vet")
}

// registerLint returns the path of a build overlay that adds cmdLint to
// the command list of cmd/liquefy/main.go, or "" when main.go has it.
func registerLint(root string) (string, error) {
	main := filepath.Join(root, "cmd", "liquefy", "main.go")
	src, err := os.ReadFile(main)
	if err != nil {
		return "", err
	}
	if bytes.Contains(src, []byte("cmdLint")) {
		return "", nil
	}
	list := []byte("commands = []*command{")
	if !bytes.Contains(src, list) {
		return "", errors.New("cmd/liquefy/main.go: no command list to add cmdLint to")
	}
	patched := filepath.Join(binDir, "main.go")
	if err := os.WriteFile(patched, bytes.Replace(src, list, []byte("commands = []*command{cmdLint, "), 1), 0o644); err != nil {
		return "", err
	}
	overlay := filepath.Join(binDir, "overlay.json")
	data, _ := json.Marshal(map[string]map[string]string{"Replace": {main: patched}})
	return overlay, os.WriteFile(overlay, data, 0o644)
}

// copyApp copies the app directory src to dst, leaving out an earlier
// liquefied service, and points a relative replace of liquefy (as in
// testdata/apps/gen) at the checkout.
func copyApp(t *testing.T, src, dst string) {
	t.Helper()
	if err := scratch.Copy(src, dst, "liquid"); err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(dst, "go.mod")
	data, err := os.ReadFile(mod)
	if errors.Is(err, fs.ErrNotExist) {
		return // a package of a module copied elsewhere
	}
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte("=> ../../.."), []byte("=> "+checkout(t)))
	if err := os.WriteFile(mod, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// lintCase copies the module of testdata/src with only the named case
// and returns the case's directory.
func lintCase(t *testing.T, name string) string {
	t.Helper()
	mod := t.TempDir()
	data, err := os.ReadFile(filepath.Join("testdata", "src", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	copyApp(t, filepath.Join("testdata", "src", name), filepath.Join(mod, name))
	return filepath.Join(mod, name)
}

// runIn runs bin with args in dir and returns its exit status, standard
// output and standard error.
func runIn(t *testing.T, dir, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	return 0, stdout.String(), stderr.String()
}

// TestLintGolden checks the JSON and SARIF outputs of `liquefy lint` on
// bundled apps against the golden files; -update rewrites them.
func TestLintGolden(t *testing.T) {
	liquefyBin, _ := binaries(t)
	for _, app := range []string{"ticker", "shop"} {
		wd := t.TempDir()
		copyApp(t, filepath.Join(checkout(t), "testdata", "apps", app), filepath.Join(wd, app))
		for _, format := range []string{"json", "sarif"} {
			code, out, errOut := runIn(t, wd, liquefyBin, "lint", "-format", format, "./"+app)
			if code != 0 {
				t.Errorf("lint -format %s %s: exit %d, want 0 (warnings only)\n%s", format, app, code, errOut)
			}
			checkGolden(t, filepath.Join("testdata", "golden", app+"."+format), out)
		}
	}
}

// checkGolden compares got with the golden file, or rewrites it.
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output:\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
}

// TestLintExitStatus checks the exit statuses of the built command: 0
// for no errors, 1 for errors (and for warnings with -strict), 2 for
// usage and load failures.
func TestLintExitStatus(t *testing.T) {
	liquefyBin, _ := binaries(t)
	apps := filepath.Join(checkout(t), "testdata", "apps")
	broken := t.TempDir()
	os.WriteFile(filepath.Join(broken, "go.mod"), []byte("module example.com/broken\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(broken, "main.go"), []byte("package main\n\nfunc main() { undefined() }\n"), 0o644)

	cases := []struct {
		name string
		dir  string
		args []string
		want int
		out  string // a substring of standard output, or of standard error for status 2
	}{
		{"clean app", filepath.Join(apps, "hello"), nil, 0, ""},
		{"warnings only", filepath.Join(apps, "ticker"), nil, 0, "[LQ004]"},
		{"warnings with -strict", filepath.Join(apps, "ticker"), []string{"-strict"}, 1, "[LQ004]"},
		{"not splittable", lintCase(t, "lq001"), nil, 1, "[LQ001]"},
		{"not analysable", lintCase(t, "lq002"), []string{"-format", "json"}, 1, `"code": "LQ002"`},
		{"compile error", broken, nil, 2, "undefined: undefined"},
		{"no such directory", filepath.Join(broken, "nowhere"), nil, 2, "no such directory"},
		{"bad format", filepath.Join(apps, "hello"), []string{"-format", "xml"}, 2, "want text, json or sarif"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := c.dir
			if strings.HasPrefix(dir, apps) {
				dir = filepath.Join(t.TempDir(), filepath.Base(dir))
				copyApp(t, c.dir, dir)
			}
			args := append(append([]string{"lint"}, c.args...), dir)
			code, out, errOut := runIn(t, t.TempDir(), liquefyBin, args...)
			if code != c.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.want, out, errOut)
			}
			where := out
			if c.want == 2 {
				where = errOut
			}
			if !strings.Contains(where, c.out) {
				t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", c.out, out, errOut)
			}
		})
	}
}

// A vetFinding is what the comparison looks at: code, position relative
// to the module root, message, and related locations.
type vetFinding struct {
	Category string `json:"category"`
	Posn     string `json:"posn"`
	Message  string `json:"message"`
	Related  []struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	} `json:"related"`
}

// TestVetAgreesWithLint runs `go vet -vettool` with the built
// liquefy-vet and `liquefy lint` on a copy of every bundled app and
// checks that both report the same findings.
func TestVetAgreesWithLint(t *testing.T) {
	liquefyBin, vetBin := binaries(t)
	mods, _ := filepath.Glob(filepath.Join(checkout(t), "testdata", "apps", "*", "go.mod"))
	if len(mods) < 8 {
		t.Fatalf("found %d bundled apps, want at least 8", len(mods))
	}
	total := 0
	for _, mod := range mods {
		app := filepath.Base(filepath.Dir(mod))
		t.Run(app, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), app)
			copyApp(t, filepath.Dir(mod), dir)

			code, out, errOut := runIn(t, dir, liquefyBin, "lint", "-format", "json", ".")
			if code == 2 {
				t.Fatalf("lint: exit 2\n%s", errOut)
			}
			fromLint := lintFindings(t, out)

			// go vet -json writes to standard output (standard error
			// before Go 1.26) and exits 0 whatever it finds.
			code, vetOut, vetErr := runIn(t, dir, "go", "vet", "-vettool="+vetBin, "-json", "./...")
			if code != 0 {
				t.Fatalf("go vet -json: exit %d\n%s%s", code, vetOut, vetErr)
			}
			if strings.TrimSpace(vetOut) == "" {
				vetOut = vetErr
			}
			fromVet := vetFindings(t, dir, vetOut)
			if strings.Join(fromLint, "\n") != strings.Join(fromVet, "\n") {
				t.Errorf("lint and vet disagree\n--- lint\n%s\n--- vet\n%s", strings.Join(fromLint, "\n"), strings.Join(fromVet, "\n"))
			}
			total += len(fromLint)
		})
	}
	if total == 0 {
		t.Error("no bundled app has a finding: the comparison proves nothing")
	}
}

// lintFindings returns the findings of a JSON report, one line each.
func lintFindings(t *testing.T, out string) []string {
	var rep jsonReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("lint JSON: %v\n%s", err, out)
	}
	var lines []string
	for _, f := range rep.Findings {
		line := fmt.Sprintf("%s %s:%d:%d %s", f.Code, f.File, f.Line, f.Column, f.Message)
		for _, r := range f.Related {
			line += fmt.Sprintf(" | %s:%d:%d %s", r.File, r.Line, r.Column, r.Message)
		}
		lines = append(lines, line)
	}
	sort.Strings(lines)
	return lines
}

// vetFindings returns the findings of go vet -json output, one line each,
// with positions made relative to the module root dir.
func vetFindings(t *testing.T, dir, out string) []string {
	var lines []string
	rel := func(posn string) string { return strings.TrimPrefix(posn, dir+string(filepath.Separator)) }
	dec := json.NewDecoder(strings.NewReader(stripComments(out)))
	for dec.More() {
		var byPkg map[string]map[string][]vetFinding
		if err := dec.Decode(&byPkg); err != nil {
			t.Fatalf("vet JSON: %v\n%s", err, out)
		}
		for _, byAnalyzer := range byPkg {
			for _, f := range byAnalyzer["liquefy"] {
				line := fmt.Sprintf("%s %s %s", f.Category, rel(f.Posn), f.Message)
				for _, r := range f.Related {
					line += fmt.Sprintf(" | %s %s", rel(r.Posn), r.Message)
				}
				lines = append(lines, line)
			}
		}
	}
	sort.Strings(lines)
	return lines
}

// stripComments drops the "# package" lines go vet writes between JSON
// documents.
func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
