package main

import "net/http"

func main() {
	mux := http.NewServeMux()
	http.ListenAndServe(":8080", mux) // want "no routes found on the served mux mux"
}
