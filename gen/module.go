package gen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

// ModulePath is liquefy's own module path, which the liquefied service
// requires for its runtime.
const ModulePath = "github.com/liquefy/liquefy"

// unreleased is the version a require line names when a replace line
// supplies the module from a directory.
const unreleased = "v0.0.0-00010101000000-000000000000"

// Self says where the app gets liquefy's runtime from: a released
// Version from the module proxy, or the source checkout in Dir that this
// liquefy was built from (then through a replace line).
type Self struct {
	// Version is a released version of liquefy's module, or "".
	Version string

	// Dir is the root of a liquefy checkout, or "".
	Dir string
}

// LocateSelf finds liquefy's own module for the app's go.mod: the source
// directory this binary was compiled from when it is still on disk (as
// with `go run ./cmd/liquefy` in a checkout, or a go:generate directive
// in a module that replaces liquefy with a directory), else the released
// version recorded in the binary's build information.
func LocateSelf() (Self, error) {
	// A directory in the module cache ("…/liquefy@v0.1.0") is a release:
	// the app requires it by version, not through a replace line.
	if _, file, _, ok := goruntime.Caller(0); ok && filepath.IsAbs(file) {
		dir := filepath.Dir(filepath.Dir(file))
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modfile.ModulePath(data) == ModulePath && !strings.Contains(filepath.Base(dir), "@") {
			return Self{Dir: dir}, nil
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range append([]*debug.Module{&bi.Main}, bi.Deps...) {
			if m.Path == ModulePath && m.Replace == nil && released(m.Version) {
				return Self{Version: m.Version}, nil
			}
		}
	}
	return Self{}, fmt.Errorf("liquefy: cannot tell where the app should get liquefy's runtime from: this binary was not built from a checkout that still exists, nor from a released version; run liquefy with `go run` from a checkout of %s, or install a released version", ModulePath)
}

// released reports whether v is a version the module proxy can serve.
func released(v string) bool {
	return v != "" && v != "(devel)" && !strings.Contains(v, "+dirty") && !strings.HasPrefix(v, "v0.0.0-")
}

// EnsureModule makes the app's module able to build its liquefied
// service: a require line for liquefy (and a replace line when Self names
// a directory), then `go mod tidy` for the runtime's own requirements and
// go.sum. When that raises the go line (liquefy's runtime needs a newer Go
// than the app declares), the GODEBUG defaults the app had are pinned
// with godebug lines, so that both the monolith and the liquefied service
// keep behaving as before (the ServeMux's pattern syntax among them).
// It returns one line per change made, for the user, and a function that
// puts go.mod and go.sum back as they were, for a caller whose later step
// fails. On its own failure it puts them back itself.
func EnsureModule(modDir, mainDir string, self Self) ([]string, func(), error) {
	gomod := filepath.Join(modDir, "go.mod")
	gosum := filepath.Join(modDir, "go.sum")
	oldMod, err := os.ReadFile(gomod)
	if err != nil {
		return nil, nil, fmt.Errorf("gen: %w", err)
	}
	oldSum, sumErr := os.ReadFile(gosum)
	restore := func() {
		os.WriteFile(gomod, oldMod, 0o644)
		switch {
		case sumErr == nil:
			os.WriteFile(gosum, oldSum, 0o644)
		case errors.Is(sumErr, fs.ErrNotExist):
			os.Remove(gosum)
		}
	}

	oldDebug, err := defaultGODEBUG(mainDir)
	if err != nil {
		return nil, nil, err
	}
	if err := requireSelf(gomod, oldMod, modDir, self); err != nil {
		restore()
		return nil, nil, err
	}
	if err := goCmd(modDir, "mod", "tidy"); err != nil {
		restore()
		return nil, nil, err
	}
	if err := pinGODEBUG(gomod, mainDir, oldDebug); err != nil {
		restore()
		return nil, nil, err
	}

	newMod, _ := os.ReadFile(gomod)
	newSum, _ := os.ReadFile(gosum)
	changes := describeChanges(oldMod, newMod)
	if !bytes.Equal(oldSum, newSum) {
		changes = append(changes, "go.sum: updated with the checksums of the runtime's dependencies")
	}
	return changes, restore, nil
}

// requireSelf adds liquefy's require and replace lines to go.mod.
func requireSelf(gomod string, data []byte, modDir string, self Self) error {
	f, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if self.Dir != "" {
		if !replacedBy(f, modDir, self.Dir) {
			if err := f.AddReplace(ModulePath, "", self.Dir, ""); err != nil {
				return fmt.Errorf("gen: %w", err)
			}
		}
		if !required(f) {
			f.AddNewRequire(ModulePath, unreleased, false)
		}
	} else if err := f.AddRequire(ModulePath, self.Version); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	f.Cleanup()
	out, err := f.Format()
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return os.WriteFile(gomod, out, 0o644)
}

// replacedBy reports whether go.mod already replaces liquefy with dir,
// spelled absolute or relative to the module.
func replacedBy(f *modfile.File, modDir, dir string) bool {
	for _, r := range f.Replace {
		if r.Old.Path != ModulePath {
			continue
		}
		p := r.New.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(modDir, p)
		}
		return filepath.Clean(p) == filepath.Clean(dir)
	}
	return false
}

// required reports whether go.mod requires liquefy.
func required(f *modfile.File) bool {
	for _, r := range f.Require {
		if r.Mod.Path == ModulePath {
			return true
		}
	}
	return false
}

// pinGODEBUG adds godebug lines for every default that differs from the
// ones the app had before its go line changed.
func pinGODEBUG(gomod, mainDir string, old map[string]string) error {
	now, err := defaultGODEBUG(mainDir)
	if err != nil {
		return err
	}
	var keys []string
	for k := range old {
		if now[k] != old[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)

	data, err := os.ReadFile(gomod)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	f, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	for _, k := range keys {
		if err := f.AddGodebug(k, old[k]); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
	}
	out, err := f.Format()
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return os.WriteFile(gomod, out, 0o644)
}

// defaultGODEBUG asks the go command for the GODEBUG defaults of the main
// package in dir, which follow from its module's go line and godebug
// lines.
func defaultGODEBUG(dir string) (map[string]string, error) {
	cmd := exec.Command("go", "list", "-f", "{{.DefaultGODEBUG}}", ".")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("gen: go list in %s: %w\n%s", dir, err, stderr.String())
	}
	settings := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSpace(string(out)), ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			settings[k] = v
		}
	}
	return settings, nil
}

// goCmd runs the go command in dir and returns its output in the error
// when it fails.
func goCmd(dir string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("gen: go %s in %s: %w\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}

// describeChanges says, one line each, what changed between two
// versions of a go.mod: the go line, requirements added, upgraded or
// dropped, replace lines and godebug lines.
func describeChanges(before, after []byte) []string {
	was, err1 := modfile.Parse("go.mod", before, nil)
	is, err2 := modfile.Parse("go.mod", after, nil)
	if err1 != nil || err2 != nil {
		return []string{"go.mod: changed"}
	}
	var out []string
	if v0, v1 := goVersion(was), goVersion(is); v0 != v1 {
		out = append(out, fmt.Sprintf("go.mod: go %s → %s (liquefy's runtime and its dependencies need it)", v0, v1))
	}

	// Requirements, by module path.
	old := map[string]string{}
	for _, r := range was.Require {
		old[r.Mod.Path] = r.Mod.Version
	}
	var added []string
	for _, r := range is.Require {
		v, ok := old[r.Mod.Path]
		switch {
		case !ok && r.Mod.Path == ModulePath:
			out = append(out, fmt.Sprintf("go.mod: require %s %s (liquefy's runtime)", r.Mod.Path, r.Mod.Version))
		case !ok:
			added = append(added, r.Mod.Path+" "+r.Mod.Version)
		case v != r.Mod.Version:
			out = append(out, fmt.Sprintf("go.mod: %s %s → %s", r.Mod.Path, v, r.Mod.Version))
		}
		delete(old, r.Mod.Path)
	}
	if len(added) > 0 {
		out = append(out, fmt.Sprintf("go.mod: require %s (the runtime's dependencies, added by go mod tidy)", strings.Join(added, ", ")))
	}
	for _, p := range slices.Sorted(maps.Keys(old)) {
		out = append(out, fmt.Sprintf("go.mod: dropped %s %s (unused, by go mod tidy)", p, old[p]))
	}

	// Replace and godebug lines that are new.
	for _, r := range is.Replace {
		if !hasReplace(was, r) {
			out = append(out, fmt.Sprintf("go.mod: replace %s => %s", r.Old.Path, r.New.Path))
		}
	}
	var pinned []string
	for _, g := range is.Godebug {
		if !hasGodebug(was, g) {
			pinned = append(pinned, g.Key+"="+g.Value)
		}
	}
	if len(pinned) > 0 {
		out = append(out, fmt.Sprintf("go.mod: godebug %s (the app's defaults under go %s, kept so the monolith and the liquefied service behave as before)",
			strings.Join(pinned, " "), goVersion(was)))
	}
	return out
}

func goVersion(f *modfile.File) string {
	if f.Go == nil {
		return "1.16" // the go command's assumption for a go.mod without a go line
	}
	return f.Go.Version
}

func hasReplace(f *modfile.File, r *modfile.Replace) bool {
	for _, x := range f.Replace {
		if x.Old == r.Old && x.New == r.New {
			return true
		}
	}
	return false
}

func hasGodebug(f *modfile.File, g *modfile.Godebug) bool {
	for _, x := range f.Godebug {
		if x.Key == g.Key && x.Value == g.Value {
			return true
		}
	}
	return false
}
