package main

import (
	"fmt"
	"net/http"
	"sync"
)

// server holds a counter that one route writes.
type server struct {
	mu    sync.Mutex
	count int    // class:singleton
	name  string // class:replicated
}

func (s *server) handleCount(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.count++
	s.mu.Unlock()
	fmt.Fprintln(w, s.name)
}

// hits is a handler type with a pointer receiver.
type hits struct {
	n int // class:singleton
}

func (h *hits) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.n++ }

// greeter is a handler type with a value receiver that only reads.
type greeter struct {
	greeting string // class:replicated
}

func (g greeter) ServeHTTP(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, g.greeting) }

func plain(w http.ResponseWriter, r *http.Request) {}

var version = "dev" // class:replicated

func main() {
	version = "1.0" // written in main before serving
	srv := &server{name: "demo"}
	store := map[string]string{} // class:keyed

	mux := http.NewServeMux()
	mux.HandleFunc("POST /count", srv.handleCount)                               // route:singleton
	mux.Handle("/hits", &hits{})                                                 // route:singleton
	mux.Handle("/hello", greeter{greeting: "hi"})                                // route:stateless
	mux.Handle("/plain", http.HandlerFunc(plain))                                // route:stateless
	mux.HandleFunc("PUT /kv/{k}", func(w http.ResponseWriter, r *http.Request) { // route:keyed key:path/k
		store[r.PathValue("k")] = r.URL.Query().Get("v")
	})
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) { // route:stateless
		fmt.Fprint(w, version)
	})

	s := &http.Server{Addr: ":8080"}
	s.Handler = mux
	s.ListenAndServe()
}
