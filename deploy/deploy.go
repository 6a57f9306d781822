package deploy

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/liquefy/liquefy/runtime"
)

// Dir is the directory, relative to the service directory, that holds
// the Kubernetes manifests.
const Dir = "deploy"

// PlanFile is the path of the plan manifest relative to the service
// directory, and its key in the plan ConfigMap.
const PlanFile = "liquefy.yaml"

// CredsKey is the key of the NATS credentials file in the Secret named
// by Options.SecretName.
const CredsKey = "nats.creds"

// AuthKey is the key of the NATS servers' authorization configuration in
// the Secret "<service>-nats-auth".
const AuthKey = "auth.conf"

// DefaultNATSImage is the official NATS server image the NATS cluster
// runs unless Options.NATSImage says otherwise: the release line of the
// nats-server module this package's tests check the configuration with.
// The alpine variant puts nats-server on PATH for the preStop hook.
const DefaultNATSImage = "nats:2.15-alpine"

// Defaults of Options.
const (
	DefaultNamespace       = "default"
	DefaultGatewayReplicas = 2
	DefaultWorkers         = 3
	DefaultPort            = 8080
	DefaultHealthPort      = 9090
)

// ErrOptions is wrapped by the errors Manifests returns for bad options
// or a plan it cannot name objects after.
var ErrOptions = errors.New("bad deploy options")

// Options say how to deploy a service. The zero value of every field
// means its default.
type Options struct {
	// Image is the service's container image; default "<service>:latest".
	Image string

	// Namespace is where every object lives; default "default".
	Namespace string

	// GatewayReplicas is the gateway's replica count and the autoscaler's
	// minimum (default 2); MaxGatewayReplicas is the autoscaler's maximum
	// (default the larger of 10 and GatewayReplicas).
	GatewayReplicas    int
	MaxGatewayReplicas int

	// Workers is the worker StatefulSet's replica count and so
	// LIQUEFY_WORKERS; default 3.
	Workers int

	// AppArgs are the app's own command-line arguments, passed to every
	// pod, for example ["-addr", ":8080"].
	AppArgs []string

	// Port is the gateway's HTTP port. When 0 it is taken from the first
	// argument of AppArgs that ends in ":<port>" (as in "-addr=:8080" or
	// "127.0.0.1:8080"), else 8080.
	Port int

	// HealthPort is the port of LIQUEFY_HEALTH_ADDR in every pod of the
	// service; default 9090.
	HealthPort int

	// SecretName names the Secret holding the NATS credentials file under
	// the key CredsKey; default "<service>-nats-creds". It is not
	// generated.
	SecretName string

	// NATSImage is the NATS server image; default DefaultNATSImage.
	NATSImage string

	// NATSURLs, when set, are the URLs of a NATS cluster that already
	// runs; then no NATS objects are written.
	NATSURLs []string

	// StorageSize is the size of each NATS server's JetStream volume;
	// default "10Gi". StorageClass names its storage class; "" leaves the
	// cluster's default.
	StorageSize  string
	StorageClass string
}

// Manifests returns the files that deploy p, keyed by their slash path
// relative to the service directory (see the package overview): the
// Kubernetes manifests under Dir and the plan manifest at PlanFile. The
// bytes depend only on p and opts. An error wraps ErrOptions when opts or
// the plan's service name cannot make valid object names.
func Manifests(p *runtime.Plan, opts Options) (map[string][]byte, error) {
	if p == nil {
		return nil, fmt.Errorf("manifests: %w: nil plan", ErrOptions)
	}
	s, err := newSite(p, opts)
	if err != nil {
		return nil, fmt.Errorf("manifests: %w", err)
	}

	// The plan manifest comes first: the ConfigMap holds it and the pod
	// templates carry its checksum.
	plan, err := PlanManifest(p)
	if err != nil {
		return nil, fmt.Errorf("manifests: %w", err)
	}
	s.planSum = checksum(plan)

	// Then each file of objects.
	files := map[string][]byte{PlanFile: plan}
	for _, f := range s.files(plan) {
		if len(f.objects) == 0 {
			continue
		}
		b, err := encodeAll(f.objects)
		if err != nil {
			return nil, fmt.Errorf("manifests: %s: %w", f.name, err)
		}
		files[path.Join(Dir, f.name)] = b
	}
	return files, nil
}

// A file is one manifest file and the objects it holds, in order.
type file struct {
	name    string
	objects []any
}

// files lists the manifest files of s in apply order.
func (s *site) files(plan []byte) []file {
	var ns []any
	if s.namespace != DefaultNamespace {
		ns = append(ns, s.namespaceObject())
	}
	var nats []any
	if len(s.opts.NATSURLs) == 0 {
		nats = s.natsObjects()
	}
	return []file{
		{"00-namespace.yaml", ns},
		{"10-nats.yaml", nats},
		{"20-plan.yaml", []any{s.planConfigMap(plan)}},
		{"30-worker.yaml", s.workerObjects()},
		{"40-gateway.yaml", s.gatewayObjects()},
	}
}

// A site is a plan with its options resolved: the names and numbers every
// object is built from.
type site struct {
	plan      *runtime.Plan
	opts      Options // defaults filled in
	base      string  // the service as a Kubernetes name
	namespace string
	port      int
	planSum   string // sha256 of the plan manifest
}

// newSite fills in the defaults of opts and checks the result.
func newSite(p *runtime.Plan, opts Options) (*site, error) {
	base, err := objectName(p.Service)
	if err != nil {
		return nil, err
	}
	s := &site{plan: p, base: base}
	s.opts = withDefaults(opts, base)
	s.namespace = s.opts.Namespace
	s.port = s.opts.Port
	if s.port == 0 {
		s.port = portFromArgs(s.opts.AppArgs, DefaultPort)
	}
	return s, s.check()
}

// withDefaults returns opts with every zero field set to its default.
func withDefaults(opts Options, base string) Options {
	opts.Image = or(opts.Image, base+":latest")
	opts.Namespace = or(opts.Namespace, DefaultNamespace)
	opts.SecretName = or(opts.SecretName, base+"-nats-creds")
	opts.NATSImage = or(opts.NATSImage, DefaultNATSImage)
	opts.StorageSize = or(opts.StorageSize, "10Gi")
	if opts.GatewayReplicas == 0 {
		opts.GatewayReplicas = DefaultGatewayReplicas
	}
	if opts.MaxGatewayReplicas == 0 {
		opts.MaxGatewayReplicas = max(10, opts.GatewayReplicas)
	}
	if opts.Workers == 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.HealthPort == 0 {
		opts.HealthPort = DefaultHealthPort
	}
	return opts
}

// check reports every problem with the resolved options at once.
func (s *site) check() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrOptions}, args...)...))
	}
	if msgs := validation.IsDNS1123Label(s.namespace); len(msgs) > 0 {
		bad("namespace %q: %s", s.namespace, strings.Join(msgs, "; "))
	}
	if msgs := validation.IsDNS1123Subdomain(s.opts.SecretName); len(msgs) > 0 {
		bad("secret name %q: %s", s.opts.SecretName, strings.Join(msgs, "; "))
	}
	if s.opts.GatewayReplicas < 0 || s.opts.Workers < 0 {
		bad("replicas must be positive, got %d gateways and %d workers", s.opts.GatewayReplicas, s.opts.Workers)
	}
	if s.opts.MaxGatewayReplicas < s.opts.GatewayReplicas {
		bad("max gateway replicas %d is below the minimum %d", s.opts.MaxGatewayReplicas, s.opts.GatewayReplicas)
	}
	for _, port := range []int{s.port, s.opts.HealthPort} {
		if msgs := validation.IsValidPortNum(port); len(msgs) > 0 {
			bad("port %d: %s", port, strings.Join(msgs, "; "))
		}
	}
	if s.port == s.opts.HealthPort {
		bad("the app's port and the health port are both %d", s.port)
	}
	if _, err := parseQuantity(s.opts.StorageSize); err != nil {
		bad("storage size %q: %v", s.opts.StorageSize, err)
	}
	return errors.Join(errs...)
}

// maxBase bounds the length of the service part of object names, so that
// "<base>-gateway-<hash>-<hash>" and StatefulSet pod names stay within
// Kubernetes' 63-byte label limit.
const maxBase = 40

// objectName turns a service name into a Kubernetes object name: lower
// case letters, digits and dashes, starting with a letter, at most
// maxBase bytes.
func objectName(service string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToLower(service) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		return "", fmt.Errorf("%w: service name %q has no letter or digit to name objects after", ErrOptions, service)
	}
	if name[0] >= '0' && name[0] <= '9' {
		name = "lq-" + name
	}
	if len(name) > maxBase {
		name = strings.TrimRight(name[:maxBase], "-")
	}
	return name, nil
}

// portFromArgs returns the port of the first argument that ends in
// ":<port>", on its own or after "=", or dflt when none does.
func portFromArgs(args []string, dflt int) int {
	for _, a := range args {
		if i := strings.LastIndexByte(a, '='); i >= 0 {
			a = a[i+1:]
		}
		i := strings.LastIndexByte(a, ':')
		if i < 0 {
			continue
		}
		if n, err := strconv.Atoi(a[i+1:]); err == nil && n > 0 && n < 1<<16 {
			return n
		}
	}
	return dflt
}

// or returns s, or dflt when s is empty.
func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}
