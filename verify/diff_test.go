package verify

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func answer(status int, body string, kv ...string) Answer {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return Answer{Status: status, Header: h, Body: []byte(body)}
}

func TestCompare(t *testing.T) {
	req := &Request{Method: "GET", Path: "/", IgnoreHeaders: []string{"x-request-id"}}
	for _, tc := range []struct {
		name string
		a, b Answer
		want []string
	}{
		{"equal, Date and ignored headers aside",
			answer(200, "x", "Date", "Mon", "X-Request-Id", "1", "A", "v"),
			answer(200, "x", "Date", "Tue", "X-Request-Id", "2", "A", "v"), nil},
		{"status", answer(201, ""), answer(500, ""), []string{"status 201 vs 500"}},
		{"header value", answer(200, "", "A", "1"), answer(200, "", "A", "2"), []string{"header A"}},
		{"header only on one side", answer(200, "", "B", "1"), answer(200, ""), []string{"header B"}},
		{"header order of values", answer(200, "", "S", "1", "S", "2"), answer(200, "", "S", "2", "S", "1"), []string{"header S"}},
		{"body", answer(200, "ab"), answer(200, "abc"), []string{"body (2 vs 3 bytes)"}},
		{"closed on both", Answer{Failure: Closed}, Answer{Failure: Closed}, nil},
		{"closed on one", answer(200, ""), Answer{Failure: Closed}, []string{"200 OK vs connection closed"}},
	} {
		if got := compare(req, &tc.a, &tc.b); !slices.Equal(got, tc.want) {
			t.Errorf("%s: compare = %q, want %q", tc.name, got, tc.want)
		}
	}

	// ignore_body leaves the body out, and only the body.
	req.IgnoreBody = true
	if got := compare(req, ptr(answer(200, "--a1--")), ptr(answer(200, "--b2--"))); got != nil {
		t.Errorf("ignore_body: compare = %q, want no difference", got)
	}
	if got := compare(req, ptr(answer(200, "a")), ptr(answer(404, "b"))); !slices.Equal(got, []string{"status 200 vs 404"}) {
		t.Errorf("ignore_body: compare = %q, want the status only", got)
	}
}

func ptr(a Answer) *Answer { return &a }

func TestDiffPrettyJSON(t *testing.T) {
	req := &Request{Method: "GET", Path: "/"}
	a := answer(200, `{"id":1,"tags":["a","b"]}`, "Content-Type", "application/json", "Date", "x")
	b := answer(200, `{"id":1,"tags":["a","c"]}`, "Content-Type", "application/json")
	want := `--- monolith
+++ liquid
@@ -5,6 +5,6 @@
   "id": 1,
   "tags": [
     "a",
-    "b"
+    "c"
   ]
 }
`
	got := Diff(req, &a, &b)
	if got != want {
		t.Errorf("Diff:\n%s\nwant:\n%s", got, want)
	}
}

func TestDiffLayoutOnly(t *testing.T) {
	req := &Request{Method: "GET", Path: "/"}
	a, b := answer(200, `{"a":1}`), answer(200, `{"a": 1}`)
	got := Diff(req, &a, &b)
	if !strings.Contains(got, "-{\"a\":1}\n+{\"a\": 1}\n") {
		t.Errorf("layout-only difference hidden:\n%s", got)
	}
}

func TestDiffFinalNewline(t *testing.T) {
	req := &Request{Method: "GET", Path: "/"}
	a, b := answer(200, "ok\n"), answer(200, "ok")
	got := Diff(req, &a, &b)
	if !strings.Contains(got, "+\\ no newline at end of body\n") {
		t.Errorf("final newline difference hidden:\n%s", got)
	}
}

func TestDiffBinaryAndFailure(t *testing.T) {
	req := &Request{Method: "GET", Path: "/"}
	a, b := answer(200, "\xff\x00"), Answer{Failure: Closed}
	got := Diff(req, &a, &b)
	for _, want := range []string{"-HTTP 200 OK\n", "-(binary body, 2 bytes, sha256 ", "+connection closed\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("Diff lacks %q:\n%s", want, got)
		}
	}
}

func TestDiffLinesHunks(t *testing.T) {
	var a, b []string
	for i := range 30 {
		l := strings.Repeat("x", i)
		a = append(a, l)
		b = append(b, l)
	}
	b[2], b[25] = "two", "twenty-five"
	b = slices.Insert(b, 7, "new")
	got := unified("a", "b", a, b)
	if n := strings.Count(got, "@@ -"); n != 2 {
		t.Errorf("%d hunks, want 2 (changes at 2 and 7 merge, 25 stands apart):\n%s", n, got)
	}
	if !strings.Contains(got, "@@ -1,") || !strings.Contains(got, "+new\n") || !strings.Contains(got, "+twenty-five\n") {
		t.Errorf("unexpected diff:\n%s", got)
	}
	if unified("a", "b", a, a) != "" {
		t.Error("diff of equal inputs is not empty")
	}
}
