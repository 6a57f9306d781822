// Package rewrite changes the app's own source for its liquefied form.
//
// The liquefied service is a copy of the app's main package in which the
// start-up code is kept as written and every call that serves HTTP is
// handed to liquefy's runtime instead:
//
//	http.ListenAndServe(*addr, mux)
//
// becomes
//
//	liquefyruntime.ListenAndServe(liquefyPlan, *addr, mux)
//
// The rewrite works on the typed syntax tree, so a call is recognised by
// the function it resolves to, not by how the file spells the import, and
// comments are kept.
package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// Options says what the rewritten calls refer to.
type Options struct {
	// RuntimePath is the import path of liquefy's runtime package and
	// RuntimeName the name it is imported under.
	RuntimePath string
	RuntimeName string

	// Plan is the identifier of the generated plan variable.
	Plan string

	// Track maps the struct types whose state the service persists to
	// the generated function that records each value the app makes:
	// every &T{...} and new(T) in the package becomes
	// liquefyTrack1(&T{...}).
	Track map[*types.TypeName]string
}

// A File is one source file of the main package, parsed and type-checked.
type File struct {
	Name   string // base name, "main.go"
	Syntax *ast.File
}

// A Change is one rewritten serving call.
type Change struct {
	Pos  token.Position
	From string // "http.ListenAndServe"
	To   string // "liquefyruntime.ListenAndServe"
}

// serving maps the full name of each net/http function or method that
// serves HTTP to the runtime function that replaces it. Methods of
// *http.Server take the server as their first argument in the runtime.
var serving = map[string]string{
	"net/http.ListenAndServe":              "ListenAndServe",
	"net/http.ListenAndServeTLS":           "ListenAndServeTLS",
	"net/http.Serve":                       "Serve",
	"net/http.ServeTLS":                    "ServeTLS",
	"(*net/http.Server).ListenAndServe":    "ServeServer",
	"(*net/http.Server).ListenAndServeTLS": "ServeServerTLS",
	"(*net/http.Server).Serve":             "ServeServerListener",
	"(*net/http.Server).ServeTLS":          "ServeServerListenerTLS",
}

// IsServing reports whether fn is one of the net/http functions or methods
// that serve HTTP and that Files rewrites.
func IsServing(fn *types.Func) bool {
	_, ok := serving[fn.FullName()]
	return ok
}

// Files rewrites every serving call in files and returns each file's new
// source, gofmt-formatted, in the order given, with the changes it made.
// It also disarms //go:generate directives, so that `go generate ./...` in
// the app does not run liquefy on its own output. The syntax trees are
// modified in place. A serving function used other than in a call (a
// method value such as `run := srv.ListenAndServe`) is an error with its
// position, since the rewrite cannot keep its meaning.
func Files(fset *token.FileSet, info *types.Info, files []File, opts Options) ([][]byte, []Change, error) {
	var (
		out     [][]byte
		changes []Change
		errs    []string
	)
	for _, f := range files {
		c, e := rewriteFile(fset, info, f.Syntax, opts)
		changes = append(changes, c...)
		errs = append(errs, e...)
		dropGenerate(f.Syntax)
		var buf bytes.Buffer
		if err := format.Node(&buf, fset, f.Syntax); err != nil {
			return nil, nil, fmt.Errorf("rewrite: formatting %s: %w", f.Name, err)
		}
		out = append(out, buf.Bytes())
	}
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, changes, nil
}

// rewriteFile replaces the serving calls of one file and fixes its
// imports. It returns the changes and positioned error messages.
func rewriteFile(fset *token.FileSet, info *types.Info, file *ast.File, opts Options) ([]Change, []string) {
	var (
		changes []Change
		errs    []string
		calls   = map[*ast.SelectorExpr]bool{}
	)

	// Replace each call, remembering the selectors consumed so that
	// the second walk finds only non-call uses; wrap the allocations of
	// tracked types.
	astutil.Apply(file, nil, func(c *astutil.Cursor) bool {
		if track := tracker(info, c.Node(), opts.Track); track != "" {
			c.Replace(&ast.CallExpr{Fun: ast.NewIdent(track), Args: []ast.Expr{c.Node().(ast.Expr)}})
			return true
		}
		call, ok := c.Node().(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, fn := servingCallee(info, call.Fun)
		if fn == nil {
			return true
		}
		calls[sel] = true
		name := serving[fn.FullName()]
		changes = append(changes, Change{
			Pos:  fset.Position(call.Pos()),
			From: spell(fn),
			To:   opts.RuntimeName + "." + name,
		})
		c.Replace(replacement(info, call, sel, fn, name, opts))
		return true
	})

	// Any other use of a serving function cannot be rewritten.
	ast.Inspect(file, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || calls[sel] {
			return true
		}
		if fn, ok := info.Uses[sel.Sel].(*types.Func); ok && IsServing(fn) {
			errs = append(errs, fmt.Sprintf("%s: %s is used as a value, not called: liquefy can only hand a direct call to its runtime; call it directly",
				fset.Position(sel.Pos()), spell(fn)))
		}
		return true
	})

	// Fix imports: the runtime is added, net/http dropped if now unused.
	if len(changes) > 0 {
		astutil.AddNamedImport(fset, file, opts.RuntimeName, opts.RuntimePath)
		for _, imp := range file.Imports {
			if strings.Trim(imp.Path.Value, `"`) == "net/http" && !usesImport(info, file, imp) {
				name := ""
				if imp.Name != nil {
					name = imp.Name.Name
				}
				astutil.DeleteNamedImport(fset, file, name, "net/http")
				break
			}
		}
	}
	return changes, errs
}

// tracker returns the tracking function for n when n allocates a value of
// a tracked type (&T{...} or new(T)), and "" otherwise.
func tracker(info *types.Info, n ast.Node, track map[*types.TypeName]string) string {
	if len(track) == 0 {
		return ""
	}
	switch e := n.(type) {
	case *ast.UnaryExpr:
		if _, ok := e.X.(*ast.CompositeLit); !ok || e.Op != token.AND {
			return ""
		}
	case *ast.CallExpr:
		if id, ok := ast.Unparen(e.Fun).(*ast.Ident); !ok || id.Name != "new" || info.Uses[id] != types.Universe.Lookup("new") {
			return ""
		}
	default:
		return ""
	}
	ptr, ok := info.TypeOf(n.(ast.Expr)).(*types.Pointer)
	if !ok {
		return ""
	}
	named, ok := types.Unalias(ptr.Elem()).(*types.Named)
	if !ok {
		return ""
	}
	return track[named.Obj()]
}

// servingCallee returns the selector and the function of a call's callee
// when it is a serving function of net/http, and nil otherwise.
func servingCallee(info *types.Info, fun ast.Expr) (*ast.SelectorExpr, *types.Func) {
	sel, ok := ast.Unparen(fun).(*ast.SelectorExpr)
	if !ok {
		return nil, nil
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	if !ok || !IsServing(fn) {
		return nil, nil
	}
	return sel, fn
}

// replacement builds the runtime call for one serving call:
//
//	http.Serve(l, h)        →  liquefyruntime.Serve(liquefyPlan, l, h)
//	srv.ServeTLS(l, c, k)   →  liquefyruntime.ServeServerListenerTLS(liquefyPlan, srv, l, c, k)
//	s.srv.ListenAndServe()  →  liquefyruntime.ServeServer(liquefyPlan, &s.srv)  (field of type http.Server)
func replacement(info *types.Info, call *ast.CallExpr, sel *ast.SelectorExpr, fn *types.Func, name string, opts Options) *ast.CallExpr {
	args := []ast.Expr{ast.NewIdent(opts.Plan)}
	if fn.Signature().Recv() != nil {
		recv, typ := promoted(info, sel)
		if _, isPtr := typ.Underlying().(*types.Pointer); !isPtr {
			recv = &ast.UnaryExpr{Op: token.AND, X: recv}
		}
		args = append(args, recv)
	}
	args = append(args, call.Args...)
	return &ast.CallExpr{
		Fun: &ast.SelectorExpr{
			X:   &ast.Ident{Name: opts.RuntimeName, NamePos: call.Pos()},
			Sel: ast.NewIdent(name),
		},
		Lparen:   call.Lparen,
		Args:     args,
		Ellipsis: call.Ellipsis,
		Rparen:   call.Rparen,
	}
}

// promoted returns the expression that names the *http.Server (or the
// http.Server) a method selector sel calls through, and its type: sel.X
// itself, or for a method promoted from an embedded field, the path to
// that field ("s.Server" for type server struct{ *http.Server }).
func promoted(info *types.Info, sel *ast.SelectorExpr) (ast.Expr, types.Type) {
	x, typ := sel.X, info.TypeOf(sel.X)
	s := info.Selections[sel]
	if s == nil {
		return x, typ
	}
	path := s.Index()
	for _, i := range path[:len(path)-1] {
		t := typ
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		f := t.Underlying().(*types.Struct).Field(i)
		x, typ = &ast.SelectorExpr{X: x, Sel: ast.NewIdent(f.Name())}, f.Type()
	}
	return x, typ
}

// usesImport reports whether any identifier in file still refers to the
// package imp imports. The rewritten selectors have no type information,
// so only the app's remaining uses count.
func usesImport(info *types.Info, file *ast.File, imp *ast.ImportSpec) bool {
	pkgName := info.PkgNameOf(imp)
	if pkgName == nil {
		return true // blank or dot import: leave it alone
	}
	used := false
	ast.Inspect(file, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && info.Uses[id] == pkgName {
			used = true
		}
		return !used
	})
	return used
}

// dropGenerate turns //go:generate directives in file into plain
// comments ("// go:generate ..."), keeping every comment group and the
// declarations they document in place.
func dropGenerate(file *ast.File) {
	for _, g := range file.Comments {
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:generate") {
				c.Text = "// " + strings.TrimPrefix(c.Text, "//")
			}
		}
	}
}

// spell writes a serving function as the source would: "http.Serve" or
// "(*http.Server).Serve".
func spell(fn *types.Func) string {
	if fn.Signature().Recv() != nil {
		return "(*http.Server)." + fn.Name()
	}
	return "http." + fn.Name()
}
