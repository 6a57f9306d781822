package gen

import (
	"bytes"
	"go/format"
	"strings"
	"testing"

	"github.com/liquefy/liquefy/analyzer"
	"github.com/liquefy/liquefy/runtime"
)

func TestFluxionName(t *testing.T) {
	for pattern, want := range map[string]string{
		"GET /todos/{id}":         "get-todos-id",
		"/":                       "root",
		"GET /":                   "get-root",
		"POST /":                  "post-root",
		"PUT /":                   "put-root",
		"GET /{$}":                "get-root",
		"example.com/static/":     "example-com-static",
		"GET /files/{path...}":    "get-files-path",
		"/debug/pprof/":           "debug-pprof",
		"DELETE /todos/{id}/done": "delete-todos-id-done",
		"/héllo":                  "h-llo",
	} {
		if got := fluxionName(pattern); got != want {
			t.Errorf("fluxionName(%q) = %q, want %q", pattern, got, want)
		}
	}
}

// todoModel is the model of a small to-do app: two routes on one
// singleton context, one stateless route, and a counting middleware.
func todoModel() *analyzer.Model {
	return &analyzer.Model{
		Module: "example.com/todo", Package: "example.com/todo",
		Served: &analyzer.Served{Call: "http.ListenAndServe", Mux: "http.DefaultServeMux"},
		Routes: []*analyzer.Route{
			{Pattern: "GET /todos/{id}", Mux: "http.DefaultServeMux", Roots: []string{"store"}, Context: "store"},
			{Pattern: "POST /todos", Mux: "http.DefaultServeMux", Roots: []string{"store"}, Writes: []string{"store"}, Context: "store"},
			{Pattern: "GET /health", Mux: "http.DefaultServeMux"},
			{Pattern: "GET /health/", Mux: "http.DefaultServeMux", Implicit: true},
			{Pattern: "GET /v1/items", Mux: "api"}, // on a sub-mux: served through its parent's route
		},
		Roots:    []*analyzer.Root{{Name: "store", Class: analyzer.Singleton, Context: "store"}},
		Contexts: []*analyzer.Context{{Name: "store", Class: analyzer.Singleton, Roots: []string{"store"}}},
	}
}

func TestNewPlan(t *testing.T) {
	p := NewPlan(todoModel(), "liquefy test", 0)
	if p.Service != "todo" || p.Partitions != DefaultPartitions || p.Default != DefaultFluxion {
		t.Errorf("plan header = %q %d %q", p.Service, p.Partitions, p.Default)
	}
	got := map[string]runtime.Fluxion{}
	for _, f := range p.Fluxions {
		got[f.Name] = f
	}
	for name, kind := range map[string]runtime.Kind{
		"get-todos-id": runtime.Singleton, "post-todos": runtime.Singleton,
		"get-health": runtime.Stateless, "get-health-2": runtime.Stateless, "default": runtime.Stateless,
	} {
		if got[name].Kind != kind {
			t.Errorf("fluxion %s: kind %q, want %q (plan %+v)", name, got[name].Kind, kind, p.Fluxions)
		}
	}
	if len(p.Routes) != 4 {
		t.Errorf("plan has %d routes, want the served mux's 4: %+v", len(p.Routes), p.Routes)
	}
	if !p.Routes[3].Implicit || p.Routes[3].Fluxion != "get-health-2" {
		t.Errorf("implicit route = %+v", p.Routes[3])
	}
}

func TestEmitPlan(t *testing.T) {
	a, err := emitPlan(NewPlan(todoModel(), "liquefy test", 8), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := emitPlan(NewPlan(todoModel(), "liquefy test", 8), nil, nil)
	if !bytes.Equal(a, b) {
		t.Error("two runs emitted different bytes")
	}
	if !bytes.HasPrefix(a, []byte(Header+"\n")) {
		t.Errorf("first line is not %q:\n%s", Header, a)
	}
	if f, err := format.Source(a); err != nil || !bytes.Equal(f, a) {
		t.Errorf("emitted plan is not gofmt-clean (%v):\n%s", err, a)
	}
	for _, want := range []string{
		`liquefyruntime "github.com/liquefy/liquefy/runtime"`,
		"const _ = liquefyruntime.PlanVersion2",
		`Pattern: "GET /todos/{id}"`,
		"Kind:    liquefyruntime.Singleton",
		"Partitions: 8",
		"Implicit: true",
	} {
		if !strings.Contains(string(a), want) {
			t.Errorf("emitted plan lacks %q:\n%s", want, a)
		}
	}
}

func TestDescribeChanges(t *testing.T) {
	before := "module m\n\ngo 1.21\n\nrequire a.example/x v1.0.0\n"
	after := `module m

go 1.26.0

godebug httpmuxgo121=1

require (
	a.example/x v1.2.0
	b.example/y v1.5.0
	github.com/liquefy/liquefy v0.0.0-00010101000000-000000000000
)

replace github.com/liquefy/liquefy => ../liquefy
`
	got := strings.Join(describeChanges([]byte(before), []byte(after)), "\n")
	want := `go.mod: go 1.21 → 1.26.0 (liquefy's runtime and its dependencies need it)
go.mod: a.example/x v1.0.0 → v1.2.0
go.mod: require github.com/liquefy/liquefy v0.0.0-00010101000000-000000000000 (liquefy's runtime)
go.mod: require b.example/y v1.5.0 (the runtime's dependencies, added by go mod tidy)
go.mod: replace github.com/liquefy/liquefy => ../liquefy
go.mod: godebug httpmuxgo121=1 (the app's defaults under go 1.21, kept so the monolith and the liquefied service behave as before)`
	if got != want {
		t.Errorf("describeChanges:\n%s\nwant\n%s", got, want)
	}
}
