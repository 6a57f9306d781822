package lint

// Level says how much a finding counts: errors fail the lint, warnings
// only when asked to (`liquefy lint -strict`).
type Level string

// The levels, spelled as SARIF spells them.
const (
	Error   Level = "error"
	Warning Level = "warning"
)

// A Rule is one entry of the catalogue of findings; docs/lint.md shows
// an example of each.
type Rule struct {
	// Code is the stable code, "LQ001"; Name a short CamelCase name
	// for SARIF ("NotSplittableRoot").
	Code string
	Name string

	Level Level

	// Summary says in one line what the finding means; Fix what to do.
	Summary string
	Fix     string
}

// The codes of the findings.
const (
	NotSplittable = "LQ001"
	Unanalysable  = "LQ002"
	SingletonHot  = "LQ003"
	Background    = "LQ004"
	LocalFiles    = "LQ005"
	Streaming     = "LQ006"
	Hijacking     = "LQ007"
)

// Rules is the catalogue, in code order. It is not to be modified.
var Rules = []Rule{
	{NotSplittable, "NotSplittableRoot", Error,
		"a state root holds what cannot leave a process, or both requests and a background goroutine write it: it stays in one residue process with every route that touches it",
		"keep channels, funcs, files, connections and unsafe pointers out of the state handlers share; let either requests or a background goroutine write a root, not both"},
	{Unanalysable, "Unanalysable", Error,
		"liquefy cannot analyse the app as written: no call that serves HTTP, more than one, no routes on the served mux, or a pattern that is not a constant",
		"serve one mux from one call in main, and register every route with a constant pattern"},
	{SingletonHot, "SingletonContext", Warning,
		"a context is a singleton: every request of the routes that reach it runs on its one owner, a bottleneck that gets hotter with every route",
		"key the state by a value of the request (a map indexed by a path wildcard, a query parameter or a header) so that the context splits into partitions"},
	{Background, "BackgroundState", Warning,
		"a goroutine that no request starts writes the root: every process runs its own goroutine and keeps its own copy, so processes may answer differently",
		"make the goroutine's result a pure function of time or of start-up input, or move it into a request the gateway can route"},
	{LocalFiles, "LocalFileState", Warning,
		"a handler changes files on the local disk: every process of the liquefied service has its own disk, so what one writes the others do not read",
		"keep the state in memory (it becomes a context) or in a store every process reaches, such as a database"},
	{Streaming, "StreamingResponse", Warning,
		"a handler flushes its response before it returns: the liquefied service sends the response only when the handler returns",
		"send the whole response at once, or serve the streaming route from a process of its own"},
	{Hijacking, "HijackedConnection", Warning,
		"a handler takes over the client's connection (WebSockets and the like): a worker of the liquefied service has no connection to hand over",
		"serve the route from a process of its own in front of the liquefied service"},
}

// RuleFor returns the rule with code, or false.
func RuleFor(code string) (Rule, bool) {
	for _, r := range Rules {
		if r.Code == code {
			return r, true
		}
	}
	return Rule{}, false
}
