package runtime

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
)

// A table is the Plan resolved for one process: each fluxion's subject
// and whether this process owns it, and each context's state and the
// part of it this process owns. It is read-only once built.
type table struct {
	service    string // sanitized
	queue      string
	partitions int // of every keyed context: LIQUEFY_PARTITIONS or the plan's
	fluxions   map[string]*route
	routes     []*route // in Plan.Routes order, parallel to Plan.Routes
	dflt       *route
	subjects   []subscription  // what this process's worker subscribes to
	contexts   []*stateContext // in Plan.Contexts order
	persisted  bool            // some context has a State to persist
}

// A route is where the gateway sends one fluxion's requests.
type route struct {
	fluxion string
	kind    Kind
	subject string // a keyed fluxion's is partition 0's
	local   bool   // this process's worker serves the subject
	writes  bool
	ctx     *stateContext // nil for stateless fluxions

	// key computes a keyed fluxion's key; nil sends every request to
	// partition 0.
	key func(r *http.Request, body []byte) (string, bool)
}

// A stateContext is one execution context as this process sees it.
type stateContext struct {
	name  string
	token string // the context's name as a subject token
	keyed bool   // split into partitions by key (else whole)
	owned bool   // whole: this worker owns it; keyed: it owns some partition

	// partitions hold a keyed context's subject and owner per partition.
	partitions []partition

	// State, when not nil, is the one the plan gave, by its kind.
	keyedState KeyedState
	wholeState WholeState
}

// A partition is one partition of a keyed context.
type partition struct {
	subject string
	local   bool // this process's worker owns it
}

// persists reports whether the context has state to persist.
func (c *stateContext) persists() bool {
	return c != nil && (c.keyedState != nil || c.wholeState != nil)
}

// A subscription is one subject a worker listens on.
type subscription struct {
	subject string
	queue   string // "" for none
}

// subjectPrefix is the first token of every subject liquefy uses.
const subjectPrefix = "lq"

// maxPartitions bounds the partitions of a keyed context: each is a
// subscription on its owner.
const maxPartitions = 4096

// newTable checks p and resolves it for worker index of n, with
// partitions per keyed context (0 means the plan's).
func newTable(p *Plan, index, n, partitions int) (*table, error) {
	if p == nil {
		return nil, fmt.Errorf("plan: nil")
	}
	t := &table{service: token(p.Service), fluxions: make(map[string]*route)}
	t.queue = subjectPrefix + "." + t.service
	t.partitions = cmp.Or(partitions, p.Partitions, 1)
	if t.partitions < 1 || t.partitions > maxPartitions {
		return nil, fmt.Errorf("plan: %d partitions, want between 1 and %d", t.partitions, maxPartitions)
	}

	// Index the contexts, then resolve each fluxion against them.
	contexts := make(map[string]*stateContext)
	tokens := make(map[string]string) // subject token to context name
	for _, c := range p.Contexts {
		if _, dup := contexts[c.Name]; dup {
			return nil, fmt.Errorf("plan: context %q listed twice", c.Name)
		}
		if other, dup := tokens[token(c.Name)]; dup {
			return nil, fmt.Errorf("plan: contexts %q and %q would share subject token %q", other, c.Name, token(c.Name))
		}
		sc := &stateContext{name: c.Name, token: token(c.Name)}
		contexts[c.Name], tokens[sc.token] = sc, c.Name
		t.contexts = append(t.contexts, sc)
	}
	for _, f := range p.Fluxions {
		if err := t.addFluxion(f, contexts, index, n); err != nil {
			return nil, err
		}
	}
	if err := t.bindStates(p, contexts); err != nil {
		return nil, err
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
func (t *table) addFluxion(f Fluxion, contexts map[string]*stateContext, index, n int) error {
	if _, dup := t.fluxions[f.Name]; dup {
		return fmt.Errorf("plan: fluxion %q listed twice", f.Name)
	}
	rt := &route{fluxion: f.Name, kind: f.Kind, writes: f.Writes}
	t.fluxions[f.Name] = rt
	if f.Kind == Stateless {
		rt.subject = t.fluxionSubject(f.Name)
		rt.local = true
		t.subscribe(rt.subject, t.queue)
		return nil
	}

	// A stateful fluxion needs its context.
	c, ok := contexts[f.Context]
	if !ok {
		return fmt.Errorf("plan: %s fluxion %q names unknown context %q", f.Kind, f.Name, f.Context)
	}
	rt.ctx = c
	switch f.Kind {
	case Singleton, Residue:
		owner := contextOwner(f.Kind, f.Context, n)
		rt.subject = t.contextSubject(f.Context)
		rt.local = owner == index
		c.owned = rt.local
		if rt.local {
			t.subscribe(rt.subject, t.queue)
		}
	case Keyed:
		rt.key = f.Key
		t.partition(c, index, n)
		rt.subject, rt.local = c.partitions[0].subject, c.partitions[0].local
	default:
		return fmt.Errorf("plan: fluxion %q has unknown kind %q", f.Name, f.Kind)
	}
	return nil
}

// partition splits c into the table's partitions, once, and subscribes
// to those worker index of n owns.
func (t *table) partition(c *stateContext, index, n int) {
	if c.keyed {
		return
	}
	c.keyed = true
	c.partitions = make([]partition, t.partitions)
	for p := range c.partitions {
		c.partitions[p] = partition{subject: t.partitionSubject(c.name, p), local: partitionOwner(p, n) == index}
		if c.partitions[p].local {
			c.owned = true
			t.subscribe(c.partitions[p].subject, t.queue)
		}
	}
}

// bindStates checks each context's State against the fluxions bound to
// it: a keyed context needs a KeyedState, a whole one a WholeState, and
// a keyed fluxion that writes persisted state needs a key function, or
// its writes could not be stored.
func (t *table) bindStates(p *Plan, contexts map[string]*stateContext) error {
	for _, pc := range p.Contexts {
		c := contexts[pc.Name]
		switch st := pc.State.(type) {
		case nil:
			continue
		case KeyedState:
			c.keyedState = st
		case WholeState:
			c.wholeState = st
		default:
			return fmt.Errorf("plan: context %q: State is %T, want a KeyedState or a WholeState", c.name, pc.State)
		}
		t.persisted = true
	}
	for _, f := range p.Fluxions {
		c := t.fluxions[f.Name].ctx
		switch {
		case !c.persists():
		case f.Kind == Keyed && c.keyedState == nil:
			return fmt.Errorf("plan: context %q of keyed fluxion %q: State is %T, want a KeyedState", c.name, f.Name, c.wholeState)
		case f.Kind != Keyed && c.wholeState == nil:
			return fmt.Errorf("plan: context %q of %s fluxion %q: State is %T, want a WholeState", c.name, f.Kind, f.Name, c.keyedState)
		case f.Kind == Keyed && f.Writes && f.Key == nil:
			return fmt.Errorf("plan: keyed fluxion %q writes persisted context %q but has no Key function", f.Name, c.name)
		}
	}
	return nil
}

// target returns the subject for a request to rt with partition p, and
// whether this process's worker owns it.
func (rt *route) target(p int) (subject string, local bool) {
	if rt.kind != Keyed {
		return rt.subject, rt.local
	}
	part := rt.ctx.partitions[p]
	return part.subject, part.local
}

// partitionOf returns the partition of key among n: FNV-1a 64 of the
// key's bytes, mod n. It is part of the bucket's contract, since a
// restarted worker restores the keys whose partition it owns; changing
// it needs a new bucket.
func partitionOf(key string, n int) int {
	return int(fnv1a(fnvOffset, key) % uint64(max(n, 1)))
}

// fnvOffset is FNV-1a 64's initial hash.
const fnvOffset = 14695981039346656037

// fnv1a continues FNV-1a 64 hash h over the bytes of s.
func fnv1a(h uint64, s string) uint64 {
	const prime = 1099511628211
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime
	}
	return h
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

// Subject returns the NATS subject fluxion f of p is served on:
// lq.<service>.f.<fluxion> for a stateless fluxion, lq.<service>.c.<context>
// for a singleton or residue one, and for a keyed one the wildcard
// lq.<service>.k.<context>.* over its partitions. Names are made into
// subject tokens as the runtime does.
func (p *Plan) Subject(f Fluxion) string {
	svc := token(p.Service)
	switch f.Kind {
	case Stateless:
		return strings.Join([]string{subjectPrefix, svc, "f", token(f.Name)}, ".")
	case Keyed:
		return strings.Join([]string{subjectPrefix, svc, "k", token(f.Context), "*"}, ".")
	default:
		return strings.Join([]string{subjectPrefix, svc, "c", token(f.Context)}, ".")
	}
}

// QueueGroup returns the queue group every worker of p serves the
// stateless fluxions in: lq.<service>.
func (p *Plan) QueueGroup() string {
	return subjectPrefix + "." + token(p.Service)
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
