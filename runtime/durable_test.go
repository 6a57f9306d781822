package runtime

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestDurableAfterKill runs the testdata/durable app as a child process
// on a store directory, writes to it from several clients, kills it with
// SIGKILL in the middle of the writes, starts it again on the same store,
// and reads back every key: each must hold its last acknowledged value
// or a later one that was sent but whose reply the kill cut off.
func TestDurableAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a child process")
	}
	bin := buildDurable(t)
	store := t.TempDir()
	first := startDurable(t, bin, store)

	// Writers: each owns its keys and writes increasing versions.
	const writers, keysPerWriter = 4, 5
	type progress struct{ acked, sent atomic.Int64 }
	state := make(map[string]*progress)
	for w := range writers {
		for k := range keysPerWriter {
			state[fmt.Sprintf("w%d-k%d", w, k)] = &progress{}
		}
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := range writers {
		wg.Go(func() {
			for n := int64(1); ; n++ {
				key := fmt.Sprintf("w%d-k%d", w, n%keysPerWriter)
				p := state[key]
				p.sent.Store(n)
				req, _ := http.NewRequest("PUT", first.url+"/kv/"+key, strings.NewReader(strconv.FormatInt(n, 10)))
				resp, err := client.Do(req)
				if err != nil {
					return // the kill
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusNoContent {
					t.Errorf("PUT %s: status %d", key, resp.StatusCode)
					return
				}
				p.acked.Store(n)
				total.Add(1)
			}
		})
	}

	// Kill once enough writes are acknowledged, while the rest go on.
	deadline := time.Now().Add(20 * time.Second)
	for total.Load() < 300 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes acknowledged in time", total.Load())
		}
		time.Sleep(time.Millisecond) // poll interval
	}
	first.kill(t)
	wg.Wait()
	client.CloseIdleConnections()

	// Restart on the same store and read every key back.
	second := startDurable(t, bin, store)
	for key, p := range state {
		acked, sent := p.acked.Load(), p.sent.Load()
		resp, err := client.Get(second.url + "/kv/" + key)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if acked == 0 && resp.StatusCode == http.StatusNotFound {
			continue
		}
		n, _ := strconv.ParseInt(string(body), 10, 64)
		if resp.StatusCode != http.StatusOK || n < acked || n > sent {
			t.Errorf("%s after restart: %d %q; acknowledged %d, sent up to %d", key, resp.StatusCode, body, acked, sent)
		}
	}
	if !strings.Contains(second.log(), `msg="context restored"`) || !strings.Contains(second.log(), "entries=20") {
		t.Errorf("restart did not log the restore of 20 entries:\n%s", second.log())
	}
	t.Logf("%d writes acknowledged before the kill", total.Load())
	second.kill(t)
}

// buildDurable builds testdata/durable into a temporary directory.
func buildDurable(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "durable")
	goTool := filepath.Join(goruntime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "build", "-o", bin, "./testdata/durable")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build testdata/durable: %v\n%s", err, out)
	}
	return bin
}

// A durableProc is one run of the durable app.
type durableProc struct {
	cmd  *exec.Cmd
	url  string
	mu   sync.Mutex
	logs strings.Builder
	done chan struct{} // closed when stderr ends
}

// startDurable starts bin on store and waits until it serves.
func startDurable(t *testing.T, bin, store string) *durableProc {
	t.Helper()
	p := &durableProc{done: make(chan struct{})}
	p.cmd = exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LIQUEFY_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, "LIQUEFY_STORE="+store, "LIQUEFY_LOG=info")
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		p.cmd.Wait()
	})

	// Read the log; the start-up line names the address.
	addr := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs.WriteString(line + "\n")
			p.mu.Unlock()
			if i := strings.Index(line, " addr="); i >= 0 && strings.Contains(line, `msg="service started"`) {
				addr <- strings.Fields(line[i+len(" addr="):])[0]
			}
		}
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-p.done:
		t.Fatalf("durable exited before serving:\n%s", p.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("durable not serving within 30s:\n%s", p.log())
	}
	return p
}

func (p *durableProc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// kill sends SIGKILL and waits for the process to end.
func (p *durableProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done
	p.cmd.Wait()
}
