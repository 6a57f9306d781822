// Package liquefy turns a monolithic net/http app into a service that
// scales out over NATS, without changes to the app's source.
//
// Liquefy loads the app's main package, finds its routes and the state
// each handler reaches (package analyzer), plans one fluxion per route
// bound to the execution context holding that state, and writes the
// liquefied service: a copy of the main package whose serving call is
// handed to liquefy's runtime (packages rewrite and gen), beside the app.
// The command in cmd/liquefy is a thin layer over this package.
package liquefy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/liquefy/liquefy/analyzer"
	"github.com/liquefy/liquefy/deploy"
	"github.com/liquefy/liquefy/gen"
	"github.com/liquefy/liquefy/rewrite"
)

// Version is the version of liquefy, recorded in every plan it writes.
const Version = "v0.1.0-dev"

// ErrUsage is wrapped by errors that come from how liquefy was asked to
// run rather than from the app.
var ErrUsage = errors.New("usage")

// OutDir is the name of the directory, inside the app's main package,
// that holds the liquefied service unless told otherwise.
const OutDir = "liquid"

// Options say what to liquefy and where to put it.
type Options struct {
	// Dir is the app's main package directory.
	Dir string

	// Out is the output directory; "" means Dir/liquid.
	Out string

	// Tags are build tags for loading the app.
	Tags []string

	// Partitions is the partition count of keyed contexts; 0 means
	// gen.DefaultPartitions.
	Partitions int

	// WorkDir is the directory positions in errors are relative to;
	// "" means the current directory.
	WorkDir string

	// SkipBuild leaves out the final check that the liquefied service
	// builds.
	SkipBuild bool

	// Deploy sets the image, namespace, replica counts and app arguments
	// of the Kubernetes manifests written to DIR/liquid/deploy.
	Deploy deploy.Options
}

// A Result says what Liquefy did.
type Result struct {
	// Model is the analysis the service was made from.
	Model *analyzer.Model

	// Out is the output directory and Changed reports whether its
	// contents changed.
	Out     string
	Changed bool

	// Calls are the serving calls handed to the runtime; ModuleChanges
	// the lines changed in the app's go.mod and go.sum.
	Calls         []rewrite.Change
	ModuleChanges []string

	// Warnings say what the service does that its user should know, such
	// as contexts kept in memory only.
	Warnings []gen.Warning

	// Dropped are files someone had added to the output directory, which
	// liquefy owns and rewrote whole.
	Dropped []string
}

// Analyze loads and analyzes the app in opts.Dir without writing
// anything. Its errors are *analyzer.LoadError or *analyzer.FindingsError
// values as Load and Analyze return them.
func Analyze(opts Options) (*analyzer.Program, *analyzer.Model, error) {
	prog, err := analyzer.Load(opts.Dir, analyzer.Config{Tags: opts.Tags, Dir: opts.WorkDir})
	if err != nil {
		return nil, nil, err
	}
	m, err := analyzer.Analyze(prog)
	if err != nil {
		return nil, nil, err
	}
	return prog, m, nil
}

// Liquefy writes the liquefied service of the app in opts.Dir. It
// changes nothing on disk unless every step succeeds: analysis, code
// generation, the app's go.mod (require and replace lines for liquefy's
// runtime, then `go mod tidy`) and a build of the result; on any failure
// the output directory, go.mod and go.sum are as they were.
func Liquefy(opts Options) (*Result, error) {
	prog, m, err := Analyze(opts)
	if err != nil {
		return nil, err
	}
	self, err := gen.LocateSelf()
	if err != nil {
		return nil, err
	}
	plan := gen.NewPlan(m, "liquefy "+Version, opts.Partitions)
	out, err := gen.Service(prog.Main, m, plan)
	if err != nil {
		return nil, err
	}
	manifests, err := deploy.Manifests(plan, opts.Deploy)
	if err != nil {
		return nil, err
	}
	for name, data := range manifests {
		if _, clash := out.Files[name]; clash {
			return nil, fmt.Errorf("liquefy: the app's file %s stands where liquefy writes its manifests: rename or move it", name)
		}
		out.Files[name] = data
	}

	// Put the service in place, then make the module build it.
	dir := opts.Out
	if dir == "" {
		dir = filepath.Join(m.Dir, OutDir)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	if !within(m.ModuleDir, dir) || dir == m.ModuleDir {
		return nil, fmt.Errorf("%w: output directory %s: the liquefied service is a package of the app's module, so its directory must lie inside %s", ErrUsage, dir, m.ModuleDir)
	}
	placed, err := gen.Write(out, dir)
	if err != nil {
		return nil, err
	}
	modChanges, restore, err := gen.EnsureModule(m.ModuleDir, m.Dir, self)
	if err == nil && !opts.SkipBuild {
		if err = build(m.ModuleDir, dir); err != nil {
			restore()
		}
	}
	if err != nil {
		return nil, errors.Join(err, placed.Undo())
	}
	placed.Keep()
	for i := range out.Changes {
		out.Changes[i].Pos.Filename = rel(opts.WorkDir, out.Changes[i].Pos.Filename)
	}
	return &Result{Model: m, Out: dir, Changed: placed.Changed, Calls: out.Changes, ModuleChanges: modChanges, Warnings: out.Warnings, Dropped: placed.Dropped}, nil
}

// build checks that the liquefied service in dir compiles.
func build(modDir, dir string) error {
	cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("liquefy: the generated service in %s does not build; this is a bug in liquefy, please report it with the app:\n%s", rel(modDir, dir), out.String())
	}
	return nil
}

// rel is p relative to base when p lies under base ("" meaning the
// working directory), and p otherwise.
func rel(base, p string) string {
	if base == "" {
		base, _ = os.Getwd()
	}
	if within(base, p) {
		r, _ := filepath.Rel(base, p)
		return r
	}
	return p
}

// within reports whether p is base or lies under it.
func within(base, p string) bool {
	r, err := filepath.Rel(base, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// Rel returns p relative to the working directory when it lies under it,
// and p otherwise, for messages.
func Rel(p string) string { return rel("", p) }
