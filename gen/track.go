package gen

import (
	"fmt"
	"go/types"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"
)

// A trackedType is a struct type of the main package whose fields hold
// state that handlers reach through pointers (a store made by a
// constructor and captured by closures, a server whose methods are the
// handlers). The generated code records every value of the type the app
// makes during start-up, so that it can snapshot and restore their
// fields; the rewrite wraps each &T{...} and new(T) in the package.
type trackedType struct {
	obj   *types.TypeName
	id    int
	guard string // the field of each value that guards it, or a package-level mutex
	value bool   // guard is a field of each value
	rw    bool
	used  bool // an emitted accessor reads the record
}

// tracker is the name of the generated function that records values.
func (t *trackedType) tracker() string { return fmt.Sprintf("liquefyTrack%d", t.id) }
func (t *trackedType) list() string    { return fmt.Sprintf("liquefyTracked%d", t.id) }

// A trackedUse is the fields of one tracked type a context holds.
type trackedUse struct {
	t      *trackedType
	fields []*types.Var
}

// resolveTracked finds a root named "<type>.<field>" (the type's name,
// possibly with its first letter lowered) among the main package's
// struct types, and how its values are guarded.
func (g *stateGen) resolveTracked(name string) (*trackedType, *types.Var, bool) {
	prefix, field, ok := strings.Cut(name, ".")
	if !ok || strings.Contains(field, ".") {
		return nil, nil, false
	}
	for _, n := range g.pkg.Scope().Names() {
		obj, ok := g.pkg.Scope().Lookup(n).(*types.TypeName)
		if !ok || (n != prefix && lowerFirst(n) != prefix) {
			continue
		}
		st, ok := obj.Type().Underlying().(*types.Struct)
		if !ok {
			continue
		}
		for i := 0; i < st.NumFields(); i++ {
			if f := st.Field(i); f.Name() == field && !f.Embedded() {
				return g.track(obj, st, prefix, name), f, true
			}
		}
	}
	return nil, nil, false
}

// track registers obj as tracked, with the guard the analysis saw around
// root (a field of the value, a package-level mutex, or else the value's
// own mutex field).
func (g *stateGen) track(obj *types.TypeName, st *types.Struct, prefix, root string) *trackedType {
	if t := g.tracked[obj]; t != nil {
		return t
	}
	t := &trackedType{obj: obj, id: len(g.tracked) + 1}
	g.tracked[obj] = t
	for _, r := range g.model.Roots {
		if r.Name != root || len(r.Guards) == 0 {
			continue
		}
		guard := r.Guards[0]
		if p, f, ok := strings.Cut(guard, "."); ok && p == prefix {
			t.guard, t.value = f, true
		} else if v, ok := g.pkg.Scope().Lookup(guard).(*types.Var); ok {
			t.guard, t.rw = guard, isRWMutex(v.Type())
		}
	}
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if t.value && f.Name() == t.guard {
			t.rw = isRWMutex(f.Type())
		}
		if t.guard == "" && f.Name() != "_" && (isMutex(f.Type()) || isRWMutex(f.Type())) {
			t.guard, t.value, t.rw = f.Name(), true, isRWMutex(f.Type())
		}
	}
	return t
}

// emitTracker writes the record of one tracked type:
//
//	var liquefyTracked1 struct {
//		sync.Mutex
//		values []*store
//	}
//
//	func liquefyTrack1(p *store) *store {
//		if !liquefyruntime.Serving() {
//			liquefyTracked1.Lock()
//			liquefyTracked1.values = append(liquefyTracked1.values, p)
//			liquefyTracked1.Unlock()
//		}
//		return p
//	}
func (g *stateGen) emitTracker(t *trackedType) {
	ptr := jen.Op("*").Id(t.obj.Name())
	g.file.Commentf("%s holds every *%s the app makes during start-up, in order.", t.list(), t.obj.Name())
	g.file.Var().Id(t.list()).Struct(jen.Qual("sync", "Mutex"), jen.Id("values").Index().Add(ptr))
	g.file.Line()
	g.file.Commentf("%s records p when the app makes it before it serves.", t.tracker())
	g.file.Func().Id(t.tracker()).Params(jen.Id("p").Add(ptr)).Add(ptr).Block(
		jen.If(jen.Op("!").Qual(RuntimePath, "Serving").Call()).Block(
			jen.Id(t.list()).Dot("Lock").Call(),
			jen.Id(t.list()).Dot("values").Op("=").Append(jen.Id(t.list()).Dot("values"), jen.Id("p")),
			jen.Id(t.list()).Dot("Unlock").Call(),
		),
		jen.Return(jen.Id("p")),
	)
	g.file.Line()
}

// trackedSnapshot encodes, for each tracked type of a context, the number
// of values and each value's fields under its lock:
//
//	liquefyTracked1.Lock()
//	values1 := liquefyTracked1.values
//	liquefyTracked1.Unlock()
//	e.Len(len(values1))
//	for _, p := range values1 {
//		p.mu.Lock()
//		liquefyEnc3(&e, &p.notes)
//		p.mu.Unlock()
//	}
//
// held names the package-level mutexes the accessor already holds, which
// are not taken again.
func (g *stateGen) trackedSnapshot(uses []trackedUse, read bool, held map[string]bool) []jen.Code {
	var code []jen.Code
	for _, u := range uses {
		u.t.used = true
		code = append(code, g.trackedValues(u.t)...)
		code = append(code, jen.Id("e").Dot("Len").Call(jen.Len(jen.Id(u.valuesVar()))))
		body := u.t.lock(read, held)
		for _, f := range u.fields {
			body = append(body, jen.Id(g.codecs.enc(f.Type())).Call(jen.Op("&").Id("e"), jen.Op("&").Id("p").Dot(f.Name())))
		}
		body = append(body, u.t.unlock(read, held)...)
		code = append(code, jen.For(jen.List(jen.Id("_"), jen.Id("p")).Op(":=").Range().Id(u.valuesVar())).Block(body...))
	}
	return code
}

// trackedRestore decodes what trackedSnapshot encoded into the values the
// app made this time, which must be as many.
func (g *stateGen) trackedRestore(ctx string, uses []trackedUse, held map[string]bool) []jen.Code {
	var code []jen.Code
	for _, u := range uses {
		u.t.used = true
		n := jen.Id("n" + fmt.Sprint(u.t.id))
		code = append(code, g.trackedValues(u.t)...)
		code = append(code,
			jen.If(n.Clone().Op(":=").Id("d").Dot("Len").Call(), n.Clone().Op("!=").Len(jen.Id(u.valuesVar()))).Block(
				jen.Return(jen.Qual("fmt", "Errorf").Call(
					jen.Lit(fmt.Sprintf("restoring %s: the snapshot holds %%d values of %s, the app made %%d at start-up", ctx, u.t.obj.Name())),
					n.Clone(), jen.Len(jen.Id(u.valuesVar()))))))
		body := u.t.lock(false, held)
		for _, f := range u.fields {
			body = append(body, jen.Id(g.codecs.dec(f.Type())).Call(jen.Id("d"), jen.Op("&").Id("p").Dot(f.Name())))
		}
		body = append(body, u.t.unlock(false, held)...)
		code = append(code, jen.For(jen.List(jen.Id("_"), jen.Id("p")).Op(":=").Range().Id(u.valuesVar())).Block(body...))
	}
	return code
}

// trackedValues copies the recorded values of t under the record's lock.
func (g *stateGen) trackedValues(t *trackedType) []jen.Code {
	v := jen.Id(fmt.Sprintf("values%d", t.id))
	return []jen.Code{
		jen.Id(t.list()).Dot("Lock").Call(),
		v.Op(":=").Id(t.list()).Dot("values"),
		jen.Id(t.list()).Dot("Unlock").Call(),
	}
}

func (u trackedUse) valuesVar() string { return fmt.Sprintf("values%d", u.t.id) }

// lock and unlock take and release a tracked value's guard (p.mu), or
// the package-level mutex that guards every value unless it is held.
func (t *trackedType) lock(read bool, held map[string]bool) []jen.Code {
	return t.guardCall(read, held, "Lock", "RLock")
}

func (t *trackedType) unlock(read bool, held map[string]bool) []jen.Code {
	return t.guardCall(read, held, "Unlock", "RUnlock")
}

func (t *trackedType) guardCall(read bool, held map[string]bool, exclusive, shared string) []jen.Code {
	if t.guard == "" || !t.value && held[t.guard] {
		return nil
	}
	m := exclusive
	if read && t.rw {
		m = shared
	}
	if t.value {
		return []jen.Code{jen.Id("p").Dot(t.guard).Dot(m).Call()}
	}
	return []jen.Code{jen.Id(t.guard).Dot(m).Call()}
}

// sortedTracked lists the tracked types an emitted accessor reads, in
// the order they were found. A type whose context was rejected after it
// was found is left out, and so is its recording.
func (g *stateGen) sortedTracked() []*trackedType {
	var ts []*trackedType
	for _, t := range g.tracked {
		if t.used {
			ts = append(ts, t)
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].id < ts[j].id })
	return ts
}

// trackers maps each tracked type an accessor reads to its recording
// function, for the rewrite.
func (g *stateGen) trackers() map[*types.TypeName]string {
	m := map[*types.TypeName]string{}
	for _, t := range g.sortedTracked() {
		m[t.obj] = t.tracker()
	}
	return m
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
