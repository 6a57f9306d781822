package lint

import (
	"errors"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/liquefy/liquefy/analyzer"
)

// A Finding is one diagnostic of the lint.
type Finding struct {
	Code  string
	Level Level

	// Pos is where the finding is, relative to the module's root
	// directory (absolute for a file outside it).
	Pos token.Position

	// Message names the construct and the problem, lowercase, without a
	// final period.
	Message string

	// Related are second locations: other accesses, declarations.
	Related []Related
}

// A Related is a second location of a finding.
type Related struct {
	Pos     token.Position
	Message string
}

// A Report is the lint of one app.
type Report struct {
	// Module is the app's module path and ModuleDir its absolute root
	// directory, which every position is relative to.
	Module    string
	ModuleDir string

	// Findings are sorted by position, then code.
	Findings []Finding

	// Model is the analysis the findings come from; nil when the app
	// could not be analysed (then the findings say why).
	Model *analyzer.Model
}

// Check loads the app whose main package is in dir and lints it. Only a
// load failure is an error (a *analyzer.LoadError, matched by
// analyzer.ErrLoad); what keeps the app from being analysed is reported
// as LQ002 findings. Findings are positioned relative to the module's
// root; the positions of a load error relative to cfg.Dir, as Load gives
// them.
func Check(dir string, cfg analyzer.Config) (*Report, error) {
	// Load with positions relative to the module root.
	root, err := moduleRoot(dir)
	if err != nil {
		return nil, err
	}
	wd := cfg.Dir
	cfg.Dir = root
	prog, err := analyzer.Load(dir, cfg)
	if err != nil {
		return nil, relativeTo(err, root, wd)
	}
	rep := &Report{Module: prog.Module, ModuleDir: root}

	// Analyze; findings that stop the analysis are LQ002.
	m, err := analyzer.Analyze(prog)
	var fe *analyzer.FindingsError
	switch {
	case errors.As(err, &fe):
		rep.Findings = unanalysable(fe)
		return rep, nil
	case err != nil:
		return nil, fmt.Errorf("lint: %w", err)
	}
	effects, err := analyzer.Effects(prog)
	if err != nil {
		return nil, fmt.Errorf("lint: %w", err)
	}
	rep.Model = m
	rep.Findings = Findings(m, effects)
	return rep, nil
}

// relativeTo makes the positions of a load error, relative to root,
// relative to wd (the working directory when wd is "").
func relativeTo(err error, root, wd string) error {
	var le *analyzer.LoadError
	if !errors.As(err, &le) {
		return err
	}
	if wd == "" {
		wd, _ = os.Getwd()
	}
	out := &analyzer.LoadError{}
	for _, d := range le.Diagnostics {
		if d.Pos.Filename != "" && !filepath.IsAbs(d.Pos.Filename) {
			abs := filepath.Join(root, d.Pos.Filename)
			if rel, err := filepath.Rel(wd, abs); err == nil {
				d.Pos.Filename = rel
			}
		}
		out.Diagnostics = append(out.Diagnostics, d)
	}
	return out
}

// moduleRoot returns the absolute directory of the go.mod that holds
// dir, or dir itself when there is none (Load then says so).
func moduleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("lint: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return abs, nil
		}
	}
}

// Errors returns the number of error findings.
func (r *Report) Errors() int { return r.count(Error) }

// Warnings returns the number of warning findings.
func (r *Report) Warnings() int { return r.count(Warning) }

func (r *Report) count(l Level) int {
	n := 0
	for _, f := range r.Findings {
		if f.Level == l {
			n++
		}
	}
	return n
}

// Failed reports whether the lint fails: on any error, or with strict on
// any finding at all.
func (r *Report) Failed(strict bool) bool {
	return r.Errors() > 0 || strict && len(r.Findings) > 0
}

// Findings returns the findings of a model and of the effects its
// routes' handlers have, sorted by position, then code.
func Findings(m *analyzer.Model, effects []analyzer.Effect) []Finding {
	var out []Finding
	for _, r := range m.Roots {
		switch r.Class {
		case analyzer.NotSplittable:
			out = append(out, notSplittable(r))
		case analyzer.Background:
			out = append(out, background(m, r))
		}
	}
	for _, c := range m.Contexts {
		if c.Class == analyzer.Singleton && len(c.Routes) > 0 {
			out = append(out, singleton(m, c))
		}
	}
	for _, e := range effects {
		out = append(out, effect(e))
	}
	sortFindings(out)
	return out
}

// unanalysable turns what stopped the analysis into LQ002 findings.
func unanalysable(fe *analyzer.FindingsError) []Finding {
	var out []Finding
	for _, d := range fe.Diagnostics {
		msg := d.Message
		if d.Hint != "" {
			msg += "; " + d.Hint
		}
		out = append(out, finding(Unanalysable, d.Pos, msg))
	}
	sortFindings(out)
	return out
}

// notSplittable reports a not-splittable root at the access that makes
// it so, with the other accesses and the declaration as related.
func notSplittable(r *analyzer.Root) Finding {
	pos, why := r.Pos, "it holds what cannot leave a process"
	if len(r.Reasons) > 0 {
		pos, why = r.Reasons[0].Pos, reasonText(r.Reasons[0])
	}
	f := finding(NotSplittable, pos, fmt.Sprintf("state root %s is not splittable: %s; %s", r.Name, why, splitFix(r)))
	for _, rs := range r.Reasons[min(1, len(r.Reasons)):] {
		f.Related = append(f.Related, Related{rs.Pos, reasonText(rs)})
	}
	f.Related = append(f.Related, declared(r))
	return f
}

// splitFix says what would make a not-splittable root splittable.
func splitFix(r *analyzer.Root) string {
	for _, rs := range r.Reasons {
		if strings.HasPrefix(rs.What, "holds ") {
			what, _, _ := strings.Cut(strings.TrimPrefix(rs.What, "holds "), " (")
			return "to split it, keep " + what + " out of the state the routes share"
		}
		if strings.HasPrefix(rs.What, "also written by") {
			return "to split it, let either requests or the background goroutine write it, not both"
		}
	}
	return "it stays in one residue process with every route that touches it"
}

// background warns about a root a goroutine no request starts writes.
func background(m *analyzer.Model, r *analyzer.Root) Finding {
	pos := r.Pos
	if len(r.Reasons) > 0 {
		pos = r.Reasons[0].Pos
	}
	msg := fmt.Sprintf("state root %s is background state: a goroutine no request starts writes it, so each process keeps its own copy", r.Name)
	if readers := routesReaching(m, r.Name); len(readers) > 0 {
		msg += " for " + counted(readers, "that reads it", "that read it")
	}
	f := finding(Background, pos, msg)
	for _, rs := range r.Reasons[min(1, len(r.Reasons)):] {
		if !strings.HasPrefix(rs.What, "only read by") { // the message lists the readers
			f.Related = append(f.Related, Related{rs.Pos, reasonText(rs)})
		}
	}
	f.Related = append(f.Related, declared(r))
	return f
}

// singleton warns about a singleton context that routes reach, at the
// first write of its first root.
func singleton(m *analyzer.Model, c *analyzer.Context) Finding {
	roots := rootsByName(m)
	pos := token.Position{}
	if r := roots[c.Name]; r != nil {
		pos = r.Pos
		if len(r.Reasons) > 0 {
			pos = r.Reasons[0].Pos
		}
	}
	msg := fmt.Sprintf("context %s is a singleton: every request of %s runs on its one owner", c.Name,
		counted(c.Routes, "that reaches it", "that reach it"))
	f := finding(SingletonHot, pos, msg)
	for _, name := range c.Roots {
		if r := roots[name]; r != nil {
			f.Related = append(f.Related, declared(r))
		}
	}
	return f
}

// effect warns about a call that flushes, hijacks or writes files.
func effect(e analyzer.Effect) Finding {
	who := routeList(e.Routes)
	if e.Every {
		who = "the middleware around the served mux, for every request,"
		if len(e.Routes) > 0 {
			who = "the middleware around the served mux and " + routeList(e.Routes) + ","
		}
	}
	switch e.Kind {
	case analyzer.Flush:
		return finding(Streaming, e.Pos, fmt.Sprintf("%s flushes the response with %s: the liquefied service sends it only when the handler returns", who, e.Call))
	case analyzer.Hijack:
		return finding(Hijacking, e.Pos, fmt.Sprintf("%s hijacks the connection with %s: a worker of the liquefied service has no connection to hand over", who, e.Call))
	}
	return finding(LocalFiles, e.Pos, fmt.Sprintf("%s changes local files with %s: each process of the liquefied service has its own disk", who, e.Call))
}

// finding returns a finding of code at pos.
func finding(code string, pos token.Position, msg string) Finding {
	r, ok := RuleFor(code)
	if !ok {
		panic("lint: no rule " + code)
	}
	return Finding{Code: code, Level: r.Level, Pos: pos, Message: msg}
}

// declared returns the related location of r's declaration.
func declared(r *analyzer.Root) Related {
	return Related{r.Pos, fmt.Sprintf("%s is declared here", r.Name)}
}

// reasonText returns a reason without its trailing position, which the
// finding carries anyway.
func reasonText(r analyzer.Reason) string {
	s := strings.TrimSuffix(r.What, " at "+r.Pos.String())
	return strings.TrimSuffix(s, ",")
}

// routesReaching returns the patterns of the routes that reach root.
func routesReaching(m *analyzer.Model, root string) []string {
	var out []string
	for _, r := range m.Routes {
		for _, name := range r.Roots {
			if name == root {
				out = append(out, r.Pattern)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// routeList spells patterns as "route GET /a" or "routes GET /a, POST /b".
func routeList(patterns []string) string {
	switch len(patterns) {
	case 0:
		return "no route"
	case 1:
		return "route " + patterns[0]
	}
	return "routes " + strings.Join(patterns, ", ")
}

// counted spells patterns with a clause that agrees in number: "the
// route that reads it (GET /a)", "the 2 routes that read it (GET /a,
// GET /b)".
func counted(patterns []string, one, many string) string {
	if len(patterns) == 1 {
		return fmt.Sprintf("the route %s (%s)", one, patterns[0])
	}
	return fmt.Sprintf("the %d routes %s (%s)", len(patterns), many, strings.Join(patterns, ", "))
}

// rootsByName indexes the model's roots.
func rootsByName(m *analyzer.Model) map[string]*analyzer.Root {
	out := map[string]*analyzer.Root{}
	for _, r := range m.Roots {
		out[r.Name] = r
	}
	return out
}

// sortFindings sorts fs by file, line, column, then code and message.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].Pos, fs[j].Pos
		switch {
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Column != b.Column:
			return a.Column < b.Column
		case fs[i].Code != fs[j].Code:
			return fs[i].Code < fs[j].Code
		}
		return fs[i].Message < fs[j].Message
	})
}
