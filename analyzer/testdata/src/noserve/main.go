package main

import "net/http"

func main() { // want "no call that serves HTTP"
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {})
}
