// Command counter keeps a global hit counter and any number of named
// counters in memory and serves them over HTTP.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"
)

// server holds the counters. Its methods are the HTTP handlers.
type server struct {
	mu     sync.Mutex
	total  int64
	named  map[string]int64
	resets int
}

func newServer() *server {
	return &server{named: make(map[string]int64)}
}

var validName = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	maxStep := flag.Int64("max-step", 1000, "largest increment a single request may ask for")
	flag.Parse()

	s := newServer()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("POST /incr", s.handleIncr)
	mux.HandleFunc("GET /count", s.handleCount)
	mux.HandleFunc("GET /counters", s.handleList)
	mux.HandleFunc("GET /counters/{name}", s.handleGet)
	mux.HandleFunc("POST /counters/{name}/incr", s.incrNamed(*maxStep))
	mux.HandleFunc("DELETE /counters/{name}", s.handleDelete)
	mux.HandleFunc("POST /reset", s.handleReset)
	mux.Handle("GET /snapshot", snapshotHandler{s})
	mux.Handle("GET /version", versionInfo{Name: "counter", Version: "1.4.2", MaxStep: *maxStep})

	srv := &http.Server{
		Addr:              *addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("counter listening on %s", *addr)
	log.Fatal(srv.ListenAndServe())
}

func (s *server) handleHealth(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, "ok")
}

func (s *server) handleIncr(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.total++
	v := s.total
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int64{"value": v})
}

func (s *server) handleCount(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	v := s.total
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int64{"value": v})
}

type namedCounter struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
}

func (s *server) handleList(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	list := make([]namedCounter, 0, len(s.named))
	for name, v := range s.named {
		list = append(list, namedCounter{name, v})
	}
	s.mu.Unlock()

	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	writeJSON(w, http.StatusOK, list)
}

func (s *server) handleGet(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.mu.Lock()
	v, ok := s.named[name]
	s.mu.Unlock()

	if !ok {
		http.Error(w, "no counter named "+strconv.Quote(name), http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, namedCounter{name, v})
}

// incrNamed returns the handler that adds ?by=N (default 1) to a named
// counter, creating it on first use.
func (s *server) incrNamed(maxStep int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !validName.MatchString(name) {
			http.Error(w, "counter names are 1-32 characters of a-z, 0-9 and -", http.StatusBadRequest)
			return
		}
		by := int64(1)
		if q := r.URL.Query().Get("by"); q != "" {
			n, err := strconv.ParseInt(q, 10, 64)
			if err != nil || n < 1 || n > maxStep {
				http.Error(w, fmt.Sprintf("by must be an integer from 1 to %d", maxStep), http.StatusBadRequest)
				return
			}
			by = n
		}

		s.mu.Lock()
		s.named[name] += by
		v := s.named[name]
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, namedCounter{name, v})
	}
}

func (s *server) handleDelete(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.mu.Lock()
	_, ok := s.named[name]
	delete(s.named, name)
	s.mu.Unlock()

	if !ok {
		http.Error(w, "no counter named "+strconv.Quote(name), http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) handleReset(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.total = 0
	clear(s.named)
	s.resets++
	n := s.resets
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int{"resets": n})
}

// snapshotHandler reports every counter at once.
type snapshotHandler struct {
	srv *server
}

func (h snapshotHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.srv.mu.Lock()
	snap := struct {
		Total  int64            `json:"total"`
		Named  map[string]int64 `json:"named"`
		Resets int              `json:"resets"`
	}{h.srv.total, make(map[string]int64, len(h.srv.named)), h.srv.resets}
	for k, v := range h.srv.named {
		snap.Named[k] = v
	}
	h.srv.mu.Unlock()
	writeJSON(w, http.StatusOK, snap)
}

// versionInfo describes the build; it never changes after start-up.
type versionInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	MaxStep int64  `json:"max_step"`
}

func (v versionInfo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "max-age=60")
	writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("encode response: %v", err)
	}
}
