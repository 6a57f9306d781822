// Command neverready never becomes ready: its health check fails forever,
// it ignores SIGTERM, and with -crash it exits at once.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	crash := flag.Bool("crash", false, "fail at start-up")
	flag.Parse()
	if *crash {
		fmt.Fprintln(os.Stderr, "neverready: cannot open store: permission denied")
		os.Exit(3)
	}
	signal.Ignore(syscall.SIGTERM)
	fmt.Fprintln(os.Stderr, "neverready: warming up, forever")
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "warming up", http.StatusServiceUnavailable)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
