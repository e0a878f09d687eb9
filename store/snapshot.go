package store

import (
	"container/list"
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
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
// meta document "<key>" holds a number claimed, every hintEvery claims, as a hint only (it
// lags, and may fall back when two writers store it out of order): the current version is
// the highest claim, found by probing upwards from the hint, or from the highest version
// this process knows of when that is higher.
//
// What this process claims, through any of its DBs on the same database, it notes in memory
// (seen), so a read learns of it with no I/O. What other processes claim a read learns by
// one _id lookup (is there a claim after the copy's version?), made at most every
// claimCheckEvery per value and by one reader at a time (the others serve the copy
// meanwhile): a page costs no database round trip, and another process's write is noticed
// within that time. A write through this process claims the next version and patches the
// copy it holds, but only when its claim directly follows the version its write began at:
// then no other write can be missing from the patched copy, because any other writer that
// began before it claims a later version.
//
// A copy is stale when a later version is claimed, or when it is older than maxAge (which
// covers a writer that died between its write and its claim). Only the first read of a value
// (nothing held yet) waits for a load, and parallel first readers load it once. A stale copy
// is still served, at once, while one background goroutine per value loads it again (under
// its own deadline, reloadTimeout, not the request's); the new copy replaces it when done,
// unless a write of this process patched in a version newer than the one loaded. So a copy
// older than maxAge, or behind a claim this process knows of, is served only while its
// reload is under way: another process's write shows within claimCheckEvery plus the time of
// a load. When the database cannot be read, the reload fails, the copy is kept and served,
// and the next read after reloadRetryAfter starts another (readers that look for claims then
// get the database's error). A value that never changes once written (a revision) has no
// version: it is stale by age only. At most max values are held; the least recently used is
// dropped first.
//
// A claim may name what its write changed (versionClaim.Changed: for the directory, the
// organisation saved), and a value may be patched from such names (patchFrom). Then the
// background work that a stale copy starts reads the claims after the copy's version, each
// by its _id, as far as they go (which also tells the current version), and when every one
// of them names what it changed, patchFrom reads those parts by _id and patches the copy
// with them, which is published at the highest version claimed, under the rules of a load:
// it replaces no copy of a later version, and none made untrustworthy (gen) since it began.
// The patched copy keeps its base's age, so that maxAge still bounds how long a process
// goes without a whole load. A claim is made after its write, so a part read after its
// claim was seen is at least as new as that write; a part that no claim names did not
// change up to the highest version (every claim up to it was read); a writer that died
// between its write and its claim is covered by maxAge, as for loads. Otherwise (a claim
// that does not say what changed, as a write that failed part way makes, more than
// maxPatchClaims of them, a copy older than maxAge, a value without patchFrom, or a patch
// that cannot tell, such as a part that is gone) the whole value is loaded, as above. So
// another process's write of one part shows within claimCheckEvery plus a few _id lookups.
type snapshots[K comparable, V any] struct {
	// versionKey names the version of the value at k (its claims and its hint); nil for
	// values that never change.
	versionKey func(k K) string
	// load reads the value at k from the database; version is the version it was asked
	// at (read before the load began, so a write racing the load makes the next read
	// load again).
	load func(ctx context.Context, k K, version string) (V, error)
	// patchFrom, nil when the value cannot be patched so, returns old, the value at k,
	// with the parts that changed names read again (each by _id), as of version; false
	// when it cannot tell (a part is gone, a read failed), and the value is loaded.
	patchFrom func(ctx context.Context, k K, old V, changed []string, version string) (V, bool)
	maxAge    time.Duration
	max       int
	now       func() time.Time // nil is time.Now

	// mu guards items and order. A read of a value held (nearly every page) takes it for
	// reading only and marks the snapshot used; the order is the order values were
	// first read in, and dropping one beyond max gives a snapshot marked used since it
	// last came round a second chance (the CLOCK approximation of least-recently-used), so
	// that readers on different processors do not queue on an exclusive lock.
	mu    sync.RWMutex
	items map[K]*list.Element // of *snapshot[K, V]
	order list.List
}

// snapshot is one value's place: the copy held, if any, and who is loading it.
type snapshot[K comparable, V any] struct {
	key  K
	used atomic.Bool                 // read since it was made or last given a second chance
	cur  atomic.Pointer[heldCopy[V]] // nil while nothing is held
	// firstMu is held by the load of a value nothing of which is held, so that parallel
	// first readers load it once.
	firstMu sync.Mutex
	// mu orders the changes of cur: a load's result, a patch, a drop.
	mu sync.Mutex
	// gen counts what made the copies held until then untrustworthy whatever their
	// version says: a drop, a write whose claim failed. A load begun before such an event
	// is not kept.
	gen       atomic.Uint64
	checking  atomic.Bool  // a reader is looking for a later claim
	reloading atomic.Bool  // a background reload runs
	failedAt  atomic.Int64 // when the last background reload failed, in Unix nanoseconds
	seen      atomic.Pointer[atomic.Int64]
}

// heldCopy is a copy of a value: never modified once held, but for checkedAt.
type heldCopy[V any] struct {
	value    V
	version  string
	n        int64     // versionNumber(version)
	loadedAt time.Time // when its version was read; a patch keeps its base's
	gen      uint64    // the snapshot's gen when its load began
	// checkedAt is when no claim after this copy's version was found, in Unix nanoseconds.
	checkedAt atomic.Int64
}

// How often a held value looks for another process's claim; how long a background reload
// may take; how long after a failed one the next may start.
const (
	claimCheckEvery  = 100 * time.Millisecond
	reloadTimeout    = 2 * time.Minute
	reloadRetryAfter = time.Second
)

func (c *snapshots[K, V]) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// get returns the value at k and its version: the copy held, stale or not (a stale one
// starts its reload), or, when nothing is held, the value loaded now. The value is shared
// with every reader: callers must not modify it.
func (c *snapshots[K, V]) get(ctx context.Context, db *DB, k K) (V, string, error) {
	s := c.entry(k)
	h := s.cur.Load()
	if h == nil {
		return c.first(ctx, db, s)
	}
	if _, err := c.fresh(ctx, db, s, h); err != nil {
		var zero V
		return zero, "", err
	}
	return h.value, h.version, nil
}

// current returns the copy of k held when it is not stale (ok false otherwise, and a stale
// copy starts its reload), without ever loading it in the request: for reads that have a
// cheaper way than a load when the copy cannot answer.
func (c *snapshots[K, V]) current(ctx context.Context, db *DB, k K) (v V, version string, ok bool, err error) {
	s := c.held(k)
	if s == nil {
		return v, "", false, nil
	}
	h := s.cur.Load()
	if h == nil {
		return v, "", false, nil
	}
	if ok, err = c.fresh(ctx, db, s, h); !ok || err != nil {
		return v, "", false, err
	}
	return h.value, h.version, true, nil
}

// first loads the value of s, nothing of which is held, and holds it. Parallel first
// readers wait for one load.
func (c *snapshots[K, V]) first(ctx context.Context, db *DB, s *snapshot[K, V]) (V, string, error) {
	s.firstMu.Lock()
	defer s.firstMu.Unlock()
	if h := s.cur.Load(); h != nil {
		return h.value, h.version, nil // another reader loaded it meanwhile
	}
	h, err := c.fetch(ctx, db, s)
	if err != nil {
		var zero V
		return zero, "", err
	}
	c.publish(s, h)
	return h.value, h.version, nil
}

// fresh reports whether h, the copy s holds, is not stale (see snapshots); a stale copy
// starts its reload. Of the readers that find the claim check due, one looks; the others
// take the copy as fresh meanwhile.
func (c *snapshots[K, V]) fresh(ctx context.Context, db *DB, s *snapshot[K, V], h *heldCopy[V]) (bool, error) {
	now := c.clock()
	stale, err := c.stale(ctx, db, s, h, now)
	if err != nil {
		return false, err
	}
	if stale {
		c.reload(ctx, db, s, now)
	}
	return !stale, nil
}

func (c *snapshots[K, V]) stale(ctx context.Context, db *DB, s *snapshot[K, V], h *heldCopy[V], now time.Time) (bool, error) {
	if h.gen != s.gen.Load() || now.Sub(h.loadedAt) >= c.maxAge {
		return true, nil
	}
	if c.versionKey == nil {
		return false, nil
	}
	key := c.versionKey(s.key)
	if c.seen(db, s, key).Load() > h.n {
		return true, nil
	}
	due := func() bool { return now.UnixNano()-h.checkedAt.Load() >= int64(claimCheckEvery) }
	if !due() || !s.checking.CompareAndSwap(false, true) {
		return false, nil
	}
	defer s.checking.Store(false)
	if !due() || c.seen(db, s, key).Load() > h.n {
		// Another reader looked just now, or found a later claim and started the reload:
		// this one serves the copy meanwhile, as the readers that found the check taken do.
		return false, nil
	}
	moved, err := claimed(ctx, db, key, h.n+1)
	switch {
	case err != nil:
		return false, err
	case moved:
		noteSeen(db, key, h.n+1)
		return true, nil
	}
	h.checkedAt.Store(now.UnixNano())
	return false, nil
}

// seen returns the counter of the versions of key this process knows of (seenOf), kept in s
// once looked up.
func (c *snapshots[K, V]) seen(db *DB, s *snapshot[K, V], key string) *atomic.Int64 {
	if p := s.seen.Load(); p != nil {
		return p
	}
	p := seenOf(db, key)
	s.seen.Store(p)
	return p
}

// reload starts loading the value of s again in the background, unless a reload runs, the
// last one failed less than reloadRetryAfter ago, or db is closed. It runs under a context
// of its own, bounded by reloadTimeout and by db's Close, not under the request's ctx,
// whose values only it keeps.
func (c *snapshots[K, V]) reload(ctx context.Context, db *DB, s *snapshot[K, V], now time.Time) {
	if now.UnixNano()-s.failedAt.Load() < int64(reloadRetryAfter) || !s.reloading.CompareAndSwap(false, true) {
		return
	}
	started := db.background(func(bg context.Context) {
		defer s.reloading.Store(false)
		ctx, cancel := context.WithTimeout(context.WithValue(context.WithoutCancel(ctx), backgroundLoad{}, true), reloadTimeout)
		defer cancel()
		defer context.AfterFunc(bg, cancel)()
		h, ok := c.patched(ctx, db, s)
		if !ok {
			var err error
			if h, err = c.fetch(ctx, db, s); err != nil {
				s.failedAt.Store(c.clock().UnixNano())
				return
			}
		}
		c.publish(s, h)
	})
	if !started {
		s.reloading.Store(false)
	}
}

// patched returns the copy s holds patched up to the current version from what the claims
// after its version say they changed (see snapshots); false when that cannot be done, and
// the value must be loaded.
func (c *snapshots[K, V]) patched(ctx context.Context, db *DB, s *snapshot[K, V]) (*heldCopy[V], bool) {
	if c.patchFrom == nil || c.versionKey == nil {
		return nil, false
	}
	base := s.cur.Load()
	if base == nil || base.gen != s.gen.Load() || c.clock().Sub(base.loadedAt) >= c.maxAge {
		return nil, false
	}
	key, checked := c.versionKey(s.key), c.clock()
	last, changed, ok, err := changedAfter(ctx, db, key, base.n)
	if err == nil {
		noteSeen(db, key, last)
	}
	if err != nil || !ok || last == base.n {
		return nil, false
	}
	version := versionText(last)
	v, ok := c.patchFrom(ctx, s.key, base.value, changed, version)
	if !ok {
		return nil, false
	}
	h := &heldCopy[V]{value: v, version: version, n: last, loadedAt: base.loadedAt, gen: base.gen}
	h.checkedAt.Store(checked.UnixNano())
	return h, true
}

// fetch reads the version of the value of s, then the value: a copy to hold.
func (c *snapshots[K, V]) fetch(ctx context.Context, db *DB, s *snapshot[K, V]) (*heldCopy[V], error) {
	gen, at := s.gen.Load(), c.clock()
	version, err := c.version(ctx, db, s.key)
	if err != nil {
		return nil, err
	}
	v, err := c.load(ctx, s.key, version)
	if err != nil {
		return nil, err
	}
	h := &heldCopy[V]{value: v, version: version, n: versionNumber(version), loadedAt: at, gen: gen}
	h.checkedAt.Store(at.UnixNano())
	return h, nil
}

// publish holds h, a copy just loaded, in s: unless a copy of a later version is held (a
// write of this process patched it in while h loaded), or s was dropped or invalidated
// since h's load began.
func (c *snapshots[K, V]) publish(s *snapshot[K, V], h *heldCopy[V]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.gen != s.gen.Load() {
		return
	}
	if cur := s.cur.Load(); cur != nil && cur.n > h.n {
		return
	}
	s.cur.Store(h)
}

// servedVersion returns the version of the value at k as this process serves it: the
// current version, or, while the copy held is behind it and reloads, the copy's. A reader
// that follows the version (the search indexer) and then reads the value so gets a value
// at least as new as the version it read, and sees the version move again when the new
// copy is in.
func (c *snapshots[K, V]) servedVersion(ctx context.Context, db *DB, k K) (string, error) {
	version, err := c.version(ctx, db, k)
	if err != nil {
		return "", err
	}
	if s := c.held(k); s != nil {
		if h := s.cur.Load(); h != nil && h.n < versionNumber(version) {
			c.reload(ctx, db, s, c.clock())
			return h.version, nil
		}
	}
	return version, nil
}

// writeBase returns the version that a write of the value at k begins at (see wrote): that
// of the copy held when this process knows of no later claim and the copy is younger than
// maxAge, without a round trip; otherwise the current version, read. The copy's version is
// a safe base: the claim that follows it is still free exactly when nobody made it, since
// a claim made after the copy was loaded or patched is younger than maxAge, far below
// claimMinAge, and cannot have been swept. When another process claimed it meanwhile, the
// write claims a later version and does not patch.
func (c *snapshots[K, V]) writeBase(ctx context.Context, db *DB, k K) (string, error) {
	if s := c.held(k); s != nil && c.versionKey != nil {
		if h := s.cur.Load(); h != nil && h.gen == s.gen.Load() && c.clock().Sub(h.loadedAt) < c.maxAge &&
			c.seen(db, s, c.versionKey(k)).Load() == h.n {
			return h.version, nil
		}
	}
	return c.version(ctx, db, k)
}

// entry returns the snapshot of k, made empty when there is none, marked used; it drops
// snapshots beyond max, the least recently used first (nearly: see snapshots.mu).
func (c *snapshots[K, V]) entry(k K) *snapshot[K, V] {
	if s := c.held(k); s != nil {
		if !s.used.Load() { // a store only when it changes: the flag's line stays shared
			s.used.Store(true)
		}
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[K]*list.Element{}
	}
	if el, ok := c.items[k]; ok {
		s := el.Value.(*snapshot[K, V])
		s.used.Store(true)
		return s
	}
	s := &snapshot[K, V]{key: k}
	c.items[k] = c.order.PushFront(s)
	for c.order.Len() > max(c.max, 1) {
		last := c.order.Back()
		if old := last.Value.(*snapshot[K, V]); old == s || old.used.Load() {
			// The one just made, or one read since it came round last: a second
			// chance. No reader marks one while the lock is held, and a pass clears
			// every mark: the loop ends.
			old.used.Store(false)
			c.order.MoveToFront(last)
			continue
		}
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
	h := s.cur.Load()
	if h == nil || h.gen != s.gen.Load() || c.clock().Sub(h.loadedAt) >= c.maxAge {
		return zero, false
	}
	return h.value, true
}

// held returns the snapshot of k, or nil, without making one.
func (c *snapshots[K, V]) held(k K) *snapshot[K, V] {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if el, ok := c.items[k]; ok {
		return el.Value.(*snapshot[K, V])
	}
	return nil
}

// wrote records that this process changed the value at k, whose version was before when
// the write began (writeBase, before the first write): it claims the next version (see
// snapshots), then patches the copy held when that claim directly follows before and the
// copy is of version before (patch returns the value with the write applied, and false
// when it cannot tell). Otherwise the copy is left as it is: behind the version claimed,
// it is stale, and its next read starts its reload. A write that failed part way calls
// wrote with a nil patch: the new version makes every process read the value again,
// whatever the write did. When the claim fails, the copy held is invalidated, so that
// this process reads the value again at least. changed, when not nil, names what the write
// changed, for other processes to patch their copies with (patchFrom); a write that failed
// part way, or cannot tell, passes nil.
func (c *snapshots[K, V]) wrote(ctx context.Context, db *DB, k K, before string, changed []string, patch func(old V, version string) (V, bool)) error {
	key := c.versionKey(k)
	start := versionNumber(before) + 1
	n, err := claimNext(ctx, db, key, start, changed)
	s := c.held(k)
	if err != nil {
		if s != nil {
			s.mu.Lock()
			s.gen.Add(1)
			s.mu.Unlock()
		}
		localWrites(db, key).Add(1)
		return err
	}
	noteSeen(db, key, n)
	if s != nil && n == start && patch != nil {
		s.patch(before, n, patch)
	}
	// Counted once the copy is patched: what follows the count (PagesVersion) reads the
	// written value.
	localWrites(db, key).Add(1)
	// The hint and the clean-up only save probes and space: a failure is no failure of
	// the write, which its claim has made visible.
	if n%hintEvery == 0 {
		_ = db.SetMeta(ctx, key, versionText(n))
	}
	db.sweepClaims()
	return nil
}

// patch holds the copy of version before, patched, as version n; any other copy stays.
func (s *snapshot[K, V]) patch(before string, n int64, patch func(old V, version string) (V, bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.cur.Load()
	if h == nil || h.version != before {
		return
	}
	v, ok := patch(h.value, versionText(n))
	if !ok {
		return
	}
	p := &heldCopy[V]{value: v, version: versionText(n), n: n, loadedAt: h.loadedAt, gen: h.gen}
	p.checkedAt.Store(h.checkedAt.Load())
	s.cur.Store(p)
}

// drop forgets the copy of k, for a value written without a version (a revision saved
// again); a load under way when it is dropped is not kept.
func (c *snapshots[K, V]) drop(k K) {
	if s := c.held(k); s != nil {
		s.mu.Lock()
		s.gen.Add(1)
		s.cur.Store(nil)
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
