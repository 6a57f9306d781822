// Package analyzer loads a monolithic net/http app and works out what
// liquefy needs to cut it into fluxions: the routes it registers, the
// handler each route gets, the call that serves them, and the state
// roots each handler reaches, classified and grouped into execution
// contexts. The result is a Model.
//
// # Loading
//
// Load lists the main package's import graph once, cheaply, to find the
// packages of the app's own module; it then loads those from source, with
// full syntax and types, and every other package from export data, and
// builds SSA (generics instantiated) for the module's packages only.
// Library functions have no bodies: the analysis treats them as
// summaries. Load fails with a *LoadError, matched by ErrLoad, holding
// every problem with positions relative to Config.Dir.
//
// # Routes
//
// Analyze walks the code that runs at start-up (the module's package
// initialisers and main, and the functions they call) and records the
// calls that register handlers (http.Handle, http.HandleFunc and the same
// methods of *http.ServeMux) and the call that serves HTTP. Handler values
// are decoded from the SSA: functions, closures, method values, values
// whose type has ServeHTTP, library wrappers such as http.StripPrefix and
// the app's own middleware (a function that takes a handler). Routes are
// the registrations on the served mux and on the muxes served under it,
// plus those that expvar, net/http/pprof and rpc.HandleHTTP register
// implicitly on the default mux.
//
// # State
//
// Each route's handler is then walked as a request would run it. A walk
// enters a callee with a frame that binds its parameters and free
// variables, so the ServeHTTP a middleware calls resolves to the handler
// wrapped at that route only. Every load, store, map update, channel
// operation and library call on a value that points into a state root is
// recorded as an access (root, position, read or write, function, walk);
// classes and contexts are computed from the accesses. State inference
// errs toward keeping state together (singleton), never toward a split
// the app's code would not survive.
//
// Analyze fails with a *FindingsError, matched by ErrFindings, when the
// app cannot be analysed as written: no call that serves HTTP or more
// than one, no routes on the served mux, or a pattern that is not a
// constant.
package analyzer
