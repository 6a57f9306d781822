package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrNotLoopback is returned by Run for a target outside this machine.
var ErrNotLoopback = errors.New("not a loopback address")

// Defaults for the zero values of Config's fields.
const (
	DefaultConcurrency = 8
	DefaultDuration    = 10 * time.Second
	DefaultMaxRequests = 1_000_000
	DefaultTimeout     = 5 * time.Second
)

// A Request is one HTTP request to send, relative to Config.URL.
type Request struct {
	// Method defaults to GET.
	Method string

	// Path is the path and query, starting with "/".
	Path string

	// Host, if set, replaces the Host header.
	Host string

	Header http.Header
	Body   []byte
}

// Config says what Run sends, where, and for how long.
type Config struct {
	// URL is the base URL of the target, such as "http://127.0.0.1:8080".
	// Its host must be a loopback address or localhost.
	URL string

	// Setup requests are sent once, in order, before measuring starts;
	// each must answer 2xx.
	Setup []Request

	// Requests are replayed round-robin, unless Next is set.
	Requests []Request

	// Next, if set, returns the i-th request to send (i counts from 0).
	// It is called from several goroutines at once.
	Next func(i int) Request

	// Concurrency is the number of requests kept in flight
	// (DefaultConcurrency if zero).
	Concurrency int

	// Duration and MaxRequests bound the run: it stops at whichever comes
	// first (DefaultDuration and DefaultMaxRequests if zero).
	Duration    time.Duration
	MaxRequests int

	// Timeout bounds each request (DefaultTimeout if zero).
	Timeout time.Duration
}

// Run sends the configured requests to the target and measures the
// answers. It returns when the run's duration or request budget is spent,
// or when ctx is done; in the last case it returns what was measured
// so far together with ctx's error.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := normalize(cfg)
	if err != nil {
		return nil, err
	}
	client := newClient(cfg)
	defer client.CloseIdleConnections()

	// Prepare the target, then measure.
	for i, r := range cfg.Setup {
		if err := setup(ctx, client, cfg.URL, r); err != nil {
			return nil, fmt.Errorf("bench: setup request %d: %w", i+1, err)
		}
	}
	res := measure(ctx, client, cfg)
	return res, ctx.Err()
}

// normalize checks cfg and fills in its defaults.
func normalize(cfg Config) (Config, error) {
	if err := CheckLoopback(cfg.URL); err != nil {
		return cfg, fmt.Errorf("bench: %w", err)
	}
	cfg.URL = strings.TrimSuffix(cfg.URL, "/")
	if cfg.Next == nil && len(cfg.Requests) == 0 {
		return cfg, errors.New("bench: no requests to send")
	}
	for _, r := range slices.Concat(cfg.Setup, cfg.Requests) {
		if !strings.HasPrefix(r.Path, "/") {
			return cfg, fmt.Errorf("bench: request path %q does not start with /", r.Path)
		}
	}

	cfg.Concurrency = orDefault(cfg.Concurrency, DefaultConcurrency)
	cfg.MaxRequests = orDefault(cfg.MaxRequests, DefaultMaxRequests)
	cfg.Duration = orDefault(cfg.Duration, DefaultDuration)
	cfg.Timeout = orDefault(cfg.Timeout, DefaultTimeout)
	return cfg, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// CheckLoopback reports an error wrapping ErrNotLoopback unless base is an
// http or https URL whose host is localhost or a loopback IP address.
func CheckLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("parse target: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("target %q: scheme must be http or https", base)
	}
	if !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("target %q: %w", base, ErrNotLoopback)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newClient returns a client with one keep-alive transport holding at most
// one connection per worker, which dials loopback addresses only and never
// follows redirects.
func newClient(cfg Config) *http.Client {
	dialer := &net.Dialer{Timeout: cfg.Timeout, Control: loopbackOnly}
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		MaxIdleConns:        cfg.Concurrency,
		MaxIdleConnsPerHost: cfg.Concurrency,
		MaxConnsPerHost:     cfg.Concurrency,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// loopbackOnly refuses, just before connecting, a resolved address that is
// not a loopback IP (a name like localhost could resolve anywhere).
func loopbackOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("dial %s: %w", address, ErrNotLoopback)
	}
	return nil
}

// setup sends one setup request and insists on a 2xx answer.
func setup(ctx context.Context, client *http.Client, base string, r Request) error {
	status, err := send(ctx, client, base, r)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("%s %s: status %d", methodOf(r), r.Path, status)
	}
	return nil
}

// send performs one request, reads its answer to the end so the
// connection can be reused, and returns the status.
func send(ctx context.Context, client *http.Client, base string, r Request) (int, error) {
	req, err := http.NewRequestWithContext(ctx, methodOf(r), base+r.Path, bytes.NewReader(r.Body))
	if err != nil {
		return 0, fmt.Errorf("build request: %w", err)
	}
	if len(r.Body) == 0 {
		req.Body, req.GetBody, req.ContentLength = nil, nil, 0
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.Host != "" {
		req.Host = r.Host
	}

	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, fmt.Errorf("read answer: %w", err)
	}
	return resp.StatusCode, nil
}

func methodOf(r Request) string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

// measure runs the closed loop: Concurrency workers, each sending its next
// request when the last one answered, sharing one request budget and one
// deadline. Requests still in flight at the deadline are waited for.
func measure(ctx context.Context, client *http.Client, cfg Config) *Result {
	next := cfg.Next
	if next == nil {
		next = func(i int) Request { return cfg.Requests[i%len(cfg.Requests)] }
	}
	var issued atomic.Int64
	samples := make([]*sample, cfg.Concurrency)
	start := time.Now()
	deadline := start.Add(cfg.Duration)

	var wg sync.WaitGroup
	for w := range samples {
		s := &sample{status: map[int]int{}}
		samples[w] = s
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(issued.Add(1) - 1)
				if i >= cfg.MaxRequests {
					return
				}
				s.record(ctx, client, cfg.URL, next(i))
			}
		})
	}
	wg.Wait()
	return summarize(samples, time.Since(start))
}

// A sample is what one worker measured; only that worker touches it.
type sample struct {
	latencies []time.Duration
	status    map[int]int
	errors    int
	lastErr   error
}

// record sends r and notes its latency and outcome. A request cut short
// because ctx was cancelled is not counted.
func (s *sample) record(ctx context.Context, client *http.Client, base string, r Request) {
	t := time.Now()
	if !strings.HasPrefix(r.Path, "/") {
		s.errors++
		s.lastErr = fmt.Errorf("request path %q does not start with /", r.Path)
		return
	}
	status, err := send(ctx, client, base, r)
	d := time.Since(t)
	switch {
	case err != nil && ctx.Err() != nil:
		return
	case err != nil:
		s.errors++
		s.lastErr = err
	default:
		s.latencies = append(s.latencies, d)
		s.status[status]++
	}
}
