// Command todo serves to-do lists over a JSON API. Each list has a title
// and numbered items; the lists live in memory and are lost when the
// process stops.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// List is one to-do list: a title, its items by number, and the number
// the next item will get.
type List struct {
	Title string
	Items map[int]*Item
	Next  int
}

// Item is one entry of a list.
type Item struct {
	N     int    `json:"n"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
}

// listView is a list as clients see it: items in number order.
type listView struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Items []*Item `json:"items"`
}

// titleInput is what clients send to name a list or an item.
type titleInput struct {
	Title *string `json:"title"`
	Done  bool    `json:"done"`
}

const (
	maxTitle = 200
	maxID    = 64
)

var (
	mu    sync.RWMutex
	lists = map[string]*List{}
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()

	http.HandleFunc("GET /healthz", healthz)
	http.HandleFunc("GET /lists/{id}", getList)
	http.HandleFunc("PUT /lists/{id}", putList)
	http.HandleFunc("DELETE /lists/{id}", deleteList)
	http.HandleFunc("POST /lists/{id}/items", addItem)
	http.HandleFunc("GET /lists/{id}/items/{n}", getItem)
	http.HandleFunc("PUT /lists/{id}/items/{n}", putItem)
	http.HandleFunc("DELETE /lists/{id}/items/{n}", deleteItem)

	log.Printf("todo listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

func healthz(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte("ok\n"))
}

func getList(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")

	mu.RLock()
	l := lists[id]
	var v listView
	if l != nil {
		v = view(id, l)
	}
	mu.RUnlock()

	if l == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("list %q not found", id))
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// putList creates the list, or renames it when it exists.
func putList(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	in, err := decodeInput(w, r)
	if err != nil {
		writeError(w, statusFor(err), err.Error())
		return
	}

	mu.Lock()
	l, found := lists[id]
	if !found {
		l = &List{Items: map[int]*Item{}, Next: 1}
		lists[id] = l
	}
	l.Title = *in.Title
	v := view(id, l)
	mu.Unlock()

	status := http.StatusOK
	if !found {
		status = http.StatusCreated
		w.Header().Set("Location", "/lists/"+id)
	}
	writeJSON(w, status, v)
}

func deleteList(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")

	mu.Lock()
	_, found := lists[id]
	delete(lists, id)
	mu.Unlock()

	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("list %q not found", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func addItem(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	in, err := decodeInput(w, r)
	if err != nil {
		writeError(w, statusFor(err), err.Error())
		return
	}

	mu.Lock()
	l := lists[id]
	var it *Item
	if l != nil {
		it = &Item{N: l.Next, Title: *in.Title, Done: in.Done}
		l.Items[it.N] = it
		l.Next++
	}
	mu.Unlock()

	if it == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("list %q not found", id))
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/lists/%s/items/%d", id, it.N))
	writeJSON(w, http.StatusCreated, it)
}

func getItem(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, ok := parseN(w, r)
	if !ok {
		return
	}

	mu.RLock()
	var it Item
	found := false
	if l := lists[id]; l != nil && l.Items[n] != nil {
		it, found = *l.Items[n], true
	}
	mu.RUnlock()

	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("item %d of list %q not found", n, id))
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func putItem(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, ok := parseN(w, r)
	if !ok {
		return
	}
	in, err := decodeInput(w, r)
	if err != nil {
		writeError(w, statusFor(err), err.Error())
		return
	}

	mu.Lock()
	var it Item
	found := false
	if l := lists[id]; l != nil && l.Items[n] != nil {
		p := l.Items[n]
		p.Title, p.Done = *in.Title, in.Done
		it, found = *p, true
	}
	mu.Unlock()

	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("item %d of list %q not found", n, id))
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func deleteItem(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, ok := parseN(w, r)
	if !ok {
		return
	}

	mu.Lock()
	found := false
	if l := lists[id]; l != nil && l.Items[n] != nil {
		delete(l.Items, n)
		found = true
	}
	mu.Unlock()

	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("item %d of list %q not found", n, id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// view copies a list for the client, items in number order. The caller
// holds mu.
func view(id string, l *List) listView {
	v := listView{ID: id, Title: l.Title, Items: []*Item{}}
	for n := 1; n < l.Next; n++ {
		if it := l.Items[n]; it != nil {
			c := *it
			v.Items = append(v.Items, &c)
		}
	}
	return v
}

// errInvalid marks input that is well-formed JSON but breaks a rule.
var errInvalid = errors.New("invalid input")

func decodeInput(w http.ResponseWriter, r *http.Request) (titleInput, error) {
	var in titleInput
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return in, fmt.Errorf("unsupported content type %q", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, fmt.Errorf("bad JSON: %v", err)
	}
	switch {
	case in.Title == nil:
		return in, fmt.Errorf("%w: title is required", errInvalid)
	case strings.TrimSpace(*in.Title) == "":
		return in, fmt.Errorf("%w: title must not be blank", errInvalid)
	case utf8.RuneCountInString(*in.Title) > maxTitle:
		return in, fmt.Errorf("%w: title is longer than %d characters", errInvalid, maxTitle)
	}
	return in, nil
}

func checkID(id string) error {
	if len(id) > maxID {
		return fmt.Errorf("list id is longer than %d characters", maxID)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("list id %q: use lowercase letters, digits and dashes", id)
		}
	}
	return nil
}

func statusFor(err error) int {
	if errors.Is(err, errInvalid) {
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}

func parseN(w http.ResponseWriter, r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid item number %q", r.PathValue("n")))
		return 0, false
	}
	return n, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
