package gen

import (
	"fmt"
	"path"
	"strings"
	"unicode"

	"github.com/liquefy/liquefy/analyzer"
	"github.com/liquefy/liquefy/runtime"
)

// DefaultPartitions is the partition count of keyed contexts when the
// caller does not choose one.
const DefaultPartitions = 64

// DefaultFluxion is the name of the fluxion that serves requests matching
// no route.
const DefaultFluxion = "default"

// NewPlan turns an analysis model into the plan the runtime follows: one
// fluxion per route, bound to the route's execution context, plus the
// default fluxion for requests that match no route. Fluxion names are
// derived from the patterns and made unique; the result depends only on
// the model, so two runs give the same plan.
func NewPlan(m *analyzer.Model, generator string, partitions int) *runtime.Plan {
	if partitions <= 0 {
		partitions = DefaultPartitions
	}
	p := &runtime.Plan{
		Service:           serviceName(m),
		Generator:         generator,
		Partitions:        partitions,
		Default:           DefaultFluxion,
		AppHandlesSignals: m.HandlesSignals,
	}

	// Contexts first: fluxions refer to them by name.
	classes := map[string]analyzer.Class{}
	for _, c := range m.Contexts {
		classes[c.Name] = c.Class
		p.Contexts = append(p.Contexts, runtime.Context{
			Name:  c.Name,
			Class: string(c.Class),
			Roots: append([]string(nil), c.Roots...),
		})
	}

	// One fluxion per route of the served mux, then the default one.
	// Routes of sub-muxes are served through their parent's route, whose
	// analysis already covers them.
	used := map[string]bool{DefaultFluxion: true}
	for _, r := range m.Routes {
		if m.Served == nil || r.Mux != m.Served.Mux {
			continue
		}
		name := uniqueName(fluxionName(r.Pattern), used)
		p.Routes = append(p.Routes, runtime.Route{Pattern: r.Pattern, Fluxion: name, Implicit: r.Implicit})
		p.Fluxions = append(p.Fluxions, runtime.Fluxion{
			Name: name, Kind: kindOf(r.Context, classes), Context: r.Context,
			Writes: r.Context != "" && len(r.Writes) > 0,
		})
	}
	def := defaultContext(m)
	p.Fluxions = append(p.Fluxions, runtime.Fluxion{
		Name: DefaultFluxion, Kind: kindOf(def, classes), Context: def, Writes: def != "",
	})
	return p
}

// defaultContext is the context of the code every request runs (the
// middleware around the served mux), or "" when that code is stateless.
func defaultContext(m *analyzer.Model) string {
	if m.Served == nil {
		return ""
	}
	for _, name := range m.Served.Roots {
		for _, r := range m.Roots {
			if r.Name == name && r.Context != "" {
				return r.Context
			}
		}
	}
	return ""
}

// kindOf is the fluxion kind for a route bound to context ctx.
func kindOf(ctx string, classes map[string]analyzer.Class) runtime.Kind {
	if ctx == "" {
		return runtime.Stateless
	}
	switch classes[ctx] {
	case analyzer.Keyed:
		return runtime.Keyed
	case analyzer.NotSplittable:
		return runtime.Residue
	default:
		return runtime.Singleton
	}
}

// fluxionName derives a readable NATS-safe name from a pattern:
// "GET /todos/{id}" becomes "get-todos-id", "/" becomes "root" and
// "PUT /" "put-root".
func fluxionName(pattern string) string {
	method, rest, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || strings.ToUpper(method) != method {
		method, rest = "", pattern
	}
	name := token(rest)
	if name == "" {
		name = "root"
	}
	if method != "" {
		name = token(method) + "-" + name
	}
	return name
}

// token keeps the ASCII letters and digits of s, lowercased, with one
// dash for every run of anything else, none at either end.
func token(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// uniqueName returns name, or name with the smallest numeric suffix that
// makes it unused, and marks the result used.
func uniqueName(name string, used map[string]bool) string {
	try := name
	for i := 2; used[try]; i++ {
		try = fmt.Sprintf("%s-%d", name, i)
	}
	used[try] = true
	return try
}

// serviceName names the service after the last element of the main
// package's import path (the module's, when the main package is its
// root), or "app" when that has no letters or digits.
func serviceName(m *analyzer.Model) string {
	if name := token(path.Base(m.Package)); name != "" {
		return name
	}
	return "app"
}
