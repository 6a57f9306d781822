// Command lq003 counts hits in one variable that every route writes.
package main

import (
	"fmt"
	"net/http"
	"sync"
)

var (
	mu   sync.Mutex
	hits int
	name = "lq003" // never written by a route: replicated, silent
)

func count(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	hits++ // want `context hits is a singleton: every request of the 2 routes that reach it \(POST /hit, GET /hits\) runs on its one owner`
	n := hits
	mu.Unlock()
	fmt.Fprintln(w, name, n)
}

func main() {
	http.HandleFunc("POST /hit", count)
	http.HandleFunc("GET /hits", count)
	http.HandleFunc("GET /name", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, name) })
	http.ListenAndServe("127.0.0.1:8080", nil)
}
