// Command shop is a small web shop API: a fixed catalog, a cart per user
// and a checkout, with logging, authentication and view counting done by
// middleware.
package main

import (
	_ "expvar" // serves /debug/vars for the ops dashboard
	"flag"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	checkoutTimeout := flag.Duration("checkout-timeout", 2*time.Second, "longest a checkout may take")
	flag.Parse()
	log.SetOutput(os.Stderr)
	log.SetFlags(0)

	http.HandleFunc("GET /healthz", healthz)
	http.Handle("GET /products", withLog(withCount(http.HandlerFunc(listProducts))))
	http.Handle("GET /products/{sku}", withLog(withCount(http.HandlerFunc(getProduct))))
	http.HandleFunc("GET /stats", getStats)

	http.Handle("GET /cart", withAuth(withLog(http.HandlerFunc(getCart))))
	http.Handle("POST /cart/items", withAuth(withLog(http.HandlerFunc(addItem))))
	http.Handle("DELETE /cart/items/{sku}", withAuth(withLog(http.HandlerFunc(removeItem))))
	http.Handle("POST /checkout", http.TimeoutHandler(
		withAuth(withLog(http.HandlerFunc(checkout))),
		*checkoutTimeout, "checkout timed out, please retry\n"))

	log.Printf("shop listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

func healthz(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte("ok\n"))
}
