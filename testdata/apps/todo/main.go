// Command todo serves a small to-do list over a JSON API. The list lives
// in memory and is lost when the process stops.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Todo is one item on the list.
type Todo struct {
	ID    int      `json:"id"`
	Title string   `json:"title"`
	Done  bool     `json:"done"`
	Tags  []string `json:"tags,omitempty"`
}

// todoInput is what clients send to create or replace an item.
type todoInput struct {
	Title *string  `json:"title"`
	Done  bool     `json:"done"`
	Tags  []string `json:"tags"`
}

const maxTitle = 200

var (
	mu     sync.RWMutex
	todos  = map[int]Todo{}
	nextID = 1
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()

	http.HandleFunc("GET /healthz", healthz)
	http.HandleFunc("GET /todos", listTodos)
	http.HandleFunc("POST /todos", createTodo)
	http.HandleFunc("GET /todos/{id}", getTodo)
	http.HandleFunc("PUT /todos/{id}", updateTodo)
	http.HandleFunc("DELETE /todos/{id}", deleteTodo)

	log.Printf("todo listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

func healthz(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte("ok\n"))
}

func listTodos(w http.ResponseWriter, r *http.Request) {
	filter := r.URL.Query().Get("done")
	if filter != "" && filter != "true" && filter != "false" {
		writeError(w, http.StatusBadRequest, "done must be true or false")
		return
	}

	mu.RLock()
	list := make([]Todo, 0, len(todos))
	for _, t := range todos {
		if filter == "" || strconv.FormatBool(t.Done) == filter {
			list = append(list, t)
		}
	}
	mu.RUnlock()

	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	writeJSON(w, http.StatusOK, list)
}

func createTodo(w http.ResponseWriter, r *http.Request) {
	in, err := decodeInput(w, r)
	if err != nil {
		writeError(w, statusFor(err), err.Error())
		return
	}

	mu.Lock()
	t := Todo{ID: nextID, Title: *in.Title, Done: in.Done, Tags: in.Tags}
	todos[t.ID] = t
	nextID++
	mu.Unlock()

	w.Header().Set("Location", fmt.Sprintf("/todos/%d", t.ID))
	writeJSON(w, http.StatusCreated, t)
}

func getTodo(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(w, r)
	if !ok {
		return
	}

	mu.RLock()
	t, found := todos[id]
	mu.RUnlock()

	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("todo %d not found", id))
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func updateTodo(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(w, r)
	if !ok {
		return
	}
	in, err := decodeInput(w, r)
	if err != nil {
		writeError(w, statusFor(err), err.Error())
		return
	}

	mu.Lock()
	_, found := todos[id]
	t := Todo{ID: id, Title: *in.Title, Done: in.Done, Tags: in.Tags}
	if found {
		todos[id] = t
	}
	mu.Unlock()

	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("todo %d not found", id))
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func deleteTodo(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(w, r)
	if !ok {
		return
	}

	mu.Lock()
	_, found := todos[id]
	delete(todos, id)
	mu.Unlock()

	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("todo %d not found", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// errInvalid marks input that is well-formed JSON but breaks a rule.
var errInvalid = errors.New("invalid todo")

func decodeInput(w http.ResponseWriter, r *http.Request) (todoInput, error) {
	var in todoInput
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return in, fmt.Errorf("unsupported content type %q", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, fmt.Errorf("bad JSON: %v", err)
	}
	if err := validate(in); err != nil {
		return in, err
	}
	return in, nil
}

func validate(in todoInput) error {
	switch {
	case in.Title == nil:
		return fmt.Errorf("%w: title is required", errInvalid)
	case strings.TrimSpace(*in.Title) == "":
		return fmt.Errorf("%w: title must not be blank", errInvalid)
	case utf8.RuneCountInString(*in.Title) > maxTitle:
		return fmt.Errorf("%w: title is longer than %d characters", errInvalid, maxTitle)
	case len(in.Tags) > 5:
		return fmt.Errorf("%w: at most 5 tags", errInvalid)
	}
	return nil
}

func statusFor(err error) int {
	if errors.Is(err, errInvalid) {
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}

func parseID(w http.ResponseWriter, r *http.Request) (int, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid id %q", r.PathValue("id")))
		return 0, false
	}
	return id, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
