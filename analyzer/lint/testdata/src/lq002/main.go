// Command lq002 registers a route whose pattern is computed at run time.
package main

import (
	"net/http"
	"os"
)

func main() {
	prefix := os.Getenv("PREFIX")
	http.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {})   // a constant pattern: silent
	http.HandleFunc(prefix+"/items", func(w http.ResponseWriter, r *http.Request) {}) // want `pattern is not a constant: liquefy needs every route's pattern at build time; use a string constant`
	http.ListenAndServe("127.0.0.1:8080", nil)
}
