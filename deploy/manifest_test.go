package deploy_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/liquefy/liquefy/deploy"
	"github.com/liquefy/liquefy/runtime"
)

func TestManifestSubjects(t *testing.T) {
	p := samplePlan()
	p.Service = "to do" // not a subject token
	b, err := deploy.PlanManifest(p)
	if err != nil {
		t.Fatal(err)
	}

	m := decodeManifest(t, b)
	if m.Format != deploy.ManifestFormat || m.Generator != p.Generator || m.Service != "to do" ||
		m.Partitions != 8 || m.QueueGroup != "lq.to_do" || m.Default != "default" || len(m.Routes) != len(p.Routes) {
		t.Errorf("header: %+v", m)
	}
	if !m.Routes[5].Implicit || m.Routes[0].Implicit {
		t.Errorf("routes: implicit marks %v", m.Routes)
	}

	subjects := map[string]string{}
	for _, f := range m.Fluxions {
		subjects[f.Name] = f.Subject
	}
	want := map[string]string{
		"get-healthz":    "lq.to_do.f.get-healthz",
		"get-todos":      "lq.to_do.c.todos",
		"post-todos":     "lq.to_do.c.todos",
		"get-todos-id":   "lq.to_do.k.sessions.*",
		"post-upload":    "lq.to_do.c.logfile",
		"get-debug-vars": "lq.to_do.f.get-debug-vars",
		"default":        "lq.to_do.f.default",
	}
	if !reflect.DeepEqual(subjects, want) {
		t.Errorf("fluxion subjects\n%v\nwant\n%v", subjects, want)
	}

	// Each context carries its fluxions' kind and subject.
	wantContexts := []deploy.ManifestContext{
		{Name: "logfile", Class: "not-splittable", Kind: "residue", Roots: []string{"logFile"}, Subject: "lq.to_do.c.logfile", Fluxions: []string{"post-upload"}},
		{Name: "sessions", Class: "keyed", Kind: "keyed", Roots: []string{"sessions"}, Subject: "lq.to_do.k.sessions.*", Fluxions: []string{"get-todos-id"}},
		{Name: "todos", Class: "singleton", Kind: "singleton", Roots: []string{"mu", "nextID", "todos"}, Subject: "lq.to_do.c.todos", Fluxions: []string{"get-todos", "post-todos"}},
	}
	if !reflect.DeepEqual(m.Contexts, wantContexts) {
		t.Errorf("contexts\n%+v\nwant\n%+v", m.Contexts, wantContexts)
	}
}

func TestManifestBadPlan(t *testing.T) {
	p := samplePlan()
	p.Fluxions = append(p.Fluxions,
		runtime.Fluxion{Name: "get-healthz", Kind: runtime.Stateless},
		runtime.Fluxion{Name: "odd", Kind: "sideways"},
		runtime.Fluxion{Name: "lost", Kind: runtime.Keyed, Context: "nowhere"},
		runtime.Fluxion{Name: "mixed", Kind: runtime.Keyed, Context: "todos"},
	)
	p.Contexts = append(p.Contexts, runtime.Context{Name: "todos", Class: "singleton"})
	_, err := deploy.PlanManifest(p)
	if !errors.Is(err, deploy.ErrPlan) {
		t.Fatalf("error %v, want ErrPlan", err)
	}
	for _, want := range []string{
		`fluxion "get-healthz" listed twice`,
		`fluxion "odd" has unknown kind "sideways"`,
		`keyed fluxion "lost" names unknown context "nowhere"`,
		`context "todos" has both singleton and keyed fluxions`,
		`context "todos" listed twice`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := deploy.Manifests(p, deploy.Options{}); !errors.Is(err, deploy.ErrPlan) {
		t.Errorf("Manifests: error %v, want ErrPlan", err)
	}
	if _, err := deploy.Manifests(nil, deploy.Options{}); !errors.Is(err, deploy.ErrOptions) {
		t.Errorf("Manifests(nil): error %v, want ErrOptions", err)
	}
}

// decodeManifest decodes a plan manifest strictly into the type it
// documents: a field the type lacks fails the test.
func decodeManifest(t *testing.T, b []byte) *deploy.Manifest {
	t.Helper()
	var m deploy.Manifest
	if err := yaml.UnmarshalStrict(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}
