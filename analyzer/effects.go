package analyzer

import (
	"go/constant"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// EffectKind says what a handler does that a liquefied service cannot
// give it exactly as the monolith does.
type EffectKind string

// The kinds of effect.
const (
	// Flush is a flush of the response before the handler returns
	// (http.Flusher, http.ResponseController): the liquefied service
	// buffers the response until the handler returns.
	Flush EffectKind = "flush"

	// Hijack takes over the client's connection (http.Hijacker,
	// http.ResponseController): a worker has no connection to hand over.
	Hijack EffectKind = "hijack"

	// LocalFile changes a file or directory on the local disk
	// (os.WriteFile, os.Create, os.OpenFile for writing, os.Remove, ...):
	// each process of the liquefied service has its own disk.
	LocalFile EffectKind = "local-file"
)

// An Effect is one call, reached by the handlers of some routes, that
// does what a liquefied service cannot give it as the monolith does.
type Effect struct {
	Kind EffectKind

	// Call names the function or method called as the source would spell
	// it: "os.WriteFile", "(http.Flusher).Flush",
	// "(*http.ResponseController).Hijack".
	Call string

	// Pos is the position of the call, relative to Config.Dir.
	Pos token.Position

	// Routes are the patterns of the routes whose handlers reach the
	// call, sorted; Every reports whether the middleware around the
	// served mux reaches it, for every request.
	Routes []string
	Every  bool
}

// Effects walks the app's routes as Analyze does and returns the calls
// their handlers reach that flush the response, hijack the connection or
// change local files, sorted by position. Only the module's own code is
// walked: a library that writes a file on a handler's behalf is not seen.
// It fails with the *FindingsError Analyze would return.
func Effects(p *Program) ([]Effect, error) {
	// Walk start-up code and the serving walks again: the walks record
	// which functions each route runs.
	a := newAnalysis(p)
	a.walkStartup()
	m := &Model{Module: p.Module, ModuleDir: p.ModuleDir, Package: p.Main.PkgPath}
	routes, findings := a.findRoutes(m)
	if len(findings) > 0 {
		sortDiagnostics(findings)
		return nil, &FindingsError{Diagnostics: findings}
	}
	a.walkServing(m, routes)

	// Look for effects in the functions each walk entered.
	byPos := map[effectKey]*Effect{}
	a.collectEffects(a.wrapper, "", byPos)
	for _, r := range routes {
		if r.act != nil {
			a.collectEffects(r.act, r.Pattern, byPos)
		}
	}
	return sortEffects(byPos), nil
}

// An effectKey identifies one effect call.
type effectKey struct {
	kind EffectKind
	pos  token.Pos
}

// collectEffects adds the effects of the functions act walked, for the
// route with pattern (or, when pattern is "", for every request).
func (a *analysis) collectEffects(act *activity, pattern string, out map[effectKey]*Effect) {
	for _, fn := range a.walked(act) {
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				call, ok := in.(ssa.CallInstruction)
				if !ok {
					continue
				}
				kind, name := effectOf(call.Common())
				if kind == "" {
					continue
				}
				a.addEffect(out, effectKey{kind, call.Pos()}, name, pattern)
			}
		}
	}
}

// addEffect records that the route with pattern reaches the effect k.
func (a *analysis) addEffect(out map[effectKey]*Effect, k effectKey, name, pattern string) {
	e := out[k]
	if e == nil {
		e = &Effect{Kind: k.kind, Call: name, Pos: a.p.position(a.callStart(k.pos))}
		out[k] = e
	}
	if pattern == "" {
		e.Every = true
	} else if !hasString(e.Routes, pattern) {
		e.Routes = append(e.Routes, pattern)
	}
}

// walked returns the functions act entered, in the order of a.funcs. A
// walk marks each activation it enters by a key that starts with the
// function's name and a "|".
func (a *analysis) walked(act *activity) []*ssa.Function {
	if act == nil {
		return nil
	}
	names := map[string]bool{}
	for key := range act.seen {
		if i := strings.Index(key, "|"); i >= 0 {
			names[key[:i]] = true
		}
	}
	var out []*ssa.Function
	for _, fn := range a.funcs {
		if names[fn.String()] {
			out = append(out, fn)
		}
	}
	return out
}

// effectOf says which effect a call has, and names the callee, or
// returns "" for a call with none.
func effectOf(c *ssa.CallCommon) (EffectKind, string) {
	if c.IsInvoke() {
		t := c.Value.Type()
		switch {
		case c.Method.Name() == "Flush" && isNamed(t, "net/http", "Flusher"):
			return Flush, "(http.Flusher).Flush"
		case c.Method.Name() == "Hijack" && isNamed(t, "net/http", "Hijacker"):
			return Hijack, "(http.Hijacker).Hijack"
		}
		return "", ""
	}
	fn := c.StaticCallee()
	if fn == nil {
		return "", ""
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Pkg() == nil {
		return "", ""
	}
	return libraryEffect(obj, c.Args)
}

// fileWriters are the functions of package os (and io/ioutil) that
// change the local disk whatever their arguments.
var fileWriters = map[string]bool{
	"os.WriteFile": true, "os.Create": true, "os.CreateTemp": true, "os.Remove": true,
	"os.RemoveAll": true, "os.Rename": true, "os.Mkdir": true, "os.MkdirAll": true,
	"os.MkdirTemp": true, "os.Truncate": true, "os.Link": true, "os.Symlink": true,
	"ioutil.WriteFile": true, "ioutil.TempFile": true, "ioutil.TempDir": true,
}

// libraryEffect says which effect a call of the library function obj
// with args has.
func libraryEffect(obj *types.Func, args []ssa.Value) (EffectKind, string) {
	path, name := obj.Pkg().Path(), obj.Name()
	if recv := recvName(obj); recv != "" {
		if path == "net/http" && recv == "ResponseController" {
			switch name {
			case "Flush":
				return Flush, "(*http.ResponseController).Flush"
			case "Hijack":
				return Hijack, "(*http.ResponseController).Hijack"
			}
		}
		return "", ""
	}
	qualified := obj.Pkg().Name() + "." + name
	switch {
	case (path == "os" || path == "io/ioutil") && fileWriters[qualified]:
		return LocalFile, qualified
	case path == "os" && name == "OpenFile" && len(args) > 1 && opensForWriting(args[1]):
		return LocalFile, qualified
	}
	return "", ""
}

// opensForWriting reports whether the flag argument of os.OpenFile may
// ask for anything but reading: every flag but O_RDONLY, which is zero,
// does. A flag that is not a constant errs toward writing.
func opensForWriting(flag ssa.Value) bool {
	c, ok := flag.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return true
	}
	v, exact := constant.Int64Val(c.Value)
	return !exact || v != 0
}

// sortEffects returns the effects sorted by position and kind, each
// with its routes sorted.
func sortEffects(byPos map[effectKey]*Effect) []Effect {
	var out []Effect
	for _, e := range byPos {
		sort.Strings(e.Routes)
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pos != out[j].Pos {
			return posLess(out[i].Pos, out[j].Pos)
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// hasString reports whether list holds s.
func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
