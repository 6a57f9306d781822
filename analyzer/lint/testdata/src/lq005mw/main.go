// Command lq005mw appends every request to an access log on the local
// disk, from middleware around its mux.
package main

import (
	"fmt"
	"net/http"
	"os"
)

func accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.OpenFile("access.log", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644) // want `the middleware around the served mux, for every request, changes local files with os.OpenFile`
		if err == nil {
			fmt.Fprintln(f, r.Method, r.URL.Path)
			f.Close()
		}
		next.ServeHTTP(w, r)
	})
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello") })
	http.ListenAndServe("127.0.0.1:8080", accessLog(mux))
}
