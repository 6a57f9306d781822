package main

import (
	"encoding/json"
	"net/http"
	"sync"
)

type Todo struct {
	ID    string
	Title string
}

var (
	mu    sync.RWMutex
	store = map[string]Todo{} // class:singleton
	title = "todos"           // class:replicated
)

func init() {
	title = "my todos"
}

func list(w http.ResponseWriter, r *http.Request) {
	mu.RLock()
	defer mu.RUnlock()
	json.NewEncoder(w).Encode(store)
}

func put(w http.ResponseWriter, r *http.Request) {
	var t Todo
	if err := json.NewDecoder(r.Body).Decode(&t); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	mu.Lock()
	store[r.PathValue("id")] = t
	mu.Unlock()
}

func hello(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte(title))
}

func main() {
	http.HandleFunc("GET /todos", list)     // route:singleton
	http.HandleFunc("PUT /todos/{id}", put) // route:singleton
	http.HandleFunc("GET /", hello)         // route:stateless
	http.ListenAndServe(":8080", nil)
}
