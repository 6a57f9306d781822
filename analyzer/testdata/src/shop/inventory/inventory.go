// Package inventory keeps stock levels behind a mutex.
package inventory

import (
	"errors"
	"sync"
)

// ErrOut is returned when an item is out of stock.
var ErrOut = errors.New("out of stock") // an error value is an alias: no root

// Store holds stock levels.
type Store struct {
	mu    sync.RWMutex
	stock map[string]int // class:singleton
}

// New returns an empty store.
func New() *Store { return &Store{stock: map[string]int{}} }

// Take removes one of item.
func (s *Store) Take(item string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stock[item] == 0 {
		return ErrOut
	}
	s.stock[item]--
	return nil
}

// Count returns the stock of item.
func (s *Store) Count(item string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.stock[item]
}

// Add adds n of item.
func (s *Store) Add(item string, n int) {
	s.mu.Lock()
	s.stock[item] += n
	s.mu.Unlock()
}
