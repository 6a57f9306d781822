package main

import (
	"net/http"
	"strings"
)

// app routes by hand, so the analysis cannot see routes: every request
// goes to the default fluxion.
type app struct {
	mux   *http.ServeMux
	notes []string // class:singleton
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/notes") {
		a.notes = append(a.notes, r.URL.Path)
		return
	}
	a.mux.ServeHTTP(w, r)
}

var pings int // class:singleton

// limit keeps a count of its own in a captured variable.
func limit(next http.Handler) http.Handler {
	n := 0 // class:singleton
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		next.ServeHTTP(w, r)
	})
}

func main() {
	a := &app{mux: http.NewServeMux()}
	a.mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { pings++ })
	http.ListenAndServe(":8080", limit(a))
}
