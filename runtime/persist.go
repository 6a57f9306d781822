package runtime

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The state bucket. Each service keeps its contexts in one JetStream
// key-value bucket, lq_<service> (the service name as a subject token),
// with history 1 and file storage:
//
//	m.partitions               the partition count, in decimal, recorded by the first worker
//	k.<context>.<key>          one entry of a keyed context
//	s.<context>                a singleton or residue context, whole
//
// <context> is the context's name as a subject token. <key> is the
// entry's key in unpadded base64url (RFC 4648 §5), or "=" for the empty
// key, which base64url never produces. A key's partition is FNV-1a 64 of
// its bytes mod the partition count (partitionOf). Values are the bytes
// the plan's KeyedState.Get and WholeState.Snapshot return. A removed
// entry leaves a delete marker, which restore skips.

// errPartitions is returned when a process's partition count differs
// from the one its bucket recorded.
var errPartitions = errors.New("partition count differs from the bucket's")

// storeStripes is the number of mutexes that serialise the persisting of
// keyed entries; keys hash onto them.
const storeStripes = 256

// partitionsKey is the bucket entry that records the partition count.
const partitionsKey = "m.partitions"

// maxSubject bounds the subject a write to the bucket publishes on
// ($KV.<bucket>.<key>): NATS servers refuse a protocol line longer than
// 4 KiB by default, and close the connection that sent it.
const maxSubject = 3 << 10

// A store writes contexts through to the service's bucket and restores
// them. Its methods are safe for concurrent use.
//
// Lock order: a stripe or a whole context's mutex is held while the
// plan's state is encoded (which takes the app's own locks) and the
// bucket acknowledges the write; no other runtime mutex is taken under
// it.
type store struct {
	kv      jetstream.KeyValue
	timeout time.Duration // bound on one write to the bucket
	stripes [storeStripes]sync.Mutex
	whole   map[*stateContext]*sync.Mutex // read-only once built
}

// bucketName is the state bucket of a service: lq_<service>.
func bucketName(service string) string {
	return "lq_" + token(service)
}

// entryKey is the bucket key of key in keyed context c.
func entryKey(c *stateContext, key string) string {
	if key == "" {
		return "k." + c.token + ".="
	}
	return "k." + c.token + "." + base64.RawURLEncoding.EncodeToString([]byte(key))
}

// decodeKey returns the entry key a bucket key's last token encodes.
func decodeKey(enc string) (string, error) {
	if enc == "=" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("decode bucket key %q: %w", enc, err)
	}
	return string(b), nil
}

// wholeKey is the bucket key of whole context c.
func wholeKey(c *stateContext) string {
	return "s." + c.token
}

// openStore opens the service's bucket, creating it with replicas when
// it is missing, and records or checks t's partition count. It fails
// when the bucket recorded another count.
func openStore(ctx context.Context, nc *nats.Conn, t *table, replicas int, timeout time.Duration) (*store, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("open state bucket: %w", err)
	}
	kv, err := openBucket(ctx, js, bucketName(t.service), replicas)
	if err != nil {
		return nil, err
	}
	if err := checkPartitions(ctx, kv, t.partitions, true); err != nil {
		return nil, err
	}

	st := &store{kv: kv, timeout: timeout, whole: make(map[*stateContext]*sync.Mutex)}
	for _, c := range t.contexts {
		if c.wholeState != nil {
			st.whole[c] = new(sync.Mutex)
		}
	}
	return st, nil
}

// openBucket returns the bucket name, created if missing. Two workers may
// race to create it; the loser opens the winner's.
func openBucket(ctx context.Context, js jetstream.JetStream, name string, replicas int) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, name)
	if err == nil {
		return kv, nil
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("open state bucket %s (persistence needs JetStream): %w", name, err)
	}
	kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      name,
		Description: "liquefy: execution contexts",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if errors.Is(err, jetstream.ErrBucketExists) {
		kv, err = js.KeyValue(ctx, name)
	}
	if err != nil {
		return nil, fmt.Errorf("create state bucket %s: %w", name, err)
	}
	return kv, nil
}

// checkPartitions compares n with the count kv recorded. With record, a
// bucket that recorded none records n; without, it passes.
func checkPartitions(ctx context.Context, kv jetstream.KeyValue, n int, record bool) error {
	want := strconv.Itoa(n)
	if record {
		_, err := kv.Create(ctx, partitionsKey, []byte(want))
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("record partition count: %w", err)
		}
	}
	e, err := kv.Get(ctx, partitionsKey)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound) && !record:
		return nil
	case err != nil:
		return fmt.Errorf("read partition count: %w", err)
	case string(e.Value()) != want:
		return fmt.Errorf("%w: bucket %s has %s partitions, this process %d (LIQUEFY_PARTITIONS or the plan's); run with LIQUEFY_PARTITIONS=%s, or start on a new bucket",
			errPartitions, kv.Bucket(), e.Value(), n, e.Value())
	}
	return nil
}

// checkGatewayPartitions is checkPartitions for a gateway: it reads the
// bucket if there is one and never creates or records anything.
func checkGatewayPartitions(ctx context.Context, nc *nats.Conn, t *table) error {
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("check partition count: %w", err)
	}
	kv, err := js.KeyValue(ctx, bucketName(t.service))
	if err != nil {
		return nil // no bucket yet, or no JetStream: the workers decide
	}
	return checkPartitions(ctx, kv, t.partitions, false)
}

// persistKey stores the entry of key in keyed context c as c's state
// holds it now, or removes it when there is none. The stripe's lock is
// held from reading the state until the bucket acknowledges, so of two
// writes to one key the later read is the later stored.
func (st *store) persistKey(c *stateContext, key string) error {
	mu := &st.stripes[fnv1a(fnv1a(fnvOffset, c.token), key)%storeStripes]
	mu.Lock()
	defer mu.Unlock()

	k, err := st.bucketKey(c, key)
	if err != nil {
		return err
	}
	data, ok, err := c.keyedState.Get(key)
	if err != nil {
		return fmt.Errorf("encode entry of context %s: %w", c.name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), st.timeout)
	defer cancel()
	if !ok {
		err = st.kv.Delete(ctx, k)
	} else {
		_, err = st.kv.Put(ctx, k, data)
	}
	if err != nil {
		return fmt.Errorf("store entry of context %s: %w", c.name, err)
	}
	return nil
}

// bucketKey returns the bucket key of key in keyed context c, or an
// error when it is too long to publish.
func (st *store) bucketKey(c *stateContext, key string) (string, error) {
	k := entryKey(c, key)
	if n := len("$KV.") + len(st.kv.Bucket()) + 1 + len(k); n > maxSubject {
		return "", fmt.Errorf("store entry of context %s: key of %d bytes too long for a bucket key (%d bytes of subject, limit %d)", c.name, len(key), n, maxSubject)
	}
	return k, nil
}

// persistWhole stores a snapshot of whole context c, under c's lock from
// the snapshot until the bucket acknowledges.
func (st *store) persistWhole(c *stateContext) error {
	mu := st.whole[c]
	mu.Lock()
	defer mu.Unlock()

	data, err := c.wholeState.Snapshot()
	if err != nil {
		return fmt.Errorf("snapshot context %s: %w", c.name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), st.timeout)
	defer cancel()
	if _, err := st.kv.Put(ctx, wholeKey(c), data); err != nil {
		return fmt.Errorf("store context %s: %w", c.name, err)
	}
	return nil
}

// restore loads what this process owns from the bucket into the plan's
// state: the entries of owned partitions of keyed contexts, and owned
// whole contexts. It runs before the worker subscribes, so nothing it
// restores is being written.
func (st *store) restore(ctx context.Context, t *table, log *slog.Logger) error {
	for _, c := range t.contexts {
		if !c.owned || !c.persists() {
			continue
		}
		start := time.Now()
		n, removed, err := st.restoreContext(ctx, t, c)
		if err != nil {
			return fmt.Errorf("restore context %s: %w", c.name, err)
		}
		log.Info("context restored", "context", c.name, "entries", n, "removed", removed, "took", time.Since(start))
	}
	return nil
}

// restoreContext restores c and returns how many entries it put and how
// many it removed.
func (st *store) restoreContext(ctx context.Context, t *table, c *stateContext) (n, removed int, err error) {
	if c.wholeState != nil {
		err = st.each(ctx, wholeKey(c), func(e jetstream.KeyValueEntry) error {
			if e.Operation() != jetstream.KeyValuePut {
				return nil
			}
			n++
			return c.wholeState.Restore(e.Value())
		})
		return n, 0, err
	}

	// A keyed context: every entry, applied only where the partition is
	// ours. A removed entry is removed from the state too, in case the
	// app's start-up code made it again.
	prefix := "k." + c.token + "."
	err = st.each(ctx, prefix+">", func(e jetstream.KeyValueEntry) error {
		key, err := decodeKey(e.Key()[len(prefix):])
		switch {
		case err != nil:
			return err
		case !c.partitions[partitionOf(key, t.partitions)].local:
			return nil
		case e.Operation() != jetstream.KeyValuePut:
			removed++
			c.keyedState.Delete(key)
			return nil
		}
		n++
		if err := c.keyedState.Put(key, e.Value()); err != nil {
			return fmt.Errorf("put key %q: %w", key, err)
		}
		return nil
	})
	return n, removed, err
}

// each calls fn for the latest revision of every entry matching filter,
// delete markers included. It reads through a watch, which one ordered
// consumer serves from the stream itself, rather than a read per key.
func (st *store) each(ctx context.Context, filter string, fn func(jetstream.KeyValueEntry) error) error {
	w, err := st.kv.Watch(ctx, filter)
	if err != nil {
		return fmt.Errorf("watch %s: %w", filter, err)
	}
	defer func() {
		// Stop, and drain what the watch still delivers, so that its
		// callback never blocks on a full channel.
		w.Stop()
		go func() {
			for range w.Updates() {
			}
		}()
	}()
	for {
		select {
		case e, ok := <-w.Updates():
			switch {
			case !ok:
				return fmt.Errorf("watch %s: closed before the last entry", filter)
			case e == nil:
				return nil // every current entry has been delivered
			}
			if err := fn(e); err != nil {
				return err
			}
		case <-ctx.Done():
			return fmt.Errorf("watch %s: %w", filter, ctx.Err())
		}
	}
}
