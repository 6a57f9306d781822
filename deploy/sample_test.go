package deploy_test

import "github.com/liquefy/liquefy/runtime"

// samplePlan is a plan of the shape liquefy makes for the to-do app, with
// one fluxion of every kind.
func samplePlan() *runtime.Plan {
	return &runtime.Plan{
		Service:    "todo",
		Generator:  "liquefy v0.1.0-test",
		Partitions: 8,
		Default:    "default",
		Routes: []runtime.Route{
			{Pattern: "GET /healthz", Fluxion: "get-healthz"},
			{Pattern: "GET /todos", Fluxion: "get-todos"},
			{Pattern: "POST /todos", Fluxion: "post-todos"},
			{Pattern: "GET /todos/{id}", Fluxion: "get-todos-id"},
			{Pattern: "POST /upload", Fluxion: "post-upload"},
			{Pattern: "GET /debug/vars", Fluxion: "get-debug-vars", Implicit: true},
		},
		Fluxions: []runtime.Fluxion{
			{Name: "get-healthz", Kind: runtime.Stateless},
			{Name: "get-todos", Kind: runtime.Singleton, Context: "todos"},
			{Name: "post-todos", Kind: runtime.Singleton, Context: "todos"},
			{Name: "get-todos-id", Kind: runtime.Keyed, Context: "sessions"},
			{Name: "post-upload", Kind: runtime.Residue, Context: "logfile"},
			{Name: "get-debug-vars", Kind: runtime.Stateless},
			{Name: "default", Kind: runtime.Stateless},
		},
		Contexts: []runtime.Context{
			{Name: "logfile", Class: "not-splittable", Roots: []string{"logFile"}},
			{Name: "sessions", Class: "keyed", Roots: []string{"sessions"}},
			{Name: "todos", Class: "singleton", Roots: []string{"mu", "nextID", "todos"}},
		},
	}
}
