// Package verify checks that a liquefied service answers exactly as the
// monolith it was made from.
//
// Run builds the monolith and its liquefied form (AppDir/liquid) with the
// app's own module settings, starts both on free loopback ports, replays
// a request trace against each in order, and compares the answers:
// status, body and every response header except Date and those the trace
// ignores. A connection the server aborts, as net/http does when a
// handler panics, is the answer "connection closed", and must be the
// same on both sides. The readable report has one line per request, a
// unified-style diff per mismatch and a summary line:
//
//	ok   1 GET /todos
//	FAIL 2 POST /todos: status 201 vs 500
//	    --- monolith
//	    +++ liquid
//	    @@ -1,3 +1,3 @@
//	    -HTTP 201 Created
//	    +HTTP 500 Internal Server Error
//	    ...
//	1 passed, 1 failed
//
// Errors wrap ErrMismatch when an answer differs, ErrTrace when the trace
// is malformed, ErrBuild when a form does not compile and ErrStart when a
// process fails to start or to become ready; ExitCode maps them to a
// command's exit status.
//
// The liquefied service runs in ModeAll (one process in its default role)
// or ModeSplit (a gateway and N workers joined over a NATS server verify
// embeds). Launch exposes the build-and-start half on its own, for
// benchmarks. Every process verify starts is stopped, and waited for,
// before Run returns or Stop does, whatever happened.
//
// A trace is a JSON-lines file; see ParseTrace and the Trace, Start and
// Request types for its format.
package verify
