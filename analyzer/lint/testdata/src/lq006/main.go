// Command lq006 streams server-sent events.
package main

import (
	"bufio"
	"fmt"
	"net/http"
)

func events(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	for i := range 3 {
		fmt.Fprintf(w, "data: %d\n\n", i)
		w.(http.Flusher).Flush() // want `route GET /events flushes the response with \(http.Flusher\).Flush: the liquefied service sends it only when the handler returns`
	}
}

func ticks(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	fmt.Fprintln(w, "tick")
	rc.Flush() // want `route GET /ticks flushes the response with \(\*http.ResponseController\).Flush`
}

func report(w http.ResponseWriter, r *http.Request) {
	// A bufio.Writer's Flush writes into the response, which is still
	// buffered until the handler returns: silent.
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "report")
	b.Flush()
}

func main() {
	http.HandleFunc("GET /events", events)
	http.HandleFunc("GET /ticks", ticks)
	http.HandleFunc("GET /report", report)
	http.ListenAndServe("127.0.0.1:8080", nil)
}
