package verify

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestParseTrace(t *testing.T) {
	src := `# comment

{"start": {"args": ["-addr", "{{addr}}"], "env": {"NOTES_ADDR": "{{addr}}"}, "ready": "/healthz"}}
{"name": "list", "path": "/todos"}
   # indented comment
{"method": "POST", "path": "/todos?x=1", "host": "h.example", ` +
		`"header": {"Content-Type": ["application/json"]}, "body": "{}", "ignore_headers": ["X-Request-Id"]}
{"method": "PUT", "path": "/bin", "body_base64": "AAH/"}
`
	tr, err := ParseTrace(strings.NewReader(src), "trace.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Start.Ready != "/healthz" || tr.Start.Env["NOTES_ADDR"] != AddrPlaceholder ||
		!slices.Equal(tr.Start.Args, []string{"-addr", AddrPlaceholder}) {
		t.Errorf("start = %+v", tr.Start)
	}
	if len(tr.Requests) != 3 {
		t.Fatalf("%d requests", len(tr.Requests))
	}
	r0, r1, r2 := tr.Requests[0], tr.Requests[1], tr.Requests[2]
	if r0.Method != http.MethodGet || r0.Line != 4 || r0.Label() != "GET /todos" {
		t.Errorf("request 0 = %+v", r0)
	}
	if r1.Host != "h.example" || r1.Header.Get("Content-Type") != "application/json" ||
		string(r1.Payload()) != "{}" || r1.Line != 6 {
		t.Errorf("request 1 = %+v", r1)
	}
	if string(r2.Payload()) != "\x00\x01\xff" {
		t.Errorf("body_base64 decoded to %q", r2.Payload())
	}
}

func TestParseTraceWithoutStart(t *testing.T) {
	tr, err := ParseTrace(strings.NewReader(`{"path": "/"}`), "t.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tr.Start.Args, []string{"-addr", AddrPlaceholder}) || tr.Start.Ready != "" {
		t.Errorf("default start = %+v", tr.Start)
	}
}

func TestParseTraceStartWithoutArgs(t *testing.T) {
	tr, err := ParseTrace(strings.NewReader(`{"start": {"ready": "/"}}`+"\n"+`{"path": "/"}`), "t.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tr.Start.Args, DefaultStart().Args) {
		t.Errorf("args = %q, want the default", tr.Start.Args)
	}
	tr, err = ParseTrace(strings.NewReader(`{"start": {"args": []}}`), "t.jsonl")
	if err != nil || tr.Start.Args == nil || len(tr.Start.Args) != 0 {
		t.Errorf("empty args = %q, %v; want none", tr.Start.Args, err)
	}
}

func TestParseTraceErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"# c\n\n\n\n\n{\"path\": \"/\"}\n{\"methd\": \"GET\", \"path\": \"/\"}", `trace.jsonl:7: unknown field "methd"`},
		{`{"path": "/", }`, "trace.jsonl:1: bad JSON at column 15: invalid character '}'"},
		{`{"path": "/"`, "trace.jsonl:1: bad JSON at column 12: unexpected end of JSON input"},
		{`{"path": 3}`, `trace.jsonl:1: field "path": expected string, got JSON number`},
		{`["/"]`, `trace.jsonl:1: expected a JSON object, got JSON array`},
		{`{"path": "/"} {"path": "/"}`, "trace.jsonl:1: bad JSON"},
		{`{"path": "todos"}`, `trace.jsonl:1: path "todos" must start with /`},
		{`{"path": "/", "method": "GET /"}`, `trace.jsonl:1: method "GET /" is not an HTTP method token`},
		{`{"path": "/", "body": "a", "body_base64": "YQ=="}`, `trace.jsonl:1: give "body" or "body_base64", not both`},
		{`{"path": "/", "body_base64": "!!"}`, "trace.jsonl:1: body_base64: illegal base64 data"},
		{`{"path": "/", "header": {"Bad Name": ["x"]}}`, `trace.jsonl:1: header name "Bad Name" is not valid`},
		{`{"path": "/", "header": {"X": ["a\r\nb"]}}`, `trace.jsonl:1: header X: value`},
		{"{\"path\": \"/\"}\n{\"start\": {}}", "trace.jsonl:2: start line must be the first line of the trace"},
		{`{"start": {"ready": "healthz"}}`, `trace.jsonl:1: start: ready path "healthz" must start with /`},
		{`{"start": {"arg": []}}`, `trace.jsonl:1: unknown field "arg"`},
		{`{"start": {}, "path": "/"}`, `trace.jsonl:1: unknown field "path"`},
	} {
		_, err := ParseTrace(strings.NewReader(tc.src), "trace.jsonl")
		if !errors.Is(err, ErrTrace) {
			t.Errorf("%s: error %v, want ErrTrace", tc.src, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant %s", tc.src, err, tc.want)
		}
	}
}

func TestParseTraceReportsEveryBadLine(t *testing.T) {
	_, err := ParseTrace(strings.NewReader("{\"methd\": 1}\n{\"path\": \"/\"}\n{\"path\": 2}\n"), "t.jsonl")
	if err == nil || !strings.Contains(err.Error(), "t.jsonl:1:") || !strings.Contains(err.Error(), "t.jsonl:3:") {
		t.Errorf("error %v, want lines 1 and 3", err)
	}
}

func TestReadTraceMissingFile(t *testing.T) {
	_, err := ReadTrace("testdata/no-such-trace.jsonl")
	if !errors.Is(err, ErrTrace) || ExitCode(err) != 2 {
		t.Errorf("error %v, want ErrTrace", err)
	}
}
