// Command crosspkg keeps its state in package store: the finding lies
// there, and the pass on this package reports it at the call that leads
// there.
package main

import (
	"fmt"
	"net/http"

	"example.com/lintcases/crosspkg/store"
)

func main() {
	http.HandleFunc("POST /work", func(w http.ResponseWriter, r *http.Request) {
		store.Put(r.FormValue("v")) // want `state root store.queue is not splittable: holds a channel`
	})
	http.HandleFunc("GET /work", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, store.Len())
	})
	http.ListenAndServe("127.0.0.1:8080", nil)
}
