package main

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
)

var (
	mu    sync.RWMutex
	rates = map[string]float64{} // class:background
	jobs  = make(chan string)    // class:not-splittable
	seen  = map[string]bool{}    // class:not-splittable
	audit *os.File               // class:not-splittable
)

// refresh polls for new rates, outside any request.
func refresh() {
	for {
		mu.Lock()
		rates["EUR"] = 1.1
		mu.Unlock()
		time.Sleep(time.Minute)
	}
}

// worker drains jobs and marks them seen.
func worker() {
	for j := range jobs {
		seen[j] = true
	}
}

func main() {
	audit, _ = os.Create("audit.log")
	go refresh()
	go worker()
	http.HandleFunc("GET /rate", func(w http.ResponseWriter, r *http.Request) { // route:stateless
		mu.RLock()
		defer mu.RUnlock()
		fmt.Fprint(w, rates[r.URL.Query().Get("c")])
	})
	http.HandleFunc("POST /jobs", func(w http.ResponseWriter, r *http.Request) { // route:residue
		jobs <- r.FormValue("id")
	})
	http.HandleFunc("POST /seen", func(w http.ResponseWriter, r *http.Request) { // route:residue
		seen[r.FormValue("id")] = false
	})
	http.HandleFunc("POST /audit", func(w http.ResponseWriter, r *http.Request) { // route:residue
		fmt.Fprintln(audit, r.URL.Path)
	})
	http.ListenAndServe(":8080", nil)
}
