package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Sentinels that Run's and Launch's errors wrap, for callers to branch
// on with errors.Is.
var (
	// ErrMismatch means that some answer of the liquefied service differs
	// from the monolith's.
	ErrMismatch = errors.New("answers differ")

	// ErrTrace means that the trace is missing or malformed.
	ErrTrace = errors.New("bad trace")

	// ErrBuild means that the monolith or the liquefied service does not
	// build; the error is a *BuildError with the compiler's output.
	ErrBuild = errors.New("build failed")

	// ErrStart means that a process did not start or become ready; the
	// error is usually a *StartError with the process's output.
	ErrStart = errors.New("start failed")
)

// DefaultRequestTimeout bounds each replayed request when
// Config.RequestTimeout is zero.
const DefaultRequestTimeout = 30 * time.Second

// Config says what Run verifies and how.
type Config struct {
	// AppDir is the monolith's main package directory; Liquid the
	// liquefied package directory, AppDir/liquid when empty.
	AppDir string
	Liquid string

	// Trace is the path of the request trace.
	Trace string

	// Out receives the readable report; nil discards it.
	Out io.Writer

	// Mode, Workers, Env and Keep are as in LaunchConfig.
	Mode    Mode
	Workers int
	Env     []string
	Keep    bool

	// ReadyTimeout and Grace are as in LaunchConfig; RequestTimeout
	// bounds each replayed request (DefaultRequestTimeout when zero).
	ReadyTimeout   time.Duration
	Grace          time.Duration
	RequestTimeout time.Duration
}

// A Report is the outcome of a verification.
type Report struct {
	// Results has one entry per replayed request, in trace order.
	Results []Result

	// Passed and Failed count the results that matched and that did not.
	Passed, Failed int

	// Processes lists every process Run started; all have exited by the
	// time Run returns.
	Processes []*Process

	// Dir is the build directory when Config.Keep kept it, else empty.
	Dir string
}

// A Result is one request with both answers.
type Result struct {
	// Number is the request's position in the trace, from 1.
	Number  int
	Request Request

	Monolith Answer
	Liquid   Answer

	// Match reports whether the answers agree; if not, Differences names
	// what differs ("status 201 vs 500", "header X-Id", "body (3 vs 4
	// bytes)") and Diff shows it.
	Match       bool
	Differences []string
	Diff        string
}

// Run verifies that the liquefied service at cfg.Liquid answers the
// trace exactly as the monolith at cfg.AppDir does, writing the readable
// report to cfg.Out. It returns an error wrapping ErrMismatch when some
// answer differs, and one wrapping ErrTrace, ErrBuild or ErrStart when it
// could not compare at all; the report is non-nil whenever the trace was
// read, and lists the processes started. Every process is stopped and
// waited for before Run returns, whatever happened.
func Run(ctx context.Context, cfg Config) (rep *Report, err error) {
	// Read the trace.
	if cfg.AppDir == "" || cfg.Trace == "" {
		return nil, errors.New("verify: need an app directory and a trace")
	}
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	trace, err := ReadTrace(cfg.Trace)
	if err != nil {
		return nil, err
	}

	// Build and start both forms; stop them however Run ends.
	rep = &Report{}
	d := &Deployment{}
	defer func() {
		rep.Processes = d.Processes
		if serr := d.Stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	if err := d.launch(ctx, cfg.launchConfig(trace.Start)); err != nil {
		return rep, err
	}
	if cfg.Keep {
		rep.Dir = d.Dir
	}

	// Replay and report.
	if err := rep.replay(ctx, d, trace, cfg.requestTimeout(), out); err != nil {
		return rep, err
	}
	rep.summarize(d, out)
	if rep.Failed > 0 {
		return rep, fmt.Errorf("verify: %w: %d of %d requests",
			ErrMismatch, rep.Failed, len(rep.Results))
	}
	return rep, nil
}

// launchConfig returns the LaunchConfig of cfg for a trace starting with
// st.
func (cfg *Config) launchConfig(st Start) LaunchConfig {
	return LaunchConfig{
		AppDir: cfg.AppDir, Liquid: cfg.Liquid, Start: st,
		Mode: cfg.Mode, Workers: cfg.Workers, Env: cfg.Env, Keep: cfg.Keep,
		ReadyTimeout: cfg.ReadyTimeout, Grace: cfg.Grace,
	}
}

// requestTimeout returns the per-request timeout of cfg.
func (cfg *Config) requestTimeout() time.Duration {
	if cfg.RequestTimeout > 0 {
		return cfg.RequestTimeout
	}
	return DefaultRequestTimeout
}

// replay sends the trace's requests, in order, to both forms of d, each
// request to both at once, and writes a line per request to out.
func (rep *Report) replay(ctx context.Context, d *Deployment, t *Trace,
	timeout time.Duration, out io.Writer) error {
	mono, liquid := newClient(timeout), newClient(timeout)
	for i := range t.Requests {
		// Ask both, with the same Host header: the trace's, else the
		// monolith's address, so that an app that echoes its host
		// answers alike.
		req := &t.Requests[i]
		sent := *req
		if sent.Host == "" {
			sent.Host = strings.TrimPrefix(d.Monolith, "http://")
		}
		var a, b Answer
		var errA, errB error
		var wg sync.WaitGroup
		wg.Go(func() { a, errA = send(ctx, mono, d.Monolith, &sent) })
		wg.Go(func() { b, errB = send(ctx, liquid, d.Liquid, &sent) })
		wg.Wait()
		if err := errors.Join(errA, errB); err != nil {
			return fmt.Errorf("verify: replay %s:%d: %w", t.Name, req.Line, err)
		}

		// Compare and report.
		res := Result{Number: i + 1, Request: *req, Monolith: a, Liquid: b}
		res.Differences = compare(req, &a, &b)
		res.Match = len(res.Differences) == 0
		if !res.Match {
			res.Diff = Diff(req, &a, &b)
		}
		rep.add(res, out)
	}
	return nil
}

// add records res and writes its report lines to out.
func (rep *Report) add(res Result, out io.Writer) {
	rep.Results = append(rep.Results, res)
	if res.Match {
		rep.Passed++
		fmt.Fprintf(out, "ok   %d %s\n", res.Number, res.Request.Label())
		return
	}
	rep.Failed++
	fmt.Fprintf(out, "FAIL %d %s: %s\n",
		res.Number, res.Request.Label(), strings.Join(res.Differences, "; "))
	if res.Request.Name != "" {
		fmt.Fprintf(out, "    (line %d: %s)\n", res.Request.Line, res.Request.Name)
	}
	fmt.Fprint(out, indent(res.Diff, "    "))
}

// summarize writes the summary line to out, after a note for every
// process that exited during the replay, with its output.
func (rep *Report) summarize(d *Deployment, out io.Writer) {
	for _, p := range d.Exited() {
		_, err := p.Exited()
		fmt.Fprintf(out, "%s (pid %d) exited during the replay (%s); its output:\n%s",
			p.Name, p.Pid, exitStatus(err), indent(p.Output(), "    "))
	}
	if rep.Dir != "" {
		fmt.Fprintf(out, "build directory kept: %s\n", rep.Dir)
	}
	fmt.Fprintf(out, "%d passed, %d failed\n", rep.Passed, rep.Failed)
}

// indent prefixes every line of s with pre and ends it with a newline.
func indent(s, pre string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre) + "\n"
}

// ExitCode returns the exit status a command should end with after Run
// returned err: 0 for nil, 1 for a mismatch, 2 for anything else.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrMismatch):
		return 1
	}
	return 2
}
