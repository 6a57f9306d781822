// Command durable is a liquefied app for the runtime's durability test:
// a map of strings behind a mutex, written through to the state bucket.
// PUT /kv/{key} stores the body, GET /kv/{key} returns it.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"

	"github.com/liquefy/liquefy/runtime"
)

var (
	mu      sync.Mutex
	entries = map[string]string{}
)

func get(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	v, ok := entries[r.PathValue("key")]
	mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	io.WriteString(w, v)
}

func put(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	mu.Lock()
	entries[r.PathValue("key")] = string(body)
	mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// state is what liquefy would generate for entries.
type state struct{}

func (state) Get(key string) ([]byte, bool, error) {
	mu.Lock()
	defer mu.Unlock()
	v, ok := entries[key]
	if !ok {
		return nil, false, nil
	}
	e := runtime.NewEncoder(nil)
	e.String(v)
	return e.Data(), true, nil
}

func (state) Put(key string, data []byte) error {
	d := runtime.NewDecoder(data)
	v := d.String()
	if err := d.Finish(); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	entries[key] = v
	return nil
}

func (state) Delete(key string) {
	mu.Lock()
	defer mu.Unlock()
	delete(entries, key)
}

func key(r *http.Request, body []byte) (string, bool) {
	return r.PathValue("key"), true
}

var plan = &runtime.Plan{
	Service:    "durable",
	Generator:  "test",
	Partitions: 4,
	Routes: []runtime.Route{
		{Pattern: "GET /kv/{key}", Fluxion: "get"},
		{Pattern: "PUT /kv/{key}", Fluxion: "put"},
	},
	Default: "default",
	Fluxions: []runtime.Fluxion{
		{Name: "get", Kind: runtime.Keyed, Context: "entries", Key: key},
		{Name: "put", Kind: runtime.Keyed, Context: "entries", Key: key, Writes: true},
		{Name: "default", Kind: runtime.Stateless},
	},
	Contexts: []runtime.Context{{Name: "entries", Class: "keyed", Roots: []string{"main.entries"}, State: state{}}},
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /kv/{key}", get)
	mux.HandleFunc("PUT /kv/{key}", put)
	if err := runtime.ListenAndServe(plan, "127.0.0.1:0", mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
