package main

import (
	"net/http"
	"os"
)

func h(w http.ResponseWriter, r *http.Request) {}

func main() {
	prefix := os.Getenv("PREFIX")
	http.HandleFunc(prefix+"/x", h) // want "pattern is not a constant"
	http.HandleFunc("/y", h)
	http.ListenAndServe(":8080", nil)
}
