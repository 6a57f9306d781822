// Command legacy is an old inventory service, written before Go 1.22
// routing: its handlers switch on the method and cut the path by hand.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

type item struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Qty  int    `json:"qty"`
}

var (
	mu     sync.Mutex
	items  = map[int]item{}
	nextID = 1
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()

	http.HandleFunc("/", index)
	http.HandleFunc("/healthz", healthz)
	http.HandleFunc("/items", itemsCollection)
	http.HandleFunc("/items/", itemResource)

	// Newer-style routes added during the v2 migration.
	http.HandleFunc("GET /items/{id}", getItemV2)
	http.HandleFunc("DELETE /items/{id}", deleteItemV2)
	http.HandleFunc("GET /version", version)

	log.Printf("legacy listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

func index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	fmt.Fprintln(w, "inventory service; see /items")
}

func healthz(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, "ok")
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}

// itemsCollection serves /items: GET lists, POST creates.
func itemsCollection(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case "GET", "HEAD":
		mu.Lock()
		list := make([]item, 0, len(items))
		for _, it := range items {
			list = append(list, it)
		}
		mu.Unlock()
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		writeJSON(w, http.StatusOK, list)
	case "POST":
		var it item
		if err := json.NewDecoder(r.Body).Decode(&it); err != nil {
			http.Error(w, "invalid JSON", http.StatusBadRequest)
			return
		}
		if it.Name == "" || it.Qty < 0 {
			http.Error(w, "name is required and qty must not be negative", http.StatusBadRequest)
			return
		}
		mu.Lock()
		it.ID = nextID
		nextID++
		items[it.ID] = it
		mu.Unlock()
		w.Header().Set("Location", "/items/"+strconv.Itoa(it.ID))
		writeJSON(w, http.StatusCreated, it)
	default:
		methodNotAllowed(w, "GET, HEAD, POST")
	}
}

// itemResource serves /items/<id>: GET reads, PUT replaces, DELETE
// removes.
func itemResource(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/items/")
	id, err := strconv.Atoi(rest)
	if err != nil || strings.Contains(rest, "/") {
		http.NotFound(w, r)
		return
	}

	mu.Lock()
	defer mu.Unlock()
	it, ok := items[id]
	if !ok {
		http.Error(w, "item not found", http.StatusNotFound)
		return
	}
	switch r.Method {
	case "GET", "HEAD":
		writeJSON(w, http.StatusOK, it)
	case "PUT":
		var in item
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" || in.Qty < 0 {
			http.Error(w, "invalid item", http.StatusBadRequest)
			return
		}
		in.ID = id
		items[id] = in
		writeJSON(w, http.StatusOK, in)
	case "DELETE":
		delete(items, id)
		w.WriteHeader(http.StatusNoContent)
	default:
		methodNotAllowed(w, "GET, HEAD, PUT, DELETE")
	}
}

// getItemV2 is the v2 item reader.
func getItemV2(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"api": "v2", "id": r.URL.Path})
}

// deleteItemV2 is the v2 item remover: it only archives.
func deleteItemV2(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusAccepted, map[string]string{"api": "v2", "archived": r.URL.Path})
}

func version(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, "legacy 2.0")
}
