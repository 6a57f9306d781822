package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.4.5.6", true},
		{"https://localhost:8443/api", true},
		{"http://LOCALHOST", true},
		{"http://[::1]:9000", true},
		{"http://192.0.2.1:80", false},
		{"http://10.0.0.1", false},
		{"http://[2001:db8::1]:80", false},
		{"http://localhost.example.com", false},
		{"http://example.com", false},
		{"ftp://127.0.0.1", false},
		{"127.0.0.1:8080", false},
	} {
		err := CheckLoopback(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

func TestRunRefusesRemoteTargets(t *testing.T) {
	reqs := []Request{{Path: "/"}}
	for _, u := range []string{"http://192.0.2.1:80", "http://example.com"} {
		_, err := Run(context.Background(), Config{URL: u, Requests: reqs, MaxRequests: 1})
		if !errors.Is(err, ErrNotLoopback) {
			t.Errorf("Run(%s) error = %v, want ErrNotLoopback", u, err)
		}
	}
}

func TestDialerRefusesRemoteAddresses(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:80": true, "[::1]:80": true,
		"192.0.2.1:80": false, "[2001:db8::1]:80": false, "nonsense": false,
	} {
		if err := loopbackOnly("tcp", addr, nil); (err == nil) != ok {
			t.Errorf("loopbackOnly(%s) = %v, want ok=%v", addr, err, ok)
		}
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if _, err := Run(context.Background(), Config{URL: srv.URL}); err == nil {
		t.Error("Run with no requests: no error")
	}
	bad := []Request{{Path: "http://192.0.2.1/"}}
	if _, err := Run(context.Background(), Config{URL: srv.URL, Requests: bad}); err == nil {
		t.Error("Run with an absolute URL as path: no error")
	}
}

// countingServer starts a loopback server that answers 200 and counts
// requests and new connections.
func countingServer(t *testing.T) (srv *httptest.Server, hits, conns *atomic.Int64) {
	hits, conns = new(atomic.Int64), new(atomic.Int64)
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, hits, conns
}

func TestRunStopsAtMaxRequests(t *testing.T) {
	srv, hits, conns := countingServer(t)
	res, err := Run(context.Background(), Config{
		URL: srv.URL, Requests: []Request{{Path: "/a"}, {Path: "/b"}},
		Concurrency: 4, MaxRequests: 300, Duration: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 300 || hits.Load() != 300 || res.Status[200] != 300 {
		t.Errorf("requests = %d, server hits = %d, 200s = %d; want 300 each",
			res.Requests, hits.Load(), res.Status[200])
	}
	if res.Errors != 0 || res.Non2xx != 0 {
		t.Errorf("errors = %d, non-2xx = %d, want 0", res.Errors, res.Non2xx)
	}
	if n := conns.Load(); n > 4 {
		t.Errorf("%d connections for concurrency 4: keep-alive not reused", n)
	}
	if res.P50 <= 0 || res.P50 > res.P90 || res.P90 > res.P99 || res.P99 > res.Max || res.RPS <= 0 {
		t.Errorf("inconsistent measures: %+v", res)
	}
}

func TestRunStopsAtDuration(t *testing.T) {
	srv, _, _ := countingServer(t)
	const d = 300 * time.Millisecond
	start := time.Now()
	res, err := Run(context.Background(), Config{
		URL: srv.URL, Requests: []Request{{Path: "/"}},
		Concurrency: 2, Duration: d, MaxRequests: 1 << 40,
	})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if took < d || took > d+3*time.Second {
		t.Errorf("run took %v, want about %v", took, d)
	}
	if res.Requests == 0 || res.Elapsed < d {
		t.Errorf("requests = %d, elapsed = %v", res.Requests, res.Elapsed)
	}
}

func TestRunCountsStatusesAndDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/target", http.StatusFound)
	})
	mux.HandleFunc("/target", func(w http.ResponseWriter, r *http.Request) { followed.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := Run(context.Background(), Config{
		URL:         srv.URL,
		Requests:    []Request{{Path: "/ok"}, {Path: "/missing"}, {Path: "/moved"}},
		MaxRequests: 30, Concurrency: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{200: 10, 404: 10, 302: 10}
	for code, n := range want {
		if res.Status[code] != n {
			t.Errorf("status %d: %d answers, want %d (all: %v)", code, res.Status[code], n, res.Status)
		}
	}
	if res.Non2xx != 20 || followed.Load() != 0 {
		t.Errorf("non-2xx = %d (want 20), redirects followed = %d (want 0)", res.Non2xx, followed.Load())
	}
}

func TestRunCountsTransportErrors(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/drop", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := Run(context.Background(), Config{
		URL: srv.URL, Requests: []Request{{Path: "/ok"}, {Path: "/drop"}},
		MaxRequests: 10, Concurrency: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 10 || res.Errors != 5 || res.Status[200] != 5 || res.LastError == nil {
		t.Errorf("requests = %d, errors = %d, 200s = %d, last error %v; want 10, 5, 5, non-nil",
			res.Requests, res.Errors, res.Status[200], res.LastError)
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 50 {
			cancel()
		}
	}))
	defer srv.Close()

	res, err := Run(ctx, Config{
		URL: srv.URL, Requests: []Request{{Path: "/"}},
		Concurrency: 2, MaxRequests: 1 << 40, Duration: time.Minute,
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if res == nil || res.Requests < 48 || res.Requests > 60 {
		t.Errorf("result after cancel = %+v, want about 50 requests", res)
	}
}

func TestRunSendsSetupFirstAndRequestsAsGiven(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI()+" "+r.Host+" "+r.Header.Get("X-Try")+" "+string(body))
		mu.Unlock()
	}))
	defer srv.Close()

	_, err := Run(context.Background(), Config{
		URL:   srv.URL + "/",
		Setup: []Request{{Method: "POST", Path: "/s1", Body: []byte("one")}, {Path: "/s2"}},
		Requests: []Request{{Method: "PUT", Path: "/x?q=1", Host: "api.test",
			Header: http.Header{"X-Try": {"yes"}}, Body: []byte(`{"a":1}`)}},
		MaxRequests: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	want := []string{"POST /s1 " + host + "  one", "GET /s2 " + host + "  ", `PUT /x?q=1 api.test yes {"a":1}`}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Errorf("server saw\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}

func TestRunFailsOnFailedSetup(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := Run(context.Background(), Config{
		URL: srv.URL, Setup: []Request{{Path: "/seed"}}, Requests: []Request{{Path: "/"}},
	})
	if err == nil || !strings.Contains(err.Error(), "status 404") {
		t.Errorf("error = %v, want a setup failure with status 404", err)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50, 90: 90, 99: 99, 100: 100, 0: 1} {
		if got := percentile(ds, p); got != want*time.Millisecond {
			t.Errorf("percentile(1..100ms, %v) = %v, want %vms", p, got, int(want))
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil) = %v, want 0", got)
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("percentile([7], 99) = %v, want 7", got)
	}
}

func TestMarkdownRowMatchesHeader(t *testing.T) {
	res := summarize([]*sample{{latencies: []time.Duration{time.Millisecond}, status: map[int]int{200: 1}}}, time.Second)
	row := res.MarkdownRow("mono|lith")
	header := strings.SplitN(MarkdownHeader(), "\n", 2)[0]
	if strings.Count(row, " | ") != strings.Count(header, " | ") {
		t.Errorf("row %q does not fit header %q", row, header)
	}
	if !strings.Contains(row, `mono\|lith`) || !strings.Contains(row, "| 1.000 ms |") {
		t.Errorf("row = %q", row)
	}
}
