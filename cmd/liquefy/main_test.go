package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// liquefyBin is the command built once for every test of this file.
var liquefyBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "liquefy-cmd-")
	if err != nil {
		panic(err)
	}
	liquefyBin = filepath.Join(dir, "liquefy")
	if out, err := exec.Command("go", "build", "-o", liquefyBin, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// scratch copies testdata/name into a scratch directory and returns the
// directory the command should run in and the app's path from there.
func scratch(t *testing.T, name string) (wd, app string) {
	t.Helper()
	wd = t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(wd, name, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return wd, "./" + name
}

// liquefyIn runs the command in wd and returns its exit status and
// output.
func liquefyIn(t *testing.T, wd string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(liquefyBin, args...)
	cmd.Dir = wd
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	default:
		t.Fatal(err)
		return 0, "", ""
	}
}

// tree lists every file under dir with its contents.
func tree(t *testing.T, dir string) map[string]string {
	files := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			files[p] = string(data)
		}
		return nil
	})
	return files
}

// TestBadInput checks that each kind of bad input gets its exit status
// and a message naming the position and the next step, and that nothing
// is written.
func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		app   string
		args  []string
		setup func(t *testing.T, dir string)
		code  int
		want  string // regexp over stderr
	}{
		{app: "notmain", code: 2, want: `not a main package`},
		{app: "broken", code: 2, want: `broken/main\.go:7:11: .*cannot use "not a byte slice"`},
		{app: "noroutes", code: 1, want: `noroutes/main\.go:\d+:\d+: .*no routes`},
		{app: "nonconst", code: 1, want: `nonconst/main\.go:12:18: .*pattern is not a constant`},
		{app: "missing", code: 2, want: `missing`},
		{app: "good", args: []string{"-o", "../elsewhere"}, code: 2, want: `output directory .*elsewhere: the liquefied service is a package of the app.s module`},
		{app: "good", code: 2, want: `liquid: output directory was not written by liquefy`, setup: func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "liquid"), 0o755)
			os.WriteFile(filepath.Join(dir, "liquid", "notes.txt"), []byte("mine"), 0o644)
		}},
	} {
		t.Run(tc.app+strings.Join(tc.args, ""), func(t *testing.T) {
			wd, app := t.TempDir(), "./"+tc.app
			if tc.app != "missing" {
				wd, app = scratch(t, tc.app)
			}
			if tc.setup != nil {
				tc.setup(t, filepath.Join(wd, tc.app))
			}
			before := tree(t, wd)
			code, stdout, stderr := liquefyIn(t, wd, append(tc.args, app)...)
			if code != tc.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if !regexp.MustCompile(tc.want).MatchString(stderr) {
				t.Errorf("stderr does not match %q:\n%s", tc.want, stderr)
			}
			after := tree(t, wd)
			for p, data := range before {
				if after[p] != data {
					t.Errorf("%s changed", p)
				}
			}
			if len(after) != len(before) {
				t.Errorf("files before %d, after %d: something was written", len(before), len(after))
			}
		})
	}
}

// TestUsage checks the exit status of bad usage and that help exists for
// every command.
func TestUsage(t *testing.T) {
	wd := t.TempDir()
	if code, _, stderr := liquefyIn(t, wd); code != 2 || !regexp.MustCompile(`want one app directory`).MatchString(stderr) {
		t.Errorf("no arguments: exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := liquefyIn(t, wd, "-nosuchflag", "."); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	for _, c := range commands {
		code, stdout, _ := liquefyIn(t, wd, "help", c.name)
		if code != 0 || !regexp.MustCompile(`(?s)usage: liquefy.*Example|usage: liquefy version`).MatchString(stdout) {
			t.Errorf("help %s: exit %d:\n%s", c.name, code, stdout)
		}
	}
}

// TestGoodAppIsLiquefied runs the command on a small app and checks what
// it prints and writes.
func TestGoodAppIsLiquefied(t *testing.T) {
	wd, app := scratch(t, "good")
	code, stdout, stderr := liquefyIn(t, wd, app)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		`go\.mod: go 1\.22 → 1\.26\.0`,
		`go\.mod: require github\.com/liquefy/liquefy v0\.0\.0-00010101000000-000000000000`,
		`go\.mod: replace github\.com/liquefy/liquefy => `,
		`go\.mod: godebug .*httpservecontentkeepheaders=1`,
		`\ngood/main\.go:16:12: http\.ListenAndServe handed to liquefyruntime\.ListenAndServe`,
		`good/liquid: written \(1 routes, 0 contexts\)`,
	} {
		if !regexp.MustCompile(want).MatchString(stdout) {
			t.Errorf("stdout does not match %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(wd, "good", "liquid", "liquefy_plan.go")); err != nil {
		t.Error(err)
	}
}
