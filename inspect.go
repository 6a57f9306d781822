package liquefy

import (
	"encoding/json"
	"fmt"
	"go/token"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/liquefy/liquefy/analyzer"
	"github.com/liquefy/liquefy/gen"
	"github.com/liquefy/liquefy/runtime"
)

// Inspection is the stable JSON form of an analysis and its plan, as
// `liquefy inspect -json` prints it. Fields are only ever added.
type Inspection struct {
	Liquefy    string           `json:"liquefy"`
	Module     string           `json:"module"`
	GoVersion  string           `json:"go"`
	Package    string           `json:"package"`
	Served     *InspectServed   `json:"served,omitempty"`
	Partitions int              `json:"partitions"`
	Routes     []InspectRoute   `json:"routes"`
	Roots      []InspectRoot    `json:"roots"`
	Contexts   []InspectContext `json:"contexts"`
}

// InspectServed is the serving call and the mux it serves.
type InspectServed struct {
	Pos      string   `json:"pos"`
	Call     string   `json:"call"`
	Mux      string   `json:"mux,omitempty"`
	Wrappers []string `json:"wrappers,omitempty"`
	Roots    []string `json:"roots,omitempty"`
}

// InspectRoute is one route with the fluxion that serves it.
type InspectRoute struct {
	Pattern  string   `json:"pattern"`
	Pos      string   `json:"pos"`
	Handler  string   `json:"handler"`
	Implicit bool     `json:"implicit,omitempty"`
	Mux      string   `json:"mux,omitempty"`
	Fluxion  string   `json:"fluxion,omitempty"`
	Kind     string   `json:"kind"`
	Context  string   `json:"context,omitempty"`
	Roots    []string `json:"roots,omitempty"`
	Writes   []string `json:"writes,omitempty"`

	// Key says how a keyed route's request selects its partition.
	Key *InspectKey `json:"key,omitempty"`
}

// InspectKey is the key of a keyed route: where the request carries it,
// the transforms applied, and where the handler spells it.
type InspectKey struct {
	From string   `json:"from"`
	Name string   `json:"name"`
	Ops  []string `json:"ops,omitempty"`
	Type string   `json:"type"`
	Expr string   `json:"expr"`
	Pos  string   `json:"pos"`
}

// InspectRoot is one state root with its class and the reasons for it.
type InspectRoot struct {
	Name    string          `json:"name"`
	Kind    string          `json:"kind"`
	Type    string          `json:"type"`
	Pos     string          `json:"pos"`
	Class   string          `json:"class"`
	Context string          `json:"context,omitempty"`
	Guards  []string        `json:"guards,omitempty"`
	Reasons []InspectReason `json:"reasons"`
}

// InspectReason is one access or fact that decided a root's class.
type InspectReason struct {
	Pos  string `json:"pos"`
	What string `json:"what"`
}

// InspectContext is one execution context.
type InspectContext struct {
	Name   string   `json:"name"`
	Class  string   `json:"class"`
	Roots  []string `json:"roots"`
	Routes []string `json:"routes,omitempty"`
}

// Inspect builds the inspection of a model and the plan made from it.
func Inspect(m *analyzer.Model, partitions int) *Inspection {
	plan := gen.NewPlan(m, "liquefy "+Version, partitions)
	kinds := map[string]runtime.Kind{}
	for _, f := range plan.Fluxions {
		kinds[f.Name] = f.Kind
	}
	in := &Inspection{
		Liquefy: Version, Module: m.Module, GoVersion: m.GoVersion, Package: m.Package,
		Partitions: plan.Partitions,
		Routes:     []InspectRoute{}, Roots: []InspectRoot{}, Contexts: []InspectContext{},
	}
	if s := m.Served; s != nil {
		in.Served = &InspectServed{Pos: pos(s.Pos), Call: s.Call, Mux: s.Mux, Wrappers: s.Wrappers, Roots: s.Roots}
	}
	fluxions := map[string]string{} // pattern of the served mux → fluxion
	for _, r := range plan.Routes {
		fluxions[r.Pattern] = r.Fluxion
	}
	for _, r := range m.Routes {
		// A route of a sub-mux runs inside its parent's fluxion.
		fx, kind := "", "sub-mux"
		if m.Served != nil && r.Mux == m.Served.Mux {
			fx = fluxions[r.Pattern]
			kind = string(kinds[fx])
		}
		ir := InspectRoute{
			Pattern: r.Pattern, Pos: pos(r.Pos), Handler: r.Handler, Implicit: r.Implicit, Mux: r.Mux,
			Fluxion: fx, Kind: kind, Context: r.Context, Roots: r.Roots, Writes: r.Writes,
		}
		if k := r.Key; k != nil {
			ir.Key = &InspectKey{From: k.From, Name: k.Name, Ops: k.Ops, Type: k.Type, Expr: k.Expr, Pos: pos(k.Pos)}
		}
		in.Routes = append(in.Routes, ir)
	}
	for _, r := range m.Roots {
		ir := InspectRoot{
			Name: r.Name, Kind: string(r.Kind), Type: r.Type, Pos: pos(r.Pos), Class: string(r.Class),
			Context: r.Context, Guards: r.Guards, Reasons: []InspectReason{},
		}
		for _, why := range r.Reasons {
			ir.Reasons = append(ir.Reasons, InspectReason{Pos: pos(why.Pos), What: why.What})
		}
		in.Roots = append(in.Roots, ir)
	}
	for _, c := range m.Contexts {
		in.Contexts = append(in.Contexts, InspectContext{Name: c.Name, Class: string(c.Class), Roots: c.Roots, Routes: c.Routes})
	}
	return in
}

// WriteJSON writes the inspection as indented JSON.
func (in *Inspection) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(in)
}

// WriteText writes the inspection for a person to read.
func (in *Inspection) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "app %s (go %s), main package %s\n", in.Module, in.GoVersion, in.Package)
	if s := in.Served; s != nil {
		fmt.Fprintf(w, "served by %s at %s", s.Call, s.Pos)
		if s.Mux != "" {
			fmt.Fprintf(w, ", mux %s", s.Mux)
		}
		if len(s.Wrappers) > 0 {
			fmt.Fprintf(w, ", wrapped by %s", strings.Join(s.Wrappers, " → "))
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintf(w, "\nroutes (%d)\n", len(in.Routes))
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	for _, r := range in.Routes {
		ctx := r.Context
		if ctx == "" {
			ctx = "-"
		}
		key := ""
		if r.Key != nil {
			key = "\tkey " + r.Key.Expr
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\tcontext %s\t%s%s\n", r.Pattern, r.Fluxion, r.Kind, ctx, r.Pos, key)
	}
	tw.Flush()

	fmt.Fprintf(w, "\nroots (%d)\n", len(in.Roots))
	for _, r := range in.Roots {
		fmt.Fprintf(w, "  %s %s: %s (%s, %s)\n", r.Name, r.Type, r.Class, r.Kind, r.Pos)
		for _, why := range r.Reasons {
			if strings.Contains(why.What, why.Pos) {
				fmt.Fprintf(w, "      %s\n", why.What)
			} else {
				fmt.Fprintf(w, "      %s: %s\n", why.Pos, why.What)
			}
		}
	}

	fmt.Fprintf(w, "\ncontexts (%d)\n", len(in.Contexts))
	for _, c := range in.Contexts {
		fmt.Fprintf(w, "  %s: %s, roots %s, routes %s\n", c.Name, c.Class, strings.Join(c.Roots, ", "), strings.Join(c.Routes, ", "))
	}
	return nil
}

// pos writes a position as file:line:col, or "-" when it is unknown.
func pos(p token.Position) string {
	if !p.IsValid() {
		return "-"
	}
	return p.String()
}
