package liquefy_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/liquefy/liquefy"
)

// A durableApp says how to write to one bundled app and read it back.
type durableApp struct {
	name string
	args func(addr string) []string
	env  func(addr string) []string
	path string // of an entry, with %s for its id
	body string // of a write, with %s for its title
}

var durableApps = []durableApp{
	// A keyed context in a package-level map, stored per key.
	{name: "todo", path: "/lists/%s", body: `{"title":"%s"}`,
		args: func(addr string) []string { return []string{"-addr", addr} }},
	// A singleton in a field of a store made by a constructor and
	// captured by closures, stored whole.
	{name: "notes", path: "/notes/%s", body: `{"title":"%s","body":"b"}`,
		env: func(addr string) []string { return []string{"NOTES_ADDR=" + addr} }},
}

// TestAcknowledgedWritesSurviveSIGKILL liquefies apps with each kind of
// persisted state, writes through them while killing them with SIGKILL,
// starts them again on the same store directory, and reads back every
// write they acknowledged.
func TestAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs liquefied apps")
	}
	for _, app := range durableApps {
		t.Run(app.name, func(t *testing.T) { testDurable(t, app) })
	}
}

func testDurable(t *testing.T, app durableApp) {
	dir := copyApp(t, app.name)
	if _, err := liquefy.Liquefy(liquefy.Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), app.name+"-liquid")
	build := exec.Command("go", "build", "-o", bin, "./liquid")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	store := t.TempDir()
	addr := freeAddr(t)

	// Write lists one each from eight writers, and kill the service once
	// a hundred writes are acknowledged.
	svc := startApp(t, app, bin, addr, store)
	var (
		mu    sync.Mutex
		acked = map[string]string{} // list id → title acknowledged
		n     atomic.Int64
		wg    sync.WaitGroup
	)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				id, title := fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("title %d of writer %d", i, w)
				status, _, err := call("PUT", "http://"+addr+fmt.Sprintf(app.path, id), fmt.Sprintf(app.body, title))
				if err != nil {
					return // the service is gone
				}
				if status/100 == 2 {
					mu.Lock()
					acked[id] = title
					mu.Unlock()
					n.Add(1)
				}
			}
		}()
	}
	deadline := time.Now().Add(time.Minute)
	for n.Load() < 100 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling a counter the writers advance
	}
	svc.Process.Signal(syscall.SIGKILL)
	svc.Wait()
	wg.Wait()
	if len(acked) < 100 {
		t.Fatalf("only %d writes acknowledged before the kill", len(acked))
	}

	// Start again on the same store: every acknowledged list is back.
	startApp(t, app, bin, addr, store)
	for id, title := range acked {
		status, body, err := call("GET", "http://"+addr+fmt.Sprintf(app.path, id), "")
		if err != nil || status != http.StatusOK || !strings.Contains(body, title) {
			t.Errorf("list %s after restart: %d %q %v, want its title %q", id, status, body, err, title)
		}
	}
	t.Logf("%d acknowledged writes read back after SIGKILL and restart", len(acked))
}

// startApp starts a liquefied app on addr with its JetStream store in
// store, waits until it answers, and kills it when the test ends.
func startApp(t *testing.T, app durableApp, bin, addr, store string) *exec.Cmd {
	t.Helper()
	var args []string
	if app.args != nil {
		args = app.args(addr)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "LIQUEFY_STORE="+store, "LIQUEFY_LOG=warn")
	if app.env != nil {
		cmd.Env = append(cmd.Env, app.env(addr)...)
	}
	logs, _ := os.Create(filepath.Join(t.TempDir(), "log"))
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(time.Minute)
	for {
		if status, _, err := call("GET", "http://"+addr+"/healthz", ""); err == nil && status == http.StatusOK {
			return cmd
		}
		if time.Now().After(deadline) {
			data, _ := os.ReadFile(logs.Name())
			t.Fatalf("liquefied %s not ready on %s:\n%s", app.name, addr, data)
		}
		time.Sleep(20 * time.Millisecond) // polling until the deadline
	}
}

// call sends one request and returns the status and body.
func call(method, url, body string) (int, string, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), err
}

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
