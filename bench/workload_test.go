package bench

import (
	"encoding/json"
	"fmt"
	"github.com/liquefy/liquefy/verify"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestTodoWorkloadIsDeterministic(t *testing.T) {
	setupA, nextA := TodoWorkload(20, 7)
	setupB, nextB := TodoWorkload(20, 7)
	_, nextC := TodoWorkload(20, 8)
	if !reflect.DeepEqual(setupA, setupB) {
		t.Error("two setups with the same arguments differ")
	}
	differs := false
	for i := range 1000 {
		if !reflect.DeepEqual(nextA(i), nextB(i)) {
			t.Fatalf("request %d differs between two workloads with seed 7", i)
		}
		differs = differs || !reflect.DeepEqual(nextA(i), nextC(i))
	}
	if !differs {
		t.Error("seeds 7 and 8 give the same 1000 requests")
	}
}

func TestTodoWorkloadMix(t *testing.T) {
	const keys, n = 50, 20000
	setup, next := TodoWorkload(keys, 1)
	if len(setup) != 2*keys {
		t.Fatalf("setup has %d requests, want %d", len(setup), 2*keys)
	}
	lists := map[string]bool{}
	for k := 1; k <= keys; k++ {
		lists[fmt.Sprintf("/lists/list-%d", k)] = true
	}
	for i, r := range setup {
		want := http.MethodPut
		if i%2 == 1 {
			want = http.MethodPost
		}
		if r.Method != want || !lists[strings.TrimSuffix(r.Path, "/items")] || !json.Valid(r.Body) {
			t.Fatalf("setup request %d: %s %s %q, want %s of a list with a JSON body", i, r.Method, r.Path, r.Body, want)
		}
	}

	count := map[string]int{}
	for i := range n {
		r := next(i)
		kind := r.Method + " " + todoShape(r.Path)
		count[kind]++
		list := strings.TrimSuffix(strings.TrimSuffix(r.Path, "/items/1"), "/items")
		if !lists[list] {
			t.Fatalf("request %d: %s %s outside the key space", i, r.Method, r.Path)
		}
		if r.Method != http.MethodGet && !json.Valid(r.Body) {
			t.Fatalf("request %d: body %q is not JSON", i, r.Body)
		}
	}
	want := map[string]int{
		"GET list": 40, "GET item": 40, "PUT list": 10, "PUT item": 5, "POST items": 5,
	}
	for kind, share := range want {
		got := 100 * float64(count[kind]) / n
		if got < float64(share)-1.5 || got > float64(share)+1.5 {
			t.Errorf("%s: %.1f%% of requests, want %d%%", kind, got, share)
		}
	}
	if len(count) != len(want) {
		t.Errorf("request kinds %v, want only %v", count, want)
	}
}

// todoShape names what a todo path addresses: a list, its items, an item.
func todoShape(path string) string {
	switch {
	case strings.HasSuffix(path, "/items/1"):
		return "item"
	case strings.HasSuffix(path, "/items"):
		return "items"
	}
	return "list"
}

func TestTraceRequests(t *testing.T) {
	trace := `# a comment
{"start": {"args": ["-addr", "{{addr}}"], "ready": "/healthz"}}

{"name": "list", "path": "/todos"}
{"name": "create", "method": "POST", "path": "/todos", "host": "h.test", "header": {"Content-Type": ["application/json"]}, "body": "{\"title\":\"milk\"}", "ignore_headers": ["X-Id"]}
{"name": "binary", "method": "PUT", "path": "/blob", "body_base64": "AAEC"}
`
	tr, err := verify.ParseTrace(strings.NewReader(trace), "trace.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := []Request{
		{Method: "GET", Path: "/todos"},
		{Method: "POST", Path: "/todos", Host: "h.test", Header: http.Header{"Content-Type": {"application/json"}},
			Body: []byte(`{"title":"milk"}`)},
		{Method: "PUT", Path: "/blob", Body: []byte{0, 1, 2}},
	}
	got := TraceRequests(tr)
	for i := range got { // an empty header and an absent one send alike
		if len(got[i].Header) == 0 {
			got[i].Header = nil
		}
		if len(got[i].Body) == 0 {
			got[i].Body = nil
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TraceRequests =\n%+v\nwant\n%+v", got, want)
	}
}
