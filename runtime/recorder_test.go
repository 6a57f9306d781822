package runtime

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestRecorder(t *testing.T) {
	w := newRecorder()
	w.Header().Set("Trailer", "X-Sum")
	w.Header().Set("X-Kept", "1")
	w.WriteHeader(http.StatusEarlyHints) // informational: not final
	w.Header().Add("X-Kept", "2")
	w.WriteHeader(http.StatusCreated)
	w.WriteHeader(http.StatusTeapot) // ignored
	w.Header().Set("X-Lost", "after the status")
	w.Header().Set("X-Sum", "42")
	w.Header().Set(http.TrailerPrefix+"X-Extra", "e")
	w.Write([]byte("ab"))
	w.WriteString("cd")

	if !strings.Contains(w.superfluous, "TestRecorder") {
		t.Errorf("superfluous WriteHeader caller %q", w.superfluous)
	}
	resp := w.finish()
	if resp.Status != http.StatusCreated || string(resp.Body) != "abcd" || resp.Flushed {
		t.Errorf("status %d body %q flushed %v", resp.Status, resp.Body, resp.Flushed)
	}
	wantHeader := http.Header{"Trailer": {"X-Sum"}, "X-Kept": {"1", "2"}}
	if !reflect.DeepEqual(resp.Header, wantHeader) {
		t.Errorf("header %v, want %v", resp.Header, wantHeader)
	}
	wantTrailer := http.Header{"X-Sum": {"42"}, http.TrailerPrefix + "X-Extra": {"e"}}
	if !reflect.DeepEqual(resp.Trailer, wantTrailer) {
		t.Errorf("trailer %v, want %v", resp.Trailer, wantTrailer)
	}
}

func TestRecorderDefaults(t *testing.T) {
	w := newRecorder()
	resp := w.finish()
	if resp.Status != http.StatusOK || len(resp.Header) != 0 || resp.Trailer != nil {
		t.Errorf("empty handler: %+v", resp)
	}

	w = newRecorder()
	w.WriteHeader(http.StatusNotModified)
	if _, err := w.Write([]byte("x")); err != http.ErrBodyNotAllowed {
		t.Errorf("write after 304: %v", err)
	}

	w = newRecorder()
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil || !w.flushed || w.status != http.StatusOK {
		t.Errorf("flush: %v flushed=%v status=%d", err, w.flushed, w.status)
	}
	if _, _, err := rc.Hijack(); err == nil {
		t.Error("hijack succeeded")
	}
}

func TestBuildRequest(t *testing.T) {
	r, cancel, err := buildRequest(context.Background(), &wireRequest{
		Method: "GET", RequestURI: "/a%2Fb?q=1", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Host: "example.com:8443", RemoteAddr: "192.0.2.1:1234", TLS: true, Deadline: 1 << 62,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if r.URL.Path != "/a/b" || r.URL.RawPath != "/a%2Fb" || r.URL.RawQuery != "q=1" || r.Host != "example.com:8443" ||
		r.RemoteAddr != "192.0.2.1:1234" || r.TLS == nil || r.TLS.ServerName != "example.com" || r.Body != http.NoBody {
		t.Errorf("request %+v url %+v", r, r.URL)
	}
	if _, ok := r.Context().Deadline(); !ok {
		t.Error("no deadline")
	}

	r, cancel, err = buildRequest(context.Background(), &wireRequest{Method: "CONNECT", RequestURI: "example.com:443"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if r.URL.Host != "example.com:443" || r.URL.Scheme != "" {
		t.Errorf("CONNECT url %+v", r.URL)
	}
	if _, _, err := buildRequest(context.Background(), &wireRequest{Method: "GET", RequestURI: "no slash"}); err == nil {
		t.Error("bad request target accepted")
	}
}

func TestSubjects(t *testing.T) {
	p := testPlan()
	p.Fluxions = append(p.Fluxions, Fluxion{Name: "keyed", Kind: Keyed, Context: "shards"}, Fluxion{Name: "files", Kind: Residue, Context: "disk"})
	p.Contexts = append(p.Contexts, Context{Name: "shards"}, Context{Name: "disk"})
	tb, err := newTable(p, 1, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.fluxions["hello"].subject; got != "lq.test_app.f.hello" {
		t.Errorf("stateless subject %q", got)
	}
	if got := tb.fluxions["count"].subject; got != "lq.test_app.c.counter" {
		t.Errorf("singleton subject %q", got)
	}
	if tb.fluxions["files"].local {
		t.Error("worker 1 owns the residue context")
	}
	var keyed []string
	for _, s := range tb.subjects {
		if s.queue != "lq.test_app" {
			t.Errorf("%s in queue %q", s.subject, s.queue)
		}
		if len(s.subject) > 14 && s.subject[:14] == "lq.test_app.k." {
			keyed = append(keyed, s.subject)
		}
	}
	if want := []string{"lq.test_app.k.shards.1", "lq.test_app.k.shards.3"}; !reflect.DeepEqual(keyed, want) {
		t.Errorf("keyed subscriptions %v, want %v", keyed, want)
	}
	if got := token("a.b *>c\td"); got != "a_b___c_d" {
		t.Errorf("token %q", got)
	}
}
