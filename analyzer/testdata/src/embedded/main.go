package main

import (
	"fmt"
	"net/http"
)

// stats is embedded in server; its method is promoted.
type stats struct {
	served int // class:singleton
}

func (s *stats) handleStats(w http.ResponseWriter, r *http.Request) {
	s.served++
	fmt.Fprint(w, s.served)
}

type counter struct {
	n int // class:singleton
}

type server struct {
	*stats
	counter
	title string // class:replicated
}

func (s *server) handleCount(w http.ResponseWriter, r *http.Request) {
	s.n++
	fmt.Fprint(w, s.title)
}

func main() {
	srv := &server{stats: &stats{}, title: "t"}
	http.HandleFunc("GET /stats", srv.handleStats)  // route:singleton context:stats.served
	http.HandleFunc("POST /count", srv.handleCount) // route:singleton context:server.n
	http.ListenAndServe(":8080", nil)
}
