package verify

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// app returns the directory of a testdata app.
func app(name string) string {
	return filepath.Join("testdata", name)
}

// writeTrace writes a trace file into a test's temporary directory.
func writeTrace(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	return path
}

// assertGone fails unless every process has exited and been reaped.
func assertGone(t *testing.T, procs []*Process) {
	t.Helper()
	for _, p := range procs {
		if p.Pid <= 0 {
			t.Errorf("%s: no pid", p.Name)
			continue
		}
		if err := syscall.Kill(p.Pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s (pid %d) still exists: kill 0 = %v", p.Name, p.Pid, err)
		}
	}
}

// run runs Run with the report going to a buffer, and returns both.
func run(t *testing.T, cfg Config) (*Report, string, error) {
	t.Helper()
	var out strings.Builder
	cfg.Out = &out
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 20 * time.Second
	}
	rep, err := Run(t.Context(), cfg)
	t.Logf("report:\n%s\nerror: %v", out.String(), err)
	return rep, out.String(), err
}

func TestSameMonolithAgrees(t *testing.T) {
	t.Parallel()
	cfg := Config{AppDir: app("todo"), Liquid: app("todo"), Trace: app("todo/trace.jsonl")}
	rep, out, err := run(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.HasSuffix(out, "15 passed, 0 failed\n") {
		t.Errorf("summary missing or wrong")
	}
	if !strings.Contains(out, "ok   4 GET /todos/1\n") {
		t.Errorf("no ok line for request 4")
	}
	assertGone(t, rep.Processes)
	if len(rep.Processes) != 2 {
		t.Errorf("%d processes, want 2", len(rep.Processes))
	}

	// The replay follows the trace exactly: state, no redirects, Host,
	// Accept-Encoding and Cookie as written.
	byNum := func(n int) Answer { return rep.Results[n-1].Liquid }
	if a := byNum(2); a.Status != http.StatusCreated || a.Header.Get("Location") != "/todos/1" {
		t.Errorf("create: %v %v", a.String(), a.Header)
	}
	if a := byNum(12); a.Status != http.StatusMovedPermanently {
		t.Errorf("redirect followed? %v", a.String())
	}
	want := `host=todo.example accept-encoding="identity" cookie="session=abc"` + "\n"
	if got := string(byNum(14).Body); got != want {
		t.Errorf("whoami = %q, want %q", got, want)
	}
}

func TestVariantDisagrees(t *testing.T) {
	t.Parallel()
	cfg := Config{AppDir: app("todo"), Liquid: app("todo/variant"), Trace: app("todo/trace.jsonl")}
	rep, out, err := run(t, cfg)
	if !errors.Is(err, ErrMismatch) || ExitCode(err) != 1 {
		t.Fatalf("Run: %v, want ErrMismatch", err)
	}
	for _, want := range []string{
		"FAIL 1 GET /todos: header Cache-Control\n",
		"FAIL 2 POST /todos: status 201 vs 200\n",
		"    -HTTP 201 Created\n    +HTTP 200 OK\n",
		"    -Cache-Control: no-store\n    +Cache-Control: max-age=60\n",
		"FAIL 4 GET /todos/1: body (37 vs 37 bytes)\n",
		"    -  \"title\": \"milk\",\n    +  \"title\": \"MILK\",\n",
		"ok   6 POST /todos\n",
		"FAIL 13 HEAD /todos: header Cache-Control\n",
		"9 passed, 6 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if rep.Passed != 9 || rep.Failed != 6 {
		t.Errorf("passed %d, failed %d", rep.Passed, rep.Failed)
	}
	assertGone(t, rep.Processes)
}

func TestPanicIsConnectionClosed(t *testing.T) {
	t.Parallel()
	cfg := Config{AppDir: app("panicky"), Liquid: app("panicky"), Trace: app("panicky/trace.jsonl")}
	rep, out, err := run(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	r := rep.Results[1]
	if r.Monolith.Failure != Closed || r.Liquid.Failure != Closed || !r.Match {
		t.Errorf("panic answered %q and %q", r.Monolith.String(), r.Liquid.String())
	}
	if got := string(rep.Results[2].Monolith.Body); got != "hits=2\n" {
		t.Errorf("after the panic: %q", got)
	}
	if !strings.HasSuffix(out, "4 passed, 0 failed\n") {
		t.Errorf("wrong summary")
	}
	assertGone(t, rep.Processes)
}

func TestBuildFailureShowsCompiler(t *testing.T) {
	t.Parallel()
	cfg := Config{AppDir: app("todo"), Liquid: app("broken"), Trace: app("todo/trace.jsonl")}
	rep, _, err := run(t, cfg)
	var be *BuildError
	if !errors.Is(err, ErrBuild) || !errors.As(err, &be) || ExitCode(err) != 2 {
		t.Fatalf("Run: %v, want a BuildError", err)
	}
	if !strings.Contains(err.Error(), "main.go:5:2: undefined: startServer") {
		t.Errorf("error lacks the compiler's message: %v", err)
	}
	if len(rep.Processes) != 0 {
		t.Errorf("started %d processes after a failed build", len(rep.Processes))
	}
}

func TestNotReadyTimesOutWithOutput(t *testing.T) {
	t.Parallel()
	trace := writeTrace(t, `{"start": {"args": ["-addr", "{{addr}}"], "ready": "/healthz"}}`, `{"path": "/"}`)
	cfg := Config{AppDir: app("neverready"), Liquid: app("neverready"), Trace: trace,
		ReadyTimeout: time.Second, Grace: 200 * time.Millisecond}
	start := time.Now()
	rep, _, err := run(t, cfg)
	var se *StartError
	if !errors.Is(err, ErrStart) || !errors.As(err, &se) {
		t.Fatalf("Run: %v, want a StartError", err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("gave up after %v, before the deadline", d)
	}
	for _, want := range []string{"not ready after 1s", "503 Service Unavailable", "warming up, forever"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	// The app ignores SIGTERM: Stop must have killed it.
	assertGone(t, rep.Processes)
}

func TestExitBeforeReady(t *testing.T) {
	t.Parallel()
	trace := writeTrace(t, `{"start": {"args": ["-crash"]}}`, `{"path": "/"}`)
	cfg := Config{AppDir: app("neverready"), Liquid: app("neverready"), Trace: trace}
	rep, _, err := run(t, cfg)
	if !errors.Is(err, ErrStart) {
		t.Fatalf("Run: %v, want ErrStart", err)
	}
	for _, want := range []string{"exited before it was ready (exit status 3)", "cannot open store: permission denied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	assertGone(t, rep.Processes)
}

func TestCancelStopsEverything(t *testing.T) {
	t.Parallel()
	trace := writeTrace(t, `{"start": {"args": ["-addr", "{{addr}}"], "ready": "/healthz"}}`, `{"path": "/"}`)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cfg := Config{AppDir: app("neverready"), Liquid: app("neverready"), Trace: trace,
		Grace: 100 * time.Millisecond}

	// Cancel once both processes run and are being polled.
	var rep *Report
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		rep, err = Run(ctx, cfg)
	}()
	waitForLogs(t, "neverready: warming up", done)
	cancel()
	<-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v, want context.Canceled", err)
	}
	assertGone(t, rep.Processes)
}

// waitForLogs polls until two processes have written want to their logs
// in some verify build directory, or done is closed.
func waitForLogs(t *testing.T, want string, done <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		logs, _ := filepath.Glob(filepath.Join(os.TempDir(), "liquefy-verify-*", "*.log"))
		n := 0
		for _, l := range logs {
			if b, _ := os.ReadFile(l); strings.Contains(string(b), want) {
				n++
			}
		}
		if n >= 2 {
			return
		}
		select {
		case <-done:
			t.Fatal("Run returned before the processes started")
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("processes never started")
}

func TestSplitMode(t *testing.T) {
	t.Parallel()
	cfg := Config{AppDir: app("todo"), Trace: app("todo/trace.jsonl"), Mode: ModeSplit, Workers: 2}
	rep, out, err := run(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.HasSuffix(out, "15 passed, 0 failed\n") {
		t.Errorf("wrong summary")
	}
	var names []string
	for _, p := range rep.Processes {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "monolith worker-0 worker-1 gateway" {
		t.Errorf("processes %s", got)
	}
	assertGone(t, rep.Processes)
}

func TestLaunchForBenchmarks(t *testing.T) {
	t.Parallel()
	d, err := Launch(t.Context(), LaunchConfig{AppDir: app("todo"), Mode: ModeSplit, Workers: 1,
		Start: Start{Args: []string{"-addr", AddrPlaceholder}, Ready: "/healthz"}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()

	// Both answer on their URLs; the NATS server is verify's own.
	for _, base := range []string{d.Monolith, d.Liquid} {
		resp, err := http.Get(base + "/todos")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s", base, resp.Status)
		}
	}
	if !strings.HasPrefix(d.NATS, "nats://127.0.0.1:") {
		t.Errorf("NATS = %q", d.NATS)
	}

	// Stop leaves nothing behind.
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	assertGone(t, d.Processes)
	if _, err := os.Stat(d.Dir); !os.IsNotExist(err) {
		t.Errorf("build directory left: %v", err)
	}
}

func TestExitDuringReplay(t *testing.T) {
	t.Parallel()
	// The app exits in the middle of the last request: both connections
	// close. Whether the report notes the exit depends on how far the
	// exit got, so the note is checked by TestExitNote.
	trace := writeTrace(t, `{"path": "/hit"}`, `{"path": "/quit"}`)
	cfg := Config{AppDir: app("panicky"), Liquid: app("panicky"), Trace: trace}
	rep, _, err := run(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if r := rep.Results[1]; r.Monolith.Failure != Closed || r.Liquid.Failure != Closed {
		t.Errorf("exit answered %v and %v", r.Monolith.String(), r.Liquid.String())
	}
	assertGone(t, rep.Processes)
}

func TestExitNote(t *testing.T) {
	t.Parallel()
	d, err := Launch(t.Context(), LaunchConfig{AppDir: app("panicky"), Liquid: app("panicky")})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()

	// Make the liquefied form exit, and wait until it has.
	if resp, err := http.Get(d.Liquid + "/quit"); err == nil {
		resp.Body.Close()
		t.Fatalf("/quit answered %s", resp.Status)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(d.Exited()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling, bounded by deadline
	}

	// The summary names it, with its status and output.
	var rep Report
	var out strings.Builder
	rep.summarize(d, &out)
	want := "liquid (pid " + strconv.Itoa(d.Processes[1].Pid) + ") exited during the replay " +
		"(exit status 4); its output:\n    panicky: quitting\n0 passed, 0 failed\n"
	if out.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestLaunchRejectsBadConfig(t *testing.T) {
	for _, cfg := range []LaunchConfig{
		{},
		{AppDir: app("todo"), Mode: "cluster"},
		{AppDir: app("todo"), Env: []string{"NOEQUALS"}},
		{AppDir: app("todo"), Workers: -1},
	} {
		if d, err := Launch(t.Context(), cfg); err == nil {
			d.Stop()
			t.Errorf("Launch(%+v) succeeded", cfg)
		}
	}
}

func TestStartEnvGetsTheAddress(t *testing.T) {
	t.Parallel()
	// No arguments: the app listens on $TODO_ADDR.
	trace := writeTrace(t, `{"start": {"args": [], "env": {"TODO_ADDR": "{{addr}}"}, "ready": "/healthz"}}`,
		`{"method": "POST", "path": "/todos", "body": "{\"title\":\"a\"}"}`, `{"path": "/todos"}`)
	rep, out, err := run(t, Config{AppDir: app("todo"), Trace: trace})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.HasSuffix(out, "2 passed, 0 failed\n") {
		t.Errorf("wrong summary")
	}
	if got := string(rep.Results[1].Liquid.Body); got != `[{"id":1,"title":"a","done":false}]`+"\n" {
		t.Errorf("list = %q", got)
	}
	assertGone(t, rep.Processes)
}

func TestMissingLiquidSaysWhatToDo(t *testing.T) {
	t.Parallel()
	cfg := Config{AppDir: app("panicky"), Trace: app("panicky/trace.jsonl")}
	_, _, err := run(t, cfg)
	if !errors.Is(err, ErrBuild) || !strings.Contains(err.Error(), "run liquefy on the app first") {
		t.Errorf("Run: %v, want a build error saying to run liquefy", err)
	}
}

func TestKeepKeepsTheBuildDirectory(t *testing.T) {
	t.Parallel()
	cfg := Config{AppDir: app("panicky"), Liquid: app("panicky"), Trace: app("panicky/trace.jsonl"), Keep: true}
	rep, out, err := run(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(rep.Dir) })
	if !strings.Contains(out, "build directory kept: "+rep.Dir+"\n") {
		t.Errorf("report does not name the kept directory %q", rep.Dir)
	}
	for _, f := range []string{"monolith", "liquid", "monolith.log", "liquid.log"} {
		if _, err := os.Stat(filepath.Join(rep.Dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestInheritedLiquefyEnvIsDropped cannot run in parallel: it sets the
// environment verify inherits.
func TestInheritedLiquefyEnvIsDropped(t *testing.T) {
	// In the worker role the fake liquid service would never serve the
	// app; verify must not pass the user's LIQUEFY_ROLE on.
	t.Setenv("LIQUEFY_ROLE", "worker")
	cfg := Config{AppDir: app("todo"), Trace: app("todo/trace.jsonl"), ReadyTimeout: 10 * time.Second}
	rep, _, err := run(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	assertGone(t, rep.Processes)
}
