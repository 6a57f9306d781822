package gen

import (
	"bytes"
	"fmt"
	"go/types"
	"maps"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/liquefy/liquefy/analyzer"
	"github.com/liquefy/liquefy/runtime"
)

// StateFile is the generated file holding key functions, state accessors
// and encoders.
const StateFile = "liquefy_state.go"

// A Warning is something the generated service does that its user should
// know about, such as a context kept in memory only.
type Warning struct {
	// Context names the execution context the warning is about, and
	// Message says what and why.
	Context string
	Message string
}

// String returns the warning as "context NAME: message".
func (w Warning) String() string { return fmt.Sprintf("context %s: %s", w.Context, w.Message) }

// stateGen decides, for one plan, which key function each keyed fluxion
// gets and which accessor each context gets, and emits them.
type stateGen struct {
	pkg    *types.Package
	model  *analyzer.Model
	codecs *codecs

	keys      map[string]string // fluxion → key function name
	states    map[string]string // context → accessor type name
	parsers   map[string]bool   // key parsers emitted
	typeNames map[string]bool   // accessor types emitted
	tracked   map[*types.TypeName]*trackedType
	file      *jen.File
	warnings  []Warning
}

// newStateGen prepares the state file of model m, for the main package
// pkg.
func newStateGen(pkg *types.Package, m *analyzer.Model) *stateGen {
	f := jen.NewFile("main")
	f.HeaderComment(Header)
	f.ImportAlias(RuntimePath, RuntimeName)
	return &stateGen{
		pkg: pkg, model: m, codecs: newCodecs(pkg),
		keys: map[string]string{}, states: map[string]string{}, parsers: map[string]bool{}, typeNames: map[string]bool{}, file: f,
		tracked: map[*types.TypeName]*trackedType{},
	}
}

// build chooses key functions for p's keyed fluxions and accessors for
// the model's contexts, emitting them into the state file.
func (g *stateGen) build(p *runtime.Plan) {
	routes := map[string]*analyzer.Route{} // the served mux's, as the plan's
	for _, r := range g.model.Routes {
		if g.model.Served != nil && r.Mux == g.model.Served.Mux {
			routes[r.Pattern] = r
		}
	}
	for i, rt := range p.Routes {
		r := routes[rt.Pattern]
		if r == nil || r.Key == nil {
			continue
		}
		name := fmt.Sprintf("liquefyKey%d", i+1)
		if g.keyFunc(name, rt.Pattern, r.Key) {
			g.keys[rt.Fluxion] = name
		}
	}
	for _, c := range g.model.Contexts {
		g.accessor(c)
	}
}

// keyFunc emits the key function of one route:
//
//	// liquefyKey3 computes the key of GET /lists/{id}: r.PathValue("id").
//	func liquefyKey3(r *http.Request, body []byte) (string, bool) {
//		v := r.PathValue("id")
//		n, err := strconv.Atoi(v)
//		if err != nil {
//			return "", false
//		}
//		return strconv.FormatInt(int64(n), 10), true
//	}
//
// It reports false, emitting nothing, when the key's source or a
// transform is outside the documented vocabulary.
func (g *stateGen) keyFunc(name, pattern string, k *analyzer.Key) bool {
	var body []jen.Code
	v := jen.Id("v")
	switch k.From {
	case "path":
		body = append(body, jen.Id("v").Op(":=").Id("r").Dot("PathValue").Call(jen.Lit(k.Name)))
	case "query":
		body = append(body, jen.Id("v").Op(":=").Id("r").Dot("URL").Dot("Query").Call().Dot("Get").Call(jen.Lit(k.Name)))
	case "form":
		// r.FormValue would consume the body the worker still needs; the
		// runtime parses a copy of the request instead.
		body = append(body, jen.Id("v").Op(":=").Qual(RuntimePath, "FormValue").Call(jen.Id("r"), jen.Id("body"), jen.Lit(k.Name)))
	case "header":
		body = append(body, jen.Id("v").Op(":=").Id("r").Dot("Header").Dot("Get").Call(jen.Lit(k.Name)))
	case "cookie":
		body = append(body,
			jen.List(jen.Id("c"), jen.Err()).Op(":=").Id("r").Dot("Cookie").Call(jen.Lit(k.Name)),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(""), jen.False())),
			jen.Id("v").Op(":=").Id("c").Dot("Value"))
	case "json":
		// A json.Decoder, as handlers use, takes the first value and
		// leaves what follows; json.Unmarshal would refuse trailing bytes
		// a handler's Decode accepts, and send the request elsewhere.
		body = append(body,
			jen.Var().Id("doc").Struct(jen.Id("V").Qual("encoding/json", "RawMessage").Tag(map[string]string{"json": k.Name})),
			jen.If(jen.Qual("encoding/json", "NewDecoder").Call(jen.Qual("bytes", "NewReader").Call(jen.Id("body"))).Dot("Decode").Call(jen.Op("&").Id("doc")).Op("!=").Nil()).Block(jen.Return(jen.Lit(""), jen.False())),
			jen.Var().Id("v").Id("string"),
			jen.If(jen.Qual("encoding/json", "Unmarshal").Call(jen.Id("doc").Dot("V"), jen.Op("&").Id("v")).Op("!=").Nil()).Block(
				jen.Comment("a number: its literal text is the key"),
				jen.Id("v").Op("=").Id("string").Call(jen.Qual("bytes", "TrimSpace").Call(jen.Id("doc").Dot("V")))),
		)
	default:
		return false
	}

	// Transforms, in order; a parse that fails selects no entry.
	numeric := false
	for _, op := range k.Ops {
		switch op {
		case "strings.ToLower", "strings.ToUpper", "strings.TrimSpace":
			fn := strings.TrimPrefix(op, "strings.")
			if numeric {
				return false
			}
			body = append(body, jen.Id("v").Op("=").Qual("strings", fn).Call(v))
		case "strconv.Atoi", "strconv.ParseInt", "strconv.ParseUint":
			parse := jen.Qual("strconv", "ParseInt").Call(v, jen.Lit(10), jen.Lit(64))
			format := jen.Qual("strconv", "FormatInt").Call(jen.Id("n"), jen.Lit(10))
			if op == "strconv.ParseUint" {
				parse = jen.Qual("strconv", "ParseUint").Call(v, jen.Lit(10), jen.Lit(64))
				format = jen.Qual("strconv", "FormatUint").Call(jen.Id("n"), jen.Lit(10))
			}
			if op == "strconv.Atoi" {
				parse = jen.Qual("strconv", "Atoi").Call(v)
				format = jen.Qual("strconv", "Itoa").Call(jen.Id("n"))
			}
			body = append(body, jen.Block(
				jen.List(jen.Id("n"), jen.Err()).Op(":=").Add(parse),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(""), jen.False())),
				jen.Id("v").Op("=").Add(format),
			))
			numeric = true
		default:
			return false
		}
	}
	body = append(body, jen.Return(v, jen.True()))

	g.file.Commentf("%s computes the key of %s: %s.", name, pattern, k.Expr)
	g.file.Func().Id(name).Params(jen.Id("r").Op("*").Qual("net/http", "Request"), jen.Id("body").Index().Byte()).
		Params(jen.String(), jen.Bool()).Block(body...)
	g.file.Line()
	return true
}

// A root, as the accessor of its context reaches it: a package-level
// variable of the main package and the mutex that guards it.
type stateRoot struct {
	name  string
	v     *types.Var
	guard string // the guard as Go source, "mu" or "carts.Mutex"; "" when the app takes no lock
	rw    bool   // the guard is a sync.RWMutex
}

// accessor emits the state accessor of context c, or records a warning
// saying why c is kept in memory only.
func (g *stateGen) accessor(c *analyzer.Context) {
	var (
		roots []stateRoot
		uses  []trackedUse
	)
	for _, name := range c.Roots {
		r, why := g.resolve(name)
		typ := r.v
		if why != "" {
			t, f, ok := g.resolveTracked(name)
			if !ok {
				g.warn(c.Name, why)
				return
			}
			uses = addUse(uses, t, f)
			typ = f
		} else {
			roots = append(roots, r)
		}
		if err := g.codecs.check(typ.Type(), name, map[types.Type]bool{}); err != nil {
			g.warn(c.Name, err.Error())
			return
		}
	}
	typ := g.stateTypeName(c.Name)
	switch {
	case c.Class == analyzer.Keyed && len(uses) > 0:
		g.warn(c.Name, "its keyed maps are fields of values the app makes, which liquefy stores whole only; it is kept in its owner's memory only")
		return
	case c.Class == analyzer.Keyed:
		if !g.keyedAccessor(typ, c, roots) {
			return
		}
	default:
		g.wholeAccessor(typ, c, roots, uses)
	}
	g.states[c.Name] = typ
}

// stateTypeName names the accessor type of context ctx, unique even when
// two context names spell alike as identifiers.
func (g *stateGen) stateTypeName(ctx string) string {
	base := "liquefyState" + exportName(ctx)
	name := base
	for i := 2; g.typeNames[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	g.typeNames[name] = true
	return name
}

// addUse adds field f of tracked type t to uses.
func addUse(uses []trackedUse, t *trackedType, f *types.Var) []trackedUse {
	for i := range uses {
		if uses[i].t == t {
			uses[i].fields = append(uses[i].fields, f)
			return uses
		}
	}
	return append(uses, trackedUse{t: t, fields: []*types.Var{f}})
}

// resolve finds a root among the main package's variables, and its guard.
func (g *stateGen) resolve(name string) (stateRoot, string) {
	obj, ok := g.pkg.Scope().Lookup(name).(*types.Var)
	if !ok {
		return stateRoot{}, fmt.Sprintf("root %s is not a package-level variable of the main package, so the generated code cannot reach it; it is kept in its owner's memory only", name)
	}
	r := stateRoot{name: name, v: obj}
	for _, root := range g.model.Roots {
		if root.Name != name || len(root.Guards) == 0 {
			continue
		}
		guard := root.Guards[0]
		gv, ok := g.pkg.Scope().Lookup(guard).(*types.Var)
		if !ok {
			return r, fmt.Sprintf("root %s is guarded by %s, which is not a package-level variable the generated code can lock; it is kept in its owner's memory only", name, guard)
		}
		r.guard, r.rw = guard, isRWMutex(gv.Type())
		return r, ""
	}

	// A struct that carries its own mutex is guarded by it.
	if st, ok := obj.Type().Underlying().(*types.Struct); ok {
		for i := 0; i < st.NumFields(); i++ {
			if f := st.Field(i); isSync(f.Type()) && (isMutex(f.Type()) || isRWMutex(f.Type())) {
				r.guard, r.rw = name+"."+f.Name(), isRWMutex(f.Type())
				break
			}
		}
	}
	return r, ""
}

// keyedAccessor emits the KeyedState of a keyed context whose roots are
// maps sharing one key type:
//
//	type liquefyStateLists struct{}
//
//	func (liquefyStateLists) Get(key string) ([]byte, bool, error) {
//		k, err := liquefyKeyOf1(key)
//		...
//		mu.RLock()
//		defer mu.RUnlock()
//		v0, ok0 := lists[k]
//		if !ok0 { return nil, false, nil }
//		var e liquefyruntime.Encoder
//		e.Present(ok0)
//		liquefyEnc2(&e, v0)
//		return e.Data(), true, e.Err()
//	}
func (g *stateGen) keyedAccessor(typ string, c *analyzer.Context, roots []stateRoot) bool {
	var key types.Type
	for _, r := range roots {
		m, ok := r.v.Type().Underlying().(*types.Map)
		if !ok {
			g.warn(c.Name, fmt.Sprintf("keyed root %s is not a map, so liquefy cannot store it per key; it is kept in its owner's memory only", r.name))
			return false
		}
		if key != nil && !types.Identical(key, m.Key()) {
			g.warn(c.Name, "its maps have different key types; it is kept in its owner's memory only")
			return false
		}
		key = m.Key()
	}
	if !keySupported(key) {
		g.warn(c.Name, fmt.Sprintf("its key type %s is neither a string nor an integer type; it is kept in its owner's memory only", key))
		return false
	}

	// Get: encode each root's entry, present or not.
	get := g.parseKey(key, jen.Nil(), jen.False(), jen.Err())
	get = append(get, lock(roots, true)...)
	var found []jen.Code
	enc := []jen.Code{jen.Var().Id("e").Qual(RuntimePath, "Encoder")}
	for i, r := range roots {
		vi, oki := jen.Id(fmt.Sprintf("v%d", i)), jen.Id(fmt.Sprintf("ok%d", i))
		get = append(get, jen.List(vi, oki).Op(":=").Id(r.name).Index(jen.Id("k")))
		found = append(found, jen.Id(fmt.Sprintf("ok%d", i)))
		elem := r.v.Type().Underlying().(*types.Map).Elem()
		enc = append(enc, jen.Id("e").Dot("Present").Call(oki), jen.Id(g.codecs.enc(elem)).Call(jen.Op("&").Id("e"), jen.Op("&").Add(vi)))
	}
	get = append(get, jen.If(jen.Op("!").Parens(join(found, "||"))).Block(jen.Return(jen.Nil(), jen.False(), jen.Nil())))
	get = append(get, enc...)
	get = append(get, jen.Return(jen.Id("e").Dot("Data").Call(), jen.True(), jen.Id("e").Dot("Err").Call()))

	// Put: decode each root's entry, then store or delete it.
	put := g.parseKey(key, jen.Err())
	put = append(put, jen.Id("d").Op(":=").Qual(RuntimePath, "NewDecoder").Call(jen.Id("data")))
	for i, r := range roots {
		elem := r.v.Type().Underlying().(*types.Map).Elem()
		put = append(put,
			jen.Id(fmt.Sprintf("ok%d", i)).Op(":=").Id("d").Dot("Present").Call(),
			jen.Var().Id(fmt.Sprintf("v%d", i)).Add(g.codecs.typ(elem)),
			jen.Id(g.codecs.dec(elem)).Call(jen.Id("d"), jen.Op("&").Id(fmt.Sprintf("v%d", i))))
	}
	put = append(put, jen.If(jen.Err().Op(":=").Id("d").Dot("Finish").Call(), jen.Err().Op("!=").Nil()).Block(
		jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("restoring "+c.Name+" entry %q: %w"), jen.Id("key"), jen.Err()))))
	put = append(put, lock(roots, false)...)
	for i, r := range roots {
		put = append(put, jen.If(jen.Id(fmt.Sprintf("ok%d", i))).Block(
			jen.Id(r.name).Index(jen.Id("k")).Op("=").Id(fmt.Sprintf("v%d", i)),
		).Else().Block(jen.Delete(jen.Id(r.name), jen.Id("k"))))
	}
	put = append(put, jen.Return(jen.Nil()))

	// Delete: drop the entry from every root.
	del := g.parseKey(key)
	del = append(del, lock(roots, false)...)
	for _, r := range roots {
		del = append(del, jen.Delete(jen.Id(r.name), jen.Id("k")))
	}

	g.file.Commentf("%s stores context %s per key: the entries of %s.", typ, c.Name, strings.Join(c.Roots, ", "))
	g.file.Type().Id(typ).Struct()
	g.file.Line()
	g.file.Commentf("Get encodes the entry of key, under the app's own lock.")
	g.file.Func().Params(jen.Id(typ)).Id("Get").Params(jen.Id("key").String()).Params(jen.Index().Byte(), jen.Bool(), jen.Error()).Block(get...)
	g.file.Line()
	g.file.Commentf("Put restores the entry of key from data.")
	g.file.Func().Params(jen.Id(typ)).Id("Put").Params(jen.Id("key").String(), jen.Id("data").Index().Byte()).Error().Block(put...)
	g.file.Line()
	g.file.Commentf("Delete removes the entry of key.")
	g.file.Func().Params(jen.Id(typ)).Id("Delete").Params(jen.Id("key").String()).Block(del...)
	g.file.Line()
	return true
}

// wholeAccessor emits the WholeState of a singleton context:
//
//	func (liquefyStateCounter) Snapshot() ([]byte, error) {
//		mu.Lock()
//		defer mu.Unlock()
//		var e liquefyruntime.Encoder
//		liquefyEnc1(&e, hits)
//		return e.Data(), e.Err()
//	}
func (g *stateGen) wholeAccessor(typ string, c *analyzer.Context, roots []stateRoot, uses []trackedUse) {
	snap := lock(roots, true)
	snap = append(snap, jen.Var().Id("e").Qual(RuntimePath, "Encoder"))
	for _, r := range roots {
		snap = append(snap, jen.Id(g.codecs.enc(r.v.Type())).Call(jen.Op("&").Id("e"), jen.Op("&").Id(r.name)))
	}
	snap = append(snap, g.trackedSnapshot(uses, true, heldGuards(roots))...)
	snap = append(snap, jen.Return(jen.Id("e").Dot("Data").Call(), jen.Id("e").Dot("Err").Call()))

	// Restore decodes in place, under the lock: the roots may hold the
	// very mutex that guards them.
	restore := []jen.Code{jen.Id("d").Op(":=").Qual(RuntimePath, "NewDecoder").Call(jen.Id("data"))}
	restore = append(restore, lock(roots, false)...)
	for _, r := range roots {
		restore = append(restore, jen.Id(g.codecs.dec(r.v.Type())).Call(jen.Id("d"), jen.Op("&").Id(r.name)))
	}
	restore = append(restore, g.trackedRestore(c.Name, uses, heldGuards(roots))...)
	restore = append(restore, jen.If(jen.Err().Op(":=").Id("d").Dot("Finish").Call(), jen.Err().Op("!=").Nil()).Block(
		jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("restoring "+c.Name+": %w"), jen.Err()))))
	restore = append(restore, jen.Return(jen.Nil()))

	g.file.Commentf("%s stores context %s whole: %s.", typ, c.Name, strings.Join(c.Roots, ", "))
	g.file.Type().Id(typ).Struct()
	g.file.Line()
	g.file.Comment("Snapshot encodes the whole context, under the app's own lock.")
	g.file.Func().Params(jen.Id(typ)).Id("Snapshot").Params().Params(jen.Index().Byte(), jen.Error()).Block(snap...)
	g.file.Line()
	g.file.Comment("Restore replaces the whole context with data.")
	g.file.Func().Params(jen.Id(typ)).Id("Restore").Params(jen.Id("data").Index().Byte()).Error().Block(restore...)
	g.file.Line()
}

// heldGuards names the package-level guards lock(roots) takes.
func heldGuards(roots []stateRoot) map[string]bool {
	held := map[string]bool{}
	for _, r := range roots {
		if r.guard != "" && !strings.Contains(r.guard, ".") {
			held[r.guard] = true
		}
	}
	return held
}

// lock takes the distinct guards of roots, in name order, and defers
// their release: shared locks for reading when the guard allows it.
func lock(roots []stateRoot, read bool) []jen.Code {
	seen := map[string]stateRoot{}
	for _, r := range roots {
		if r.guard != "" {
			seen[r.guard] = r
		}
	}
	var code []jen.Code
	for _, guard := range slices.Sorted(maps.Keys(seen)) {
		l, u := "Lock", "Unlock"
		if read && seen[guard].rw {
			l, u = "RLock", "RUnlock"
		}
		code = append(code, jen.Id(guard).Dot(l).Call(), jen.Defer().Id(guard).Dot(u).Call())
	}
	return code
}

// keySupported reports whether liquefy can turn key strings back into
// map keys of type key: string and integer types.
func keySupported(key types.Type) bool {
	b, ok := key.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsString|types.IsInteger) != 0
}

// parseKey emits `k, err := liquefyKeyOfN(key)` and a return of fail
// when the key does not parse.
func (g *stateGen) parseKey(key types.Type, fail ...jen.Code) []jen.Code {
	return []jen.Code{
		jen.List(jen.Id("k"), jen.Err()).Op(":=").Id(g.keyFuncOf(key)).Call(jen.Id("key")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(fail...)),
	}
}

// keyFuncOf names the generated function parsing a key string into the
// key type, emitting it the first time:
//
//	func liquefyKeyOf3(s string) (int, error) {
//		n, err := strconv.ParseInt(s, 10, 64)
//		return int(n), err
//	}
func (g *stateGen) keyFuncOf(key types.Type) string {
	name := "liquefyKeyOf" + fmt.Sprint(g.codecs.id(key))
	if g.parsers[name] {
		return name
	}
	g.parsers[name] = true
	b := key.Underlying().(*types.Basic)
	body := []jen.Code{jen.Return(g.codecs.typ(key).Call(jen.Id("s")), jen.Nil())}
	if b.Info()&types.IsInteger != 0 {
		parse := "ParseInt"
		if b.Info()&types.IsUnsigned != 0 {
			parse = "ParseUint"
		}
		body = []jen.Code{
			jen.List(jen.Id("n"), jen.Err()).Op(":=").Qual("strconv", parse).Call(jen.Id("s"), jen.Lit(10), jen.Lit(64)),
			jen.Return(g.codecs.typ(key).Call(jen.Id("n")), jen.Err()),
		}
	}
	g.file.Commentf("%s turns a key string back into a %s.", name, types.TypeString(key, types.RelativeTo(g.pkg)))
	g.file.Func().Id(name).Params(jen.Id("s").String()).Params(g.codecs.typ(key), jen.Error()).Block(body...)
	g.file.Line()
	return name
}

// join joins conditions with op.
func join(conds []jen.Code, op string) *jen.Statement {
	s := jen.Add(conds[0])
	for _, c := range conds[1:] {
		s = s.Op(op).Add(c)
	}
	return s
}

func (g *stateGen) warn(ctx, msg string) {
	g.warnings = append(g.warnings, Warning{Context: ctx, Message: msg})
}

// isMutex reports whether t is sync.Mutex.
func isMutex(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" && n.Obj().Name() == "Mutex"
}

// isRWMutex reports whether t is sync.RWMutex or a pointer to it.
func isRWMutex(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" && n.Obj().Name() == "RWMutex"
}

// exportName turns a context name into the tail of a Go identifier:
// "server.named" becomes "ServerNamed".
func exportName(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
		up = false
	}
	return b.String()
}

// render emits the codecs after everything else and returns the file's
// bytes, or nil when there is nothing to write.
func (g *stateGen) render() ([]byte, error) {
	if len(g.keys) == 0 && len(g.states) == 0 {
		return nil, nil
	}
	for _, t := range g.sortedTracked() {
		g.emitTracker(t)
	}
	g.codecs.emit(g.file)
	var buf bytes.Buffer
	if err := g.file.Render(&buf); err != nil {
		return nil, fmt.Errorf("gen: rendering %s: %w", StateFile, err)
	}
	return buf.Bytes(), nil
}
