package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// A gateway is the http.Handler of the gateway's server: it matches each
// request to a fluxion, forwards it to the fluxion's subject (or, on the
// fast path, to this process's worker) and writes back the recorded
// response. It is safe for concurrent use.
type gateway struct {
	table   *table
	mux     *http.ServeMux // the plan's patterns, each to a *routeHandler
	nc      *nats.Conn
	local   *worker // the fast path's worker; nil when requests always go over NATS
	timeout time.Duration
	maxBody int64
	log     *slog.Logger
	limit   *limiter
}

// A routeHandler is, in the gateway's mux, the handler of a pattern: it
// names the pattern's fluxion. The gateway looks it up with mux.Handler,
// and dispatches through mux.ServeHTTP only for fluxions with a key
// function, which need r.PathValue.
type routeHandler struct {
	g  *gateway
	rt *route
}

// ServeHTTP forwards r to the route's fluxion.
func (h routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.g.serve(w, r, h.rt)
}

// newGatewayMux registers the plan's patterns on a fresh mux, spelled as
// the binary's ServeMux mode expects, with handlers that forward through
// g. A pattern the mux rejects is an error, not a panic.
func newGatewayMux(p *Plan, t *table, g *gateway) (mux *http.ServeMux, err error) {
	mux = http.NewServeMux()
	legacy := legacyMux()
	for i, r := range p.Routes {
		pattern := r.Pattern
		if legacy && (r.Implicit || isStandardPattern(pattern)) {
			pattern = strings.TrimPrefix(pattern, "GET ")
		}
		if err := register(mux, pattern, routeHandler{g, t.routes[i]}); err != nil {
			return nil, err
		}
	}
	return mux, nil
}

// register is mux.Handle with its panic turned into an error.
func register(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("register pattern %q: %v", pattern, v)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// legacyMux reports whether this binary's ServeMux is the one before Go
// 1.22 (GODEBUG httpmuxgo121=1), found by probing a throw-away mux: the
// old mux takes "GET /p" for a host name and so never matches it.
func legacyMux() bool {
	mux := http.NewServeMux()
	if register(mux, "GET /liquefy-probe", http.NotFoundHandler()) != nil {
		return true
	}
	r := &http.Request{Method: http.MethodGet, Host: "probe", URL: &url.URL{Path: "/liquefy-probe"}}
	_, pattern := mux.Handler(r)
	return pattern == ""
}

// isStandardPattern reports whether pattern is one that expvar or
// net/http/pprof registers, which they spell without the method under the
// legacy mux.
func isStandardPattern(pattern string) bool {
	return pattern == "GET /debug/vars" || strings.HasPrefix(pattern, "GET /debug/pprof/")
}

// match returns the route of r: the fluxion of the pattern it matches, or
// the default for requests the mux would not route to a registered
// handler (404s, its redirects, 405s). It reports whether a pattern
// matched.
func (g *gateway) match(r *http.Request) (*route, bool) {
	if h, _ := g.mux.Handler(r); h != nil {
		if rh, ok := h.(routeHandler); ok {
			return rh.rt, true
		}
	}
	return g.table.dflt, false
}

// ServeHTTP forwards r to its fluxion and writes back the reply. A keyed
// route is dispatched through the mux, so that its key function sees
// the path values; the mux matches r as match did.
func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, matched := g.match(r)
	if matched && rt.key != nil {
		g.mux.ServeHTTP(w, r)
		return
	}
	g.serve(w, r, rt)
}

// serve forwards r to rt's owner: the owner of its key's partition for a
// keyed fluxion.
func (g *gateway) serve(w http.ResponseWriter, r *http.Request, rt *route) {
	body, ok := g.readBody(w, r, rt)
	if !ok {
		return
	}
	key, hasKey := g.key(rt, r, body)
	part := 0
	if hasKey {
		part = partitionOf(key, g.table.partitions)
	}
	subject, local := rt.target(part)

	// Forward the request with a deadline the worker shares.
	ctx, cancel := context.WithTimeout(r.Context(), g.timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	req := &wireRequest{
		Fluxion:          rt.fluxion,
		HasKey:           hasKey,
		Key:              key,
		Partition:        part,
		Method:           r.Method,
		RequestURI:       r.RequestURI,
		Proto:            r.Proto,
		ProtoMajor:       r.ProtoMajor,
		ProtoMinor:       r.ProtoMinor,
		Host:             r.Host,
		RemoteAddr:       r.RemoteAddr,
		Header:           r.Header,
		ContentLength:    r.ContentLength,
		TransferEncoding: r.TransferEncoding,
		TLS:              r.TLS != nil,
		Deadline:         deadline.UnixNano(),
		Body:             body,
	}
	resp, err := g.forward(ctx, subject, local, req)
	if err != nil {
		g.fail(w, r, rt, subject, err)
		return
	}
	g.write(w, rt, subject, resp)
}

// key runs rt's key function, if it has one. A key function that panics
// selects no entry: the request goes to partition 0, where the handler
// meets the same input.
func (g *gateway) key(rt *route, r *http.Request, body []byte) (key string, ok bool) {
	if rt.key == nil {
		return "", false
	}
	defer func() {
		if v := recover(); v != nil {
			g.limit.log(g.log, slog.LevelWarn, "key function panic", "fluxion", rt.fluxion, "panic", fmt.Sprint(v))
			key, ok = "", false
		}
	}()
	return rt.key(r, body)
}

// readBody reads r's body up to the limit; past it, or on a read error,
// it answers the client itself and reports false.
func (g *gateway) readBody(w http.ResponseWriter, r *http.Request, rt *route) ([]byte, bool) {
	if r.ContentLength > g.maxBody {
		g.refuseBody(w, rt)
		return nil, false
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, g.maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		g.refuseBody(w, rt)
		return nil, false
	case err != nil:
		http.Error(w, "liquefy: reading the request body: "+err.Error(), http.StatusBadRequest)
		return nil, false
	}
	return buf.Bytes(), true
}

func (g *gateway) refuseBody(w http.ResponseWriter, rt *route) {
	msg := fmt.Sprintf("liquefy: request body larger than %d bytes (LIQUEFY_MAX_BODY) for fluxion %s", g.maxBody, rt.fluxion)
	http.Error(w, msg, http.StatusRequestEntityTooLarge)
}

// forward sends req to subject, or to the local worker when it owns the
// subject, and returns the reply.
func (g *gateway) forward(ctx context.Context, subject string, local bool, req *wireRequest) (*wireResponse, error) {
	if g.local != nil && local {
		// The handler may change the header, and may still run when the
		// gateway gives up and net/http reads the request again.
		req.Header = req.Header.Clone()
		return g.local.call(ctx, req)
	}
	msg, err := g.nc.RequestWithContext(ctx, subject, appendRequest(nil, req))
	if err != nil {
		return nil, err
	}
	return decodeResponse(msg.Data)
}

// fail answers a request that got no reply, with a plain-text body that
// names the fluxion, and logs why.
func (g *gateway) fail(w http.ResponseWriter, r *http.Request, rt *route, subject string, err error) {
	status, why := http.StatusBadGateway, "the messaging system failed"
	switch {
	case r.Context().Err() != nil:
		return // the client went away; nobody reads an answer
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, errStopped):
		status, why = http.StatusServiceUnavailable, "no worker is serving it"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		status, why = http.StatusGatewayTimeout, fmt.Sprintf("no reply within %v (LIQUEFY_TIMEOUT)", g.timeout)
	case errors.Is(err, nats.ErrMaxPayload):
		status, why = http.StatusRequestEntityTooLarge, "the request is larger than the messaging system's max payload"
	case errors.Is(err, errWire):
		why = "the reply could not be decoded"
	}
	g.limit.log(g.log, slog.LevelWarn, "request failed", "fluxion", rt.fluxion, "subject", subject, "status", status, "err", err)
	http.Error(w, fmt.Sprintf("liquefy: fluxion %s: %s", rt.fluxion, why), status)
}

// write replays resp on w: the informational responses, the header as
// the handler fixed it, the status, the body, a flush if the handler
// flushed, then the trailers.
// An aborted response aborts the client's connection as net/http does
// when a handler panics.
func (g *gateway) write(w http.ResponseWriter, rt *route, subject string, resp *wireResponse) {
	switch resp.Outcome {
	case outcomeAborted:
		panic(http.ErrAbortHandler)
	case outcomeTooLarge:
		g.limit.log(g.log, slog.LevelError, "response too large", "fluxion", rt.fluxion, "subject", subject)
		msg := fmt.Sprintf("liquefy: fluxion %s: the response is larger than the messaging system's max payload", rt.fluxion)
		http.Error(w, msg, http.StatusBadGateway)
		return
	}

	h := w.Header()
	for _, in := range resp.Interim {
		replaceHeader(h, in.Header)
		w.WriteHeader(in.Status)
	}
	replaceHeader(h, resp.Header)
	w.WriteHeader(resp.Status)
	if len(resp.Body) > 0 {
		w.Write(resp.Body)
	}
	if resp.Flushed {
		http.NewResponseController(w).Flush()
	}
	for k, v := range resp.Trailer {
		h[k] = v
	}
}

// replaceHeader makes h hold exactly the keys and values of src.
func replaceHeader(h, src http.Header) {
	for k := range h {
		if _, ok := src[k]; !ok {
			delete(h, k)
		}
	}
	for k, v := range src {
		h[k] = v
	}
}
