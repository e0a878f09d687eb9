package store

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/gobidialogue/portal"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// snapshots is DESIGN.md's versioned snapshot: per process, the values that pages read on
// every request and that the embedded engine is slow to read (it scans and decodes every
// document of a query that is not an _id lookup), held in memory: the directory, the
// guideline list, revisions; a guideline's comments and the meetings are next.
//
// A value is checked on every read against its version in the meta collection (one _id
// lookup) and loaded again when the version moved: another process wrote. A write made
// through this process stores a new version and patches the copy it holds, so a writer's
// next read costs no load. Every copy is trusted for at most maxAge, so that a change whose
// version went missing (two processes writing in the same instant, a writer that died
// between its write and its version) shows within that time. A value that never changes
// once written (a revision) has no version to check: it is bounded in age only. At most
// max values are held; the least recently used is dropped first.
type snapshots[K comparable, V any] struct {
	// versionKey names the meta document of the version of the value at k; nil for values
	// that never change.
	versionKey func(k K) string
	// load reads the value at k from the database; version is the version it was asked
	// at (read before the load began, so a write racing the load makes the next read
	// load again).
	load   func(ctx context.Context, k K, version string) (V, error)
	maxAge time.Duration
	max    int
	now    func() time.Time // nil is time.Now

	mu    sync.Mutex
	items map[K]*list.Element // of *snapshot[K, V]
	order list.List           // most recently used first
}

// snapshot is one value held.
type snapshot[K comparable, V any] struct {
	key K
	// mu is held while the value loads, so that parallel readers of one value load it
	// once.
	mu       sync.Mutex
	value    V
	version  string
	loadedAt time.Time
	loaded   bool
}

func (c *snapshots[K, V]) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// version returns the current version of the value at k: "" when it was never written,
// and always "" for values without a version.
func (c *snapshots[K, V]) version(ctx context.Context, db *DB, k K) (string, error) {
	if c.versionKey == nil {
		return "", nil
	}
	v, err := db.GetMeta(ctx, c.versionKey(k))
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return "", nil
	}
	return v, err
}

// get returns the value at k and its version: the copy held, while its version is
// current and it is younger than maxAge, or else the value loaded now. The value is shared
// with every reader: callers must not modify it.
func (c *snapshots[K, V]) get(ctx context.Context, db *DB, k K) (V, string, error) {
	var zero V
	version, err := c.version(ctx, db, k)
	if err != nil {
		return zero, "", err
	}
	s := c.entry(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded && s.version == version && c.clock().Sub(s.loadedAt) < c.maxAge {
		return s.value, version, nil
	}
	v, err := c.load(ctx, k, version)
	if err != nil {
		return zero, "", err
	}
	s.value, s.version, s.loadedAt, s.loaded = v, version, c.clock(), true
	return v, version, nil
}

// entry returns the snapshot of k, made empty when there is none, as the most recently
// used; it drops the least recently used beyond max.
func (c *snapshots[K, V]) entry(k K) *snapshot[K, V] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[K]*list.Element{}
	}
	if el, ok := c.items[k]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*snapshot[K, V])
	}
	s := &snapshot[K, V]{key: k}
	c.items[k] = c.order.PushFront(s)
	for c.order.Len() > max(c.max, 1) {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*snapshot[K, V]).key)
	}
	return s
}

// cached returns the copy of k held, when it is younger than maxAge, without reading
// anything: only for values without a version, which nothing but age makes stale.
func (c *snapshots[K, V]) cached(k K) (V, bool) {
	var zero V
	s := c.held(k)
	if s == nil || c.versionKey != nil {
		return zero, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded && c.clock().Sub(s.loadedAt) < c.maxAge {
		return s.value, true
	}
	return zero, false
}

// held returns the snapshot of k, or nil, without making one.
func (c *snapshots[K, V]) held(k K) *snapshot[K, V] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		return el.Value.(*snapshot[K, V])
	}
	return nil
}

// wrote records that this process changed the value at k, whose version was before when
// the write began: it stores a new version, then patches the copy held when that copy is
// of version before (patch returns the value with the write applied, and false when it
// cannot tell: then the copy is dropped). Any other copy is dropped, and so is the copy
// when the new version could not be stored: this process then reads the value again,
// and other processes see the write within maxAge.
func (c *snapshots[K, V]) wrote(ctx context.Context, db *DB, k K, before string, patch func(old V, version string) (V, bool)) error {
	version := newVersion()
	err := db.SetMeta(ctx, c.versionKey(k), version)
	s := c.held(k)
	if s == nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && s.loaded && s.version == before && patch != nil {
		if v, ok := patch(s.value, version); ok {
			s.value, s.version = v, version
			return nil
		}
	}
	s.loaded = false
	return err
}

// drop forgets the copy of k, for a value written without a version (a revision saved
// again).
func (c *snapshots[K, V]) drop(k K) {
	if s := c.held(k); s != nil {
		s.mu.Lock()
		s.loaded = false
		s.mu.Unlock()
	}
}

// newVersion returns a fresh version value: 24 random hexadecimal digits.
func newVersion() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// readBack sets out to doc as the database would give it back: marshalled to BSON and
// decoded, so that a patched copy holds what a load would (times to the millisecond, in
// UTC). It reports false when doc does not survive the trip.
func readBack[T any](doc any, out *T) bool {
	b, err := bson.Marshal(doc)
	return err == nil && bson.Unmarshal(b, out) == nil
}
