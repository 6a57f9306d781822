// Command gen is a small visit counter that liquefies itself through
// go generate: `go generate ./...` in this directory writes ./liquid, the
// liquefied service, with the command of the checkout that the replace
// line in go.mod names.
package main

//go:generate go run github.com/liquefy/liquefy/cmd/liquefy .

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"sync"
)

var (
	mu     sync.Mutex
	visits = map[string]int{}
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("POST /visit/{page}", handleVisit)
	mux.HandleFunc("GET /visits/{page}", handleVisits)

	log.Printf("gen listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

// handleVisit counts one visit of a page.
func handleVisit(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	defer mu.Unlock()
	visits[r.PathValue("page")]++
	fmt.Fprintln(w, visits[r.PathValue("page")])
}

// handleVisits says how often a page was visited.
func handleVisits(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintln(w, visits[r.PathValue("page")])
}
