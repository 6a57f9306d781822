package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Mode is how the liquefied service is started.
type Mode string

// The modes of the liquefied service.
const (
	// ModeAll starts one liquefied process in its default role, which
	// embeds its own NATS server.
	ModeAll Mode = "all"

	// ModeSplit starts one gateway and Workers worker processes joined
	// over a NATS server that verify embeds in its own process.
	ModeSplit Mode = "split"
)

// Defaults used when a LaunchConfig leaves a duration or count zero.
const (
	DefaultWorkers      = 2
	DefaultReadyTimeout = 30 * time.Second
	DefaultGrace        = 5 * time.Second
)

// A LaunchConfig says which app to build and how to start it.
type LaunchConfig struct {
	// AppDir is the monolith's main package directory. Liquid is the
	// liquefied package directory, AppDir/liquid when empty. Each is built
	// in its own module's root directory, so that module's go.mod, go line
	// and GODEBUG settings apply.
	AppDir string
	Liquid string

	// Start gives the app's arguments, environment and ready path; nil
	// Args mean DefaultStart's.
	Start Start

	// Mode is ModeAll when empty; Workers is the number of worker
	// processes in ModeSplit, DefaultWorkers when zero.
	Mode    Mode
	Workers int

	// Env is extra "KEY=value" environment for the liquefied processes, on
	// top of LIQUEFY_LOG=warn; AddrPlaceholder is replaced in it.
	Env []string

	// Keep keeps the build directory (binaries, logs, NATS store) after
	// Stop, for debugging.
	Keep bool

	// ReadyTimeout bounds the wait for every process to become ready;
	// Grace is how long Stop waits after SIGTERM before it kills.
	ReadyTimeout time.Duration
	Grace        time.Duration
}

// A Deployment is a running monolith next to its running liquefied
// service. Its methods are safe for concurrent use.
type Deployment struct {
	// Monolith and Liquid are the base URLs ("http://127.0.0.1:port") of
	// the monolith and of the liquefied service's entry point (the
	// gateway in ModeSplit).
	Monolith string
	Liquid   string

	// NATS is the client URL of the NATS server verify embeds in
	// ModeSplit, empty otherwise.
	NATS string

	// Dir is the build directory holding binaries and process logs.
	Dir string

	// Processes lists every process started, in start order.
	Processes []*Process

	cfg  LaunchConfig
	ns   *server.Server
	once sync.Once
	err  error
}

// Launch builds the monolith and the liquefied service in parallel,
// starts them on free loopback ports and waits until every process is
// ready. A build failure is an error wrapping ErrBuild, a process that
// exits or is not ready in time one wrapping ErrStart; both carry the
// compiler's or the process's output. On error nothing is left running.
// On success the caller must call Stop.
//
// Free ports are found by listening on port 0 and closing again, so
// another process on the machine can take one before the app binds it;
// a start that fails that way is tried again, up to three times.
func Launch(ctx context.Context, cfg LaunchConfig) (*Deployment, error) {
	for try := 1; ; try++ {
		d := &Deployment{}
		err := d.launch(ctx, cfg)
		if err == nil {
			return d, nil
		}
		d.Stop()
		var se *StartError
		if try == 3 || !errors.As(err, &se) || !strings.Contains(se.Output, "address already in use") {
			return nil, err
		}
	}
}

// launch does Launch's work on d, leaving whatever it started in d for
// the caller to stop.
func (d *Deployment) launch(ctx context.Context, cfg LaunchConfig) error {
	// Resolve the configuration and make the build directory.
	cfg, err := resolve(cfg)
	if err != nil {
		return err
	}
	d.cfg = cfg
	if d.Dir, err = os.MkdirTemp("", "liquefy-verify-"); err != nil {
		return fmt.Errorf("launch: %w", err)
	}

	// Build both forms, then start and wait for them.
	if _, err := os.Stat(cfg.Liquid); err != nil {
		return &BuildError{Package: cfg.Liquid, Err: fmt.Errorf(
			"no liquefied service: %w (run liquefy on the app first, or name its directory)", err)}
	}
	bins, err := d.buildAll(ctx)
	if err != nil {
		return err
	}
	if cfg.Mode == ModeSplit {
		if err := d.startNATS(); err != nil {
			return err
		}
	}
	return d.startAll(ctx, bins[0], bins[1])
}

// resolve checks cfg and fills in its defaults.
func resolve(cfg LaunchConfig) (LaunchConfig, error) {
	if cfg.AppDir == "" {
		return cfg, errors.New("launch: no app directory")
	}
	if cfg.Liquid == "" {
		cfg.Liquid = filepath.Join(cfg.AppDir, "liquid")
	}
	if cfg.Start.Args == nil {
		cfg.Start.Args = DefaultStart().Args
	}
	switch cfg.Mode {
	case "":
		cfg.Mode = ModeAll
	case ModeAll, ModeSplit:
	default:
		return cfg, fmt.Errorf("launch: unknown mode %q (want %q or %q)",
			cfg.Mode, ModeAll, ModeSplit)
	}
	if err := checkEnv(cfg.Env); err != nil {
		return cfg, err
	}
	if cfg.Workers < 0 {
		return cfg, fmt.Errorf("launch: %d workers", cfg.Workers)
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = DefaultReadyTimeout
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	return cfg, nil
}

// buildAll builds the monolith and the liquefied service in parallel and
// returns the two binaries' paths.
func (d *Deployment) buildAll(ctx context.Context) ([2]string, error) {
	dirs := [2]string{d.cfg.AppDir, d.cfg.Liquid}
	names := [2]string{"monolith", "liquid"}
	var bins [2]string
	var errs [2]error
	var wg sync.WaitGroup
	for i := range dirs {
		bins[i] = filepath.Join(d.Dir, names[i])
		wg.Go(func() { errs[i] = build(ctx, dirs[i], bins[i]) })
	}
	wg.Wait()
	return bins, errors.Join(errs[:]...)
}

// startNATS starts the NATS server of ModeSplit inside this process, on
// a random loopback port, with JetStream stored under the build
// directory.
func (d *Deployment) startNATS() error {
	opts := &server.Options{
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
		JetStream:  true,
		StoreDir:   filepath.Join(d.Dir, "nats"),
		MaxPayload: 16 << 20, // room for the runtime's 8 MiB bodies
		NoLog:      true,
		NoSigs:     true,
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return fmt.Errorf("%w: nats server: %w", ErrStart, err)
	}
	d.ns = ns
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		return fmt.Errorf("%w: nats server: not ready after 10s", ErrStart)
	}
	d.NATS = ns.ClientURL()
	return nil
}

// startAll starts the monolith and the liquefied processes and waits
// until every one of them is ready.
func (d *Deployment) startAll(ctx context.Context, mono, liquid string) error {
	// The monolith.
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	d.Monolith = "http://" + addr
	base := baseEnv()
	if _, err := d.start("monolith", mono, addr, "", base); err != nil {
		return err
	}

	// The liquefied service, in one process or several.
	if addr, err = freeAddr(); err != nil {
		return err
	}
	d.Liquid = "http://" + addr
	env := slices.Concat(base, []string{"LIQUEFY_LOG=warn"}, substituteAll(d.cfg.Env, addr))
	if d.cfg.Mode == ModeSplit {
		err = d.startSplit(liquid, addr, env)
	} else {
		_, err = d.start("liquid", liquid, addr, "", env)
	}
	if err != nil {
		return err
	}
	return d.waitAll(ctx)
}

// startSplit starts the workers and the gateway of ModeSplit; each gets
// the app's address and arguments, a health address of its own and the
// NATS server's URL.
func (d *Deployment) startSplit(bin, addr string, env []string) error {
	n := strconv.Itoa(d.cfg.Workers)
	for i := range d.cfg.Workers {
		wenv := slices.Concat(env, []string{"LIQUEFY_ROLE=worker",
			"LIQUEFY_NATS=" + d.NATS, "LIQUEFY_WORKERS=" + n,
			"LIQUEFY_WORKER_INDEX=" + strconv.Itoa(i)})
		if err := d.startHealthy("worker-"+strconv.Itoa(i), bin, addr, wenv); err != nil {
			return err
		}
	}
	genv := slices.Concat(env, []string{"LIQUEFY_ROLE=gateway", "LIQUEFY_NATS=" + d.NATS})
	return d.startHealthy("gateway", bin, addr, genv)
}

// startHealthy starts a process of ModeSplit with LIQUEFY_HEALTH_ADDR set
// to a free port.
func (d *Deployment) startHealthy(name, bin, addr string, env []string) error {
	health, err := freeAddr()
	if err != nil {
		return err
	}
	env = slices.Concat(env, []string{"LIQUEFY_HEALTH_ADDR=" + health})
	_, err = d.start(name, bin, addr, health, env)
	return err
}

// start starts bin as the process name, with the trace's arguments and
// environment for the app address addr, in the app's directory, its
// output going to a log file in the build directory.
func (d *Deployment) start(name, bin, addr, health string, env []string) (*Process, error) {
	// Arguments and environment, with the address filled in.
	st := d.cfg.Start
	args := substituteAll(st.Args, addr)
	extra := make([]string, 0, len(st.Env))
	for k, v := range st.Env {
		extra = append(extra, k+"="+substitute(v, addr))
	}
	slices.Sort(extra)
	env = slices.Concat(env, extra)

	// The process itself.
	p := &Process{Name: name, Addr: addr, Health: health, Log: filepath.Join(d.Dir, name+".log")}
	if err := p.start(bin, d.cfg.AppDir, args, env); err != nil {
		return nil, err
	}
	d.Processes = append(d.Processes, p)
	return p, nil
}

// waitAll waits, in parallel, until every process is ready: its health
// endpoint answers (ModeSplit), then its app address answers (every
// process that serves the app).
func (d *Deployment) waitAll(ctx context.Context) error {
	errs := make([]error, len(d.Processes))
	var wg sync.WaitGroup
	for i, p := range d.Processes {
		wg.Go(func() { errs[i] = p.waitReady(ctx, d.cfg.ReadyTimeout, d.readyCheck(p)) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// readyCheck returns the check that tells when p is ready.
func (d *Deployment) readyCheck(p *Process) func(context.Context) error {
	app := func(ctx context.Context) error { return tcpReady(ctx, p.Addr) }
	if d.cfg.Start.Ready != "" {
		app = func(ctx context.Context) error {
			return httpReady(ctx, "http://"+p.Addr+d.cfg.Start.Ready)
		}
	}
	if p.Health == "" {
		return app
	}
	health := func(ctx context.Context) error {
		return httpReady(ctx, "http://"+p.Health+"/readyz")
	}
	if strings.HasPrefix(p.Name, "worker-") {
		return health
	}
	return func(ctx context.Context) error {
		if err := health(ctx); err != nil {
			return err
		}
		return app(ctx)
	}
}

// Stop stops every process of the deployment (SIGTERM, then SIGKILL
// after the grace period), shuts the NATS server down and removes the
// build directory unless Keep was set. It waits until every process has
// exited. Stop is idempotent; it returns the error, if any, of removing
// the build directory.
func (d *Deployment) Stop() error {
	d.once.Do(func() { d.err = d.stop() })
	return d.err
}

// stop does Stop's work, once.
func (d *Deployment) stop() error {
	// The processes, all at once.
	var wg sync.WaitGroup
	for _, p := range d.Processes {
		wg.Go(func() { p.stop(d.cfg.Grace) })
	}
	wg.Wait()

	// Then the NATS server and the files.
	if d.ns != nil {
		d.ns.Shutdown()
		d.ns.WaitForShutdown()
	}
	if d.Dir == "" || d.cfg.Keep {
		return nil
	}
	if err := os.RemoveAll(d.Dir); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	return nil
}

// Exited returns the processes that have exited, which none should do
// while the deployment runs. It does not wait: a process exiting at this
// moment may be missed.
func (d *Deployment) Exited() []*Process {
	var out []*Process
	for _, p := range d.Processes {
		if done, _ := p.Exited(); done {
			out = append(out, p)
		}
	}
	return out
}

// checkEnv checks that every entry of env reads KEY=value.
func checkEnv(env []string) error {
	for _, kv := range env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("launch: environment entry %q is not KEY=value", kv)
		}
	}
	return nil
}

// baseEnv returns this process's environment without its LIQUEFY_
// variables, so that the user's shell cannot change a verification.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LIQUEFY_") {
			env = append(env, kv)
		}
	}
	return env
}

// freeAddr returns a loopback host:port that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("%w: pick a free port: %w", ErrStart, err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// substitute replaces AddrPlaceholder in s by addr.
func substitute(s, addr string) string {
	return strings.ReplaceAll(s, AddrPlaceholder, addr)
}

// substituteAll is substitute on every element of ss.
func substituteAll(ss []string, addr string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = substitute(s, addr)
	}
	return out
}
