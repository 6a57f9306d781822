package runtime

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// logEvery is how often a message that can repeat per request is logged.
const logEvery = time.Second

// newLogger returns the runtime's logger: text to w at level.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// A limiter rate-limits log lines that can repeat per request: each
// message is written at most once per logEvery, with the number of lines
// suppressed since the last one. It is safe for concurrent use.
type limiter struct {
	mu   sync.Mutex
	last map[string]*limited
}

type limited struct {
	at         time.Time
	suppressed int
}

func newLimiter() *limiter {
	return &limiter{last: make(map[string]*limited)}
}

// log writes msg with args unless msg was written less than logEvery ago.
func (l *limiter) log(log *slog.Logger, level slog.Level, msg string, args ...any) {
	if !log.Enabled(context.Background(), level) {
		return
	}
	n, ok := l.allow(msg, time.Now())
	if !ok {
		return
	}
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	log.Log(context.Background(), level, msg, args...)
}

// allow reports whether msg may be logged at now, and how many lines were
// suppressed before it.
func (l *limiter) allow(msg string, now time.Time) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.last[msg]
	if e == nil {
		l.last[msg] = &limited{at: now}
		return 0, true
	}
	if now.Sub(e.at) < logEvery {
		e.suppressed++
		return 0, false
	}
	n := e.suppressed
	*e = limited{at: now}
	return n, true
}
