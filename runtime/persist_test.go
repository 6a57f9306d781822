package runtime

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPersistFailure checks that a write whose state cannot be stored is
// answered 503 with a "liquefy:" body, is logged, and leaves no entry.
func TestPersistFailure(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("fastpath=%v", fast), func(t *testing.T) {
			log := &syncBuffer{}
			a := newKVApp("w0")
			s := testSettings(t, log)
			s.NATSListen, s.FastPath = "127.0.0.1:0", fast
			svc := startService(t, kvPlan(a, true), s, a.mux)
			kv := bucket(t, svc.embedded.listener)

			r := mustDo(t, "PUT", baseURL(svc)+"/kv/fail", "x")
			if r.status != http.StatusServiceUnavailable || !strings.HasPrefix(r.body, "liquefy: fluxion put: the change could not be stored") {
				t.Errorf("PUT of an unstorable entry: %d %q", r.status, r.body)
			}
			if _, ok := stored(t, kv, "fail"); ok {
				t.Error("bucket holds the entry that failed")
			}
			if !strings.Contains(log.String(), `msg="persist failed"`) || !strings.Contains(log.String(), "cannot encode fail") {
				t.Errorf("failure not logged:\n%s", log)
			}

			// Other keys are unaffected.
			if r := mustDo(t, "PUT", baseURL(svc)+"/kv/ok", "x"); r.status != http.StatusNoContent {
				t.Errorf("PUT after a failure: %d %s", r.status, r.body)
			}
		})
	}
}

// TestLongKeys checks that a key too long for a bucket key is refused
// with 503 and leaves the connection working, and that one just within
// the limit is stored.
func TestLongKeys(t *testing.T) {
	a := newKVApp("w0")
	s := testSettings(t, nil)
	s.NATSListen, s.FastPath = "127.0.0.1:0", false
	svc := startService(t, kvPlan(a, true), s, a.mux)
	kv := bucket(t, svc.embedded.listener)

	long := strings.Repeat("k", 2400)
	if r := mustDo(t, "PUT", baseURL(svc)+"/kv/"+long, "x"); r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "too long") {
		t.Errorf("PUT of a %d-byte key: %d %q", len(long), r.status, r.body)
	}
	fits := strings.Repeat("k", 2000)
	if r := mustDo(t, "PUT", baseURL(svc)+"/kv/"+fits, "x"); r.status != http.StatusNoContent {
		t.Errorf("PUT of a %d-byte key: %d %q", len(fits), r.status, r.body)
	}
	if v, ok := stored(t, kv, fits); !ok || v != "x" {
		t.Errorf("bucket holds %q, %v for the %d-byte key", v, ok, len(fits))
	}
	if _, ok := a.snapshot()[long]; ok {
		t.Error("the handler ran for a key that cannot be stored")
	}
}

// TestPersistBucketGone checks that a write whose bucket has gone (the
// messaging system lost it) is refused, not acknowledged.
func TestPersistBucketGone(t *testing.T) {
	a := newKVApp("w0")
	s := testSettings(t, nil)
	s.NATSListen = "127.0.0.1:0"
	s.Timeout = time.Second
	svc := startService(t, kvPlan(a, true), s, a.mux)
	kv := bucket(t, svc.embedded.listener)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	js := jetStreamOf(t, svc.embedded.listener)
	if err := js.DeleteKeyValue(ctx, kv.Bucket()); err != nil {
		t.Fatal(err)
	}
	r := mustDo(t, "PUT", baseURL(svc)+"/kv/a", "x")
	if r.status != http.StatusServiceUnavailable || !strings.HasPrefix(r.body, "liquefy:") {
		t.Errorf("PUT without a bucket: %d %q", r.status, r.body)
	}
}

// TestRestoreTwoWorkers writes through two workers, stops them, and
// starts two fresh ones on the same bucket: each restores exactly the
// keys of its partitions, deletes included, and the singleton's owner
// its counter.
func TestRestoreTwoWorkers(t *testing.T) {
	url := startNATS(t)
	want := make(map[string]string)
	func() {
		apps := []*kvApp{newKVApp("w0"), newKVApp("w1")}
		svcs := startWorkers(t, url, apps, 0)
		gs := testSettings(t, nil)
		gs.Role, gs.NATS = RoleGateway, url
		gw := startService(t, kvPlan(newKVApp("gateway"), true), gs, nil)
		for i := range 50 {
			key, val := fmt.Sprintf("key-%d", i), fmt.Sprintf("value-%d", i)
			if r := mustDo(t, "PUT", baseURL(gw)+"/kv/"+key, val); r.status != http.StatusNoContent {
				t.Fatalf("PUT %s: %d", key, r.status)
			}
			want[key] = val
		}
		mustDo(t, "DELETE", baseURL(gw)+"/kv/key-7", "")
		delete(want, "key-7")
		for range 4 {
			mustDo(t, "POST", baseURL(gw)+"/count", "")
		}
		stopAll(t, append(svcs, gw)...)
	}()

	// Fresh workers with empty state, but for the deleted key, which the
	// owner's start-up code makes again: restore must remove it.
	logs := []*syncBuffer{{}, {}}
	apps := []*kvApp{newKVApp("w0"), newKVApp("w1")}
	apps[keyOwner("key-7", 2)].m["key-7"] = "seeded"
	for i, a := range apps {
		s := testSettings(t, logs[i])
		s.Role, s.NATS, s.Workers, s.WorkerIndex = RoleWorker, url, 2, i
		startService(t, kvPlan(a, true), s, a.mux)
	}
	counterOwner := contextOwner(Singleton, "counter", 2)
	for i, a := range apps {
		mine := make(map[string]string)
		for k, v := range want {
			if keyOwner(k, 2) == i {
				mine[k] = v
			}
		}
		if got := a.snapshot(); !maps.Equal(got, mine) {
			t.Errorf("worker %d restored %d keys %v, want %d %v", i, len(got), got, len(mine), mine)
		}
		if line := fmt.Sprintf("context=kv entries=%d", len(mine)); !strings.Contains(logs[i].String(), line) {
			t.Errorf("worker %d log lacks %q:\n%s", i, line, logs[i])
		}
		wantCount := int64(0)
		if i == counterOwner {
			wantCount = 4
		}
		if a.count != wantCount {
			t.Errorf("worker %d restored counter %d, want %d", i, a.count, wantCount)
		}
	}
}

// startWorkers starts one worker per app on url, with partitions (0 for
// the plan's).
func startWorkers(t *testing.T, url string, apps []*kvApp, partitions int) []*Service {
	var svcs []*Service
	for i, a := range apps {
		s := testSettings(t, nil)
		s.Role, s.NATS, s.Workers, s.WorkerIndex, s.Partitions = RoleWorker, url, len(apps), i, partitions
		svcs = append(svcs, startService(t, kvPlan(a, true), s, a.mux))
	}
	return svcs
}

func stopAll(t *testing.T, svcs ...*Service) {
	for _, svc := range svcs {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := svc.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		cancel()
	}
}

// TestPartitionCountRecorded checks that a worker or gateway whose
// partition count differs from the bucket's refuses to start.
func TestPartitionCountRecorded(t *testing.T) {
	url := startNATS(t)
	first := startWorkers(t, url, []*kvApp{newKVApp("w0")}, 0)
	for _, role := range []Role{RoleWorker, RoleGateway} {
		s := testSettings(t, nil)
		s.Role, s.NATS, s.Partitions = role, url, 16
		s.Workers, s.WorkerIndex = 2, 1 // not the running worker's index
		a := newKVApp("other")
		svc, err := New(kvPlan(a, true), s, a.mux)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = svc.Start(ctx)
		cancel()
		if !errors.Is(err, errPartitions) || !strings.Contains(err.Error(), "LIQUEFY_PARTITIONS=8") {
			t.Errorf("%s with 16 partitions on a bucket of 8: %v", role, err)
		}
	}

	// The same count starts, once the first worker 0 is gone.
	stopAll(t, first...)
	startWorkers(t, url, []*kvApp{newKVApp("w0")}, kvPartitions)
}

// TestPartitionMismatchRefused checks that a worker refuses a keyed
// request whose partition it computes differently, rather than run it.
func TestPartitionMismatchRefused(t *testing.T) {
	url := startNATS(t)
	a := newKVApp("w0")
	startWorkers(t, url, []*kvApp{a}, 0)
	nc := natsConn(t, url)
	key := "k1"
	req := &wireRequest{Fluxion: "put", HasKey: true, Key: key, Partition: (partitionOf(key, kvPartitions) + 1) % kvPartitions,
		Method: "PUT", RequestURI: "/kv/" + key, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	subject := fmt.Sprintf("lq.kv_test.k.kv.%d", req.Partition)
	msg, err := nc.Request(subject, appendRequest(nil, req), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := decodeResponse(msg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusServiceUnavailable || !strings.Contains(string(resp.Body), "partition count") {
		t.Errorf("mismatched partition: %d %q", resp.Status, resp.Body)
	}
	if len(a.snapshot()) != 0 {
		t.Error("the handler ran")
	}
}

// TestPlanStates checks the plan's State against its fluxions.
func TestPlanStates(t *testing.T) {
	a := newKVApp("x")
	for name, c := range map[string]struct {
		edit func(p *Plan)
		want string
	}{
		"whole for keyed":  {func(p *Plan) { p.Contexts[0].State = counterState{a} }, "want a KeyedState"},
		"keyed for single": {func(p *Plan) { p.Contexts[1].State = kvState{a} }, "want a WholeState"},
		"not a state":      {func(p *Plan) { p.Contexts[1].State = 42 }, "State is int"},
		"no key":           {func(p *Plan) { p.Fluxions[1].Key = nil }, `keyed fluxion "put" writes persisted context "kv" but has no Key`},
	} {
		p := kvPlan(a, true)
		c.edit(p)
		if _, err := New(p, testSettings(t, nil), a.mux); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	p := kvPlan(a, true)
	p.Partitions = maxPartitions + 1
	if _, err := New(p, testSettings(t, nil), a.mux); err == nil {
		t.Error("too many partitions accepted")
	}
}
