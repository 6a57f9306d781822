package deploy

import (
	"errors"
	"fmt"

	"sigs.k8s.io/yaml"

	"github.com/liquefy/liquefy/runtime"
)

// ManifestFormat is the format version of the plan manifest. It changes
// only when a field changes meaning or goes away; fields are added freely.
const ManifestFormat = 1

// ErrPlan is wrapped by the errors PlanManifest returns for a plan that
// contradicts itself.
var ErrPlan = errors.New("inconsistent plan")

// A Manifest is the plan manifest, liquefy.yaml: what a liquefied
// service listens on and what state lives where, for operators and tools
// (NATS permissions, dashboards). docs/plan-manifest.md documents every
// field.
type Manifest struct {
	Format     int    `json:"format"`
	Generator  string `json:"generator"`
	Service    string `json:"service"`
	Partitions int    `json:"partitions"`
	QueueGroup string `json:"queueGroup"`
	Default    string `json:"default"`

	Routes   []ManifestRoute   `json:"routes"`
	Fluxions []ManifestFluxion `json:"fluxions"`
	Contexts []ManifestContext `json:"contexts"`
}

// ManifestRoute binds a mux pattern to the fluxion that serves it.
type ManifestRoute struct {
	Pattern  string `json:"pattern"`
	Fluxion  string `json:"fluxion"`
	Implicit bool   `json:"implicit,omitempty"`
}

// ManifestFluxion is one fluxion and the subject its requests are sent on.
type ManifestFluxion struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Context string `json:"context,omitempty"`
	Subject string `json:"subject"`
}

// ManifestContext is one execution context and the subject its owner
// listens on; for a keyed context Subject ends in the wildcard "*" that
// stands for the partition number, 0 to Partitions-1.
type ManifestContext struct {
	Name     string   `json:"name"`
	Class    string   `json:"class"`
	Kind     string   `json:"kind"`
	Roots    []string `json:"roots"`
	Subject  string   `json:"subject"`
	Fluxions []string `json:"fluxions"`
}

// NewManifest builds the plan manifest of p, with the subjects the
// runtime uses (see the runtime package overview). It reports a fluxion
// of unknown kind, a stateful fluxion without a known context, and names
// listed twice, all at once.
func NewManifest(p *runtime.Plan) (*Manifest, error) {
	m := &Manifest{
		Format: ManifestFormat, Generator: p.Generator, Service: p.Service,
		Partitions: p.Partitions, QueueGroup: p.QueueGroup(), Default: p.Default,
		Routes: []ManifestRoute{}, Fluxions: []ManifestFluxion{}, Contexts: []ManifestContext{},
	}
	for _, r := range p.Routes {
		m.Routes = append(m.Routes, ManifestRoute{Pattern: r.Pattern, Fluxion: r.Fluxion, Implicit: r.Implicit})
	}

	// Contexts first, so that fluxions can be checked against them.
	var errs []error
	index := map[string]int{}
	for _, c := range p.Contexts {
		if _, dup := index[c.Name]; dup {
			errs = append(errs, fmt.Errorf("%w: context %q listed twice", ErrPlan, c.Name))
			continue
		}
		index[c.Name] = len(m.Contexts)
		m.Contexts = append(m.Contexts, ManifestContext{
			Name: c.Name, Class: c.Class, Roots: nonNil(c.Roots), Fluxions: []string{},
		})
	}
	seen := map[string]bool{}
	for _, f := range p.Fluxions {
		if seen[f.Name] {
			errs = append(errs, fmt.Errorf("%w: fluxion %q listed twice", ErrPlan, f.Name))
			continue
		}
		seen[f.Name] = true
		errs = append(errs, m.addFluxion(p, f, index))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// addFluxion adds f and binds it to its context, whose kind and subject
// it sets.
func (m *Manifest) addFluxion(p *runtime.Plan, f runtime.Fluxion, index map[string]int) error {
	mf := ManifestFluxion{Name: f.Name, Kind: string(f.Kind), Context: f.Context, Subject: p.Subject(f)}
	switch f.Kind {
	case runtime.Stateless:
		mf.Context = ""
	case runtime.Singleton, runtime.Residue, runtime.Keyed:
	default:
		return fmt.Errorf("%w: fluxion %q has unknown kind %q", ErrPlan, f.Name, f.Kind)
	}
	m.Fluxions = append(m.Fluxions, mf)
	if f.Kind == runtime.Stateless {
		return nil
	}

	// A stateful fluxion runs on its context's owner.
	i, ok := index[f.Context]
	if !ok {
		return fmt.Errorf("%w: %s fluxion %q names unknown context %q", ErrPlan, f.Kind, f.Name, f.Context)
	}
	c := &m.Contexts[i]
	if c.Kind != "" && c.Kind != mf.Kind {
		return fmt.Errorf("%w: context %q has both %s and %s fluxions", ErrPlan, c.Name, c.Kind, mf.Kind)
	}
	c.Kind, c.Subject = mf.Kind, mf.Subject
	c.Fluxions = append(c.Fluxions, f.Name)
	return nil
}

// PlanManifest returns the plan manifest of p as YAML (liquefy.yaml),
// starting with a comment that marks it generated.
func PlanManifest(p *runtime.Plan) ([]byte, error) {
	m, err := NewManifest(p)
	if err != nil {
		return nil, fmt.Errorf("plan manifest: %w", err)
	}
	b, err := yaml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("plan manifest: %w", err)
	}
	return append([]byte(generatedHeader+"# The plan of service "+p.Service+"; see docs/plan-manifest.md.\n"), b...), nil
}

// nonNil returns s, or an empty slice when s is nil, so that YAML shows
// [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string(nil), s...)
}
