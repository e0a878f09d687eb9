package store

import (
	"container/list"
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobidialogue/portal"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// snapshots is DESIGN.md's versioned snapshot: per process, the values that pages read on
// every request and that the embedded engine is slow to read (it scans and decodes every
// document of a query that is not an _id lookup), held in memory: the directory, the
// guideline list, revisions; a guideline's comments and the meetings are next.
//
// Versions are sequence numbers, and each is claimed by a unique insert, the one write the
// embedded engine makes atomic (DESIGN.md, Atomicity): a writer claims version n+1 of a
// value by inserting {_id: "<key>@<n+1>"} into the version_claims collection. Of two
// writers that began at n, one gets n+1 and the other a duplicate key, and takes n+2. The
// meta document "<key>" holds the last number claimed, as a hint only (it may lag, or fall
// back when two writers store it out of order): the current version is the highest claim,
// found by probing upwards from the hint.
//
// What this process claims, through any of its DBs on the same database, it notes in memory
// (seen), so a read learns of it with no I/O. What other processes claim a read learns by
// one _id lookup (is there a claim after the copy's version?), made at most every
// claimCheckEvery per value: a page costs no database round trip, and another process's
// write shows within that time. When a later version is claimed, the value is loaded again.
// A write through this process claims the next version and patches the copy it holds, but
// only when its claim directly follows the version its write began at: then no other write
// can be missing from the patched copy, because any other writer that began before it
// claims a later version. Every copy is trusted for at most maxAge, so that a write whose
// claim went missing (a writer that died between its write and its claim) shows within that
// time. A value that never changes once written (a revision) has no version: it is bounded
// in age only. At most max values are held; the least recently used is dropped first.
type snapshots[K comparable, V any] struct {
	// versionKey names the version of the value at k (its claims and its hint); nil for
	// values that never change.
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
	mu        sync.Mutex
	value     V
	version   string
	loadedAt  time.Time
	checkedAt time.Time     // when the claims were last looked up for a later version
	seen      *atomic.Int64 // seenOf the value's version key, once looked up
	loaded    bool
}

// claimCheckEvery is how often a held value looks for another process's claim.
const claimCheckEvery = 100 * time.Millisecond

// seen holds, by server, database and version key, the highest version a DB of this process
// claimed or found claimed: an *atomic.Int64.
var seen sync.Map

func seenOf(db *DB, key string) *atomic.Int64 {
	v, _ := seen.LoadOrStore(db.server+"\x00"+key, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// noteSeen records that version n of key exists.
func noteSeen(db *DB, key string, n int64) {
	a := seenOf(db, key)
	for {
		old := a.Load()
		if n <= old || a.CompareAndSwap(old, n) {
			return
		}
	}
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
	key := c.versionKey(k)
	n, err := currentVersion(ctx, db, key)
	if err == nil {
		noteSeen(db, key, n)
	}
	return versionText(n), err
}

// currentVersion returns the highest version of key claimed: from the hint up, as far as
// the claims go.
func currentVersion(ctx context.Context, db *DB, key string) (int64, error) {
	hint, err := db.GetMeta(ctx, key)
	if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
		return 0, err
	}
	n := versionNumber(hint)
	for {
		moved, err := claimed(ctx, db, key, n+1)
		if err != nil || !moved {
			return n, err
		}
		n++
	}
}

// claimed reports whether version n of key was claimed.
func claimed(ctx context.Context, db *DB, key string, n int64) (bool, error) {
	err := db.versionClaims.FindOne(ctx, bson.M{"_id": claimID(key, n)}).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	}
	return false, translate(err, nil, "read version %d of %s", n, key)
}

// versionClaim is a claim of version N of Key, made At.
type versionClaim struct {
	ID  string    `bson:"_id"`
	Key string    `bson:"key"`
	N   int64     `bson:"n"`
	At  time.Time `bson:"at"`
}

// claimID is the _id of the claim of version n of key.
func claimID(key string, n int64) string { return key + "@" + strconv.FormatInt(n, 10) }

// versionNumber reads a version; "" (never written) and anything unreadable are 0.
func versionNumber(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// versionText writes version n, 0 as "".
func versionText(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// get returns the value at k and its version: the copy held, while no later version is
// known to be claimed and it is younger than maxAge, or else the value loaded now. The value
// is shared with every reader: callers must not modify it.
func (c *snapshots[K, V]) get(ctx context.Context, db *DB, k K) (V, string, error) {
	var zero V
	s := c.entry(k)
	now := c.clock()
	s.mu.Lock()
	if s.seen == nil && c.versionKey != nil {
		s.seen = seenOf(db, c.versionKey(k))
	}
	v, held, fresh, checked, seen := s.value, s.version, s.loaded && now.Sub(s.loadedAt) < c.maxAge, s.checkedAt, s.seen
	s.mu.Unlock()
	if fresh {
		// The lookup runs without the lock: readers of a current copy never wait on
		// each other.
		moved, looked, err := c.movedSince(ctx, db, k, held, seen, now.Sub(checked) >= claimCheckEvery)
		if err != nil {
			return zero, "", err
		}
		if !moved {
			if looked {
				s.mu.Lock()
				if s.version == held {
					s.checkedAt = now
				}
				s.mu.Unlock()
			}
			return v, held, nil
		}
	}
	version, err := c.version(ctx, db, k)
	if err != nil {
		return zero, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded && s.version == version && c.clock().Sub(s.loadedAt) < c.maxAge {
		return s.value, version, nil // another reader loaded it meanwhile
	}
	v, err = c.load(ctx, k, version)
	if err != nil {
		return zero, "", err
	}
	s.value, s.version, s.loadedAt, s.checkedAt, s.loaded = v, version, c.clock(), c.clock(), true
	return v, version, nil
}

// movedSince reports whether a version after version of the value at k is claimed, as this
// process knows (seen), and when look also as the database says (looked reports it asked);
// never for values without a version.
func (c *snapshots[K, V]) movedSince(ctx context.Context, db *DB, k K, version string, seen *atomic.Int64, look bool) (moved, looked bool, err error) {
	if c.versionKey == nil {
		return false, false, nil
	}
	n := versionNumber(version)
	if seen.Load() > n {
		return true, false, nil
	}
	if !look {
		return false, false, nil
	}
	moved, err = claimed(ctx, db, c.versionKey(k), n+1)
	return moved, true, err
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
// the write began (read with version, before the first write): it claims the next version
// (see snapshots), then patches the copy held when that claim directly follows before and
// the copy is of version before (patch returns the value with the write applied, and false
// when it cannot tell). Otherwise the copy is dropped, unless a reader already loaded the
// version claimed. A write that failed part way calls wrote with a nil patch: the new
// version makes every process read the value again, whatever the write did.
func (c *snapshots[K, V]) wrote(ctx context.Context, db *DB, k K, before string, patch func(old V, version string) (V, bool)) error {
	key := c.versionKey(k)
	start := versionNumber(before) + 1
	n, err := claimNext(ctx, db, key, start)
	if err == nil {
		noteSeen(db, key, n)
	}
	s := c.held(k)
	if s != nil {
		s.mu.Lock()
		switch {
		case err == nil && s.loaded && s.version == versionText(n):
			// A reader loaded the version claimed: the copy is current.
		case err == nil && n == start && s.loaded && s.version == before && patch != nil:
			if v, ok := patch(s.value, versionText(n)); ok {
				s.value, s.version = v, versionText(n)
			} else {
				s.loaded = false
			}
		default:
			s.loaded = false
		}
		s.mu.Unlock()
	}
	if err != nil {
		return err
	}
	// The hint and the clean-up only save probes and space: a failure is no failure of
	// the write, which its claim has made visible.
	_ = db.SetMeta(ctx, key, versionText(n))
	db.sweepClaims(ctx)
	return nil
}

// claimNext claims the first free version of key from n on, and returns it.
func claimNext(ctx context.Context, db *DB, key string, n int64) (int64, error) {
	for ; ; n++ {
		_, err := db.versionClaims.InsertOne(ctx, versionClaim{ID: claimID(key, n), Key: key, N: n, At: time.Now().UTC()})
		switch {
		case err == nil:
			return n, nil
		case !mongo.IsDuplicateKeyError(err):
			return 0, translate(err, nil, "claim version %d of %s", n, key)
		}
	}
}

// Claims older than claimMinAge are deleted, at most once every claimSweepEvery and by a
// write, except the newest of each value. A copy is never older than its snapshot's maxAge,
// far below claimMinAge, so no copy can depend on a claim that goes: a copy of version n is
// stale only through a claim of n+1 made after it loaded.
const (
	claimMinAge     = time.Hour
	claimSweepEvery = time.Hour
)

// sweepClaims deletes, at most once every claimSweepEvery, the claims older than
// claimMinAge but the newest of each value. Failures are left for the next sweep.
func (db *DB) sweepClaims(ctx context.Context) {
	now := time.Now()
	db.sweepMu.Lock()
	due := now.Sub(db.claimsSwept) >= claimSweepEvery
	if due {
		db.claimsSwept = now
	}
	db.sweepMu.Unlock()
	if due {
		_ = db.deleteClaims(ctx, now.Add(-claimMinAge))
	}
}

// deleteClaims deletes the claims made before cutoff but the newest of each value, and
// sets each value's hint to its newest version, so that no version is ever claimed twice.
func (db *DB) deleteClaims(ctx context.Context, cutoff time.Time) error {
	cutoff = cutoff.UTC()
	cur, err := db.versionClaims.Find(ctx, bson.M{"at": bson.M{"$lt": cutoff}}, options.Find().SetProjection(bson.M{"key": 1}))
	if err != nil {
		return translate(err, nil, "find old version claims")
	}
	var old []versionClaim
	if err := cur.All(ctx, &old); err != nil {
		return translate(err, nil, "find old version claims")
	}
	keys := map[string]bool{}
	for _, c := range old {
		keys[c.Key] = true
	}
	for key := range keys {
		n, err := currentVersion(ctx, db, key)
		if err != nil {
			return err
		}
		if err := db.SetMeta(ctx, key, versionText(n)); err != nil {
			return err
		}
		if _, err := db.versionClaims.DeleteMany(ctx, bson.M{"key": key, "n": bson.M{"$lt": n}, "at": bson.M{"$lt": cutoff}}); err != nil {
			return translate(err, nil, "delete old version claims of %s", key)
		}
	}
	return nil
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

// readBack sets out to doc as the database would give it back: marshalled to BSON and
// decoded, so that a patched copy holds what a load would (times to the millisecond, in
// UTC). It reports false when doc does not survive the trip.
func readBack[T any](doc any, out *T) bool {
	b, err := bson.Marshal(doc)
	return err == nil && bson.Unmarshal(b, out) == nil
}
