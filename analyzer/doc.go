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
// # Keys
//
// A singleton context becomes keyed when every root in it is a map (or a
// sync.Map) that every route selects entries of through one key per
// request, and nothing outside the routes (the served wrappers, a
// background goroutine) touches after start-up. Each access is traced
// back through the values its address was computed from (pointer
// entries, fields, helpers of other packages, generic instances, closures
// and method values, with their frames) to the map operation that chose
// an entry: an index, an update, a delete, a keyed sync.Map method. A
// range, len, clear or copy of the map, or the map passed on whole, uses
// it whole. The key is then traced to the request: r.PathValue (of a
// wildcard of the route's own pattern), r.URL.Query().Get, r.FormValue,
// r.Header.Get, a cookie's Value, or a field of a struct that
// json.NewDecoder(r.Body).Decode or json.Unmarshal of io.ReadAll(r.Body)
// filled and nothing else writes; through strings.ToLower, ToUpper and
// TrimSpace and strconv.Atoi, ParseInt and ParseUint in base 10 and 64
// bits. Anything else (two keys in one request, a counter, the clock, a
// value read from state, a branch between values, a helper that returns a
// constant on its error path) keeps the map whole, and the root's reasons
// say which access did it and where. Fields of a map's pointer entries
// are part of the map, not roots named after their type; the map stays
// whole when a root named after that type shows the entries are also
// reached another way. Routes may take their keys from different places
// (one from the path, one from a header) as long as the key types agree:
// a partition is chosen by the key's value.
//
// What a route stores into an entry (a map update, a store through a
// pointer into the entry, a sync.Map's Store) must belong to that entry
// alone, since each key's entries move to the key's partition. A value
// that is, or holds, a pointer, map, slice, channel or interface is
// accepted only when it was made during the request (&T{}, new(T), make,
// a composite literal, the request or what is decoded from it, a library
// call's result from accepted arguments) with accepted values stored into
// its parts, or read from the same map; a value copied by value (whose
// type holds no reference) is always accepted. Anything else (a
// package-level variable, another root or map entry, a captured
// variable, a parameter the analysis cannot bind, what it cannot follow)
// keeps the map whole, with a reason at the store ("stores def, which
// other state shares, into alias[k]"); a root the value points into
// counts as written by the store, so the route reaches it.
//
// A root written by a route must also survive persistence: a channel, a
// func, an unsafe.Pointer, an interface or a struct of another package
// with unexported fields anywhere in its value (time.Time, marshalers and
// mutexes excepted) makes it not splittable, with the field path
// ("subs[key].ch") in its reason.
//
// # Call graph
//
// The walks above resolve calls themselves; the issue asked for a
// comparison with golang.org/x/tools/go/callgraph/cha and .../vta (VTA
// seeded with CHA), which TestCallGraphsAgainstWalks makes on the bundled
// apps and the keyed cases. On this program, where library functions have
// no bodies, VTA removes between 0 and 5% of CHA's edges (shop 327 to
// 312, wrappers 234 to 228, most apps none), and both reach the same
// package-level roots as the walks on every route without middleware,
// never one the walks miss. Through middleware they fall short: next.ServeHTTP
// resolves to (http.HandlerFunc).ServeHTTP, which has no body here, so
// the handlers behind logging(http.HandlerFunc(addUser)) reach no root at
// all (wrappers: 2 roots by the walks, 0 by either graph; shop: 18
// against 5). Building library bodies would fix that at 2.6 to 2.9 s a
// load instead of 0.15 s, and even then both graphs are
// context-insensitive: a middleware that wraps several handlers would
// reach all of them from every route, merging contexts that the walks,
// which bind next to the handler wrapped at each route, keep apart. On
// these apps CHA takes up to 14 ms and VTA up to 3 ms more, the walks at
// most 2 ms: speed decides nothing either way. The walks stay; the call
// graphs remain a cross-check in the test.
//
// Analyze fails with a *FindingsError, matched by ErrFindings, when the
// app cannot be analysed as written: no call that serves HTTP or more
// than one, no routes on the served mux, or a pattern that is not a
// constant.
package analyzer
