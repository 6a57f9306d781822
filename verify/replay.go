package verify

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
	"syscall"
	"time"
)

// maxBody bounds the response body verify reads; a longer body is
// compared on its first maxBody bytes and its length.
const maxBody = 64 << 20

// Answers recorded when no HTTP response came back.
const (
	// Closed is the answer to a request whose connection the server
	// closed before a complete response, as net/http does when a handler
	// panics.
	Closed = "connection closed"

	// Refused is the answer of an address nothing listens on.
	Refused = "connection refused"

	// TimedOut is the answer of a server that did not respond within the
	// request timeout.
	TimedOut = "timeout"
)

// An Answer is what one form of the app answered to one request.
type Answer struct {
	// Status, Header and Body are the response, when there was one. Header
	// holds every response header; Date and the request's ignored headers
	// are left out only when answers are compared and shown.
	Status int
	Header http.Header
	Body   []byte

	// Failure is Closed, Refused, TimedOut or another transport error
	// when no complete response came back, empty otherwise.
	Failure string
}

// String returns the answer's first line: "201 Created" or its failure.
func (a *Answer) String() string {
	if a.Failure != "" {
		return a.Failure
	}
	return fmt.Sprintf("%d %s", a.Status, http.StatusText(a.Status))
}

// newClient returns the client that replays a trace: a fresh connection
// per request, no redirects followed, no cookie jar, no transparent
// compression, no proxy.
func newClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:              nil,
			DisableKeepAlives:  true,
			DisableCompression: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// send replays req against the server at base ("http://host:port") and
// records its answer. It returns an error only when ctx is done.
func send(ctx context.Context, c *http.Client, base string, req *Request) (Answer, error) {
	// Build the request, sending the trace's path bytes unchanged.
	hreq, err := newHTTPRequest(ctx, base, req)
	if err != nil {
		return Answer{Failure: "bad request: " + err.Error()}, nil
	}

	// Send it and read the whole answer.
	resp, err := c.Do(hreq)
	if err != nil {
		return failure(ctx, err, base)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return failure(ctx, err, base)
	}
	return Answer{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// newHTTPRequest builds the *http.Request of req for the server at base.
func newHTTPRequest(ctx context.Context, base string, req *Request) (*http.Request, error) {
	// The URL: the path as written, unless it would read as a host.
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	path, query, _ := strings.Cut(req.Path, "?")
	if strings.HasPrefix(path, "//") {
		ref, err := url.Parse(req.Path)
		if err != nil {
			return nil, err
		}
		u.Path, u.RawPath, u.RawQuery = ref.Path, ref.RawPath, ref.RawQuery
	} else {
		u.Opaque, u.RawQuery = path, query
	}

	// Method, body, headers and Host.
	var body io.Reader = http.NoBody
	if b := req.Payload(); len(b) > 0 {
		body = bytes.NewReader(b)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, base, body)
	if err != nil {
		return nil, err
	}
	hreq.URL = u
	for k, vs := range req.Header {
		for _, v := range vs {
			hreq.Header.Add(k, v)
		}
	}
	if req.Host != "" {
		hreq.Host = req.Host
	}
	return hreq, nil
}

// failure turns a transport error into an answer, or returns ctx's error
// when the request failed because ctx is done.
func failure(ctx context.Context, err error, base string) (Answer, error) {
	if ctx.Err() != nil {
		return Answer{}, context.Cause(ctx)
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return Answer{Failure: Refused}, nil
	case errors.As(err, &ne) && ne.Timeout():
		return Answer{Failure: TimedOut}, nil
	case closedConn(err):
		return Answer{Failure: Closed}, nil
	}

	// Anything else, without the URL, which differs between the forms.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	host := strings.TrimPrefix(base, "http://")
	return Answer{Failure: strings.ReplaceAll(err.Error(), host, AddrPlaceholder)}, nil
}

// closedConn reports whether err says the server closed or reset the
// connection before a complete response.
func closedConn(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "server closed") || strings.Contains(msg, "connection reset")
}

// comparedHeaders returns the names of a's headers that are compared for
// req, canonical and sorted: all but Date and the ignored ones.
func comparedHeaders(h http.Header, req *Request) []string {
	var names []string
	for k := range h {
		k = http.CanonicalHeaderKey(k)
		if k == "Date" || ignored(req, k) {
			continue
		}
		names = append(names, k)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// ignored reports whether the request's ignore_headers names header k.
func ignored(req *Request, k string) bool {
	return slices.ContainsFunc(req.IgnoreHeaders, func(h string) bool {
		return strings.EqualFold(h, k)
	})
}

// compare compares two answers to req and returns, when they differ,
// the differences in short: "status 201 vs 500", "header X-Id", "body".
func compare(req *Request, a, b *Answer) []string {
	// Failures first: nothing else to compare.
	if a.Failure != "" || b.Failure != "" {
		if a.String() != b.String() {
			return []string{a.String() + " vs " + b.String()}
		}
		return nil
	}

	// Status, headers, body.
	var diffs []string
	if a.Status != b.Status {
		diffs = append(diffs, fmt.Sprintf("status %d vs %d", a.Status, b.Status))
	}
	if hs := headerDiffs(req, a.Header, b.Header); len(hs) > 0 {
		diffs = append(diffs, "header "+strings.Join(hs, ", "))
	}
	if !req.IgnoreBody && !bytes.Equal(a.Body, b.Body) {
		diffs = append(diffs, fmt.Sprintf("body (%d vs %d bytes)", len(a.Body), len(b.Body)))
	}
	return diffs
}

// headerDiffs returns the compared headers whose values differ between
// a and b, sorted.
func headerDiffs(req *Request, a, b http.Header) []string {
	names := slices.Concat(comparedHeaders(a, req), comparedHeaders(b, req))
	slices.Sort(names)
	var out []string
	for _, k := range slices.Compact(names) {
		if !slices.Equal(a.Values(k), b.Values(k)) {
			out = append(out, k)
		}
	}
	return out
}
