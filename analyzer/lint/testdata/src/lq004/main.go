// Command lq004 refreshes a price in a goroutine no request starts.
package main

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

var (
	mu    sync.RWMutex
	price float64
)

func refresh() {
	for range time.Tick(time.Second) {
		mu.Lock()
		price += 0.5 // want `state root price is background state: a goroutine no request starts writes it, so each process keeps its own copy for the route that reads it \(GET /price\)`
		mu.Unlock()
	}
}

func main() {
	price = 1 // written in main before serving: no finding of its own
	go refresh()
	http.HandleFunc("GET /price", func(w http.ResponseWriter, r *http.Request) {
		mu.RLock()
		defer mu.RUnlock()
		fmt.Fprint(w, price)
	})
	http.ListenAndServe("127.0.0.1:8080", nil)
}
