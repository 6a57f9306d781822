// Package store queues work for a background worker.
package store

var queue = make(chan string, 8)

// Put queues v.
func Put(v string) { // want Put:"reaches store.go:7-9"
	enqueue(v)
}

func enqueue(v string) { // want enqueue:"reaches store.go:11-13"
	queue <- v
}

// Len returns how much work waits.
func Len() int { return len(queue) } // want Len:"reaches store.go:16-16"
