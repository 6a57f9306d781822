// Package kv keeps values for the handlers of package main; they reach
// its map only through these helpers.
package kv

import "sync"

var (
	mu   sync.RWMutex
	data = map[string]string{} // class:keyed
	hits = map[string]int{}    // class:singleton
)

// Get returns the value under k.
func Get(k string) string {
	mu.RLock()
	defer mu.RUnlock()
	return data[k]
}

// Set stores v under k.
func Set(k, v string) {
	mu.Lock()
	defer mu.Unlock()
	data[k] = v
}

// Hit counts a hit on k.
func Hit(k string) { hits[k]++ }

// Hits returns how many keys were hit.
func Hits() int { return len(hits) }
