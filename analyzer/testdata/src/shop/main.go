package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"example.com/shop/inventory"
	"example.com/shop/mw"
)

// Order is one order.
type Order struct {
	ID    int
	Item  string
	Total int
}

// shop is the app's state.
type shop struct {
	stock  *inventory.Store // a pointer: its fields are the roots
	mu     sync.Mutex
	orders []Order        // class:singleton
	nextID int            // class:singleton
	prices map[string]int // class:replicated
}

func (s *shop) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /stock/{item}", s.handleStock)                      // route:singleton context:shop.nextID
	mux.HandleFunc("POST /orders", s.handleOrder)                           // route:singleton context:shop.nextID
	mux.HandleFunc("GET /orders", s.handleOrders)                           // route:singleton context:shop.nextID
	mux.Handle("GET /prices", mw.Recover(http.HandlerFunc(s.handlePrices))) // route:stateless
}

func (s *shop) handleStock(w http.ResponseWriter, r *http.Request) {
	fmt.Fprint(w, s.stock.Count(r.PathValue("item")))
}

func (s *shop) handleOrder(w http.ResponseWriter, r *http.Request) {
	item := r.FormValue("item")
	if err := s.stock.Take(item); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	s.mu.Lock()
	s.nextID++
	o := Order{ID: s.nextID, Item: item, Total: s.prices[item]}
	s.orders = append(s.orders, o)
	s.mu.Unlock()
	json.NewEncoder(w).Encode(o)
}

func (s *shop) handleOrders(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]Order(nil), s.orders...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	json.NewEncoder(w).Encode(out)
}

func (s *shop) handlePrices(w http.ResponseWriter, r *http.Request) {
	json.NewEncoder(w).Encode(s.prices)
}

// visits counts page views per path.
var (
	visitsMu sync.Mutex
	visits   = map[string]int{} // class:singleton
	started  time.Time          // class:replicated
	banner   string             // class:background
)

func home(w http.ResponseWriter, r *http.Request) {
	visitsMu.Lock()
	visits[r.URL.Path]++
	n := visits[r.URL.Path]
	visitsMu.Unlock()
	fmt.Fprintf(w, "%s, visit %d, up %v", banner, n, time.Since(started))
}

func uptime(w http.ResponseWriter, r *http.Request) {
	fmt.Fprint(w, strconv.Itoa(int(time.Since(started).Seconds())))
}

func rotate() {
	for i := 0; ; i++ {
		banner = "sale " + strconv.Itoa(i)
		time.Sleep(time.Hour)
	}
}

func main() {
	started = time.Now()
	s := &shop{stock: inventory.New(), prices: map[string]int{"apple": 3}}
	s.stock.Add("apple", 10)

	api := new(http.ServeMux)
	s.routes(api)

	root := &http.ServeMux{}
	root.Handle("/api/", http.StripPrefix("/api", api))  // route:singleton context:shop.nextID
	root.HandleFunc("GET /{$}", home)                    // route:singleton context:visits
	root.Handle("GET /uptime", http.HandlerFunc(uptime)) // route:stateless
	http.Handle("GET /unused", http.HandlerFunc(uptime)) // on the default mux, which is not served

	go rotate()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	http.Serve(l, mw.Log(mw.Recover(root)))
}
