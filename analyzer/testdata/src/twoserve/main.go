package main

import "net/http"

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {})
	go http.ListenAndServe(":8080", nil)           // want "more than one call serves HTTP"
	http.ListenAndServeTLS(":8443", "c", "k", nil) // want "more than one call serves HTTP"
}
