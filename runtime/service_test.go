package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// monolithCases are requests whose answers must not change when the app
// is liquefied.
var monolithCases = []struct {
	method, path, body string
	header             http.Header
}{
	{"GET", "/hello?from=test", "", nil},
	{"HEAD", "/hello", "", nil},
	{"POST", "/hello", "", nil}, // 405 from the mux, via the default fluxion
	{"GET", "/nowhere", "", nil},
	{"GET", "/redirect", "", nil},
	{"GET", "/a/../hello", "", nil}, // the mux's own cleaning redirect
	{"GET", "/error", "", nil},
	{"GET", "/big/1024", "", nil},
	{"GET", "/big/4096", "", nil},
	{"HEAD", "/big/4096", "", nil},
	{"GET", "/big/100000", "", nil},
	{"GET", "/big/2000000", "", nil},
	{"POST", "/echo", "<html><body>sniff me</body></html>", nil},
	{"POST", "/echo", strings.Repeat("x", 70000), http.Header{"Content-Type": {"application/octet-stream"}}},
	{"GET", "/trailer", "", nil},
	{"GET", "/headers?q=1&r=%20", "", http.Header{"Accept": {"text/plain", "text/html"}, "User-Agent": {"liquefy-test"}}},
	{"GET", "/nocontent", "", nil},
	{"GET", "/flush", "", nil},
	{"OPTIONS", "/hello", "", nil},
	{"GET", "/early", "", nil},
}

func TestMatchesMonolith(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("fastpath=%v", fast), func(t *testing.T) {
			app := newTestApp("one")
			s := testSettings(t, nil)
			s.FastPath = fast
			svc := startService(t, testPlan(), s, app.mux)
			mono := monolith(t, app.mux)
			for _, c := range monolithCases {
				compare(t, mono, baseURL(svc), c.method, c.path, c.body, c.header)
			}
		})
	}
}

func TestPanicAbortsConnection(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("fastpath=%v", fast), func(t *testing.T) {
			log := &syncBuffer{}
			app := newTestApp("one")
			s := testSettings(t, log)
			s.FastPath = fast
			svc := startService(t, testPlan(), s, app.mux)
			mono := monolith(t, app.mux)

			for _, base := range []string{mono, baseURL(svc)} {
				r := do("GET", base+"/panic", "", nil)
				if r.err == nil {
					t.Errorf("%s/panic: got status %d, want the connection aborted", base, r.status)
				}
				if r := do("GET", base+"/hello", "", nil); r.err != nil || r.status != http.StatusAccepted {
					t.Errorf("%s/hello after a panic: %v %d", base, r.err, r.status)
				}
			}
			if l := log.String(); !strings.Contains(l, "handler panic") || !strings.Contains(l, "boom") || !strings.Contains(l, "goroutine") {
				t.Errorf("log lacks the panic and its stack:\n%s", l)
			}
		})
	}
}

func TestDrainTimeout(t *testing.T) {
	app := newTestApp("one")
	s := testSettings(t, nil)
	s.FastPath = false
	svc, err := New(testPlan(), s, app.mux)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer close(app.release)
	go do("GET", baseURL(svc)+"/hang", "", nil)
	<-app.entered

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = svc.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("shutdown with a hung handler: %v after %v, want the drain bound", err, time.Since(start))
	}
}

func TestBodyLimit(t *testing.T) {
	app := newTestApp("one")
	s := testSettings(t, nil)
	s.MaxBody = 1000
	svc := startService(t, testPlan(), s, app.mux)

	r := do("POST", baseURL(svc)+"/echo", strings.Repeat("y", 1001), nil)
	if r.err != nil || r.status != http.StatusRequestEntityTooLarge || !strings.HasPrefix(r.body, "liquefy:") {
		t.Errorf("body over the limit: %v %d %q, want 413", r.err, r.status, r.body)
	}

	// A chunked body has no length to check up front.
	req, _ := http.NewRequest("POST", baseURL(svc)+"/echo", io.MultiReader(strings.NewReader(strings.Repeat("z", 2000))))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body over the limit: status %d, want 413", resp.StatusCode)
	}
	if r := do("POST", baseURL(svc)+"/echo", strings.Repeat("y", 1000), nil); r.status != http.StatusOK || len(r.body) != 1000 {
		t.Errorf("body at the limit: %d, %d bytes", r.status, len(r.body))
	}
}

func TestResponseTooLarge(t *testing.T) {
	log := &syncBuffer{}
	app := newTestApp("one")
	s := testSettings(t, log)
	s.MaxBody = 1000 // the embedded server's max payload is then about 1 MiB
	s.FastPath = false
	svc := startService(t, testPlan(), s, app.mux)

	r := do("GET", baseURL(svc)+"/big/2000000", "", nil)
	if r.err != nil || r.status != http.StatusBadGateway || !strings.HasPrefix(r.body, "liquefy: fluxion misc:") {
		t.Errorf("response over max payload: %v %d %q, want 502", r.err, r.status, r.body)
	}
	if !strings.Contains(log.String(), "response too large") {
		t.Errorf("no log line for the response too large:\n%s", log.String())
	}
}

func TestNoWorker(t *testing.T) {
	// With two workers, the counter's owner is one of them; run only the
	// other, so nobody listens on the counter's subject.
	p := testPlan()
	owner := contextOwner(Singleton, "counter", 2)
	app := newTestApp("one")
	log := &syncBuffer{}
	s := testSettings(t, log)
	s.Workers, s.WorkerIndex = 2, 1-owner
	svc := startService(t, p, s, app.mux)

	r := do("GET", baseURL(svc)+"/count", "", nil)
	if r.err != nil || r.status != http.StatusServiceUnavailable || !strings.HasPrefix(r.body, "liquefy: fluxion count:") {
		t.Errorf("no worker: %v %d %q, want 503 naming the fluxion", r.err, r.status, r.body)
	}
	if r := do("GET", baseURL(svc)+"/hello", "", nil); r.status != http.StatusAccepted {
		t.Errorf("stateless route with the counter's owner missing: %d", r.status)
	}
	if l := log.String(); !strings.Contains(l, `msg="request failed"`) || !strings.Contains(l, "fluxion=count") || !strings.Contains(l, "status=503") {
		t.Errorf("no log line for the 503:\n%s", l)
	}
}

func TestTimeout(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("fastpath=%v", fast), func(t *testing.T) {
			app := newTestApp("one")
			s := testSettings(t, nil)
			s.Timeout = 300 * time.Millisecond
			s.FastPath = fast
			svc := startService(t, testPlan(), s, app.mux)
			defer close(app.release) // before Shutdown, which waits for the handler

			start := time.Now()
			r := do("GET", baseURL(svc)+"/hang", "", nil)
			took := time.Since(start)
			if r.err != nil || r.status != http.StatusGatewayTimeout || !strings.HasPrefix(r.body, "liquefy: fluxion misc:") {
				t.Errorf("hanging worker: %v %d %q, want 504", r.err, r.status, r.body)
			}
			if took < s.Timeout || took > s.Timeout+3*time.Second {
				t.Errorf("504 after %v, want about %v", took, s.Timeout)
			}
		})
	}
}

func TestConcurrentRequests(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("fastpath=%v", fast), func(t *testing.T) {
			app := newTestApp("one")
			s := testSettings(t, nil)
			s.FastPath = fast
			svc := startService(t, testPlan(), s, app.mux)

			const n = 300
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Go(func() {
					body := fmt.Sprintf("request %d %s", i, strings.Repeat("-", i*10))
					r := do("POST", baseURL(svc)+"/echo", body, nil)
					if r.err != nil || r.status != http.StatusOK || r.body != body {
						errs <- fmt.Errorf("request %d: %v %d %q", i, r.err, r.status, clip(r.body))
					}
					if r := do("GET", baseURL(svc)+"/count", "", nil); r.status != http.StatusOK {
						errs <- fmt.Errorf("count %d: %v %d", i, r.err, r.status)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if r := do("GET", baseURL(svc)+"/count", "", nil); r.body != fmt.Sprintf("one %d", n+1) {
				t.Errorf("counter after %d increments: %q", n, r.body)
			}
		})
	}
}

func TestShutdownFinishesInFlight(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("fastpath=%v", fast), func(t *testing.T) {
			app := newTestApp("one")
			s := testSettings(t, nil)
			s.FastPath = fast
			svc, err := New(testPlan(), s, app.mux)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			url := baseURL(svc)

			// Start a slow request and wait until its handler runs.
			got := make(chan result, 1)
			go func() { got <- do("GET", url+"/slow", "", nil) }()
			<-app.entered

			// Shut down while it is in flight.
			stopped := make(chan error, 1)
			go func() { stopped <- svc.Shutdown(context.Background()) }()
			waitFor(t, "the gateway to stop accepting", func() bool {
				c, err := net.Dial("tcp", svc.Addr().String())
				if err == nil {
					c.Close()
				}
				return err != nil
			})
			select {
			case err := <-stopped:
				t.Fatalf("shutdown returned %v with a request in flight", err)
			default:
			}

			close(app.release)
			if r := <-got; r.err != nil || r.status != http.StatusOK || r.body != "done waiting" {
				t.Errorf("in-flight request: %v %d %q", r.err, r.status, r.body)
			}
			if err := <-stopped; err != nil {
				t.Errorf("shutdown: %v", err)
			}
			if err := svc.Err(); !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Err after shutdown: %v", err)
			}
		})
	}
}

// TestSeparateProcesses runs gateway and worker as separate services
// joined over a NATS server on loopback, the shape of a multi-process
// deployment.
func TestSeparateProcesses(t *testing.T) {
	url := startNATS(t)
	app := newTestApp("worker")

	ws := testSettings(t, nil)
	ws.Role, ws.NATS = RoleWorker, url
	worker := startService(t, testPlan(), ws, app.mux)
	if worker.Addr() != nil {
		t.Errorf("worker listens on %v", worker.Addr())
	}

	gs := testSettings(t, nil)
	gs.Role, gs.NATS = RoleGateway, url
	gateway := startService(t, testPlan(), gs, http.NotFoundHandler()) // the gateway never runs the handler
	mono := monolith(t, app.mux)
	for _, c := range monolithCases {
		if c.path == "/big/2000000" {
			continue // over this server's max payload
		}
		compare(t, mono, baseURL(gateway), c.method, c.path, c.body, c.header)
	}
}

// TestEmbeddedServerJoined runs a role-all service whose embedded server
// listens on loopback, and a second worker process joining it.
func TestEmbeddedServerJoined(t *testing.T) {
	app := newTestApp("all")
	s := testSettings(t, nil)
	s.NATSListen = "127.0.0.1:0"
	s.FastPath = false
	s.Workers, s.WorkerIndex = 2, 0
	all := startService(t, testPlan(), s, app.mux)
	if all.embedded.listener == "" {
		t.Fatal("embedded server does not listen")
	}

	other := newTestApp("joined")
	ws := testSettings(t, nil)
	ws.Role, ws.NATS = RoleWorker, all.embedded.listener
	ws.Workers, ws.WorkerIndex = 2, 1
	startService(t, testPlan(), ws, other.mux)

	want := map[int]string{0: "all", 1: "joined"}[contextOwner(Singleton, "counter", 2)]
	for i := range 5 {
		r := do("GET", baseURL(all)+"/count", "", nil)
		if r.body != fmt.Sprintf("%s %d", want, i+1) {
			t.Errorf("count %d: %q, want it from %s", i, r.body, want)
		}
	}
}

// TestSingletonOwner checks that with two workers a singleton context's
// requests reach only its owner, while stateless ones reach both.
func TestSingletonOwner(t *testing.T) {
	url := startNATS(t)
	apps := []*testApp{newTestApp("w0"), newTestApp("w1")}
	for i, app := range apps {
		s := testSettings(t, nil)
		s.Role, s.NATS, s.Workers, s.WorkerIndex = RoleWorker, url, 2, i
		startService(t, testPlan(), s, app.mux)
	}
	gs := testSettings(t, nil)
	gs.Role, gs.NATS = RoleGateway, url
	gw := startService(t, testPlan(), gs, nil)

	owner := contextOwner(Singleton, "counter", 2)
	seen := map[string]int{}
	for i := range 40 {
		r := do("GET", baseURL(gw)+"/count", "", nil)
		if want := fmt.Sprintf("w%d %d", owner, i+1); r.body != want {
			t.Errorf("count %d: %q, want %q", i, r.body, want)
		}
		seen[do("GET", baseURL(gw)+"/whoami", "", nil).body]++
	}
	if seen["w0"] == 0 || seen["w1"] == 0 {
		t.Errorf("stateless requests reached %v, want both workers", seen)
	}
}

func TestHealth(t *testing.T) {
	app := newTestApp("one")
	s := testSettings(t, nil)
	s.HealthAddr = "127.0.0.1:0"
	svc := startService(t, testPlan(), s, app.mux)
	for _, path := range []string{"/livez", "/readyz"} {
		r := do("GET", "http://"+svc.HealthAddr().String()+path, "", nil)
		if r.err != nil || r.status != http.StatusOK {
			t.Errorf("%s: %v %d", path, r.err, r.status)
		}
	}
	if r := do("GET", baseURL(svc)+"/livez", "", nil); r.status != http.StatusNotFound {
		t.Errorf("/livez on the app's port: %d, want the app's 404", r.status)
	}
}

func TestBadPlan(t *testing.T) {
	for name, edit := range map[string]func(*Plan){
		"unknown fluxion":   func(p *Plan) { p.Routes[0].Fluxion = "nope" },
		"no default":        func(p *Plan) { p.Default = "" },
		"unknown context":   func(p *Plan) { p.Fluxions[4].Context = "nope" },
		"duplicate pattern": func(p *Plan) { p.Routes[1].Pattern = p.Routes[0].Pattern },
		"bad pattern":       func(p *Plan) { p.Routes[0].Pattern = "GET /{" },
		"unknown kind":      func(p *Plan) { p.Fluxions[0].Kind = "odd" },
		"token clash": func(p *Plan) {
			p.Contexts = append(p.Contexts, Context{Name: "counter"}, Context{Name: "count.er"}, Context{Name: "count_er"})
			p.Contexts = p.Contexts[1:]
		},
	} {
		p := testPlan()
		edit(p)
		if _, err := New(p, testSettings(t, nil), nil); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	s := testSettings(t, nil)
	s.Concurrency = 0
	if _, err := New(testPlan(), s, nil); err == nil || !strings.Contains(err.Error(), "LIQUEFY_CONCURRENCY") {
		t.Errorf("zero concurrency: %v", err)
	}
}

// TestInterimResponses checks that 1xx responses reach the client as in
// the monolith, each with the header the handler had set at the time.
func TestInterimResponses(t *testing.T) {
	app := newTestApp("one")
	s := testSettings(t, nil)
	s.FastPath = false
	svc := startService(t, testPlan(), s, app.mux)
	mono := monolith(t, app.mux)

	interims := func(url string) string {
		var got []string
		trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			got = append(got, fmt.Sprint(code, h["Link"]))
			return nil
		}}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", url+"/early", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return strings.Join(got, "; ") + " then " + resp.Status + " " + fmt.Sprint(resp.Header["Link"], resp.Header["X-Final"])
	}
	want, got := interims(mono), interims(baseURL(svc))
	if got != want || !strings.Contains(want, "103") {
		t.Errorf("interim responses\n got %s\nwant %s", got, want)
	}
}

// TestDuplicateWorkerIndexRefused starts a second worker with an index a
// running worker already has: it must refuse to start, since both would
// own the same partitions.
func TestDuplicateWorkerIndexRefused(t *testing.T) {
	url := startNATS(t)
	app := newTestApp("w")
	s := testSettings(t, nil)
	s.Role, s.NATS, s.Workers, s.WorkerIndex = RoleWorker, url, 2, 1
	startService(t, testPlan(), s, app.mux)

	twin, err := New(testPlan(), s, app.mux)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = twin.Start(ctx)
	if err == nil || !strings.Contains(err.Error(), "worker 1 of service") || !strings.Contains(err.Error(), "already runs") {
		t.Fatalf("second worker 1 started: %v", err)
	}
	twin.Shutdown(ctx)

	// Another index starts.
	s.WorkerIndex = 0
	startService(t, testPlan(), s, app.mux)
}
