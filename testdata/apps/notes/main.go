// Command notes is a small notes service: notes are stored by slug, carry
// a version for optimistic concurrency, and can be searched by word or tag.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// app is the HTTP face of the service.
type app struct {
	mux *http.ServeMux
}

func main() {
	defaultAddr := "127.0.0.1:8080"
	if env := os.Getenv("NOTES_ADDR"); env != "" {
		defaultAddr = env
	}
	addr := flag.String("addr", defaultAddr, "address to listen on (default from $NOTES_ADDR)")
	flag.Parse()

	st := newStore()
	a := &app{mux: http.NewServeMux()}

	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	a.mux.HandleFunc("GET /notes", listNotes(st))
	a.mux.HandleFunc("GET /notes/{slug}", func(w http.ResponseWriter, r *http.Request) {
		n, ok := st.get(r.PathValue("slug"))
		if !ok {
			writeError(w, http.StatusNotFound, "no such note")
			return
		}
		etag := n.etag()
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		writeJSON(w, http.StatusOK, n)
	})
	a.mux.HandleFunc("PUT /notes/{slug}", putNote(st))
	a.mux.HandleFunc("POST /notes/{slug}/append", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Text string `json:"text"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Text == "" {
			writeError(w, http.StatusBadRequest, "body must be {\"text\": \"...\"}")
			return
		}
		n, ok := st.append(r.PathValue("slug"), req.Text)
		if !ok {
			writeError(w, http.StatusNotFound, "no such note")
			return
		}
		w.Header().Set("ETag", n.etag())
		writeJSON(w, http.StatusOK, n)
	})
	a.mux.HandleFunc("DELETE /notes/{slug}", func(w http.ResponseWriter, r *http.Request) {
		if !st.remove(r.PathValue("slug")) {
			writeError(w, http.StatusNotFound, "no such note")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	a.mux.HandleFunc("GET /search", func(w http.ResponseWriter, r *http.Request) {
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		if q == "" {
			writeError(w, http.StatusBadRequest, "missing query parameter q")
			return
		}
		writeJSON(w, http.StatusOK, st.search(q))
	})

	log.Printf("notes listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, a.mux))
}

// listNotes lists every note, or those with the tag given in ?tag=.
func listNotes(st *store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		notes := st.all()
		if tag := r.URL.Query().Get("tag"); tag != "" {
			notes = slices.DeleteFunc(notes, func(n note) bool {
				return !slices.Contains(n.Tags, tag)
			})
		}
		writeJSON(w, http.StatusOK, notes)
	}
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// putNote creates or replaces a note. A client that sends If-Match with
// the ETag it last saw fails with 412 if someone changed the note since.
func putNote(st *store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		slug := r.PathValue("slug")
		if !slugPattern.MatchString(slug) {
			writeError(w, http.StatusBadRequest, "slug must be lowercase words joined by -")
			return
		}
		var in struct {
			Title string   `json:"title"`
			Body  string   `json:"body"`
			Tags  []string `json:"tags"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
			return
		}
		if in.Title == "" {
			writeError(w, http.StatusUnprocessableEntity, "title is required")
			return
		}

		want := -1
		if m := r.Header.Get("If-Match"); m != "" {
			v, err := strconv.Atoi(strings.Trim(m, `"v`))
			if err != nil {
				writeError(w, http.StatusBadRequest, "malformed If-Match")
				return
			}
			want = v
		}
		n, created, err := st.put(slug, in.Title, in.Body, in.Tags, want)
		if err != nil {
			writeError(w, http.StatusPreconditionFailed, err.Error())
			return
		}

		w.Header().Set("ETag", n.etag())
		status := http.StatusOK
		if created {
			w.Header().Set("Location", "/notes/"+slug)
			status = http.StatusCreated
		}
		writeJSON(w, status, n)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
