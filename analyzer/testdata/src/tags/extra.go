//go:build extra

package main

import "net/http"

var hits = map[string]int{} // class:singleton

func register() {
	http.HandleFunc("POST /extra", func(w http.ResponseWriter, r *http.Request) { hits[r.URL.Path]++ }) // route:singleton
}
