package main

import (
	"fmt"
	"net/http"
)

// Store is what the handlers need from storage.
type Store interface {
	Put(k, v string)
	Get(k string) string
}

type memStore struct {
	items map[string]string // class:keyed
}

func (m *memStore) Put(k, v string)     { m.items[k] = v }
func (m *memStore) Get(k string) string { return m.items[k] }

var st Store = &memStore{items: map[string]string{}} // an interface: the root is memStore.items

// handlers hold the store behind an interface too.
type handlers struct {
	db Store // an interface: the root is memStore.items
}

func (h *handlers) put(w http.ResponseWriter, r *http.Request) { h.db.Put(r.FormValue("k"), "v") }

func main() {
	h := &handlers{db: &memStore{items: map[string]string{}}}
	http.HandleFunc("PUT /st", func(w http.ResponseWriter, r *http.Request) { st.Put(r.FormValue("k"), "v") })           // route:keyed key:form/k
	http.HandleFunc("GET /st", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, st.Get(r.FormValue("k"))) }) // route:keyed key:form/k
	http.HandleFunc("PUT /db", h.put)                                                                                    // route:keyed key:form/k
	http.ListenAndServe(":8080", nil)
}
