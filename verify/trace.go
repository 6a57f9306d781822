package verify

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// AddrPlaceholder is replaced, in a start line's arguments and
// environment and in Config.Env, by the host:port the tester chose for the
// app.
const AddrPlaceholder = "{{addr}}"

// A Trace is a parsed request trace: how to start the app and the requests
// to replay against it, in order.
type Trace struct {
	// Name is the file the trace was read from, used in messages.
	Name string

	// Start tells how to start the app. A trace without a start line gets
	// DefaultStart.
	Start Start

	// Requests are replayed in order.
	Requests []Request
}

// Start is a trace's start line: the app's arguments and extra
// environment, in which AddrPlaceholder stands for the chosen address, and
// the path polled until the app is ready. Args absent (nil) means
// DefaultStart's arguments; an empty list means none.
type Start struct {
	Args  []string          `json:"args"`
	Env   map[string]string `json:"env"`
	Ready string            `json:"ready"`
}

// DefaultStart returns the start line of a trace that has none: the app
// gets "-addr {{addr}}" and is ready once it accepts TCP connections.
func DefaultStart() Start {
	return Start{Args: []string{"-addr", AddrPlaceholder}}
}

// A Request is one line of a trace.
type Request struct {
	// Line is the request's line number in the trace file.
	Line int `json:"-"`

	Name          string      `json:"name"`
	Method        string      `json:"method"`
	Path          string      `json:"path"`
	Host          string      `json:"host"`
	Header        http.Header `json:"header"`
	Body          string      `json:"body"`
	BodyBase64    string      `json:"body_base64"`
	IgnoreHeaders []string    `json:"ignore_headers"`
	IgnoreBody    bool        `json:"ignore_body"`

	// body is the decoded request body.
	body []byte
}

// Payload returns the request's body, decoded from BodyBase64 when the
// trace gave it that way.
func (r *Request) Payload() []byte {
	return r.body
}

// ReadTrace reads and parses the trace file at path.
func ReadTrace(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &TraceError{Errs: []error{err}}
	}
	defer f.Close()
	return ParseTrace(f, path)
}

// ParseTrace parses a trace from r; name is the file name used in errors,
// which read "name:line: problem". Unknown fields, bad JSON, a start line
// after the first request and malformed requests make a *TraceError,
// which wraps ErrTrace and reports every bad line, not only the first.
func ParseTrace(r io.Reader, name string) (*Trace, error) {
	t := &Trace{Name: name, Start: DefaultStart()}
	var errs []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	seen := false
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if err := t.parseLine(line, n, seen); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, n, err))
		}
		seen = true
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if len(errs) > 0 {
		return nil, &TraceError{Errs: errs}
	}
	return t, nil
}

// A TraceError lists the problems of a trace, one per bad line, each
// starting with "file:line: ". It wraps ErrTrace and every problem.
type TraceError struct {
	Errs []error
}

// Error returns the problems, one per line.
func (e *TraceError) Error() string {
	return errors.Join(e.Errs...).Error()
}

// Unwrap returns ErrTrace and the problems.
func (e *TraceError) Unwrap() []error {
	return append([]error{ErrTrace}, e.Errs...)
}

// parseLine parses one non-comment line into t; seen reports whether an
// earlier line was already parsed, which forbids a start line.
func (t *Trace) parseLine(line []byte, n int, seen bool) error {
	// Tell a start line from a request by its keys.
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(line, &keys); err != nil {
		return jsonProblem(err)
	}
	if _, ok := keys["start"]; ok {
		if seen {
			return errors.New("start line must be the first line of the trace")
		}
		var s struct {
			Start Start `json:"start"`
		}
		if err := decodeStrict(line, &s); err != nil {
			return err
		}
		if s.Start.Args == nil {
			s.Start.Args = DefaultStart().Args
		}
		t.Start = s.Start
		return t.Start.validate()
	}

	// Anything else is a request.
	req := Request{Line: n}
	if err := decodeStrict(line, &req); err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	t.Requests = append(t.Requests, req)
	return nil
}

// decodeStrict decodes one JSON value from line into v, rejecting unknown
// fields and trailing data.
func decodeStrict(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// jsonProblem rewrites a decoding error for a trace author: no "json:"
// prefix, the column of a syntax error, the field of a type error.
func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("bad JSON at column %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("field %q: expected %s, got JSON %s", typ.Field, typ.Type, typ.Value)
	case errors.As(err, &typ):
		return fmt.Errorf("expected a JSON object, got JSON %s", typ.Value)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// validate checks what JSON decoding cannot: the ready path.
func (s *Start) validate() error {
	if s.Ready != "" && !strings.HasPrefix(s.Ready, "/") {
		return fmt.Errorf("start: ready path %q must start with /", s.Ready)
	}
	for k := range s.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return fmt.Errorf("start: bad environment variable name %q", k)
		}
	}
	return nil
}

// validate checks the request's method, path, headers and body, fills in
// the default method and decodes the body.
func (r *Request) validate() error {
	// Method and path.
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if !validToken(r.Method) {
		return fmt.Errorf("method %q is not an HTTP method token", r.Method)
	}
	if !strings.HasPrefix(r.Path, "/") && r.Path != "*" {
		return fmt.Errorf("path %q must start with /", r.Path)
	}

	// Headers.
	for k, vs := range r.Header {
		if !validToken(k) {
			return fmt.Errorf("header name %q is not valid", k)
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return fmt.Errorf("header %s: value %q is not valid", k, v)
			}
		}
	}

	// Body.
	switch {
	case r.Body != "" && r.BodyBase64 != "":
		return errors.New(`give "body" or "body_base64", not both`)
	case r.BodyBase64 != "":
		b, err := base64.StdEncoding.DecodeString(r.BodyBase64)
		if err != nil {
			return fmt.Errorf("body_base64: %w", err)
		}
		r.body = b
	default:
		r.body = []byte(r.Body)
	}
	return nil
}

// validToken reports whether s is an HTTP token (RFC 9110, section 5.6.2),
// as methods and header names must be.
func validToken(s string) bool {
	const punct = "!#$%&'*+-.^_`|~"
	isTok := func(c rune) bool {
		return c < 0x80 && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			'0' <= c && c <= '9' || strings.ContainsRune(punct, c))
	}
	return s != "" && strings.IndexFunc(s, func(c rune) bool { return !isTok(c) }) < 0
}

// Label returns "METHOD path", the request as the report names it.
func (r *Request) Label() string {
	return r.Method + " " + r.Path
}
