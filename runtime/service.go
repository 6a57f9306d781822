package runtime

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// A Service is one process of a liquefied app: the parts its role runs
// (gateway, worker, embedded NATS server), started by Start and stopped
// by Shutdown. The entry points (ListenAndServe and its siblings) are thin
// wrappers over it; tests use it directly. Its methods are safe for
// concurrent use.
type Service struct {
	plan     *Plan
	settings Settings
	handler  http.Handler
	cfg      gatewayConfig
	log      *slog.Logger
	limit    *limiter
	table    *table
	gw       *gateway // its mux is built by New; the rest by Start

	// Set by Start.
	embedded *embedded
	nc       *nats.Conn
	store    *store // nil unless a worker persists some context
	worker   *worker
	server   *http.Server // the gateway's
	ln       net.Listener
	health   *http.Server
	healthLn net.Listener
	ready    atomic.Bool

	started  atomic.Bool
	stopOnce sync.Once
	stopped  chan struct{} // closed when Shutdown has finished
	stopErr  error         // Shutdown's result, set before stopped closes
	errMu    sync.Mutex
	serveErr error // why the gateway stopped serving on its own
}

// A gatewayConfig is how the entry point asked to serve.
type gatewayConfig struct {
	addr     string       // the app's address; Settings.Addr overrides it
	server   *http.Server // the app's server, whose settings the gateway copies
	listener net.Listener // the app's listener; nil to listen on the address
	tls      bool
	certFile string
	keyFile  string
}

// New checks p and prepares a service that runs h, the app's handler (nil
// means http.DefaultServeMux), with settings s. The gateway listens on
// s.Addr, which must then be set (":0" picks a free port). Nothing runs
// until Start.
func New(p *Plan, s Settings, h http.Handler) (*Service, error) {
	return newService(p, s, h, gatewayConfig{})
}

func newService(p *Plan, s Settings, h http.Handler, cfg gatewayConfig) (*Service, error) {
	if h == nil {
		h = http.DefaultServeMux
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("new service: %w", err)
	}
	t, err := newTable(p, s.WorkerIndex, s.Workers, s.Partitions)
	if err != nil {
		return nil, fmt.Errorf("new service: %w", err)
	}
	gw := &gateway{table: t}
	if gw.mux, err = newGatewayMux(p, t, gw); err != nil {
		return nil, fmt.Errorf("new service: %w", err)
	}

	log := s.Logger
	if log == nil {
		log = newLogger(os.Stderr, s.LogLevel)
	}
	log = log.With("service", p.Service, "role", string(s.Role))
	return &Service{
		plan: p, settings: s, handler: h, cfg: cfg, log: log, limit: newLimiter(),
		table: t, gw: gw, stopped: make(chan struct{}),
	}, nil
}

// Start starts the service's parts in order: the health endpoints (not
// ready yet), the NATS connection (and embedded server), the state
// bucket and the restore of what this worker owns, the worker's
// subscriptions, then the gateway's listener. ctx bounds the start-up only. On
// error everything started is stopped again. Start is called once.
func (s *Service) Start(ctx context.Context) error {
	if s.started.Swap(true) {
		return errors.New("start service: already started")
	}
	if err := s.start(ctx); err != nil {
		s.Shutdown(context.Background())
		return fmt.Errorf("start service: %w", err)
	}
	s.ready.Store(true)
	attrs := []any{"subjects", len(s.table.subjects), "fastpath", s.fastPath()}
	if a := s.Addr(); a != nil {
		attrs = append(attrs, "addr", a.String())
	}
	s.log.Info("service started", attrs...)
	return nil
}

func (s *Service) start(ctx context.Context) error {
	// Health first: /livez answers while state is restored, and /readyz
	// says not ready until Start returns.
	if err := s.startHealth(); err != nil {
		return err
	}
	if err := s.connect(); err != nil {
		return err
	}
	role := s.settings.Role
	if role == RoleAll || role == RoleWorker {
		if err := s.claimIndex(); err != nil {
			return err
		}
		if err := s.openStore(ctx); err != nil {
			return err
		}
		s.worker = newWorker(s.handler, s.table, s.store, s.settings.Concurrency, s.log, s.limit)
		s.worker.setBase(context.WithValue(context.Background(), http.ServerContextKey, s.appServer()))
		if err := s.worker.subscribe(s.nc, s.table); err != nil {
			return err
		}
		// The server knows the subscriptions once the flush returns, so
		// the gateway's first request finds them.
		if err := s.nc.FlushTimeout(timeLeft(ctx, readyTimeout)); err != nil {
			return fmt.Errorf("flush subscriptions: %w", err)
		}
	}
	if role == RoleGateway && s.table.persisted {
		if err := checkGatewayPartitions(ctx, s.nc, s.table); err != nil {
			return err
		}
	}
	if role == RoleAll || role == RoleGateway {
		return s.startGateway()
	}
	return nil
}

// claimTimeout bounds the wait for another worker with this index.
const claimTimeout = 500 * time.Millisecond

// claimIndex makes sure no other worker of the service runs with this
// worker's index, then answers for the index itself: two workers with one
// index would both own its partitions, and their writes would overwrite
// each other's. Two workers starting within claimTimeout of each other
// can still both pass; the check is for the common mistake, not a lock.
func (s *Service) claimIndex() error {
	subject := strings.Join([]string{subjectPrefix, s.table.service, "w", strconv.Itoa(s.settings.WorkerIndex)}, ".")
	if m, err := s.nc.Request(subject, nil, claimTimeout); err == nil {
		return fmt.Errorf("worker %d of service %s already runs (%s): give every worker its own LIQUEFY_WORKER_INDEX, from 0 to LIQUEFY_WORKERS-1",
			s.settings.WorkerIndex, s.plan.Service, m.Data)
	}
	host, _ := os.Hostname()
	me := fmt.Sprintf("host %s, pid %d", host, os.Getpid())
	_, err := s.nc.Subscribe(subject, func(m *nats.Msg) { m.Respond([]byte(me)) })
	if err != nil {
		return fmt.Errorf("claim worker index: %w", err)
	}
	return nil
}

// openStore opens the state bucket, when the plan persists any context,
// and restores what this worker owns, before it subscribes to anything.
func (s *Service) openStore(ctx context.Context) error {
	if !s.table.persisted {
		return nil
	}
	st, err := openStore(ctx, s.nc, s.table, s.settings.KVReplicas, s.settings.Timeout)
	if err != nil {
		return err
	}
	if err := st.restore(ctx, s.table, s.log); err != nil {
		return err
	}
	s.store = st
	return nil
}

// connect starts the embedded server when the role needs one and
// connects to NATS.
func (s *Service) connect() error {
	name := nats.Name(fmt.Sprintf("liquefy %s %s", s.plan.Service, s.settings.Role))
	if s.settings.NATS != "" {
		opts := []nats.Option{name, nats.MaxReconnects(-1)}
		if s.settings.NATSCreds != "" {
			opts = append(opts, nats.UserCredentials(s.settings.NATSCreds))
		}
		nc, err := nats.Connect(s.settings.NATS, opts...)
		if err != nil {
			return fmt.Errorf("connect to nats %s: %w", s.settings.NATS, err)
		}
		s.nc = nc
		if want := s.settings.MaxBody + payloadHeadroom; nc.MaxPayload() < want {
			s.log.Warn("nats max payload below LIQUEFY_MAX_BODY", "max_payload", nc.MaxPayload(), "max_body", s.settings.MaxBody)
		}
		return nil
	}
	e, err := startEmbedded(s.settings, s.log)
	if err != nil {
		return err
	}
	s.embedded = e
	nc, err := nats.Connect(e.srv.ClientURL(), name, nats.InProcessServer(e.srv))
	if err != nil {
		return fmt.Errorf("connect to embedded nats: %w", err)
	}
	s.nc = nc
	return nil
}

// fastPath reports whether the gateway hands owned requests straight to
// the local worker.
func (s *Service) fastPath() bool {
	return s.settings.FastPath && s.settings.Role == RoleAll
}

// startGateway listens and serves the gateway's handler on a server that
// copies the app's server settings.
func (s *Service) startGateway() error {
	gw := s.gw
	gw.nc, gw.timeout, gw.maxBody, gw.log, gw.limit = s.nc, s.settings.Timeout, s.settings.MaxBody, s.log, s.limit
	if s.fastPath() {
		gw.local = s.worker
	}
	s.server = gatewayServer(s.cfg.server, gw)
	if app := s.cfg.server; app != nil && app.BaseContext != nil && s.worker != nil {
		// The worker's requests derive from what the app's BaseContext
		// returns, as they would in the monolith.
		s.server.BaseContext = func(l net.Listener) context.Context {
			ctx := app.BaseContext(l)
			s.worker.setBase(context.WithValue(ctx, http.ServerContextKey, app))
			return ctx
		}
	}

	// Listen, unless the app handed over its own listener.
	ln := s.cfg.listener
	if ln == nil {
		addr := s.listenAddr()
		var err error
		if ln, err = net.Listen("tcp", addr); err != nil {
			return fmt.Errorf("gateway: %w", err)
		}
	}
	s.ln = ln
	if s.cfg.tls && s.cfg.certFile != "" {
		if _, err := tls.LoadX509KeyPair(s.cfg.certFile, s.cfg.keyFile); err != nil {
			return fmt.Errorf("gateway: %w", err)
		}
	}
	go s.serve()
	return nil
}

// appServer returns the app's *http.Server, or for the forms that take
// none the server net/http would have made, for http.ServerContextKey.
func (s *Service) appServer() *http.Server {
	if s.cfg.server != nil {
		return s.cfg.server
	}
	return &http.Server{Addr: s.cfg.addr, Handler: s.handler}
}

// listenAddr is the gateway's address: LIQUEFY_ADDR, else the app's,
// else the net/http default.
func (s *Service) listenAddr() string {
	switch {
	case s.settings.Addr != "":
		return s.settings.Addr
	case s.cfg.addr != "":
		return s.cfg.addr
	case s.cfg.server != nil && s.cfg.server.Addr != "":
		return s.cfg.server.Addr
	case s.cfg.tls:
		return ":https"
	}
	return ":http"
}

// serve runs the gateway's server until it stops. Stopping on its own,
// not by Shutdown, is an error that shuts the service down.
func (s *Service) serve() {
	var err error
	if s.cfg.tls {
		err = s.server.ServeTLS(s.ln, s.cfg.certFile, s.cfg.keyFile)
	} else {
		err = s.server.Serve(s.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return
	}
	s.log.Error("gateway stopped serving", "err", err)
	s.errMu.Lock()
	s.serveErr = err
	s.errMu.Unlock()
	go s.Shutdown(context.Background())
}

// gatewayServer returns a server for h with app's settings, all but the
// handler, or a plain server when app is nil.
func gatewayServer(app *http.Server, h http.Handler) *http.Server {
	if app == nil {
		return &http.Server{Handler: h}
	}
	return &http.Server{
		Addr:                         app.Addr,
		Handler:                      h,
		DisableGeneralOptionsHandler: app.DisableGeneralOptionsHandler,
		TLSConfig:                    app.TLSConfig,
		ReadTimeout:                  app.ReadTimeout,
		ReadHeaderTimeout:            app.ReadHeaderTimeout,
		WriteTimeout:                 app.WriteTimeout,
		IdleTimeout:                  app.IdleTimeout,
		MaxHeaderBytes:               app.MaxHeaderBytes,
		TLSNextProto:                 app.TLSNextProto,
		ConnState:                    app.ConnState,
		ErrorLog:                     app.ErrorLog,
		BaseContext:                  app.BaseContext,
		ConnContext:                  app.ConnContext,
		HTTP2:                        app.HTTP2,
		Protocols:                    app.Protocols,
	}
}

// startHealth serves /livez and /readyz on LIQUEFY_HEALTH_ADDR.
func (s *Service) startHealth() error {
	if s.settings.HealthAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.settings.HealthAddr)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/livez", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if !s.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	})
	s.healthLn, s.health = ln, &http.Server{Handler: mux}
	go s.health.Serve(ln)
	return nil
}

// Addr returns the gateway's listen address, or nil before Start and in
// role worker.
func (s *Service) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// HealthAddr returns the health endpoints' address, or nil when none.
func (s *Service) HealthAddr() net.Addr {
	if s.healthLn == nil {
		return nil
	}
	return s.healthLn.Addr()
}

// Done returns a channel closed when the service has shut down.
func (s *Service) Done() <-chan struct{} {
	return s.stopped
}

// Err returns, once Done is closed, why the service stopped: the error
// of a gateway that stopped serving on its own, else http.ErrServerClosed.
func (s *Service) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.serveErr != nil {
		return s.serveErr
	}
	return http.ErrServerClosed
}

// Shutdown stops the service gracefully, in order: the gateway stops
// accepting and lets in-flight requests finish; the worker drains its
// subscriptions and waits for the handlers it started; the NATS
// connection closes; the embedded server shuts down and its temporary
// store is removed. ctx bounds the wait; when it ends the remaining steps
// still run, without waiting. Shutdown may be called more than once and
// from several goroutines: every call waits for the first one and returns
// its result.
func (s *Service) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() {
		s.stopErr = s.shutdown(ctx)
		close(s.stopped)
	})
	<-s.stopped
	return s.stopErr
}

func (s *Service) shutdown(ctx context.Context) error {
	s.ready.Store(false)
	var errs []error

	// Stop taking requests, and let those in flight finish.
	if s.server != nil {
		if err := s.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("gateway: %w", err))
			s.server.Close()
		}
	}

	// Drain the worker, then the connection.
	if s.worker != nil && s.nc != nil {
		if err := s.worker.drain(ctx); err != nil {
			errs = append(errs, fmt.Errorf("worker: %w", err))
		}
	}
	if s.nc != nil {
		s.nc.Flush()
		s.nc.Close()
	}

	// Then the embedded server and the health endpoints.
	if s.embedded != nil {
		s.embedded.shutdown(s.log)
	}
	if s.health != nil {
		s.health.Close()
	}
	if err := errors.Join(errs...); err != nil {
		s.log.Warn("shutdown incomplete", "err", err)
		return fmt.Errorf("shutdown: %w", err)
	}
	s.log.Info("service stopped")
	return nil
}

// timeLeft returns the time until ctx's deadline, or d without one.
func timeLeft(ctx context.Context, d time.Duration) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return time.Until(deadline)
	}
	return d
}
