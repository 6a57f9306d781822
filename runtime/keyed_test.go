package runtime

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestPartitionOf(t *testing.T) {
	// FNV-1a 64 is part of the bucket's contract: these must not change.
	for key, want := range map[string]int{"": 14695981039346656037 % 1000, "a": 12638187200555641996 % 1000, "foobar": 9625390261332436968 % 1000} {
		if got := partitionOf(key, 1000); got != want {
			t.Errorf("partitionOf(%q, 1000) = %d, want %d", key, got, want)
		}
	}
	if partitionOf("anything", 1) != 0 || partitionOf("x", 0) != 0 {
		t.Error("one partition is partition 0")
	}
}

func TestEntryKeys(t *testing.T) {
	c := &stateContext{token: "todos"}
	for _, key := range []string{"", "a", "a.b c/*>", "\x00\xff", strings.Repeat("k", 300)} {
		k := entryKey(c, key)
		enc := strings.TrimPrefix(k, "k.todos.")
		if strings.ContainsAny(enc, ".*> ") || enc == "" {
			t.Errorf("entryKey(%q) = %q: not one valid token", key, k)
		}
		if got, err := decodeKey(enc); err != nil || got != key {
			t.Errorf("decodeKey(%q) = %q, %v; want %q", enc, got, err, key)
		}
	}
	if got := bucketName("my app.v2"); got != "lq_my_app_v2" {
		t.Errorf("bucket name %q", got)
	}
}

// TestKeyRouting runs two workers and sends requests for many keys from
// a gateway process and from a process in role all (whose fast path must
// take only what its own worker owns): each lands on the owner of
// hash(key) mod P mod N and nowhere else; a key the key function refuses
// goes to partition 0.
func TestKeyRouting(t *testing.T) {
	for _, mode := range []string{"gateway", "all"} {
		t.Run(mode, func(t *testing.T) {
			apps := []*kvApp{newKVApp("w0"), newKVApp("w1")}
			base := startKVPair(t, mode, apps, true)

			want := [][]string{nil, nil}
			for i := range 60 {
				key := fmt.Sprintf("key-%d", i)
				owner := keyOwner(key, 2)
				want[owner] = append(want[owner], key)
				r := mustDo(t, "PUT", base+"/kv/"+key, "v")
				if r.status != http.StatusNoContent || r.header.Get("X-Worker") != apps[owner].name {
					t.Fatalf("PUT %s: status %d on %s, want 204 on %s", key, r.status, r.header.Get("X-Worker"), apps[owner].name)
				}
			}
			for i, a := range apps {
				got := a.snapshot()
				if len(got) != len(want[i]) {
					t.Errorf("%s holds %d keys, want %d", a.name, len(got), len(want[i]))
				}
				for _, k := range want[i] {
					if _, ok := got[k]; !ok {
						t.Errorf("%s lacks %s", a.name, k)
					}
				}
			}

			// A refused key goes to partition 0, owned by worker 0.
			for _, key := range []string{"_x", "_y", "_"} {
				r := mustDo(t, "PUT", base+"/kv/"+key, "v")
				if r.status != http.StatusBadRequest || r.header.Get("X-Worker") != "w0" {
					t.Errorf("PUT %s: status %d on %q, want 400 on w0", key, r.status, r.header.Get("X-Worker"))
				}
			}
		})
	}
}

// startKVPair starts two workers for apps over NATS and a process that
// serves HTTP (role gateway, or role all being worker 0 itself), and
// returns the HTTP base URL.
func startKVPair(t *testing.T, mode string, apps []*kvApp, persist bool) string {
	t.Helper()
	if mode == "all" {
		s := testSettings(t, nil)
		s.NATSListen = "127.0.0.1:0"
		s.Workers, s.WorkerIndex = 2, 0
		all := startService(t, kvPlan(apps[0], persist), s, apps[0].mux)
		ws := testSettings(t, nil)
		ws.Role, ws.NATS, ws.Workers, ws.WorkerIndex = RoleWorker, all.embedded.listener, 2, 1
		startService(t, kvPlan(apps[1], persist), ws, apps[1].mux)
		return baseURL(all)
	}
	url := startNATS(t)
	for i, a := range apps {
		ws := testSettings(t, nil)
		ws.Role, ws.NATS, ws.Workers, ws.WorkerIndex = RoleWorker, url, len(apps), i
		startService(t, kvPlan(a, persist), ws, a.mux)
	}
	gs := testSettings(t, nil)
	gs.Role, gs.NATS = RoleGateway, url
	return baseURL(startService(t, kvPlan(newKVApp("gateway"), persist), gs, nil))
}

// TestKeyOwnerMissing checks that a key whose owner is not running gets
// a clear 503 at once, while keys of running owners are served.
func TestKeyOwnerMissing(t *testing.T) {
	url := startNATS(t)
	a := newKVApp("w0")
	ws := testSettings(t, nil)
	ws.Role, ws.NATS, ws.Workers = RoleWorker, url, 2
	startService(t, kvPlan(a, false), ws, a.mux)
	gs := testSettings(t, nil)
	gs.Role, gs.NATS = RoleGateway, url
	base := baseURL(startService(t, kvPlan(newKVApp("gateway"), false), gs, nil))

	for i := range 20 {
		key := fmt.Sprintf("k%d", i)
		r := mustDo(t, "PUT", base+"/kv/"+key, "v")
		switch keyOwner(key, 2) {
		case 0:
			if r.status != http.StatusNoContent {
				t.Errorf("%s on the running owner: status %d", key, r.status)
			}
		case 1:
			if r.status != http.StatusServiceUnavailable || !strings.HasPrefix(r.body, "liquefy: fluxion put: no worker") {
				t.Errorf("%s without its owner: status %d %q", key, r.status, r.body)
			}
		}
	}
}

// TestWriteThrough checks what the bucket holds once a reply is back,
// read with a client of its own: a write's entry, nothing new for a
// read, no entry after a delete, the last value after concurrent writes
// to one key, and the singleton's snapshot.
func TestWriteThrough(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("fastpath=%v", fast), func(t *testing.T) {
			a := newKVApp("w0")
			s := testSettings(t, nil)
			s.NATSListen, s.FastPath = "127.0.0.1:0", fast
			svc := startService(t, kvPlan(a, true), s, a.mux)
			base := baseURL(svc)
			kv := bucket(t, svc.embedded.listener)

			// A write is stored before its reply.
			if r := mustDo(t, "PUT", base+"/kv/a", "one"); r.status != http.StatusNoContent {
				t.Fatalf("PUT: %d %s", r.status, r.body)
			}
			if v, ok := stored(t, kv, "a"); !ok || v != "one" {
				t.Errorf("bucket holds %q, %v after PUT; want one", v, ok)
			}

			// A read stores nothing.
			before := lastSeq(t, kv)
			if r := mustDo(t, "GET", base+"/kv/a", ""); r.status != http.StatusOK || r.body != "one" {
				t.Errorf("GET: %d %q", r.status, r.body)
			}
			if after := lastSeq(t, kv); after != before {
				t.Errorf("a read-only request wrote to the bucket: sequence %d then %d", before, after)
			}

			// A delete removes the entry.
			mustDo(t, "DELETE", base+"/kv/a", "")
			if v, ok := stored(t, kv, "a"); ok {
				t.Errorf("bucket still holds %q after DELETE", v)
			}

			// Concurrent writes to one key leave the last value.
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for i := range 10 {
						if r := mustDo(t, "PUT", base+"/kv/hot", fmt.Sprintf("g%d-%d", g, i)); r.status != http.StatusNoContent {
							t.Errorf("concurrent PUT: %d %s", r.status, r.body)
						}
					}
				})
			}
			wg.Wait()
			mem := a.snapshot()["hot"]
			if v, _ := stored(t, kv, "hot"); v != mem {
				t.Errorf("after concurrent writes the bucket holds %q, memory %q", v, mem)
			}

			// A singleton is stored whole.
			for range 3 {
				mustDo(t, "POST", base+"/count", "")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			e, err := kv.Get(ctx, "s.counter")
			if err != nil {
				t.Fatal(err)
			}
			if d := NewDecoder(e.Value()); d.Int() != 3 || d.Finish() != nil {
				t.Errorf("counter snapshot %v", e.Value())
			}
		})
	}
}

// lastSeq is the bucket stream's last sequence: it moves on any write.
func lastSeq(t testing.TB, kv jetstream.KeyValue) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := kv.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st.(*jetstream.KeyValueBucketStatus).StreamInfo().State.LastSeq
}
