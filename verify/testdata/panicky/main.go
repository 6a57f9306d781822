// Command panicky has a handler that panics: net/http aborts the
// connection, and the server keeps serving. Another one makes it exit.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"sync"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()

	var mu sync.Mutex
	hits := 0
	http.HandleFunc("/hit", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		n := hits
		mu.Unlock()
		fmt.Fprintf(w, "hits=%d\n", n)
	})
	http.HandleFunc("/boom", func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	})
	http.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(os.Stderr, "panicky: quitting")
		os.Exit(4)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
