package runtime

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path"
	goruntime "runtime"
	"strings"
)

// errHijack is what Hijack returns: a buffered response has no connection
// to hand over.
var errHijack = errors.New("liquefy: hijacking a connection is not supported by a liquefied service")

// A recorder is the http.ResponseWriter a worker hands to the app's
// handler. It mirrors net/http's ResponseWriter: the status defaults to
// 200 on the first Write, the first final WriteHeader wins, 1xx codes are
// not final, and the header is snapshotted when the status is fixed, so
// later changes reach the client only as trailers. A recorder is used by
// one handler goroutine, as a ResponseWriter is.
type recorder struct {
	header  http.Header // the handler's live map
	sent    http.Header // snapshot taken when the status was fixed
	status  int
	flushed bool
	interim []interim
	// superfluous names the caller of the first WriteHeader after the
	// status was fixed, which net/http would log.
	superfluous string
	body        bytes.Buffer
}

var (
	_ http.ResponseWriter = (*recorder)(nil)
	_ http.Flusher        = (*recorder)(nil)
	_ http.Hijacker       = (*recorder)(nil)
)

func newRecorder() *recorder {
	return &recorder{header: make(http.Header)}
}

// Header returns the live header map.
func (w *recorder) Header() http.Header {
	return w.header
}

// WriteHeader fixes the status and snapshots the header, unless the code
// is informational or a status is already fixed.
func (w *recorder) WriteHeader(code int) {
	if w.sent != nil {
		if w.superfluous == "" {
			w.superfluous = callerOutside()
		}
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		// 100 Continue is the server's business: the gateway has read
		// the body, which sent it if the client asked.
		if code != http.StatusContinue {
			w.interim = append(w.interim, interim{code, w.header.Clone()})
		}
		return
	}
	w.status = code
	w.sent = w.header.Clone()
	if w.sent == nil {
		w.sent = make(http.Header)
	}
}

// Write records p, fixing the status at 200 first if none is.
func (w *recorder) Write(p []byte) (int, error) {
	if w.sent == nil {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	return w.body.Write(p)
}

// WriteString records s like Write.
func (w *recorder) WriteString(s string) (int, error) {
	if w.sent == nil {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	return w.body.WriteString(s)
}

// Flush fixes the status as net/http does and notes that the handler
// flushed; the response itself stays buffered until the handler returns.
func (w *recorder) Flush() {
	if w.sent == nil {
		w.WriteHeader(http.StatusOK)
	}
	w.flushed = true
}

// FlushError is Flush for http.ResponseController.
func (w *recorder) FlushError() error {
	w.Flush()
	return nil
}

// Hijack reports that hijacking is not supported.
func (w *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, errHijack
}

// finish ends the recording, after the handler returned, and returns the
// response to send.
func (w *recorder) finish() *wireResponse {
	if w.sent == nil {
		w.WriteHeader(http.StatusOK)
	}
	return &wireResponse{
		Outcome: outcomeOK,
		Status:  w.status,
		Header:  w.sent,
		Trailer: w.trailers(),
		Flushed: w.flushed,
		Interim: w.interim,
		Body:    w.body.Bytes(),
	}
}

// trailers returns the trailers as the gateway must set them after the
// body: declared ones (named by the snapshot's "Trailer" header) under
// their own name with their final value, undeclared ones under
// http.TrailerPrefix.
func (w *recorder) trailers() http.Header {
	var t http.Header
	add := func(k string, v []string) {
		if t == nil {
			t = make(http.Header)
		}
		t[k] = v
	}
	for _, decl := range w.sent["Trailer"] {
		for k := range strings.SplitSeq(decl, ",") {
			k = http.CanonicalHeaderKey(strings.TrimSpace(k))
			if v, ok := w.header[k]; ok && k != "" {
				add(k, v)
			}
		}
	}
	for k, v := range w.header {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			add(k, v)
		}
	}
	return t
}

// callerOutside describes the first caller outside the recorder and
// net/http, as net/http names the source of a superfluous WriteHeader.
func callerOutside() string {
	pc := make([]uintptr, 16)
	frames := goruntime.CallersFrames(pc[:goruntime.Callers(3, pc)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "net/http.") && !strings.HasPrefix(f.Function, thisPackage+".(*recorder).") {
			return fmt.Sprintf("%s (%s:%d)", f.Function, path.Base(f.File), f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}

// thisPackage is the import path of this package, for callerOutside.
const thisPackage = "github.com/liquefy/liquefy/runtime"

// bodyAllowed reports whether a response with this status may have a
// body, as net/http decides it.
func bodyAllowed(status int) bool {
	switch {
	case status >= 100 && status <= 199:
		return false
	case status == http.StatusNoContent, status == http.StatusNotModified:
		return false
	}
	return true
}
