package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"
)

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// withLog logs one line per request to stderr.
func withLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.Printf("%s %s %d %s", r.Method, r.URL.RequestURI(), sw.status, time.Since(start).Round(time.Microsecond))
	})
}

// views counts requests per catalog route for GET /stats.
var views = struct {
	sync.Mutex
	byPath map[string]int
	total  int
}{byPath: map[string]int{}}

// withCount counts each request it passes on.
func withCount(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		views.Lock()
		views.byPath[r.URL.Path]++
		views.total++
		views.Unlock()
		next.ServeHTTP(w, r)
	})
}

func getStats(w http.ResponseWriter, r *http.Request) {
	views.Lock()
	snap := map[string]any{"total": views.total, "by_path": views.byPath}
	body, err := json.Marshal(snap)
	views.Unlock()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(body, '\n'))
}

// tokens maps API tokens to user names. A real shop would ask its
// identity service.
var tokens = map[string]string{
	"tok-alice": "alice",
	"tok-bob":   "bob",
}

type userKey struct{}

// withAuth lets a request through only with a known bearer token, and
// records the user in the request's context.
func withAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shop"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		user, known := tokens[token]
		if !known {
			http.Error(w, "invalid token", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, user)))
	})
}

// userOf returns the user withAuth found.
func userOf(r *http.Request) string {
	u, _ := r.Context().Value(userKey{}).(string)
	return u
}
