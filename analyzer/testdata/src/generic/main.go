package main

import (
	"net/http"
	"sync"
)

// Cache is a generic map behind a mutex.
type Cache[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V // class:keyed
}

// Set stores v under k.
func (c *Cache[K, V]) Set(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = v
}

// Get returns the value under k.
func (c *Cache[K, V]) Get(k K) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

// put is a generic helper that writes through its argument.
func put[K comparable, V any](m map[K]V, k K, v V) { m[k] = v }

var (
	sessions = &Cache[string, int]{m: map[string]int{}} // a pointer: its fields are the roots
	tags     = map[string]string{}                      // class:keyed
	names    = map[string]string{"a": "b"}              // class:replicated
)

func main() {
	http.HandleFunc("POST /s", func(w http.ResponseWriter, r *http.Request) { sessions.Set(r.FormValue("id"), 1) }) // route:keyed key:form/id
	http.HandleFunc("POST /t", func(w http.ResponseWriter, r *http.Request) { put(tags, r.FormValue("k"), "v") })   // route:keyed key:form/k
	http.HandleFunc("GET /n", func(w http.ResponseWriter, r *http.Request) { _ = names[r.FormValue("k")] })         // route:stateless
	http.ListenAndServe(":8080", nil)
}
