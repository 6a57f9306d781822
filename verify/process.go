package verify

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// outputTail is how much of a compiler's or process's output an error
// shows.
const outputTail = 8 << 10

// pollInterval is the pause between two readiness checks.
const pollInterval = 20 * time.Millisecond

// A Process is one started process of a deployment.
type Process struct {
	// Name is "monolith", "liquid", "gateway" or "worker-<i>".
	Name string

	// Pid is the operating system's process id.
	Pid int

	// Addr is the app address the process was given; Health its
	// LIQUEFY_HEALTH_ADDR in ModeSplit.
	Addr   string
	Health string

	// Log is the file holding the process's standard output and error.
	Log string

	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited
	mu   sync.Mutex
	err  error // the exit status, once done is closed
}

// start starts bin in dir and a goroutine that waits for it to exit.
func (p *Process) start(bin, dir string, args, env []string) error {
	// The log file, handed to the child as stdout and stderr.
	f, err := os.Create(p.Log)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrStart, p.Name, err)
	}
	defer f.Close()

	// The child.
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = dir
	p.cmd.Env = env
	p.cmd.Stdout = f
	p.cmd.Stderr = f
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrStart, p.Name, err)
	}
	p.Pid = p.cmd.Process.Pid
	p.done = make(chan struct{})
	go p.wait()
	return nil
}

// wait waits for the process to exit and records its status.
func (p *Process) wait() {
	err := p.cmd.Wait()
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	close(p.done)
}

// Exited reports whether the process has exited and, if so, its exit
// error (nil for status 0).
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return true, p.err
	default:
		return false, nil
	}
}

// Output returns the end of what the process wrote to its standard
// output and error so far.
func (p *Process) Output() string {
	b, err := readTail(p.Log, outputTail)
	if err != nil {
		return fmt.Sprintf("(no output: %v)", err)
	}
	return string(b)
}

// waitReady polls check until it succeeds, the process exits, ctx is done
// or the timeout passes; the process exiting and the timeout give up with
// the last check's error and the process's output.
func (p *Process) waitReady(ctx context.Context, timeout time.Duration,
	check func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last error
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		if last == nil || ctx.Err() == nil {
			last = err // not the check the deadline cut short
		}
		select {
		case <-p.done:
			_, err := p.Exited()
			return p.startError(fmt.Errorf("exited before it was ready (%v)", exitStatus(err)))
		case <-ctx.Done():
			if time.Now().Before(deadline) {
				return fmt.Errorf("wait for %s: %w", p.Name, context.Cause(ctx))
			}
			return p.startError(fmt.Errorf("not ready after %v: %w", timeout, last))
		case <-tick.C:
		}
	}
}

// startError returns a StartError for p with its output.
func (p *Process) startError(err error) error {
	return &StartError{Process: p.Name, Pid: p.Pid, Err: err, Output: p.Output()}
}

// stop sends SIGTERM, waits up to grace for the process to exit, then
// kills it, and returns once it has exited.
func (p *Process) stop(grace time.Duration) {
	if p.done == nil {
		return
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.cmd.Process.Kill()
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
		return
	case <-t.C:
	}
	p.cmd.Process.Kill()
	<-p.done
}

// exitStatus describes a process's exit error.
func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// A StartError says that a process failed to start or to become ready.
// It wraps ErrStart and the cause.
type StartError struct {
	Process string
	Pid     int
	Err     error
	Output  string // the end of the process's output
}

// Error returns the process, the cause, and the output.
func (e *StartError) Error() string {
	return fmt.Sprintf("start %s (pid %d): %v%s", e.Process, e.Pid, e.Err, indentOutput(e.Output))
}

// Unwrap returns ErrStart and the cause.
func (e *StartError) Unwrap() []error {
	return []error{ErrStart, e.Err}
}

// A BuildError says that go build failed on a package. It wraps ErrBuild
// and the cause.
type BuildError struct {
	Package string // the package directory
	Err     error
	Output  string // the compiler's output
}

// Error returns the package, the cause, and the compiler's output.
func (e *BuildError) Error() string {
	return fmt.Sprintf("build %s: %v%s", e.Package, e.Err, indentOutput(e.Output))
}

// Unwrap returns ErrBuild and the cause.
func (e *BuildError) Unwrap() []error {
	return []error{ErrBuild, e.Err}
}

// indentOutput formats a process's output to follow an error message on
// lines of its own.
func indentOutput(out string) string {
	out = strings.TrimRight(out, "\n")
	if out == "" {
		return " (no output)"
	}
	return "\n\t" + strings.ReplaceAll(out, "\n", "\n\t")
}

// build runs go build for the package in dir, from the root of the
// module that holds it, writing the binary to bin.
func build(ctx context.Context, dir, bin string) error {
	// Find the module and the package's path inside it.
	abs, err := filepath.Abs(dir)
	if err != nil {
		return &BuildError{Package: dir, Err: err}
	}
	root, err := moduleRoot(abs)
	if err != nil {
		return &BuildError{Package: dir, Err: err}
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return &BuildError{Package: dir, Err: err}
	}

	// Build it.
	gobin, err := exec.LookPath("go")
	if err != nil {
		return &BuildError{Package: dir, Err: err}
	}
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", bin, "./"+filepath.ToSlash(rel))
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return fmt.Errorf("build %s: %w", dir, context.Cause(ctx))
	}
	if err != nil {
		return &BuildError{Package: dir, Err: err, Output: tail(out, outputTail)}
	}
	return nil
}

// moduleRoot returns the nearest directory, dir or above, holding a
// go.mod file.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !fi.IsDir() {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			if _, err := os.Stat(dir); err != nil {
				return "", err
			}
			return "", fmt.Errorf("no go.mod in %s or any parent directory", dir)
		}
		d = up
	}
}

// readTail returns the last n bytes of the file at path.
func readTail(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	off := max(fi.Size()-n, 0)
	b, err := io.ReadAll(io.NewSectionReader(f, off, fi.Size()-off))
	if off > 0 {
		b = append([]byte("…"), b...)
	}
	return b, err
}

// tail returns the last n bytes of b as a string.
func tail(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return "…" + string(b[len(b)-n:])
}

// tcpReady reports, as a nil error, whether addr accepts TCP connections.
func tcpReady(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return c.Close()
}

// readyClient is the client of readiness checks: short timeouts, no
// keep-alive, no redirects.
var readyClient = &http.Client{
	Timeout:   time.Second,
	Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// httpReady reports, as a nil error, whether a GET of url answers 2xx.
func httpReady(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := readyClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
