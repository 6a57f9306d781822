// Command lq001 keeps a channel and a map that both requests and a
// background goroutine write: neither can be split.
package main

import (
	"fmt"
	"net/http"
	"sync"
)

var (
	mu    sync.Mutex
	jobs  = make(chan string, 16)
	seen  = map[string]bool{}
	greet = "hello" // written only in main before serving: replicated, silent
)

// drain runs outside any request and marks jobs seen.
func drain() {
	for j := range jobs {
		mu.Lock()
		seen[j] = true
		mu.Unlock()
	}
}

func main() {
	greet = "hi"
	go drain()
	http.HandleFunc("POST /jobs", func(w http.ResponseWriter, r *http.Request) {
		jobs <- r.FormValue("id") // want `state root jobs is not splittable: holds a channel \(chan string\) used by route POST /jobs; to split it, keep a channel out of the state the routes share`
	})
	http.HandleFunc("DELETE /seen", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = map[string]bool{} // want `state root seen is not splittable: written by route DELETE /seen; to split it, let either requests or the background goroutine write it, not both`
		mu.Unlock()
	})
	http.HandleFunc("GET /greet", func(w http.ResponseWriter, r *http.Request) {
		// A channel made and used inside one request is the request's
		// own: it stays silent.
		done := make(chan string, 1)
		done <- greet
		fmt.Fprint(w, <-done)
	})
	http.ListenAndServe("127.0.0.1:8080", nil)
}
