// Package routes registers the app's routes on a mux.
package routes

import (
	"net/http"

	"example.com/helperpkg/store"
)

// Register registers every route on mux.
func Register(mux *http.ServeMux) {
	mux.HandleFunc("PUT /items/{k}", put) // route:singleton context:store.items
	mux.HandleFunc("GET /up", up)         // route:stateless
}

func put(w http.ResponseWriter, r *http.Request) { store.Put(r.PathValue("k"), r.FormValue("v")) }
func up(w http.ResponseWriter, r *http.Request)  {}
