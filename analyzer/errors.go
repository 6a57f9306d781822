package analyzer

import (
	"errors"
	"fmt"
	"go/token"
	"path/filepath"
	"strings"
)

// ErrLoad is matched by every *LoadError: the app could not be loaded
// (no such directory, no go.mod, not a main package, compile or cgo
// errors). The command maps it to exit status 2.
var ErrLoad = errors.New("load failed")

// ErrFindings is matched by every *FindingsError: the app loaded, but
// liquefy cannot turn it into a service as written (no routes, a pattern
// that is not a constant, no call that serves HTTP or more than one). The
// command maps it to exit status 1.
var ErrFindings = errors.New("analysis findings")

// A Diagnostic is one positioned problem in the user's program. Pos is
// relative to Config.Dir; it is the zero Position for problems that have
// no place in a file. Hint says what to do next and may be empty.
type Diagnostic struct {
	Pos     token.Position
	Message string
	Hint    string
}

// String formats d as the Go toolchain formats errors, "file:line:col:
// message", followed by the hint on an indented line of its own.
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.Pos.IsValid() || d.Pos.Filename != "" {
		b.WriteString(d.Pos.String())
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	if d.Hint != "" {
		b.WriteString("\n\t")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// A LoadError reports that the app could not be loaded. It holds every
// problem found, in the order the toolchain reports them.
type LoadError struct {
	Diagnostics []Diagnostic
}

// Error returns the diagnostics one per line.
func (e *LoadError) Error() string { return joinDiagnostics(e.Diagnostics) }

// Is reports whether target is ErrLoad.
func (e *LoadError) Is(target error) bool { return target == ErrLoad }

// A FindingsError reports what in the app keeps liquefy from analyzing it.
// It holds every finding, sorted by position.
type FindingsError struct {
	Diagnostics []Diagnostic
}

// Error returns the diagnostics one per line.
func (e *FindingsError) Error() string { return joinDiagnostics(e.Diagnostics) }

// Is reports whether target is ErrFindings.
func (e *FindingsError) Is(target error) bool { return target == ErrFindings }

func joinDiagnostics(ds []Diagnostic) string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// loadError returns a *LoadError holding one diagnostic.
func loadError(pos token.Position, hint, format string, args ...any) *LoadError {
	return &LoadError{Diagnostics: []Diagnostic{{Pos: pos, Message: fmt.Sprintf(format, args...), Hint: hint}}}
}

// relPosition returns pos with its file name made relative to dir, when
// the file lies under dir; a file elsewhere keeps its absolute name,
// which reads better than a climb of "../" elements.
func relPosition(dir string, pos token.Position) token.Position {
	if pos.Filename == "" || dir == "" || !filepath.IsAbs(pos.Filename) {
		return pos
	}
	if rel, err := filepath.Rel(dir, pos.Filename); err == nil && !strings.HasPrefix(rel, "..") {
		pos.Filename = rel
	}
	return pos
}
