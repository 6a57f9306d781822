package runtime

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// A table is the Plan resolved for one process: each fluxion's subject
// and whether this process owns it. It is read-only once built.
type table struct {
	service  string // sanitized
	queue    string
	fluxions map[string]*route
	routes   []*route // in Plan.Routes order, parallel to Plan.Routes
	dflt     *route
	subjects []subscription // what this process's worker subscribes to
}

// A route is where the gateway sends one fluxion's requests.
type route struct {
	fluxion string
	kind    Kind
	subject string
	local   bool // this process's worker serves the subject
}

// A subscription is one subject a worker listens on.
type subscription struct {
	subject string
	queue   string // "" for none
}

// subjectPrefix is the first token of every subject liquefy uses.
const subjectPrefix = "lq"

// newTable checks p and resolves it for worker index of n.
func newTable(p *Plan, index, n int) (*table, error) {
	if p == nil {
		return nil, fmt.Errorf("plan: nil")
	}
	t := &table{service: token(p.Service), fluxions: make(map[string]*route)}
	t.queue = subjectPrefix + "." + t.service

	// Index the contexts, then resolve each fluxion against them.
	contexts := make(map[string]Context)
	tokens := make(map[string]string) // subject token to context name
	for _, c := range p.Contexts {
		if _, dup := contexts[c.Name]; dup {
			return nil, fmt.Errorf("plan: context %q listed twice", c.Name)
		}
		if other, dup := tokens[token(c.Name)]; dup {
			return nil, fmt.Errorf("plan: contexts %q and %q would share subject token %q", other, c.Name, token(c.Name))
		}
		contexts[c.Name], tokens[token(c.Name)] = c, c.Name
	}
	for _, f := range p.Fluxions {
		if err := t.addFluxion(f, contexts, index, n, p.Partitions); err != nil {
			return nil, err
		}
	}

	// Bind the routes and the default.
	for _, r := range p.Routes {
		rt, ok := t.fluxions[r.Fluxion]
		if !ok {
			return nil, fmt.Errorf("plan: route %q names unknown fluxion %q", r.Pattern, r.Fluxion)
		}
		t.routes = append(t.routes, rt)
	}
	dflt, ok := t.fluxions[p.Default]
	if !ok {
		return nil, fmt.Errorf("plan: default fluxion %q is not among the fluxions", p.Default)
	}
	t.dflt = dflt
	return t, nil
}

// addFluxion resolves f's subject and ownership, and records what the
// worker must subscribe to.
func (t *table) addFluxion(f Fluxion, contexts map[string]Context, index, n, partitions int) error {
	if _, dup := t.fluxions[f.Name]; dup {
		return fmt.Errorf("plan: fluxion %q listed twice", f.Name)
	}
	rt := &route{fluxion: f.Name, kind: f.Kind}
	t.fluxions[f.Name] = rt
	if f.Kind == Stateless {
		rt.subject = t.fluxionSubject(f.Name)
		rt.local = true
		t.subscribe(rt.subject, t.queue)
		return nil
	}

	// A stateful fluxion needs its context.
	if _, ok := contexts[f.Context]; !ok {
		return fmt.Errorf("plan: %s fluxion %q names unknown context %q", f.Kind, f.Name, f.Context)
	}
	switch f.Kind {
	case Singleton, Residue:
		owner := contextOwner(f.Kind, f.Context, n)
		rt.subject = t.contextSubject(f.Context)
		rt.local = owner == index
		if rt.local {
			t.subscribe(rt.subject, t.queue)
		}
	case Keyed:
		// TODO: route by the generated key function once plans carry one
		// (issue 3); until then every request of a keyed fluxion goes to
		// partition 0, which keeps the context whole on one owner.
		rt.subject = t.partitionSubject(f.Context, 0)
		rt.local = partitionOwner(0, n) == index
		for p := range max(partitions, 1) {
			if partitionOwner(p, n) == index {
				t.subscribe(t.partitionSubject(f.Context, p), t.queue)
			}
		}
	default:
		return fmt.Errorf("plan: fluxion %q has unknown kind %q", f.Name, f.Kind)
	}
	return nil
}

// subscribe records a subject once; fluxions of one context share it.
func (t *table) subscribe(subject, queue string) {
	for _, s := range t.subjects {
		if s.subject == subject {
			return
		}
	}
	t.subjects = append(t.subjects, subscription{subject, queue})
}

// fluxionSubject is lq.<service>.f.<fluxion>.
func (t *table) fluxionSubject(fluxion string) string {
	return strings.Join([]string{subjectPrefix, t.service, "f", token(fluxion)}, ".")
}

// contextSubject is lq.<service>.c.<context>.
func (t *table) contextSubject(context string) string {
	return strings.Join([]string{subjectPrefix, t.service, "c", token(context)}, ".")
}

// partitionSubject is lq.<service>.k.<context>.<partition>.
func (t *table) partitionSubject(context string, p int) string {
	return strings.Join([]string{subjectPrefix, t.service, "k", token(context), strconv.Itoa(p)}, ".")
}

// contextOwner returns the worker index that owns a singleton or residue
// context among n workers: residue lives on worker 0, a singleton on
// FNV-1a(name) mod n.
func contextOwner(kind Kind, context string, n int) int {
	if kind == Residue || n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(context))
	return int(h.Sum32() % uint32(n))
}

// partitionOwner returns the worker index that owns partition p.
func partitionOwner(p, n int) int {
	return p % max(n, 1)
}

// token turns s into a valid NATS subject token: letters, digits, '-'
// and '_' are kept, every other byte becomes '_'; "" becomes "_".
func token(s string) string {
	if s == "" {
		return "_"
	}
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}
