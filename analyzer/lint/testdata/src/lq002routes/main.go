// Command lq002routes serves a mux on which nothing is registered.
package main

import "net/http"

func main() {
	mux := http.NewServeMux()
	http.ListenAndServe("127.0.0.1:8080", mux) // want `no routes found on the served mux mux; register handlers with mux.Handle or mux.HandleFunc before serving`
}
