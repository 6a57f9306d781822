package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/ssa"
)

// An analysis holds the state of one call of Analyze.
type analysis struct {
	p *Program

	// The module's code, indexed once.
	funcs    []*ssa.Function
	appTypes []types.Type
	stores   map[location][]*ssa.Store
	closures map[*ssa.Function][]*ssa.MakeClosure
	callers  map[*ssa.Function][]ssa.CallInstruction
	calls    map[token.Pos]*ast.CallExpr
	files    []*ast.File

	// Memos of the value traces.
	frames   map[frameKey]*frame
	entries  map[entryKey]*frame
	rootMemo map[val][]ref
	hmemo    map[val][]*hnode
	muxes    map[ssa.Value]*muxObj

	// What the walks found.
	roots      map[string]*rootInfo
	accesses   []*access
	background []*activity
	regs       []*registration
	servings   []*serving
	rpcPos     []token.Pos
	signals    bool
	wrapper    *activity
	afterServe *activity

	handlerIface *types.Interface
	serveHTTP    *types.Func
	qualifier    types.Qualifier
}

// Analyze finds the routes of the loaded app, the state roots their
// handlers reach and the execution contexts those roots form. What keeps
// the app from being analysed (no serving call, no routes, a pattern that
// is not a constant) is returned at once as a *FindingsError.
func Analyze(p *Program) (*Model, error) {
	a := newAnalysis(p)

	// Walk start-up code: registrations, serving calls, background
	// goroutines, and the writes made before serving.
	a.walkStartup()

	// Find what is served and the routes on it.
	m := &Model{Module: p.Module, ModuleDir: p.ModuleDir, GoVersion: p.GoVersion,
		Package: p.Main.PkgPath, Dir: p.pkgDir(), HandlesSignals: a.signals || a.callsSignal()}
	routes, findings := a.findRoutes(m)
	if len(findings) > 0 {
		sortDiagnostics(findings)
		return nil, &FindingsError{Diagnostics: findings}
	}

	// Walk the wrappers and every route, then classify what they reach.
	a.walkServing(m, routes)
	a.classify(m, routes)
	return m, nil
}

// newAnalysis indexes the module's code.
func newAnalysis(p *Program) *analysis {
	a := &analysis{
		p: p, stores: map[location][]*ssa.Store{}, closures: map[*ssa.Function][]*ssa.MakeClosure{},
		callers: map[*ssa.Function][]ssa.CallInstruction{}, calls: map[token.Pos]*ast.CallExpr{},
		frames: map[frameKey]*frame{}, entries: map[entryKey]*frame{}, rootMemo: map[val][]ref{},
		hmemo: map[val][]*hnode{}, muxes: map[ssa.Value]*muxObj{}, roots: map[string]*rootInfo{},
	}
	a.qualifier = func(q *types.Package) string {
		if q == p.Main.Types {
			return ""
		}
		return q.Name()
	}
	if http := p.SSA.ImportedPackage("net/http"); http != nil {
		a.handlerIface = http.Pkg.Scope().Lookup("Handler").Type().Underlying().(*types.Interface)
		a.serveHTTP = a.handlerIface.Method(0)
	}
	a.collectFuncs()
	a.indexStores()
	a.indexSyntax()
	return a
}

// collectFuncs lists every function of the module with a body: package
// members, methods, closures, generic instances and wrappers, found by
// following the functions each body refers to.
func (a *analysis) collectFuncs() {
	seen := map[*ssa.Function]bool{}
	var queue []*ssa.Function
	add := func(fn *ssa.Function) {
		if fn != nil && len(fn.Blocks) > 0 && !seen[fn] {
			seen[fn] = true
			queue = append(queue, fn)
		}
	}
	for _, sp := range a.p.SSAPackages {
		for _, name := range sortedKeys(sp.Members) {
			switch m := sp.Members[name].(type) {
			case *ssa.Function:
				add(m)
			case *ssa.Type:
				a.appTypes = append(a.appTypes, m.Type())
				a.addMethods(m.Type(), add)
			}
		}
	}
	for len(queue) > 0 {
		fn := queue[0]
		queue = queue[1:]
		a.funcs = append(a.funcs, fn)
		for _, anon := range fn.AnonFuncs {
			add(anon)
		}
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				for _, op := range in.Operands(nil) {
					if f, ok := (*op).(*ssa.Function); ok {
						add(f)
					}
				}
			}
		}
	}
}

// addMethods adds the methods of t and *t.
func (a *analysis) addMethods(t types.Type, add func(*ssa.Function)) {
	if _, ok := t.Underlying().(*types.Interface); ok {
		return
	}
	if n, ok := t.(*types.Named); ok && n.TypeParams().Len() > 0 {
		return // instances are found through the code that uses them
	}
	for _, tt := range []types.Type{t, types.NewPointer(t)} {
		ms := a.p.SSA.MethodSets.MethodSet(tt)
		for i := range ms.Len() {
			add(a.p.SSA.MethodValue(ms.At(i)))
		}
	}
}

// indexSyntax indexes the calls of the module's files by the position of
// their opening parenthesis, which is the position SSA gives a call.
func (a *analysis) indexSyntax() {
	for _, q := range a.p.Packages {
		for _, f := range q.Syntax {
			a.files = append(a.files, f)
			ast.Inspect(f, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					a.calls[c.Lparen] = c
				}
				return true
			})
		}
	}
}

// walkStartup walks the module's package initialisers, then main.
func (a *analysis) walkStartup() {
	for _, sp := range a.p.SSAPackages {
		if fn := sp.Func("init"); fn != nil {
			act := &activity{phase: phaseInit, seen: map[string]bool{}}
			a.walk(act, fn, &frame{fn: fn})
		}
	}
	if fn := a.p.SSAMain.Func("main"); fn != nil {
		act := &activity{phase: phaseMain, seen: map[string]bool{}}
		a.walk(act, fn, &frame{fn: fn})
	}
}

// callsSignal reports whether any code of the module calls signal.Notify
// or signal.NotifyContext, reachable from main or not.
func (a *analysis) callsSignal() bool {
	for _, fn := range a.funcs {
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				call, ok := in.(ssa.CallInstruction)
				if !ok {
					continue
				}
				obj := calleeObject(call.Common())
				if obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == "os/signal" &&
					(obj.Name() == "Notify" || obj.Name() == "NotifyContext") {
					return true
				}
			}
		}
	}
	return false
}

// pkgDir returns the main package's directory.
func (p *Program) pkgDir() string {
	if p.Main.Dir != "" {
		return p.Main.Dir
	}
	if len(p.Main.GoFiles) > 0 {
		return dirOf(p.Main.GoFiles[0])
	}
	return ""
}

// sortDiagnostics sorts ds by file, line and column.
func sortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool { return posLess(ds[i].Pos, ds[j].Pos) })
}

// posLess orders positions by file, line and column.
func posLess(a, b token.Position) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}
