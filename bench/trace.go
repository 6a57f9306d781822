package bench

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// traceLine is one line of a trace.jsonl file, as far as bench needs it.
type traceLine struct {
	Start      json.RawMessage `json:"start"`
	Method     string          `json:"method"`
	Path       string          `json:"path"`
	Host       string          `json:"host"`
	Header     http.Header     `json:"header"`
	Body       string          `json:"body"`
	BodyBase64 string          `json:"body_base64"`
}

// ReadTrace reads the requests of a trace in the JSON-lines format of the
// testdata apps. Blank lines, lines starting with # and the start line are
// skipped; fields bench has no use for (name, ignore_headers) are ignored.
func ReadTrace(r io.Reader) ([]Request, error) {
	var reqs []Request
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		req, ok, err := parseTraceLine(line)
		if err != nil {
			return nil, fmt.Errorf("read trace: line %d: %w", n, err)
		}
		if ok {
			reqs = append(reqs, req)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read trace: %w", err)
	}
	return reqs, nil
}

// parseTraceLine decodes one request line; ok is false for a start line.
func parseTraceLine(line []byte) (req Request, ok bool, err error) {
	var l traceLine
	if err := json.Unmarshal(line, &l); err != nil {
		return req, false, err
	}
	if l.Start != nil {
		return req, false, nil
	}
	if l.Path == "" || l.Path[0] != '/' {
		return req, false, fmt.Errorf("path %q does not start with /", l.Path)
	}

	req = Request{Method: l.Method, Path: l.Path, Host: l.Host, Header: l.Header, Body: []byte(l.Body)}
	if l.BodyBase64 != "" {
		if req.Body, err = base64.StdEncoding.DecodeString(l.BodyBase64); err != nil {
			return req, false, fmt.Errorf("body_base64: %w", err)
		}
	}
	return req, true, nil
}
