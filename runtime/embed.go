package runtime

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// readyTimeout bounds how long the embedded server may take to start.
const readyTimeout = 10 * time.Second

// payloadHeadroom is what a message needs beyond the body it carries:
// the request line, headers and framing.
const payloadHeadroom = 1 << 20

// maxBodyLimit is the largest LIQUEFY_MAX_BODY: the embedded server's max
// payload is an int32 and must hold the body and its headroom.
const maxBodyLimit = 1 << 30

// An embedded is the NATS server a process in role all runs itself.
type embedded struct {
	srv      *server.Server
	store    string
	tempDir  bool // store is ours to remove after shutdown
	listener string
}

// startEmbedded starts a NATS server with JetStream, sized for messages
// carrying maxBody, and waits until it accepts connections. Its options
// are built fresh on every call, as the server expects.
func startEmbedded(s Settings, log *slog.Logger) (*embedded, error) {
	e := &embedded{store: s.Store}
	if e.store == "" {
		dir, err := os.MkdirTemp("", "liquefy-jetstream-")
		if err != nil {
			return nil, fmt.Errorf("embedded nats: %w", err)
		}
		e.store, e.tempDir = dir, true
	}
	opts, err := embeddedOptions(s, e.store)
	if err != nil {
		e.removeStore(log)
		return nil, err
	}

	// Start and wait for readiness.
	srv, err := server.NewServer(opts)
	if err != nil {
		e.removeStore(log)
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	if s.LogLevel <= slog.LevelDebug {
		srv.ConfigureLogger()
	}
	srv.Start()
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		e.removeStore(log)
		return nil, fmt.Errorf("embedded nats: not ready within %v", readyTimeout)
	}
	e.srv = srv
	if !opts.DontListen {
		e.listener = srv.ClientURL()
	}
	log.Info("embedded nats started", "store", e.store, "temporary", e.tempDir, "listen", e.listener)
	return e, nil
}

// embeddedOptions returns the server's options for s.
func embeddedOptions(s Settings, store string) (*server.Options, error) {
	payload := s.MaxBody + payloadHeadroom
	opts := &server.Options{
		ServerName: "liquefy",
		JetStream:  true,
		StoreDir:   store,
		NoSigs:     true,
		NoLog:      s.LogLevel > slog.LevelDebug,
		Debug:      false,
		DontListen: s.NATSListen == "",
		MaxPayload: int32(payload),
		MaxPending: max(64<<20, 2*payload),
	}
	if s.NATSListen != "" {
		host, port, err := net.SplitHostPort(s.NATSListen)
		if err != nil {
			return nil, fmt.Errorf("embedded nats: LIQUEFY_NATS_LISTEN=%q: %w", s.NATSListen, err)
		}
		opts.Host = host
		if opts.Port, err = strconv.Atoi(port); err != nil {
			return nil, fmt.Errorf("embedded nats: LIQUEFY_NATS_LISTEN=%q: %w", s.NATSListen, err)
		}
		if opts.Port == 0 {
			opts.Port = server.RANDOM_PORT
		}
	}
	return opts, nil
}

// shutdown stops the server, waits until it has fully shut down, and only
// then removes a temporary store, which a shutdown may still be flushing.
func (e *embedded) shutdown(log *slog.Logger) {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
	e.removeStore(log)
}

func (e *embedded) removeStore(log *slog.Logger) {
	if !e.tempDir {
		return
	}
	if err := os.RemoveAll(e.store); err != nil {
		log.Warn("remove jetstream store failed", "store", e.store, "err", err)
	}
}
