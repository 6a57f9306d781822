package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// kvApp is a monolith with keyed state, a map of strings behind a mutex,
// and a singleton counter. Every response names the worker that ran it
// in X-Worker.
type kvApp struct {
	name string
	mux  *http.ServeMux

	mu    sync.Mutex
	m     map[string]string
	count int64
}

func newKVApp(name string) *kvApp {
	a := &kvApp{name: name, m: make(map[string]string)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /kv/{key}", a.get)
	mux.HandleFunc("PUT /kv/{key}", a.put)
	mux.HandleFunc("DELETE /kv/{key}", a.del)
	mux.HandleFunc("POST /count", a.countUp)
	a.mux = mux
	return a
}

// check refuses keys the key function rejects, as a handler would.
func (a *kvApp) check(w http.ResponseWriter, r *http.Request) (string, bool) {
	w.Header().Set("X-Worker", a.name)
	key := r.PathValue("key")
	if _, ok := kvKey(r, nil); !ok {
		http.Error(w, "bad key", http.StatusBadRequest)
		return "", false
	}
	return key, true
}

func (a *kvApp) get(w http.ResponseWriter, r *http.Request) {
	key, ok := a.check(w, r)
	if !ok {
		return
	}
	a.mu.Lock()
	v, found := a.m[key]
	a.mu.Unlock()
	if !found {
		http.NotFound(w, r)
		return
	}
	io.WriteString(w, v)
}

func (a *kvApp) put(w http.ResponseWriter, r *http.Request) {
	key, ok := a.check(w, r)
	if !ok {
		return
	}
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.m[key] = string(body)
	a.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (a *kvApp) del(w http.ResponseWriter, r *http.Request) {
	key, ok := a.check(w, r)
	if !ok {
		return
	}
	a.mu.Lock()
	delete(a.m, key)
	a.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (a *kvApp) countUp(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Worker", a.name)
	a.mu.Lock()
	a.count++
	n := a.count
	a.mu.Unlock()
	fmt.Fprint(w, n)
}

// keys returns a copy of the map.
func (a *kvApp) snapshot() map[string]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := make(map[string]string, len(a.m))
	for k, v := range a.m {
		m[k] = v
	}
	return m
}

// kvKey is the key function liquefy would slice out of the handlers:
// the path value, refused when it starts with "_".
func kvKey(r *http.Request, body []byte) (string, bool) {
	k := r.PathValue("key")
	return k, !strings.HasPrefix(k, "_")
}

// kvState is the KeyedState generated code would implement for kvApp's
// map: it takes the app's lock and encodes with the codec. Get of the
// key "fail" fails.
type kvState struct{ a *kvApp }

func (s kvState) Get(key string) ([]byte, bool, error) {
	if key == "fail" {
		return nil, false, errors.New("cannot encode fail")
	}
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	v, ok := s.a.m[key]
	if !ok {
		return nil, false, nil
	}
	e := NewEncoder(nil)
	e.String(v)
	return e.Data(), true, nil
}

func (s kvState) Put(key string, data []byte) error {
	d := NewDecoder(data)
	v := d.String()
	if err := d.Finish(); err != nil {
		return err
	}
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	s.a.m[key] = v
	return nil
}

func (s kvState) Delete(key string) {
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	delete(s.a.m, key)
}

// counterState is the WholeState of kvApp's counter.
type counterState struct{ a *kvApp }

func (s counterState) Snapshot() ([]byte, error) {
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	e := NewEncoder(nil)
	e.Int(s.a.count)
	return e.Data(), nil
}

func (s counterState) Restore(data []byte) error {
	d := NewDecoder(data)
	n := d.Int()
	if err := d.Finish(); err != nil {
		return err
	}
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	s.a.count = n
	return nil
}

// kvPartitions is kvPlan's partition count.
const kvPartitions = 8

// kvPlan is the plan liquefy would generate for a, persisting both
// contexts when persist is set.
func kvPlan(a *kvApp, persist bool) *Plan {
	p := &Plan{
		Service:    "kv test",
		Generator:  "test",
		Partitions: kvPartitions,
		Routes: []Route{
			{Pattern: "GET /kv/{key}", Fluxion: "get"},
			{Pattern: "PUT /kv/{key}", Fluxion: "put"},
			{Pattern: "DELETE /kv/{key}", Fluxion: "del"},
			{Pattern: "POST /count", Fluxion: "count"},
		},
		Default: "default",
		Fluxions: []Fluxion{
			{Name: "get", Kind: Keyed, Context: "kv", Key: kvKey},
			{Name: "put", Kind: Keyed, Context: "kv", Key: kvKey, Writes: true},
			{Name: "del", Kind: Keyed, Context: "kv", Key: kvKey, Writes: true},
			{Name: "count", Kind: Singleton, Context: "counter", Writes: true},
			{Name: "default", Kind: Stateless},
		},
		Contexts: []Context{
			{Name: "kv", Class: "keyed", Roots: []string{"kvApp.m"}},
			{Name: "counter", Class: "singleton", Roots: []string{"kvApp.count"}},
		},
		AppHandlesSignals: true,
	}
	if persist {
		p.Contexts[0].State = kvState{a}
		p.Contexts[1].State = counterState{a}
	}
	return p
}

// keyOwner is the index of the worker among n that owns key.
func keyOwner(key string, n int) int {
	return partitionOwner(partitionOf(key, kvPartitions), n)
}

// natsConn connects to url for the test.
func natsConn(t testing.TB, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// jetStreamOf is a JetStream client of its own on url.
func jetStreamOf(t testing.TB, url string) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(natsConn(t, url))
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// bucket opens the kv test service's bucket with a client of its own.
func bucket(t testing.TB, url string) jetstream.KeyValue {
	t.Helper()
	js := jetStreamOf(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	kv, err := js.KeyValue(ctx, "lq_kv_test")
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

// stored returns the decoded value the bucket holds for key of the kv
// context, and whether it holds one.
func stored(t testing.TB, kv jetstream.KeyValue, key string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e, err := kv.Get(ctx, entryKey(&stateContext{token: "kv"}, key))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(e.Value())
	v := d.String()
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
	return v, true
}

// mustDo sends a request and fails the test on a transport error.
func mustDo(t testing.TB, method, url, body string) result {
	t.Helper()
	r := do(method, url, body, nil)
	if r.err != nil {
		t.Fatalf("%s %s: %v", method, url, r.err)
	}
	return r
}
