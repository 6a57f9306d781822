package runtime

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Role says which parts of the service a process runs.
type Role string

// The roles a process can take.
const (
	// RoleAll runs the gateway, a worker and, unless an external NATS
	// server is named, an embedded NATS server in one process.
	RoleAll Role = "all"

	// RoleGateway serves HTTP and forwards every request over NATS.
	RoleGateway Role = "gateway"

	// RoleWorker runs the app's handler for the messages it owns.
	RoleWorker Role = "worker"
)

// Settings are the runtime's own settings. The app owns its flags and
// environment, so every setting comes from a LIQUEFY_* environment
// variable; see SettingsFromEnv and the table in the package overview.
type Settings struct {
	// Role is LIQUEFY_ROLE.
	Role Role

	// Addr is LIQUEFY_ADDR, the gateway's listen address; "" keeps the
	// address the app passes to the serving call.
	Addr string

	// NATS is LIQUEFY_NATS, the URL(s) of an external NATS server, comma
	// separated. In role all an empty value embeds a server.
	NATS string

	// NATSCreds is LIQUEFY_NATS_CREDS, a credentials file (as nsc writes
	// it) for the connection to LIQUEFY_NATS; "" connects without.
	NATSCreds string

	// NATSListen is LIQUEFY_NATS_LISTEN, the host:port on which the
	// embedded server also accepts client connections; "" opens no port.
	NATSListen string

	// Store is LIQUEFY_STORE, the embedded server's JetStream directory;
	// "" means a fresh temporary directory removed on shutdown.
	Store string

	// Timeout is LIQUEFY_TIMEOUT, how long the gateway waits for a reply.
	Timeout time.Duration

	// DrainTimeout is LIQUEFY_DRAIN_TIMEOUT, the bound on a shutdown.
	DrainTimeout time.Duration

	// MaxBody is LIQUEFY_MAX_BODY, the request body limit in bytes.
	MaxBody int64

	// Workers and WorkerIndex are LIQUEFY_WORKERS and LIQUEFY_WORKER_INDEX:
	// how many workers share the contexts and which one this process is.
	Workers     int
	WorkerIndex int

	// FastPath is LIQUEFY_FASTPATH: in role all, requests this process
	// owns skip NATS and the wire encoding.
	FastPath bool

	// Concurrency is LIQUEFY_CONCURRENCY, the bound on messages a worker
	// handles at once.
	Concurrency int

	// Partitions is LIQUEFY_PARTITIONS, the number of partitions of every
	// keyed context; 0 keeps the plan's. A worker refuses to start when
	// it differs from the count its bucket recorded.
	Partitions int

	// KVReplicas is LIQUEFY_KV_REPLICAS, the replicas of the state bucket
	// when a worker creates it (an existing bucket keeps its own).
	KVReplicas int

	// HealthAddr is LIQUEFY_HEALTH_ADDR, where /livez and /readyz are
	// served; "" serves neither.
	HealthAddr string

	// LogLevel is LIQUEFY_LOG.
	LogLevel slog.Level

	// Logger, when not nil, receives the runtime's logs instead of a text
	// handler on stderr at LogLevel. It is not read from the environment.
	Logger *slog.Logger
}

// DefaultSettings returns the settings of an empty environment.
func DefaultSettings() Settings {
	return Settings{
		Role:         RoleAll,
		Timeout:      30 * time.Second,
		DrainTimeout: 30 * time.Second,
		MaxBody:      8 << 20,
		Workers:      1,
		FastPath:     true,
		Concurrency:  1024,
		KVReplicas:   1,
		LogLevel:     slog.LevelInfo,
	}
}

// SettingsFromEnv reads the LIQUEFY_* variables through getenv (os.Getenv
// in a service, a map lookup in tests). An unset or empty variable keeps
// its default. A bad value gives an error naming the variable, the value
// and what is expected; all bad values are reported at once.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := DefaultSettings()
	p := envParser{getenv: getenv}

	// Read each variable in the order of the package overview's table.
	p.role("LIQUEFY_ROLE", &s.Role)
	p.str("LIQUEFY_ADDR", &s.Addr)
	p.str("LIQUEFY_NATS", &s.NATS)
	p.str("LIQUEFY_NATS_CREDS", &s.NATSCreds)
	p.hostPort("LIQUEFY_NATS_LISTEN", &s.NATSListen)
	p.str("LIQUEFY_STORE", &s.Store)
	p.duration("LIQUEFY_TIMEOUT", &s.Timeout)
	p.duration("LIQUEFY_DRAIN_TIMEOUT", &s.DrainTimeout)
	p.size("LIQUEFY_MAX_BODY", &s.MaxBody)
	p.positive("LIQUEFY_WORKERS", &s.Workers)
	p.workerIndex("LIQUEFY_WORKER_INDEX", &s.WorkerIndex)
	p.boolean("LIQUEFY_FASTPATH", &s.FastPath)
	p.positive("LIQUEFY_CONCURRENCY", &s.Concurrency)
	p.positive("LIQUEFY_PARTITIONS", &s.Partitions)
	p.positive("LIQUEFY_KV_REPLICAS", &s.KVReplicas)
	p.hostPort("LIQUEFY_HEALTH_ADDR", &s.HealthAddr)
	p.level("LIQUEFY_LOG", &s.LogLevel)

	// Check what only the combination can tell.
	if err := s.check(); err != nil {
		p.errs = append(p.errs, err)
	}
	return s, p.err()
}

// check reports an inconsistency between settings.
func (s Settings) check() error {
	switch {
	case s.Workers < 1 || s.WorkerIndex < 0:
		return fmt.Errorf("LIQUEFY_WORKERS=%d, LIQUEFY_WORKER_INDEX=%d: want at least one worker and a non-negative index", s.Workers, s.WorkerIndex)
	case s.Timeout <= 0 || s.DrainTimeout <= 0:
		return fmt.Errorf("LIQUEFY_TIMEOUT=%v, LIQUEFY_DRAIN_TIMEOUT=%v: want positive durations", s.Timeout, s.DrainTimeout)
	case s.MaxBody <= 0 || s.MaxBody > maxBodyLimit:
		return fmt.Errorf("LIQUEFY_MAX_BODY=%d: want a byte count between 1 and %d", s.MaxBody, int64(maxBodyLimit))
	case s.Concurrency < 1:
		return fmt.Errorf("LIQUEFY_CONCURRENCY=%d: want a positive integer", s.Concurrency)
	case s.Partitions < 0 || s.Partitions > maxPartitions:
		return fmt.Errorf("LIQUEFY_PARTITIONS=%d: want between 1 and %d", s.Partitions, maxPartitions)
	case s.KVReplicas < 1 || s.KVReplicas > 5:
		return fmt.Errorf("LIQUEFY_KV_REPLICAS=%d: want between 1 and 5, as JetStream allows", s.KVReplicas)
	}
	if s.WorkerIndex >= s.Workers {
		return fmt.Errorf("LIQUEFY_WORKER_INDEX=%d: want an index below LIQUEFY_WORKERS=%d", s.WorkerIndex, s.Workers)
	}
	if s.Role != RoleAll && s.NATS == "" {
		return fmt.Errorf("LIQUEFY_ROLE=%s: needs LIQUEFY_NATS, the URL of the NATS server to join", s.Role)
	}
	if s.NATSCreds != "" && s.NATS == "" {
		return fmt.Errorf("LIQUEFY_NATS_CREDS=%s: credentials are for an external server, so it needs LIQUEFY_NATS", s.NATSCreds)
	}
	if s.NATSListen != "" && (s.Role != RoleAll || s.NATS != "") {
		return fmt.Errorf("LIQUEFY_NATS_LISTEN=%s: only an embedded server listens, so it needs LIQUEFY_ROLE=all and no LIQUEFY_NATS", s.NATSListen)
	}
	return nil
}

// An envParser reads variables, collecting every error.
type envParser struct {
	getenv func(string) string
	errs   []error
}

func (p *envParser) err() error {
	switch len(p.errs) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("settings: %w", p.errs[0])
	}
	var b strings.Builder
	for _, e := range p.errs {
		b.WriteString("\n\t")
		b.WriteString(e.Error())
	}
	return fmt.Errorf("settings:%s", b.String())
}

// lookup returns the trimmed value of name and whether it is set.
func (p *envParser) lookup(name string) (string, bool) {
	v := strings.TrimSpace(p.getenv(name))
	return v, v != ""
}

func (p *envParser) bad(name, value, want string) {
	p.errs = append(p.errs, fmt.Errorf("%s=%q: want %s", name, value, want))
}

func (p *envParser) str(name string, dst *string) {
	if v, ok := p.lookup(name); ok {
		*dst = v
	}
}

func (p *envParser) role(name string, dst *Role) {
	v, ok := p.lookup(name)
	if !ok {
		return
	}
	switch r := Role(strings.ToLower(v)); r {
	case RoleAll, RoleGateway, RoleWorker:
		*dst = r
	default:
		p.bad(name, v, "all, gateway or worker")
	}
}

func (p *envParser) hostPort(name string, dst *string) {
	v, ok := p.lookup(name)
	if !ok {
		return
	}
	i := strings.LastIndexByte(v, ':')
	if n, err := strconv.Atoi(v[i+1:]); i < 0 || err != nil || n < 0 || n > 65535 {
		p.bad(name, v, "host:port, for example 127.0.0.1:4222")
		return
	}
	*dst = v
}

func (p *envParser) duration(name string, dst *time.Duration) {
	v, ok := p.lookup(name)
	if !ok {
		return
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.bad(name, v, "a positive duration such as 30s or 500ms")
		return
	}
	*dst = d
}

// size parses a byte count with an optional KiB, MiB or GiB suffix.
func (p *envParser) size(name string, dst *int64) {
	v, ok := p.lookup(name)
	if !ok {
		return
	}
	num, mult := v, int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if strings.HasSuffix(v, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > maxBodyLimit/mult {
		p.bad(name, v, fmt.Sprintf("a byte count between 1 and %d, optionally with KiB, MiB or GiB", int64(maxBodyLimit)))
		return
	}
	*dst = n * mult
}

func (p *envParser) positive(name string, dst *int) {
	v, ok := p.lookup(name)
	if !ok {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		p.bad(name, v, "a positive integer")
		return
	}
	*dst = n
}

// workerIndex parses an index, or "ordinal": the trailing -<n> of the
// HOSTNAME, as a Kubernetes StatefulSet names its pods.
func (p *envParser) workerIndex(name string, dst *int) {
	v, ok := p.lookup(name)
	if !ok {
		return
	}
	if v == "ordinal" {
		host := p.getenv("HOSTNAME")
		i := strings.LastIndexByte(host, '-')
		n, err := strconv.Atoi(host[i+1:])
		if i < 0 || err != nil || n < 0 {
			p.bad(name, v, fmt.Sprintf("a HOSTNAME ending in -<n> (HOSTNAME=%q)", host))
			return
		}
		*dst = n
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		p.bad(name, v, "a non-negative integer or ordinal")
		return
	}
	*dst = n
}

func (p *envParser) boolean(name string, dst *bool) {
	v, ok := p.lookup(name)
	if !ok {
		return
	}
	switch v {
	case "1":
		*dst = true
	case "0":
		*dst = false
	default:
		p.bad(name, v, "1 or 0")
	}
}

func (p *envParser) level(name string, dst *slog.Level) {
	v, ok := p.lookup(name)
	if !ok {
		return
	}
	switch strings.ToLower(v) {
	case "debug":
		*dst = slog.LevelDebug
	case "info":
		*dst = slog.LevelInfo
	case "warn":
		*dst = slog.LevelWarn
	case "error":
		*dst = slog.LevelError
	default:
		p.bad(name, v, "debug, info, warn or error")
	}
}
