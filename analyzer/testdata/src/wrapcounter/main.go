package main

import (
	"net/http"
	"sync/atomic"
)

var (
	requests atomic.Int64       // class:not-splittable
	carts    = map[string]int{} // class:singleton
	prices   = map[string]int{} // class:singleton
)

// counting counts every request the server sees.
func counting(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		next.ServeHTTP(w, r)
	})
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cart", func(w http.ResponseWriter, r *http.Request) { carts[r.FormValue("id")]++ })   // route:residue context:carts
	mux.HandleFunc("POST /price", func(w http.ResponseWriter, r *http.Request) { prices[r.FormValue("id")]++ }) // route:residue context:carts
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {})                              // route:residue context:carts
	http.ListenAndServe(":8080", counting(mux))
}
