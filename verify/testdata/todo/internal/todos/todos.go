// Package todos is the todo app's HTTP API: an in-memory list of todos
// behind a mutex. Options.Variant makes it answer differently on purpose,
// for verify's tests.
package todos

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Options change how the server answers.
type Options struct {
	// Variant creates with 200 instead of 201, caches the list and
	// shouts titles: a deliberately different service.
	Variant bool
}

// A Todo is one item.
type Todo struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
}

// Server holds the todos.
type Server struct {
	opts   Options
	mu     sync.Mutex
	nextID int
	todos  map[int]*Todo
}

// New returns an empty server.
func New(opts Options) *Server {
	return &Server{opts: opts, nextID: 1, todos: map[int]*Todo{}}
}

// Handler returns the server's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /todos", s.list)
	mux.HandleFunc("POST /todos", s.create)
	mux.HandleFunc("GET /todos/{id}", s.get)
	mux.HandleFunc("DELETE /todos/{id}", s.delete)
	mux.Handle("GET /old", http.RedirectHandler("/todos", http.StatusMovedPermanently))
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "host=%s accept-encoding=%q cookie=%q\n",
			r.Host, r.Header.Get("Accept-Encoding"), r.Header.Get("Cookie"))
	})
	return mux
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := make([]Todo, 0, len(s.todos))
	for _, t := range s.todos {
		out = append(out, *t)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	cache := "no-store"
	if s.opts.Variant {
		cache = "max-age=60"
	}
	w.Header().Set("Cache-Control", cache)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title string `json:"title"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	if in.Title == "" {
		http.Error(w, "title is required", http.StatusUnprocessableEntity)
		return
	}
	s.mu.Lock()
	t := &Todo{ID: s.nextID, Title: in.Title}
	s.todos[t.ID] = t
	s.nextID++
	s.mu.Unlock()
	w.Header().Set("Location", "/todos/"+strconv.Itoa(t.ID))
	status := http.StatusCreated
	if s.opts.Variant {
		status = http.StatusOK
	}
	writeJSON(w, status, t)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	t, ok := s.lookup(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if s.opts.Variant {
		t.Title = strings.ToUpper(t.Title)
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	t, ok := s.lookup(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	delete(s.todos, t.ID)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// lookup returns a copy of the todo named by the path's id.
func (s *Server) lookup(r *http.Request) (Todo, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return Todo{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.todos[id]
	if !ok {
		return Todo{}, false
	}
	return *t, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
