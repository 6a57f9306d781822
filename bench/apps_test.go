package bench

import (
	"bytes"
	"context"
	"github.com/liquefy/liquefy/verify"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const appsDir = "../testdata/apps"

// TestAppTraces checks that every test app's trace reads and has the size
// the apps promise: 15 to 40 requests.
func TestAppTraces(t *testing.T) {
	traces, err := filepath.Glob(filepath.Join(appsDir, "*", "trace.jsonl"))
	if err != nil || len(traces) == 0 {
		t.Fatalf("no traces under %s (%v)", appsDir, err)
	}
	for _, path := range traces {
		tr, err := verify.ReadTrace(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
		} else if reqs := TraceRequests(tr); len(reqs) < 15 || len(reqs) > 40 {
			t.Errorf("%s: %d requests, want 15 to 40", path, len(reqs))
		}
	}
}

// TestTodoAppUnderLoad builds the todo test app, starts it on loopback and
// runs the todo workload against it: every request must succeed.
func TestTodoAppUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the todo app")
	}
	base := startApp(t, "todo")

	setup, next := TodoWorkload(50, 1)
	res, err := Run(context.Background(), Config{
		URL: base, Setup: setup, Next: next,
		Concurrency: 8, MaxRequests: 3000, Duration: 20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 3000 || res.Errors != 0 || res.Non2xx != 0 {
		t.Errorf("requests = %d, errors = %d (last %v), non-2xx = %d by status %v; want 3000, 0, 0",
			res.Requests, res.Errors, res.LastError, res.Non2xx, res.Status)
	}
	t.Logf("todo app: %.0f req/s, p50 %v, p99 %v", res.RPS, res.P50, res.P99)
}

// startApp builds the named test app, starts it on a free loopback port
// and waits until /healthz answers; it returns the app's base URL.
func startApp(t *testing.T, name string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	dir := filepath.Join(appsDir, name)
	bin := filepath.Join(t.TempDir(), name)
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}

	addr := freeAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-addr", addr)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, logs.String())
		}
	})

	base := "http://" + addr
	waitHealthy(t, base+"/healthz", 10*time.Second)
	return base
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitHealthy polls url until it answers 200 or the deadline passes.
func waitHealthy(t *testing.T, url string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not healthy after %v: %v", url, within, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
