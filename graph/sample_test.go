package graph_test

import "github.com/liquefy/liquefy"

// sample is an inspection of the shape liquefy makes for a to-do app,
// built by hand, with state of every class: a singleton store, a keyed
// session map, replicated configuration, a background counter, a log
// file that cannot leave its process, and a stateless route.
func sample() *liquefy.Inspection {
	return &liquefy.Inspection{
		Liquefy: "v0.1.0-test", Module: "example.com/todo", GoVersion: "1.22", Package: "example.com/todo",
		Served:     &liquefy.InspectServed{Pos: "main.go:52:12", Call: "http.ListenAndServe", Mux: "http.DefaultServeMux", Wrappers: []string{"logging"}},
		Partitions: 64,
		Routes: []liquefy.InspectRoute{
			{Pattern: "GET /healthz", Pos: "main.go:44:2", Handler: "healthz", Fluxion: "get-healthz", Kind: "stateless", Roots: []string{"config"}},
			{Pattern: "GET /todos", Pos: "main.go:45:2", Handler: "listTodos", Fluxion: "get-todos", Kind: "singleton", Context: "todos", Roots: []string{"mu", "todos"}},
			{Pattern: "POST /todos", Pos: "main.go:46:2", Handler: "createTodo", Fluxion: "post-todos", Kind: "singleton", Context: "todos", Roots: []string{"mu", "nextID", "todos"}, Writes: []string{"nextID", "todos"}},
			{Pattern: "GET /sessions/{id}", Pos: "main.go:47:2", Handler: "getSession", Fluxion: "get-sessions-id", Kind: "keyed", Context: "sessions", Roots: []string{"sessions"}},
			{Pattern: "GET /stats", Pos: "main.go:48:2", Handler: "stats", Fluxion: "get-stats", Kind: "singleton", Context: "hits", Roots: []string{"hits", "config"}},
			{Pattern: "POST /upload", Pos: "main.go:49:2", Handler: "func literal at main.go:49:27", Fluxion: "post-upload", Kind: "residue", Context: "logfile", Roots: []string{"logFile"}, Writes: []string{"logFile"}},
			{Pattern: "GET /debug/vars", Pos: "main.go:5:2", Handler: "expvar.Handler()", Implicit: true, Fluxion: "get-debug-vars", Kind: "stateless"},
		},
		Roots: []liquefy.InspectRoot{
			{Name: "config", Kind: "global", Type: "map[string]string", Pos: "main.go:30:2", Class: "replicated",
				Reasons: []liquefy.InspectReason{{Pos: "main.go:40:2", What: "written only in main before ListenAndServe"}}},
			{Name: "hits", Kind: "global", Type: "int64", Pos: "main.go:31:2", Class: "background", Context: "hits",
				Reasons: []liquefy.InspectReason{{Pos: "main.go:60:3", What: "incremented by the goroutine started at main.go:41:5"}}},
			{Name: "logFile", Kind: "global", Type: "*os.File", Pos: "main.go:32:2", Class: "not-splittable", Context: "logfile",
				Reasons: []liquefy.InspectReason{{Pos: "main.go:90:3", What: "an open file written by handler POST /upload"}}},
			{Name: "mu", Kind: "global", Type: "sync.RWMutex", Pos: "main.go:33:2", Class: "singleton", Context: "todos",
				Reasons: []liquefy.InspectReason{{Pos: "main.go:70:2", What: "guards todos and nextID"}}},
			{Name: "nextID", Kind: "global", Type: "int", Pos: "main.go:35:2", Class: "singleton", Context: "todos", Guards: []string{"mu"},
				Reasons: []liquefy.InspectReason{{Pos: "main.go:80:2", What: "written by handler createTodo, not by key"}}},
			{Name: "sessions", Kind: "global", Type: "map[string]Session", Pos: "main.go:36:2", Class: "keyed", Context: "sessions",
				Reasons: []liquefy.InspectReason{{Pos: "main.go:100:7", What: "every access keyed by r.PathValue(\"id\")"}}},
			{Name: "todos", Kind: "global", Type: "map[int]Todo", Pos: "main.go:34:2", Class: "singleton", Context: "todos", Guards: []string{"mu"},
				Reasons: []liquefy.InspectReason{{Pos: "main.go:72:17", What: "ranged over by handler listTodos"}, {Pos: "main.go:81:3", What: "written by handler createTodo"}}},
		},
		Contexts: []liquefy.InspectContext{
			{Name: "hits", Class: "background", Roots: []string{"hits"}, Routes: []string{"GET /stats"}},
			{Name: "logfile", Class: "not-splittable", Roots: []string{"logFile"}, Routes: []string{"POST /upload"}},
			{Name: "sessions", Class: "keyed", Roots: []string{"sessions"}, Routes: []string{"GET /sessions/{id}"}},
			{Name: "todos", Class: "singleton", Roots: []string{"mu", "nextID", "todos"}, Routes: []string{"GET /todos", "POST /todos"}},
		},
	}
}
