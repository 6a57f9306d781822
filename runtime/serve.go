package runtime

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// startTimeout bounds an entry point's start-up.
const startTimeout = time.Minute

// ListenAndServe replaces http.ListenAndServe(addr, h): it runs the
// process's role for plan p and blocks until the service stops. See the
// package overview for what stops it and what it returns.
func ListenAndServe(p *Plan, addr string, h http.Handler) error {
	return run(p, h, gatewayConfig{addr: addr}, nil)
}

// ListenAndServeTLS replaces http.ListenAndServeTLS.
func ListenAndServeTLS(p *Plan, addr, certFile, keyFile string, h http.Handler) error {
	return run(p, h, gatewayConfig{addr: addr, tls: true, certFile: certFile, keyFile: keyFile}, nil)
}

// Serve replaces http.Serve(l, h); the gateway accepts on l.
func Serve(p *Plan, l net.Listener, h http.Handler) error {
	return run(p, h, gatewayConfig{listener: l}, nil)
}

// ServeTLS replaces http.ServeTLS(l, h, certFile, keyFile).
func ServeTLS(p *Plan, l net.Listener, h http.Handler, certFile, keyFile string) error {
	return run(p, h, gatewayConfig{listener: l, tls: true, certFile: certFile, keyFile: keyFile}, nil)
}

// ServeServer replaces srv.ListenAndServe(). The gateway's server copies
// srv's settings with only the handler replaced; srv.Shutdown or
// srv.Close drains the service, after which ServeServer returns
// http.ErrServerClosed.
func ServeServer(p *Plan, srv *http.Server) error {
	return run(p, srv.Handler, gatewayConfig{server: srv}, srv)
}

// ServeServerTLS replaces srv.ListenAndServeTLS(certFile, keyFile).
func ServeServerTLS(p *Plan, srv *http.Server, certFile, keyFile string) error {
	return run(p, srv.Handler, gatewayConfig{server: srv, tls: true, certFile: certFile, keyFile: keyFile}, srv)
}

// ServeServerListener replaces srv.Serve(l).
func ServeServerListener(p *Plan, srv *http.Server, l net.Listener) error {
	return run(p, srv.Handler, gatewayConfig{server: srv, listener: l}, srv)
}

// ServeServerListenerTLS replaces srv.ServeTLS(l, certFile, keyFile).
func ServeServerListenerTLS(p *Plan, srv *http.Server, l net.Listener, certFile, keyFile string) error {
	return run(p, srv.Handler, gatewayConfig{server: srv, listener: l, tls: true, certFile: certFile, keyFile: keyFile}, srv)
}

// run is every entry point: read the settings, start the service, and
// wait for a signal, the app's shutdown of app, or the gateway failing.
func run(p *Plan, h http.Handler, cfg gatewayConfig, app *http.Server) error {
	serving.Store(true)
	s, err := SettingsFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	svc, err := newService(p, s, h, cfg)
	if err != nil {
		return err
	}

	// Listen for signals before starting, so none is missed.
	var sigs chan os.Signal
	if !p.AppHandlesSignals {
		sigs = make(chan os.Signal, 1)
		// A signal the process started with ignored (SIGINT for a job a
		// shell put in the background) stays ignored, as in the monolith.
		for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGTERM} {
			if !signal.Ignored(sig) {
				signal.Notify(sigs, sig)
			}
		}
		defer signal.Stop(sigs)
	}
	// Hook the app's server before the gateway answers anything, so that
	// a Shutdown the app makes in answer to a request reaches the service.
	if app != nil {
		watchAppServer(app, svc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := svc.Start(ctx); err != nil {
		return err
	}

	select {
	case sig := <-sigs:
		svc.log.Info("signal received, draining", "signal", sig.String())
		svc.drain()
		reraise(sig)
		return fmt.Errorf("serve: still running after re-raising %v", sig)
	case <-svc.Done():
		return svc.Err()
	}
}

// serving is set once the app reaches its serving call.
var serving atomic.Bool

// Serving reports whether the app has reached its serving call, that is,
// whether its start-up code has finished. Generated code records the
// values the app makes during start-up, whose state it persists, and
// leaves alone those handlers make later. It is safe for concurrent use.
func Serving() bool { return serving.Load() }

// drain shuts the service down within LIQUEFY_DRAIN_TIMEOUT.
func (s *Service) drain() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.settings.DrainTimeout)
	defer cancel()
	return s.Shutdown(ctx)
}

// watchAppServer makes the app's own srv.Shutdown and srv.Close drain
// svc. The app's server never serves a connection: it is handed a
// listener that accepts nothing, whose closing (which both Shutdown and
// Close do) drains svc before srv.Serve returns, so the app's Shutdown
// returns once the service has drained, as it would in the monolith.
// Shutdown's hook is registered as well.
func watchAppServer(srv *http.Server, svc *Service) {
	srv.RegisterOnShutdown(func() { svc.drain() })
	w := &watchListener{closed: make(chan struct{}), accepting: make(chan struct{}), svc: svc}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(w)
	}()
	go func() {
		<-svc.Done()
		w.Close()
	}()

	// Serve tracks the listener before its first Accept; from then on a
	// Shutdown or Close of srv reaches it.
	select {
	case <-w.accepting:
	case <-served: // srv was already shut down: Serve returned at once
		go svc.drain()
	}
}

// A watchListener is the listener watchAppServer hands the app's server.
type watchListener struct {
	once      sync.Once
	closed    chan struct{}
	accepting chan struct{} // closed by the first Accept
	acceptOne sync.Once
	svc       *Service
}

// Accept blocks until the listener is closed, then drains the service.
func (w *watchListener) Accept() (net.Conn, error) {
	w.acceptOne.Do(func() { close(w.accepting) })
	<-w.closed
	w.svc.drain()
	return nil, net.ErrClosed
}

// Close wakes Accept; it does not wait.
func (w *watchListener) Close() error {
	w.once.Do(func() { close(w.closed) })
	return nil
}

// Addr returns the gateway's address.
func (w *watchListener) Addr() net.Addr {
	if a := w.svc.Addr(); a != nil {
		return a
	}
	return &net.TCPAddr{IP: net.IPv4zero}
}
