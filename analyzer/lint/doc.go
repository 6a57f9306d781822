// Package lint checks whether a monolithic net/http app is still
// splittable by liquefy.
//
// It reports the state that keeps the app from scaling out, at the
// access that makes it so, and warns about what scales badly or behaves
// differently once the app is liquefied. Every finding carries a stable
// code; docs/lint.md has the catalogue with an example and the fix for
// each.
//
//	LQ001  error    a state root is not splittable
//	LQ002  error    the app cannot be analysed as written
//	LQ003  warning  a singleton context that routes reach
//	LQ004  warning  background state, written by goroutines no request starts
//	LQ005  warning  a handler keeps state in local files
//	LQ006  warning  a handler flushes (streams) its response
//	LQ007  warning  a handler hijacks the connection
//
// The same findings reach users three ways: Check, behind the command
// `liquefy lint` (text, JSON and SARIF); and Analyzer, a go/analysis pass
// that `go vet -vettool=$(which liquefy-vet)` runs.
//
// # Analyzer
//
// The pass requires inspect and buildssa. On every package outside
// GOROOT it exports a Reach fact on each function and method: the source
// lines of the package's code and of the packages it imports that a call
// of the function may run, following static calls and function values,
// through the facts of imported functions.
//
// On a main package that calls one of net/http's serving functions, the
// pass runs the module-wide analysis: it loads the app's module again
// from the package's directory and analyses it as Check does. This is a
// shortcut, said plainly: the state inference walks each route's handler
// through every package of the module at once, which a pass that sees one
// package and its dependencies' facts cannot do without rebuilding that
// walk on summaries. The shortcut is sound (the findings are those of
// `liquefy lint` on the same directory) and costs one more load of the
// module's packages per main package. Build tags given to go vet do not
// reach that load.
//
// A finding whose position lies in another package of the module is
// reported on the main package, at the first call of the main package
// whose Reach fact covers that position (the call that leads there), with
// the true position as related information. On an app whose code is all
// in its main package, every finding is reported where `liquefy lint`
// reports it.
//
// A main package that calls no serving function is not an HTTP app and
// gets no findings. The pass takes one flag, -liquefy.warnings (default
// true): false reports errors only.
package lint
