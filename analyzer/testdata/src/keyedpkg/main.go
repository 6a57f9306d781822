// Command keyedpkg holds the keyed cases that cross functions: a map
// behind helpers of another package, a method value promoted from an
// embedded struct, generic helpers.
package main

import (
	"fmt"
	"net/http"
	"strings"

	"example.com/keyedpkg/kv"
)

// table is embedded in server; its handlers are promoted.
type table struct {
	rows map[string]int // class:keyed
}

func (t *table) getRow(w http.ResponseWriter, r *http.Request) {
	fmt.Fprint(w, t.rows[r.PathValue("row")])
}

func (t *table) putRow(w http.ResponseWriter, r *http.Request) {
	t.rows[r.PathValue("row")]++
}

type server struct {
	*table
	name string // class:replicated
}

// load and store are generic helpers over any map.
func load[K comparable, V any](m map[K]V, k K) V { return m[k] }

func store[K comparable, V any](m map[K]V, k K, v V) { m[k] = v }

// keyOf is a helper that derives the key.
func keyOf(r *http.Request) string { return strings.ToUpper(r.PathValue("code")) }

var (
	prices = map[string]float64{} // class:keyed
	stocks = map[string]int{}     // class:singleton
)

// total ranges over stocks inside a generic helper.
func total[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func main() {
	s := &server{table: &table{rows: map[string]int{}}, name: "t"}
	http.HandleFunc("GET /kv/{k}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, kv.Get(r.PathValue("k"))) })    // route:keyed key:path/k
	http.HandleFunc("PUT /kv/{k}", func(w http.ResponseWriter, r *http.Request) { kv.Set(r.PathValue("k"), r.FormValue("v")) }) // route:keyed key:path/k
	http.HandleFunc("POST /hits/{k}", func(w http.ResponseWriter, r *http.Request) { kv.Hit(r.PathValue("k")) })                // route:singleton
	http.HandleFunc("GET /hits", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, kv.Hits()) })                     // route:singleton
	http.HandleFunc("GET /rows/{row}", s.getRow)                                                                                // route:keyed key:path/row
	http.HandleFunc("PUT /rows/{row}", s.putRow)                                                                                // route:keyed key:path/row
	http.HandleFunc("GET /prices/{code}", func(w http.ResponseWriter, r *http.Request) {                                        // route:keyed key:path/code/strings.ToUpper
		fmt.Fprint(w, load(prices, keyOf(r)))
	})
	http.HandleFunc("PUT /prices/{code}", func(w http.ResponseWriter, r *http.Request) { // route:keyed key:path/code/strings.ToUpper
		store(prices, keyOf(r), 1.5)
	})
	http.HandleFunc("PUT /stocks/{sku}", func(w http.ResponseWriter, r *http.Request) { // route:singleton
		store(stocks, r.PathValue("sku"), 3)
	})
	http.HandleFunc("GET /stocks", func(w http.ResponseWriter, r *http.Request) { // route:singleton
		fmt.Fprint(w, total(stocks))
	})
	http.HandleFunc("GET /name", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, s.name) }) // route:stateless
	http.ListenAndServe(":8080", nil)
}
