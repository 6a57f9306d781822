package main

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// note is one stored note.
type note struct {
	Slug    string   `json:"slug"`
	Title   string   `json:"title"`
	Body    string   `json:"body"`
	Tags    []string `json:"tags"`
	Version int      `json:"version"`
}

func (n note) etag() string {
	return fmt.Sprintf(`"v%d"`, n.Version)
}

// store keeps notes in memory. It is safe for concurrent use.
type store struct {
	mu    sync.Mutex
	notes map[string]note
}

func newStore() *store {
	return &store{notes: make(map[string]note)}
}

var errConflict = errors.New("note was changed since that version")

func (s *store) get(slug string) (note, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.notes[slug]
	return n, ok
}

// put stores a note. If ifVersion is not -1, the note must currently have
// that version (0 meaning it must not exist yet).
func (s *store) put(slug, title, body string, tags []string, ifVersion int) (note, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	old, exists := s.notes[slug]
	if ifVersion >= 0 && old.Version != ifVersion {
		return note{}, false, errConflict
	}
	tags = slices.Clone(tags)
	sort.Strings(tags)
	n := note{Slug: slug, Title: title, Body: body, Tags: slices.Compact(tags), Version: old.Version + 1}
	if n.Tags == nil {
		n.Tags = []string{}
	}
	s.notes[slug] = n
	return n, !exists, nil
}

func (s *store) append(slug, text string) (note, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.notes[slug]
	if !ok {
		return note{}, false
	}
	if n.Body != "" {
		n.Body += "\n"
	}
	n.Body += text
	n.Version++
	s.notes[slug] = n
	return n, true
}

func (s *store) remove(slug string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.notes[slug]
	delete(s.notes, slug)
	return ok
}

// all returns every note, sorted by slug.
func (s *store) all() []note {
	s.mu.Lock()
	list := make([]note, 0, len(s.notes))
	for _, n := range s.notes {
		list = append(list, n)
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].Slug < list[j].Slug })
	return list
}

// search returns the slugs of notes whose title or body contains q,
// ignoring case, sorted.
func (s *store) search(q string) []string {
	q = strings.ToLower(q)
	hits := []string{}
	for _, n := range s.all() {
		if strings.Contains(strings.ToLower(n.Title+"\n"+n.Body), q) {
			hits = append(hits, n.Slug)
		}
	}
	return hits
}
