package runtime

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// testApp is the monolith the tests liquefy: a mux with one handler per
// behaviour under test. Handlers that block wait on release.
type testApp struct {
	mux     *http.ServeMux
	name    string        // reported by /whoami, to tell workers apart
	entered chan struct{} // /slow and /hang signal here when they start
	release chan struct{} // closed to let /slow and /hang return

	mu    sync.Mutex
	count int
}

func newTestApp(name string) *testApp {
	a := &testApp{name: name, entered: make(chan struct{}, 100), release: make(chan struct{})}
	m := http.NewServeMux()
	m.HandleFunc("GET /hello", a.hello)
	m.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/hello?from=redirect", http.StatusFound)
	})
	m.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "teapot trouble", http.StatusTeapot)
	})
	m.HandleFunc("GET /big/{size}", a.big)
	m.HandleFunc("POST /echo", a.echo)
	m.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Before", "panic")
		panic("boom")
	})
	m.HandleFunc("/trailer", a.trailer)
	m.HandleFunc("/headers", a.headers)
	m.HandleFunc("/count", a.countUp)
	m.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, a.name)
	})
	m.HandleFunc("/slow", a.wait)
	m.HandleFunc("/hang", a.wait)
	m.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		_, err := w.Write([]byte("dropped"))
		w.Header().Set("X-Write-Error", fmt.Sprint(err)) // after WriteHeader: ignored
	})
	m.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("part one,"))
		if err := http.NewResponseController(w).Flush(); err != nil {
			panic(err)
		}
		w.Write([]byte("part two"))
	})
	m.HandleFunc("/early", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "</style.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Add("Link", "</app.js>; rel=preload; as=script")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		w.Header().Set("X-Final", "yes")
		fmt.Fprint(w, "after hints")
	})
	a.mux = m
	return a
}

func (a *testApp) hello(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("X-Multi", "one")
	h.Add("X-Multi", "two")
	h.Add("X-Multi", "three")
	http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
	http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", Path: "/", HttpOnly: true})
	w.WriteHeader(http.StatusAccepted)
	w.WriteHeader(http.StatusInternalServerError) // superfluous: ignored
	h.Set("X-Late", "ignored")
	fmt.Fprintf(w, "hello %s from %s %s\n", r.URL.Query().Get("from"), r.Method, r.URL.Path)
}

func (a *testApp) big(w http.ResponseWriter, r *http.Request) {
	var n int
	fmt.Sscan(r.PathValue("size"), &n)
	w.Write(bytes.Repeat([]byte("0123456789abcdef"), n/16))
}

func (a *testApp) echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("X-Length", fmt.Sprint(r.ContentLength))
	w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
	w.Write(body)
}

func (a *testApp) trailer(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Trailer", "X-Checksum")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("body with trailers"))
	w.Header().Set("X-Checksum", "abc")
	w.Header().Set(http.TrailerPrefix+"X-Undeclared", "xyz")
}

// headers reports what the handler sees of the request.
func (a *testApp) headers(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "method=%s uri=%s path=%s query=%s proto=%s host=%s tls=%v len=%d ua=%s accept=%q",
		r.Method, r.RequestURI, r.URL.Path, r.URL.RawQuery, r.Proto, hostOnly(r.Host), r.TLS != nil,
		r.ContentLength, r.UserAgent(), r.Header.Values("Accept"))
}

func hasDeadline(ctx context.Context) bool {
	_, ok := ctx.Deadline()
	return ok
}

func (a *testApp) countUp(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.count++
	n := a.count
	a.mu.Unlock()
	fmt.Fprintf(w, "%s %d", a.name, n)
}

func (a *testApp) wait(w http.ResponseWriter, r *http.Request) {
	a.entered <- struct{}{}
	<-a.release
	fmt.Fprint(w, "done waiting")
}

// testPlan is the plan liquefy would generate for testApp: the counter is
// a singleton context, the rest stateless.
func testPlan() *Plan {
	routes := []Route{
		{Pattern: "GET /hello", Fluxion: "hello"},
		{Pattern: "/redirect", Fluxion: "misc"},
		{Pattern: "/error", Fluxion: "misc"},
		{Pattern: "GET /big/{size}", Fluxion: "misc"},
		{Pattern: "POST /echo", Fluxion: "echo"},
		{Pattern: "/panic", Fluxion: "misc"},
		{Pattern: "/trailer", Fluxion: "misc"},
		{Pattern: "/headers", Fluxion: "misc"},
		{Pattern: "/count", Fluxion: "count"},
		{Pattern: "/whoami", Fluxion: "misc"},
		{Pattern: "/slow", Fluxion: "misc"},
		{Pattern: "/hang", Fluxion: "misc"},
		{Pattern: "/nocontent", Fluxion: "misc"},
		{Pattern: "/flush", Fluxion: "misc"},
		{Pattern: "/early", Fluxion: "misc"},
	}
	return &Plan{
		Service:    "test app",
		Generator:  "test",
		Partitions: 4,
		Routes:     routes,
		Default:    "default",
		Fluxions: []Fluxion{
			{Name: "hello", Kind: Stateless},
			{Name: "misc", Kind: Stateless},
			{Name: "echo", Kind: Stateless},
			{Name: "default", Kind: Stateless},
			{Name: "count", Kind: Singleton, Context: "counter"},
		},
		Contexts:          []Context{{Name: "counter", Class: "singleton", Roots: []string{"testApp.count"}}},
		AppHandlesSignals: true,
	}
}

// testSettings are settings for a service on loopback with a random port,
// logging to a buffer the test can read.
func testSettings(t testing.TB, log *syncBuffer) Settings {
	s := DefaultSettings()
	s.Addr = "127.0.0.1:0"
	s.Timeout = 5 * time.Second
	s.DrainTimeout = 10 * time.Second
	var w io.Writer = io.Discard
	if log != nil {
		w = log
	}
	s.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return s
}

// startService starts a service and stops it when the test ends.
func startService(t testing.TB, p *Plan, s Settings, h http.Handler) *Service {
	t.Helper()
	svc, err := New(p, s, h)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := svc.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	// Runs first: connections the client dialled but never used are new
	// to the server, which waits 5s before a graceful shutdown closes one.
	t.Cleanup(noRedirect.CloseIdleConnections)
	return svc
}

// baseURL is the service's gateway URL.
func baseURL(svc *Service) string {
	return "http://" + svc.Addr().String()
}

// startNATS starts a NATS server on 127.0.0.1 with a random port, as a
// separate process's server would be, and returns its URL.
func startNATS(t testing.TB) string {
	t.Helper()
	opts := &server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir(), MaxPayload: 16 << 20,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return srv.ClientURL()
}

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       20 * time.Second,
}

// A result is what a client saw of one response.
type result struct {
	status  int
	header  http.Header
	body    string
	trailer http.Header
	err     error
}

func do(method, url, body string, header http.Header) result {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return result{err: err}
	}
	if body == "" {
		req.Body = nil
		req.ContentLength = 0
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	h := resp.Header.Clone()
	h.Del("Date")
	if len(resp.TransferEncoding) > 0 {
		h["Transfer-Encoding"] = resp.TransferEncoding
	}
	if resp.ContentLength >= 0 && h.Get("Content-Length") == "" && method != http.MethodHead {
		h.Set("X-Client-Content-Length", fmt.Sprint(resp.ContentLength))
	}
	return result{status: resp.StatusCode, header: h, body: string(b), trailer: resp.Trailer, err: err}
}

// compare sends the same request to the monolith and to the liquefied
// service and fails on any difference in status, headers (but Date),
// body or trailers.
func compare(t *testing.T, mono, liquid, method, path, body string, header http.Header) {
	t.Helper()
	want := do(method, mono+path, body, header)
	got := do(method, liquid+path, body, header)
	if want.err != nil || got.err != nil {
		t.Fatalf("%s %s: monolith err %v, liquefied err %v", method, path, want.err, got.err)
	}
	if got.status != want.status {
		t.Errorf("%s %s: status %d, monolith %d", method, path, got.status, want.status)
	}
	if !equalHeader(got.header, want.header) {
		t.Errorf("%s %s: header\n got %v\nwant %v", method, path, got.header, want.header)
	}
	if got.body != want.body {
		t.Errorf("%s %s: body %q (%d bytes), monolith %q (%d bytes)", method, path, clip(got.body), len(got.body), clip(want.body), len(want.body))
		t.Logf("full bodies:\n%s\n%s", clip2(got.body), clip2(want.body))
	}
	if !equalHeader(got.trailer, want.trailer) {
		t.Errorf("%s %s: trailer %v, monolith %v", method, path, got.trailer, want.trailer)
	}
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// A syncBuffer is a bytes.Buffer safe for concurrent use, for logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// monolith serves h on a plain httptest.Server, as the app would.
func monolith(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func clip2(s string) string {
	if len(s) > 400 {
		return s[:400]
	}
	return s
}
