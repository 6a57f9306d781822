package analyzer

import "go/token"

// A Model is what liquefy knows about a monolithic net/http app after
// analysis: its routes, the state roots its handlers reach, and the
// execution contexts those roots form. Every slice in a Model is sorted
// (routes by position, roots and contexts by name), so two analyses of the
// same source give equal models.
type Model struct {
	// Module is the app's module path, ModuleDir its root directory and
	// GoVersion the go line of its go.mod ("1.21", "1.26.0").
	Module    string
	ModuleDir string
	GoVersion string

	// Package is the import path of the app's main package and Dir its
	// directory.
	Package string
	Dir     string

	// Served describes the handler the app hands to the call that serves
	// HTTP. It is nil only when the app serves nothing, which Analyze
	// reports as an error.
	Served *Served

	// Routes are the registrations on the served mux, the implicit ones
	// made by imported packages (expvar, net/http/pprof, net/rpc)
	// included.
	Routes []*Route

	// Roots are the state roots that some handler or background goroutine
	// reaches.
	Roots []*Root

	// Contexts group the mutable roots that must live together: roots
	// guarded by one mutex, changed in one critical section, or reached by
	// one route.
	Contexts []*Context

	// HandlesSignals reports whether the app calls signal.Notify or
	// signal.NotifyContext itself, in which case the runtime leaves
	// SIGINT and SIGTERM to it.
	HandlesSignals bool
}

// Served is the handler passed to the serving call (http.ListenAndServe,
// (*http.Server).ListenAndServe, Serve and their TLS variants).
type Served struct {
	// Pos is the position of the serving call.
	Pos token.Position

	// Call names the serving function as the source spells it, for
	// example "http.ListenAndServe" or "(*http.Server).Serve".
	Call string

	// Mux names the mux whose routes the gateway matches: "http.DefaultServeMux",
	// "mux" for a local made with http.NewServeMux, "server.mux" for a field.
	// It is empty when the served handler is not a mux the analysis can see
	// through; then every request goes to the single Default fluxion.
	Mux string

	// Wrappers are the middleware (the app's own functions, or
	// http.StripPrefix and http.TimeoutHandler) wrapped around the mux, outermost
	// first. Their code runs for every request.
	Wrappers []string

	// Roots are the state roots the wrappers alone reach; a request that
	// matches no route still touches them.
	Roots []string
}

// A Route is one handler registration.
type Route struct {
	// Pattern is the constant pattern as registered ("GET /todos/{id}").
	Pattern string

	// Pos is the position of the registering call; for implicit routes it
	// is the position of the import that registers them.
	Pos token.Position

	// Mux names the mux the route is registered on (see Served.Mux).
	Mux string

	// Handler describes the handler as the source spells it: "getTodo",
	// "srv.handleCount", "func literal at main.go:40:20",
	// "logging(http.HandlerFunc(list))".
	Handler string

	// Implicit reports whether the route is registered by an imported
	// package rather than by a line of the app.
	Implicit bool

	// Roots are the names of the state roots the handler can reach,
	// sorted; Writes are those among them it may change.
	Roots  []string
	Writes []string

	// Context is the name of the execution context the route runs on, or
	// "" for a stateless route that any worker may serve.
	Context string

	// Key says how the route's request selects its entry of a keyed
	// context; nil unless Context is keyed.
	Key *Key
}

// A Key is how a request selects the entry of a keyed context it touches:
// a value taken from the request, passed through pure transforms, used
// as the map key. Generated key functions compute it at the gateway.
type Key struct {
	// From is where the value comes from: "path" (r.PathValue), "query"
	// (r.URL.Query().Get), "form" (r.FormValue), "header" (r.Header.Get),
	// "cookie" (r.Cookie(...).Value) or "json" (a field of the JSON body).
	From string

	// Name is the wildcard, parameter, header or cookie name, or for
	// "json" the field's JSON name.
	Name string

	// Ops are the transforms applied in order, each one of
	// "strings.ToLower", "strings.ToUpper", "strings.TrimSpace",
	// "strconv.Atoi", "strconv.ParseInt" (base 10, 64 bits) and
	// "strconv.ParseUint" (base 10, 64 bits). A failing parse means the
	// handler touches no entry.
	Ops []string

	// Type is the map's key type, qualified relative to the main package
	// ("string", "int", "UserID"); for "json" it is also the field's type.
	Type string

	// Expr is the key expression as the handler spells it, and Pos its
	// position.
	Expr string
	Pos  token.Position
}

// RootKind says where a state root lives.
type RootKind string

// The kinds of state root.
const (
	Global   RootKind = "global"   // a package-level variable
	Captured RootKind = "captured" // a variable captured by a handler closure
	Field    RootKind = "field"    // a field of a handler's receiver
)

// Class is the class of a state root; see the README's table.
type Class string

// The classes of state root, as in the README.
const (
	Replicated    Class = "replicated"
	Keyed         Class = "keyed"
	Singleton     Class = "singleton"
	Background    Class = "background"
	NotSplittable Class = "not-splittable"
)

// A Root is a place where the monolith keeps state across requests.
type Root struct {
	// Name is the root as the source spells it: "store", "pkg.cache" for a
	// variable of another package, "server.count" for a field of the
	// handler receiver's type, "main.counts" for a variable captured by a
	// closure in main.
	Name string
	Kind RootKind

	// Type is the root's Go type as types.TypeString writes it, qualified
	// relative to the main package.
	Type string

	// Pos is the position of the root's declaration.
	Pos token.Position

	// Class and Reasons say how the root is treated and which accesses
	// decided it.
	Class   Class
	Reasons []Reason

	// Guards names the mutexes seen held around accesses to the root.
	Guards []string

	// Context is the execution context the root belongs to, or "" for a
	// replicated root.
	Context string
}

// A Reason is one access, or one fact, that decided a root's class.
type Reason struct {
	Pos  token.Position
	What string // "written by handler putTodo", "written only in init"
}

// A Context is an execution context: mutable roots that live and move
// together, and the routes that run on their owner.
type Context struct {
	Name   string
	Class  Class
	Roots  []string
	Routes []string // patterns
}
