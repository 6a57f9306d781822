package analyzer

import (
	"fmt"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
)

// Config says how to load an app.
type Config struct {
	// Tags are the build tags the app is built with.
	Tags []string

	// Dir is the working directory positions are made relative to. When
	// empty, positions are relative to the process's working directory.
	Dir string

	// Env, when not nil, is the environment of the go command that
	// lists packages (as in packages.Config.Env).
	Env []string
}

// A Program is a loaded app: its main package and the other packages of
// its module with full syntax and types, every other package from export
// data, and SSA for the module's packages only.
type Program struct {
	// Main is the app's main package. The rewrite copies and edits its
	// files (Syntax, GoFiles, IgnoredFiles, OtherFiles, EmbedFiles).
	Main *packages.Package

	// Packages are the packages of the app's module that the main package
	// imports, itself included, sorted by import path.
	Packages []*packages.Package

	// SSA is the program; SSAMain and SSAPackages are the module's
	// packages in it, with bodies. Packages outside the module have no
	// function bodies: analysis treats their functions as summaries.
	SSA         *ssa.Program
	SSAMain     *ssa.Package
	SSAPackages []*ssa.Package

	// Module is the app's module path, ModuleDir its root directory and
	// GoVersion the go line of its go.mod.
	Module    string
	ModuleDir string
	GoVersion string

	// Fset holds the positions of every loaded file.
	Fset *token.FileSet

	// Imports holds the import path of every package the main package
	// depends on, directly or not.
	Imports map[string]bool

	cfg Config
}

// listMode is the cheap first query: names, files and the import graph,
// enough to tell the module's packages from the rest.
const listMode = packages.NeedName | packages.NeedFiles | packages.NeedModule |
	packages.NeedImports | packages.NeedDeps

// loadMode loads the module's packages from source; without NeedDeps the
// packages they import come from export data.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedTypes | packages.NeedTypesInfo |
	packages.NeedSyntax | packages.NeedModule | packages.NeedEmbedFiles |
	packages.NeedEmbedPatterns | packages.NeedTypesSizes

// Load loads the main package in dir and the packages of its module,
// and builds their SSA. Every problem it finds is returned at once as a
// *LoadError whose positions are relative to cfg.Dir.
func Load(dir string, cfg Config) (*Program, error) {
	// Check the directory and its module before asking the go command.
	abs, err := checkDir(dir, cfg)
	if err != nil {
		return nil, err
	}

	// List the import graph, then load the module's packages from source.
	p := &Program{cfg: cfg, Fset: token.NewFileSet(), Imports: map[string]bool{}}
	paths, err := p.list(abs)
	if err != nil {
		return nil, err
	}
	if err := p.load(abs, paths); err != nil {
		return nil, err
	}

	// Build SSA for the module's packages only.
	p.buildSSA()
	return p, nil
}

// checkDir returns the absolute form of dir after checking that it is a
// directory inside a module.
func checkDir(dir string, cfg Config) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", loadError(token.Position{}, "", "load %s: %v", dir, err)
	}
	fi, err := os.Stat(abs)
	if err != nil || !fi.IsDir() {
		return "", loadError(token.Position{}, "give the directory that holds the app's main package",
			"load %s: no such directory", dir)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return abs, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", loadError(token.Position{}, "liquefy works on modules: run `go mod init` in the app's root directory",
		"load %s: no go.mod in this directory or any parent", dir)
}

// packagesConfig returns the go/packages configuration for mode.
func (p *Program) packagesConfig(dir string, mode packages.LoadMode) *packages.Config {
	c := &packages.Config{Mode: mode, Dir: dir, Fset: p.Fset, Env: p.cfg.Env}
	if len(p.cfg.Tags) > 0 {
		c.BuildFlags = []string{"-tags=" + strings.Join(p.cfg.Tags, ",")}
	}
	return c
}

// list runs the first query and returns the import paths of the module's
// packages, main first.
func (p *Program) list(dir string) ([]string, error) {
	// List the package in dir and everything it imports.
	pkgs, err := packages.Load(p.packagesConfig(dir, listMode), ".")
	if err != nil {
		return nil, loadError(token.Position{}, "", "load %s: %v", p.relDir(dir), err)
	}
	if len(pkgs) != 1 {
		return nil, loadError(token.Position{}, "give the directory of a single main package",
			"load %s: found %d packages, want 1", p.relDir(dir), len(pkgs))
	}
	root := pkgs[0]
	if errs := p.packageErrors(pkgs); len(errs) > 0 {
		return nil, &LoadError{Diagnostics: errs}
	}

	// The package must be a command inside a module.
	if root.Name != "main" {
		return nil, p.notMain(root)
	}
	if root.Module == nil {
		return nil, loadError(token.Position{}, "run `go mod init` in the app's root directory",
			"load %s: package %s is not in a module", p.relDir(dir), root.PkgPath)
	}
	p.Module, p.ModuleDir, p.GoVersion = root.Module.Path, root.Module.Dir, root.Module.GoVersion

	// Keep the module's packages; remember every import path.
	paths := []string{root.PkgPath}
	packages.Visit(pkgs, nil, func(q *packages.Package) {
		p.Imports[q.PkgPath] = true
		if q != root && q.Module != nil && q.Module.Path == p.Module {
			paths = append(paths, q.PkgPath)
		}
	})
	sort.Strings(paths[1:])
	return paths, nil
}

// notMain returns the error for a package that is not a command,
// positioned at its package clause.
func (p *Program) notMain(pkg *packages.Package) error {
	pos := token.Position{}
	if len(pkg.GoFiles) > 0 {
		pos = token.Position{Filename: pkg.GoFiles[0], Line: 1, Column: 1}
		fset := token.NewFileSet()
		if f, err := parser.ParseFile(fset, pkg.GoFiles[0], nil, parser.PackageClauseOnly); err == nil {
			pos = fset.Position(f.Package)
		}
	}
	return loadError(p.rel(pos), "give the directory that holds the app's package main",
		"package %s is not a main package (it is package %s)", pkg.PkgPath, pkg.Name)
}

// load runs the second query: the module's packages from source.
func (p *Program) load(dir string, paths []string) error {
	pkgs, err := packages.Load(p.packagesConfig(dir, loadMode), paths...)
	if err != nil {
		return loadError(token.Position{}, "", "load %s: %v", p.relDir(dir), err)
	}
	if errs := p.packageErrors(pkgs); len(errs) > 0 {
		return &LoadError{Diagnostics: errs}
	}
	for _, q := range pkgs {
		if q.PkgPath == paths[0] {
			p.Main = q
		}
		p.Packages = append(p.Packages, q)
	}
	if p.Main == nil {
		panic(fmt.Sprintf("analyzer: second load lost package %s", paths[0]))
	}
	sort.Slice(p.Packages, func(i, j int) bool { return p.Packages[i].PkgPath < p.Packages[j].PkgPath })
	return nil
}

// packageErrors collects the errors of pkgs and their dependencies, in
// the order go/packages reports them, with positions relative to
// Config.Dir.
func (p *Program) packageErrors(pkgs []*packages.Package) []Diagnostic {
	var ds []Diagnostic
	seen := map[string]bool{}
	packages.Visit(pkgs, nil, func(q *packages.Package) {
		keepList, keepType := errorKinds(q)
		for _, e := range q.Errors {
			if e.Kind == packages.ListError && !keepList || e.Kind == packages.TypeError && !keepType {
				continue
			}
			d := Diagnostic{Pos: p.rel(parsePosition(e.Pos)), Message: e.Msg}
			if !keepType {
				d.Hint = "fix the C code or install the C toolchain that cgo needs, or build without cgo (CGO_ENABLED=0) if the app allows it"
			}
			if key := d.String(); !seen[key] {
				seen[key] = true
				ds = append(ds, d)
			}
		}
	})
	return ds
}

// errorKinds says which of a package's errors to show. When the go
// command compiled the package for export data, its report of the type
// errors ("# pkg" and the compiler's lines) repeats the type checker's,
// which carry positions: keep those. When cgo failed, the type errors
// only say that "C" could not be imported: keep the go command's report.
func errorKinds(q *packages.Package) (keepList, keepType bool) {
	keepList, keepType = true, true
	for _, e := range q.Errors {
		if e.Kind == packages.TypeError && strings.Contains(e.Msg, "could not import C") {
			return true, false
		}
	}
	for _, e := range q.Errors {
		if e.Kind == packages.TypeError {
			for _, l := range q.Errors {
				if l.Kind == packages.ListError && strings.HasPrefix(l.Msg, "# ") {
					return false, true
				}
			}
		}
	}
	return keepList, keepType
}

// parsePosition parses a go/packages error position, "file:line:col",
// "file:line" or "".
func parsePosition(s string) token.Position {
	if s == "" || s == "-" {
		return token.Position{}
	}
	parts := strings.Split(s, ":")
	pos := token.Position{Filename: s}
	nums := []int{}
	for len(parts) > 1 && len(nums) < 2 {
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		parts = parts[:len(parts)-1]
	}
	if len(nums) > 0 {
		pos.Filename = strings.Join(parts, ":")
		pos.Line = nums[0]
		if len(nums) > 1 {
			pos.Column = nums[1]
		}
	}
	return pos
}

// buildSSA creates SSA packages, without bodies, for every package the
// module's packages import, then builds the module's packages.
func (p *Program) buildSSA() {
	prog := ssa.NewProgram(p.Fset, ssa.InstantiateGenerics)
	app := map[*types.Package]*packages.Package{}
	for _, q := range p.Packages {
		app[q.Types] = q
	}

	// Packages outside the module: types only.
	created := map[*types.Package]bool{}
	var create func(tp *types.Package)
	create = func(tp *types.Package) {
		if created[tp] {
			return
		}
		created[tp] = true
		for _, imp := range tp.Imports() {
			create(imp)
		}
		if app[tp] == nil {
			prog.CreatePackage(tp, nil, nil, true)
		}
	}
	for _, q := range p.Packages {
		create(q.Types)
	}

	// The module's packages: syntax, types and bodies.
	for _, q := range p.Packages {
		sp := prog.CreatePackage(q.Types, q.Syntax, q.TypesInfo, false)
		p.SSAPackages = append(p.SSAPackages, sp)
		if q == p.Main {
			p.SSAMain = sp
		}
	}
	for _, sp := range p.SSAPackages {
		sp.Build()
	}
	p.SSA = prog
}

// rel makes pos relative to Config.Dir.
func (p *Program) rel(pos token.Position) token.Position {
	dir := p.cfg.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	} else if a, err := filepath.Abs(dir); err == nil {
		dir = a
	}
	return relPosition(dir, pos)
}

// relDir returns dir relative to Config.Dir, for messages.
func (p *Program) relDir(dir string) string {
	return p.rel(token.Position{Filename: dir}).Filename
}

// position returns the position of pos relative to Config.Dir.
func (p *Program) position(pos token.Pos) token.Position {
	return p.rel(p.Fset.Position(pos))
}

// isApp reports whether fn has a body the analysis can walk: a function
// of the module, an instance of a generic one, or a synthetic wrapper
// (bound method, promoted method), which has no package of its own.
func (p *Program) isApp(fn *ssa.Function) bool {
	if fn == nil || len(fn.Blocks) == 0 {
		return false
	}
	if o := fn.Origin(); o != nil {
		fn = o
	}
	return fn.Pkg == nil || p.inModule(fn.Pkg.Pkg)
}

// inModule reports whether tp is one of the module's packages.
func (p *Program) inModule(tp *types.Package) bool {
	if tp == nil {
		return false
	}
	path := tp.Path()
	return path == p.Module || strings.HasPrefix(path, p.Module+"/") || tp == p.Main.Types
}
