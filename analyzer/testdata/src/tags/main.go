// tags:extra

package main

import "net/http"

func main() {
	http.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {}) // route:stateless
	register()
	http.ListenAndServe(":8080", nil)
}
