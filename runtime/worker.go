package runtime

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// errStopped is returned for work offered to a worker that is draining.
var errStopped = errors.New("worker stopped")

// A worker runs the app's handler for the messages this process owns:
// those its subscriptions deliver, and those the gateway hands over on
// the fast path. Both go through run, so the recorder, the panic handling
// and the concurrency bound are the same.
type worker struct {
	handler http.Handler
	table   *table
	store   *store // nil when no context is persisted
	log     *slog.Logger
	limit   *limiter
	sem     chan struct{} // bounds the handlers running at once
	work    tracker       // handlers started and not yet finished
	nc      *nats.Conn
	subs    []*nats.Subscription
	base    atomic.Pointer[baseContext]
}

func newWorker(h http.Handler, t *table, st *store, concurrency int, log *slog.Logger, limit *limiter) *worker {
	w := &worker{handler: h, table: t, store: st, log: log, limit: limit, sem: make(chan struct{}, concurrency)}
	w.setBase(context.Background())
	return w
}

// setBase sets the context requests derive from: the app's server under
// http.ServerContextKey, on top of what its BaseContext returned, as a
// handler in the monolith sees. It may be called while requests run.
func (w *worker) setBase(ctx context.Context) {
	w.base.Store(&baseContext{ctx})
}

// A baseContext is the context every request's context derives from,
// boxed for atomic.Pointer.
type baseContext struct{ ctx context.Context }

// subscribe listens on every subject of t. On error the subscriptions
// made so far stay recorded, so drain removes them.
func (w *worker) subscribe(nc *nats.Conn, t *table) error {
	w.nc = nc
	for _, s := range t.subjects {
		sub, err := nc.QueueSubscribe(s.subject, s.queue, w.onMsg)
		if err != nil {
			return fmt.Errorf("subscribe %s: %w", s.subject, err)
		}
		// The semaphore bounds concurrency; the client's buffer must
		// not drop what waits for it.
		if err := sub.SetPendingLimits(-1, -1); err != nil {
			return fmt.Errorf("subscribe %s: %w", s.subject, err)
		}
		w.subs = append(w.subs, sub)
		w.log.Debug("subscribed", "subject", s.subject, "queue", s.queue)
	}
	return nil
}

// onMsg is the subscriptions' callback. It waits for a free slot, which
// holds further deliveries back, then handles m on its own goroutine.
func (w *worker) onMsg(m *nats.Msg) {
	w.sem <- struct{}{}
	if !w.work.add() {
		<-w.sem
		return
	}
	go func() {
		defer w.release()
		w.handleMsg(m)
	}()
}

func (w *worker) release() {
	<-w.sem
	w.work.done()
}

// handleMsg decodes m, runs the handler and replies.
func (w *worker) handleMsg(m *nats.Msg) {
	req, err := decodeRequest(m.Data)
	if err != nil {
		w.limit.log(w.log, slog.LevelError, "bad request message", "subject", m.Subject, "err", err)
		w.reply(m, "", &wireResponse{Status: http.StatusBadGateway, Body: []byte("liquefy: worker could not decode the request\n")})
		return
	}

	// The gateway has already answered 504 for a request whose deadline
	// passed while it waited here; running it now would apply a change
	// the client was told did not happen in time.
	if req.Deadline != 0 && time.Now().UnixNano() >= req.Deadline {
		w.limit.log(w.log, slog.LevelWarn, "request expired before it ran", "fluxion", req.Fluxion, "subject", m.Subject)
		return
	}
	w.reply(m, req.Fluxion, w.serve(req))
}

// reply sends resp, or a too-large outcome when it does not fit.
func (w *worker) reply(m *nats.Msg, fluxion string, resp *wireResponse) {
	data := appendResponse(nil, resp)
	if max := w.nc.MaxPayload(); int64(len(data)) > max {
		w.limit.log(w.log, slog.LevelError, "response too large for a message", "fluxion", fluxion, "subject", m.Subject, "size", len(data), "max", max)
		data = appendResponse(nil, &wireResponse{Outcome: outcomeTooLarge})
	}
	if err := m.Respond(data); err != nil {
		w.limit.log(w.log, slog.LevelError, "reply failed", "fluxion", fluxion, "subject", m.Subject, "err", err)
	}
}

// call runs req on the fast path: in this process, without NATS or the
// wire encoding. It waits for the handler until ctx is done, as the
// gateway waits for a reply; a handler still running then goes on, as it
// would on a remote worker.
func (w *worker) call(ctx context.Context, req *wireRequest) (*wireResponse, error) {
	select {
	case w.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !w.work.add() {
		<-w.sem
		return nil, errStopped
	}
	done := make(chan *wireResponse, 1)
	go func() {
		defer w.release()
		done <- w.serve(req)
	}()
	select {
	case resp := <-done:
		return resp, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// serve runs req and, when its fluxion writes persisted state, stores
// the context before the response is returned. A response is never sent
// for a change that was not stored: a failed write becomes a 503.
func (w *worker) serve(req *wireRequest) *wireResponse {
	rt := w.table.fluxions[req.Fluxion]
	if resp := w.checkPartition(rt, req); resp != nil {
		return resp
	}
	persists := w.persists(rt, req)
	if persists && rt.kind == Keyed {
		// A key that cannot be stored is refused before the handler
		// changes anything.
		if _, err := w.store.bucketKey(rt.ctx, req.Key); err != nil {
			return w.notStored(rt, err)
		}
	}
	resp, ran := w.run(req)
	if !ran || !persists {
		return resp
	}

	// The handler ran, even if it panicked: store what it left.
	err := w.persist(rt, req)
	if err == nil || resp.Outcome == outcomeAborted {
		return resp
	}
	return w.notStored(rt, err)
}

// notStored logs a failure to store rt's context and returns the 503
// that replaces the handler's response.
func (w *worker) notStored(rt *route, err error) *wireResponse {
	w.limit.log(w.log, slog.LevelError, "persist failed", "fluxion", rt.fluxion, "context", rt.ctx.name, "err", err)
	return plainResponse(http.StatusServiceUnavailable,
		fmt.Sprintf("liquefy: fluxion %s: the change could not be stored, so it is not acknowledged: %v", rt.fluxion, err))
}

// persists reports whether a run of req must be followed by a write to
// the bucket: its fluxion writes a persisted context, and, when keyed,
// names a key (a request that selects no entry changes none).
func (w *worker) persists(rt *route, req *wireRequest) bool {
	if w.store == nil || rt == nil || !rt.writes || !rt.ctx.persists() {
		return false
	}
	return rt.kind != Keyed || req.HasKey
}

// persist writes what req's run changed through to the bucket.
func (w *worker) persist(rt *route, req *wireRequest) error {
	if rt.kind == Keyed {
		return w.store.persistKey(rt.ctx, req.Key)
	}
	return w.store.persistWhole(rt.ctx)
}

// checkPartition refuses a keyed request whose partition this worker
// computes differently from the gateway: the two disagree on the
// partition count, and running it could split one key over two owners.
func (w *worker) checkPartition(rt *route, req *wireRequest) *wireResponse {
	if rt == nil || rt.kind != Keyed {
		return nil
	}
	want := 0
	if req.HasKey {
		want = partitionOf(req.Key, w.table.partitions)
	}
	if req.Partition == want {
		return nil
	}
	w.limit.log(w.log, slog.LevelError, "partition mismatch", "fluxion", rt.fluxion, "partition", req.Partition, "want", want, "partitions", w.table.partitions)
	return plainResponse(http.StatusServiceUnavailable,
		fmt.Sprintf("liquefy: fluxion %s: gateway and worker disagree on the partition count (LIQUEFY_PARTITIONS); this worker has %d", rt.fluxion, w.table.partitions))
}

// plainResponse is the response http.Error would write.
func plainResponse(status int, msg string) *wireResponse {
	h := http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "X-Content-Type-Options": {"nosniff"}}
	return &wireResponse{Status: status, Header: h, Body: []byte(msg + "\n")}
}

// run replays req into the app's handler with a recorder and reports
// whether the handler ran. A panic is recovered and logged with its
// stack, as net/http does, and becomes an aborted response;
// http.ErrAbortHandler aborts without a log line.
func (w *worker) run(req *wireRequest) (resp *wireResponse, ran bool) {
	r, cancel, err := buildRequest(w.base.Load().ctx, req)
	if err != nil {
		w.limit.log(w.log, slog.LevelError, "bad request", "fluxion", req.Fluxion, "err", err)
		return &wireResponse{Status: http.StatusBadRequest, Body: []byte("liquefy: " + err.Error() + "\n")}, false
	}
	defer cancel()

	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v != http.ErrAbortHandler {
			w.limit.log(w.log, slog.LevelError, "handler panic", "fluxion", req.Fluxion, "remote", req.RemoteAddr,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
		resp, ran = &wireResponse{Outcome: outcomeAborted}, true
	}()
	rec := newRecorder()
	w.handler.ServeHTTP(rec, r)
	if rec.superfluous != "" {
		w.limit.log(w.log, slog.LevelWarn, "superfluous WriteHeader", "fluxion", req.Fluxion, "caller", rec.superfluous)
	}
	return rec.finish(), true
}

// buildRequest makes the *http.Request a server would have made for req,
// with a context derived from base that ends at the gateway's deadline.
func buildRequest(base context.Context, req *wireRequest) (*http.Request, context.CancelFunc, error) {
	u, err := parseRequestURI(req.Method, req.RequestURI)
	if err != nil {
		return nil, nil, err
	}
	h := req.Header
	if h == nil {
		h = make(http.Header)
	}
	r := &http.Request{
		Method:           req.Method,
		URL:              u,
		Proto:            req.Proto,
		ProtoMajor:       req.ProtoMajor,
		ProtoMinor:       req.ProtoMinor,
		Header:           h,
		Body:             http.NoBody,
		ContentLength:    req.ContentLength,
		TransferEncoding: req.TransferEncoding,
		Host:             req.Host,
		RemoteAddr:       req.RemoteAddr,
		RequestURI:       req.RequestURI,
	}
	if len(req.Body) > 0 || req.ContentLength != 0 {
		r.Body = io.NopCloser(bytes.NewReader(req.Body))
	}
	if req.TLS {
		r.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: hostOnly(req.Host)}
	}

	// Bound the handler's context by the gateway's deadline.
	ctx, cancel := base, context.CancelFunc(func() {})
	if req.Deadline != 0 {
		ctx, cancel = context.WithDeadline(ctx, time.Unix(0, req.Deadline))
	}
	return r.WithContext(ctx), cancel, nil
}

// parseRequestURI parses the request target as net/http's server does:
// CONNECT may name just an authority.
func parseRequestURI(method, uri string) (*url.URL, error) {
	authority := method == http.MethodConnect && !strings.HasPrefix(uri, "/")
	if authority {
		uri = "http://" + uri
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, fmt.Errorf("parse request target: %w", err)
	}
	if authority {
		u.Scheme = ""
	}
	return u, nil
}

// hostOnly strips a port from host.
func hostOnly(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		return host[:i]
	}
	return host
}

// drain stops the subscriptions, lets the messages already delivered run,
// and waits for every handler to finish or ctx to end.
func (w *worker) drain(ctx context.Context) error {
	// Wait for each subscription to close: its last callback has run.
	var closed []<-chan nats.SubStatus
	for _, sub := range w.subs {
		closed = append(closed, sub.StatusChanged(nats.SubscriptionClosed))
		if err := sub.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) && !errors.Is(err, nats.ErrBadSubscription) {
			return fmt.Errorf("drain subscription %s: %w", sub.Subject, err)
		}
	}
	for _, ch := range closed {
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("drain subscriptions: %w", ctx.Err())
		}
	}

	// Then wait for the handlers those callbacks started.
	if err := w.work.close(ctx); err != nil {
		return fmt.Errorf("drain handlers: %w", err)
	}
	return nil
}

// A tracker counts work in flight and, once closed, refuses new work and
// reports when the last piece finishes. Its methods are safe for
// concurrent use.
type tracker struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{} // made by close, closed when n reaches 0
}

// add counts one more piece of work and reports whether the tracker
// accepted it.
func (t *tracker) add() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.n++
	return true
}

// done counts one piece of work finished.
func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.closed && t.n == 0 {
		close(t.idle)
	}
}

// close refuses new work and waits until the work in flight is done or
// ctx ends. It is called once.
func (t *tracker) close(ctx context.Context) error {
	t.mu.Lock()
	t.closed = true
	t.idle = make(chan struct{})
	if t.n == 0 {
		close(t.idle)
	}
	t.mu.Unlock()
	select {
	case <-t.idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
