package main

import "net/http"

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write("not a byte slice")
	})
	http.ListenAndServe(":8080", nil)
}
