package main

import (
	_ "expvar" // route:stateless
	"net/http"
	_ "net/http/pprof" // route:stateless
	"net/rpc"
)

func main() {
	http.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {}) // route:stateless
	rpc.HandleHTTP()                                                          // route:stateless
	http.ListenAndServe(":8080", nil)
}
