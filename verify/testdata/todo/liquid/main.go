// Command liquid stands in for the liquefied todo app in verify's tests:
// it serves the same handler, and in the gateway and worker roles checks
// the environment verify gives it (a reachable NATS server, worker
// numbering, a health address) before it reports ready on /readyz.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"example.com/todo/internal/todos"
)

func main() {
	def := os.Getenv("TODO_ADDR")
	if def == "" {
		def = "127.0.0.1:8080"
	}
	addr := flag.String("addr", def, "listen address (default $TODO_ADDR)")
	flag.Parse()
	app := todos.New(todos.Options{}).Handler()

	switch role := os.Getenv("LIQUEFY_ROLE"); role {
	case "", "all":
		log.Fatal(http.ListenAndServe(*addr, app))
	case "worker":
		mustNATS()
		mustWorkerIndex()
		go serveHealth()
		waitForSignal()
	case "gateway":
		mustNATS()
		l, err := net.Listen("tcp", *addr)
		if err != nil {
			log.Fatal(err)
		}
		go serveHealth()
		log.Fatal(http.Serve(l, app))
	default:
		log.Fatalf("liquid: unknown LIQUEFY_ROLE %q", role)
	}
}

// mustNATS checks that LIQUEFY_NATS names a NATS server that greets with
// INFO, and that logging is turned down as verify asks.
func mustNATS() {
	if os.Getenv("LIQUEFY_LOG") != "warn" {
		log.Fatalf("liquid: LIQUEFY_LOG=%q, want warn", os.Getenv("LIQUEFY_LOG"))
	}
	u, err := url.Parse(os.Getenv("LIQUEFY_NATS"))
	if err != nil || u.Scheme != "nats" {
		log.Fatalf("liquid: LIQUEFY_NATS=%q is not a nats:// URL", os.Getenv("LIQUEFY_NATS"))
	}
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		log.Fatalf("liquid: %v", err)
	}
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "INFO ") {
		log.Fatalf("liquid: %s did not greet like NATS: %q %v", u.Host, line, err)
	}
}

// mustWorkerIndex checks LIQUEFY_WORKERS and LIQUEFY_WORKER_INDEX.
func mustWorkerIndex() {
	n, err1 := strconv.Atoi(os.Getenv("LIQUEFY_WORKERS"))
	i, err2 := strconv.Atoi(os.Getenv("LIQUEFY_WORKER_INDEX"))
	if err1 != nil || err2 != nil || i < 0 || i >= n {
		log.Fatalf("liquid: bad worker numbering %q of %q",
			os.Getenv("LIQUEFY_WORKER_INDEX"), os.Getenv("LIQUEFY_WORKERS"))
	}
}

// serveHealth answers /readyz on LIQUEFY_HEALTH_ADDR.
func serveHealth() {
	mux := http.NewServeMux()
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ready")
	})
	log.Fatal(http.ListenAndServe(os.Getenv("LIQUEFY_HEALTH_ADDR"), mux))
}

func waitForSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, os.Interrupt)
	<-c
}
