// Command ticker serves a price list that a background goroutine reloads
// from a data file, and a price index derived from it.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// priceFile is the layout of the data file.
type priceFile struct {
	Currency string             `json:"currency"`
	Prices   map[string]float64 `json:"prices"`
}

// quote is one symbol's price.
type quote struct {
	Symbol string  `json:"symbol"`
	Price  float64 `json:"price"`
}

// board is the latest price list and what is derived from it.
type board struct {
	currency string
	quotes   []quote // sorted by symbol
	bySymbol map[string]float64
	index    float64 // mean price, rounded to cents
	loaded   bool
}

var (
	mu      sync.RWMutex
	current board
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	dataPath := flag.String("data", "prices.json", "price list to load")
	every := flag.Duration("every", 100*time.Millisecond, "how often to reload the price list")
	flag.Parse()

	b, err := load(*dataPath)
	if err != nil {
		log.Fatalf("load prices: %v", err)
	}
	current = b
	go refresh(*dataPath, *every)

	http.HandleFunc("GET /healthz", healthz)
	http.HandleFunc("GET /prices", listPrices)
	http.HandleFunc("GET /prices/{symbol}", getPrice)
	http.HandleFunc("GET /index", getIndex)
	http.HandleFunc("GET /value", portfolioValue)

	log.Printf("ticker listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

// refresh reloads the price list every interval, forever. A file that
// cannot be read or parsed leaves the last good list in place.
func refresh(path string, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for range t.C {
		b, err := load(path)
		if err != nil {
			log.Printf("reload prices: %v", err)
			continue
		}
		mu.Lock()
		current = b
		mu.Unlock()
	}
}

// load reads a price file and derives the board from it.
func load(path string) (board, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return board{}, err
	}
	var f priceFile
	if err := json.Unmarshal(data, &f); err != nil {
		return board{}, fmt.Errorf("parse %s: %w", path, err)
	}
	if len(f.Prices) == 0 {
		return board{}, errors.New("no prices in " + path)
	}

	b := board{currency: f.Currency, bySymbol: f.Prices, loaded: true}
	var sum float64
	for sym, p := range f.Prices {
		b.quotes = append(b.quotes, quote{sym, p})
		sum += p
	}
	sort.Slice(b.quotes, func(i, j int) bool { return b.quotes[i].Symbol < b.quotes[j].Symbol })
	b.index = math.Round(sum/float64(len(f.Prices))*100) / 100
	return b, nil
}

// snapshot returns the current board; its slices and maps are never
// modified after load, so callers may read them without the lock.
func snapshot() board {
	mu.RLock()
	defer mu.RUnlock()
	return current
}

func healthz(w http.ResponseWriter, r *http.Request) {
	if !snapshot().loaded {
		http.Error(w, "prices not loaded yet", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}

func listPrices(w http.ResponseWriter, r *http.Request) {
	b := snapshot()
	quotes := b.quotes
	if min := r.URL.Query().Get("min"); min != "" {
		m, err := strconv.ParseFloat(min, 64)
		if err != nil {
			http.Error(w, "min must be a number", http.StatusBadRequest)
			return
		}
		quotes = nil
		for _, q := range b.quotes {
			if q.Price >= m {
				quotes = append(quotes, q)
			}
		}
	}
	if quotes == nil {
		quotes = []quote{}
	}
	writeJSON(w, map[string]any{"currency": b.currency, "quotes": quotes})
}

func getPrice(w http.ResponseWriter, r *http.Request) {
	sym := strings.ToUpper(r.PathValue("symbol"))
	b := snapshot()
	p, ok := b.bySymbol[sym]
	if !ok {
		http.Error(w, "unknown symbol "+sym, http.StatusNotFound)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, map[string]any{"symbol": sym, "price": p, "currency": b.currency})
}

func getIndex(w http.ResponseWriter, r *http.Request) {
	b := snapshot()
	writeJSON(w, map[string]any{"index": b.index, "symbols": len(b.quotes), "currency": b.currency})
}

// portfolioValue prices a holding given as ?hold=SYM:QTY,SYM:QTY.
func portfolioValue(w http.ResponseWriter, r *http.Request) {
	hold := r.URL.Query().Get("hold")
	if hold == "" {
		http.Error(w, "missing hold=SYMBOL:QTY,...", http.StatusBadRequest)
		return
	}
	b := snapshot()
	var total float64
	for _, item := range strings.Split(hold, ",") {
		sym, qty, ok := strings.Cut(item, ":")
		n, err := strconv.Atoi(qty)
		if !ok || err != nil || n < 0 {
			http.Error(w, fmt.Sprintf("bad holding %q", item), http.StatusBadRequest)
			return
		}
		p, known := b.bySymbol[strings.ToUpper(sym)]
		if !known {
			http.Error(w, "unknown symbol "+strings.ToUpper(sym), http.StatusNotFound)
			return
		}
		total += p * float64(n)
	}
	writeJSON(w, map[string]any{"value": math.Round(total*100) / 100, "currency": b.currency})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("encode: %v", err)
	}
}
