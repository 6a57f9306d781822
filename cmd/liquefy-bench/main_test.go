package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liquefy/liquefy/bench"
)

func TestRunPrintsOneRowPerTarget(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer srv.Close()

	var out strings.Builder
	cfg := bench.Config{Concurrency: 2, MaxRequests: 20}
	err := run(context.Background(), &out, cfg, "", 5, 1, true, []string{"mono=" + srv.URL, srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[2], "| mono | 20 | 0 | 0 |") ||
		!strings.HasPrefix(lines[3], "| "+srv.URL+" | 20 |") {
		t.Errorf("output:\n%s", out.String())
	}
	if hits.Load() != 2*(2*5+20) {
		t.Errorf("server got %d requests, want 2 × (5 lists and 5 items of setup + 20)", hits.Load())
	}
}

func TestRunRefusesRemoteTargetsBeforeMeasuring(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	var out strings.Builder
	err := run(context.Background(), &out, bench.Config{}, "", 5, 1, true,
		[]string{"ok=" + srv.URL, "far=http://192.0.2.1:80"})
	if !errors.Is(err, bench.ErrNotLoopback) || out.Len() != 0 {
		t.Errorf("error = %v, output %q; want ErrNotLoopback and no output", err, out.String())
	}
}

func TestRunReplaysATrace(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	var out strings.Builder
	cfg := bench.Config{MaxRequests: 31}
	err := run(context.Background(), &out, cfg, "../../testdata/apps/todo/trace.jsonl", 0, 0, false, []string{"t=" + srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| t | 31 | 0 | 31 |") {
		t.Errorf("output:\n%s", out.String())
	}
}
