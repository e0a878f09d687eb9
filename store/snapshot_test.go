package store_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// counted returns a loader that gives "k@version#n" for the n-th load, and its count.
func counted() (func(context.Context, string, string) (string, error), *atomic.Int32) {
	var n atomic.Int32
	return func(_ context.Context, k, version string) (string, error) {
		return k + "@" + version + "#" + strconv.Itoa(int(n.Add(1))), nil
	}, &n
}

// clock is a time that a test moves while background reloads read it.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }
func (c *clock) set(t time.Time) (undo func()) {
	old := c.ns.Swap(t.UnixNano())
	return func() { c.ns.Store(old) }
}

// TestSnapshotFollowsVersion checks the versioned snapshot: one load while the version
// stands; when another process writes, the copy still served at once and one load in the
// background; none after a write of this process (whose patch is kept); and a background
// load when two writers raced, when the copy is too old, or when its patch cannot apply.
func TestSnapshotFollowsVersion(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	other, err := store.Open(ctx, storetest.URI(t), db.Name()) // a DB of this process
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	now := newClock()
	load, loads := counted()
	s := store.NewStringSnapshots(true, 4, time.Minute, now.now, load)
	theirs := store.NewStringSnapshots(true, 4, time.Minute, nil, load)
	get := func(wantLoads int32, wantVersion string) string {
		t.Helper()
		v, version, err := s.Get(ctx, db, "list")
		if err != nil {
			t.Fatal(err)
		}
		if version != wantVersion {
			t.Errorf("got version %q, want %q", version, wantVersion)
		}
		if loads.Load() != wantLoads {
			t.Errorf("%d loads, want %d (value %q)", loads.Load(), wantLoads, v)
		}
		return v
	}
	// stale reads a stale copy, which is served at once (of version was), and waits for
	// the one load it starts in the background.
	stale := func(was string) {
		t.Helper()
		n := loads.Load()
		get(n, was)
		db.WaitForReloads()
		if loads.Load() != n+1 {
			t.Errorf("%d background loads, want 1", loads.Load()-n)
		}
	}
	write := func(s *store.StringSnapshots, db *store.DB, before string, patch func(string, string) (string, bool)) {
		t.Helper()
		if err := s.Wrote(ctx, db, "list", before, patch); err != nil {
			t.Fatal(err)
		}
	}
	mine := func(old, version string) (string, bool) { return old + "+mine@" + version, true }
	if v := get(1, ""); v != "list@#1" {
		t.Errorf("first value %q", v)
	}
	get(1, "")
	// Another process writes: it claims version 1; the next read serves the copy held
	// and loads in the background.
	write(theirs, other, "", nil)
	stale("")
	if v := get(2, "1"); v != "list@1#2" {
		t.Errorf("after another process wrote: %q", v)
	}
	// This process writes: it claims version 2 and patches its copy; nothing loads.
	write(s, db, "1", mine)
	if v := get(2, "2"); v != "list@1#2+mine@2" {
		t.Errorf("after this process wrote: %q", v)
	}
	// Two writers began at version 2: the other claimed 3 first, so this one gets 4 and
	// must not patch a copy that lacks the other's write.
	write(theirs, other, "2", nil)
	write(s, db, "2", func(string, string) (string, bool) { return "wrong", true })
	stale("2")
	if v := get(3, "4"); v == "wrong" || !strings.HasPrefix(v, "list@4#") {
		t.Errorf("after racing writers: %q", v)
	}
	// A patch that cannot tell leaves the copy behind the version claimed.
	write(s, db, "4", func(string, string) (string, bool) { return "", false })
	stale("4")
	get(4, "5")
	// A hint that fell back (two writers storing it out of order) is probed past.
	if err := db.SetMeta(ctx, "test_version:list", "2"); err != nil {
		t.Fatal(err)
	}
	if version, err := s.Version(ctx, db, "list"); err != nil || version != "5" {
		t.Errorf("version with a stale hint: %q %v", version, err)
	}
	get(4, "5")
	// Old claims are swept but the newest, and a version is never claimed twice.
	if err := db.DeleteClaims(ctx, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if version, err := s.Version(ctx, db, "list"); err != nil || version != "5" {
		t.Errorf("version after the sweep: %q %v", version, err)
	}
	write(theirs, other, "5", nil)
	stale("5")
	get(5, "6")
	// A copy older than maxAge is read again, though nobody wrote.
	now.add(2 * time.Minute)
	stale("6")
	get(6, "6")
}

// TestSnapshotSeesOtherProcesses checks that a claim made by another process, which this
// process learns of only from the database, is looked for at most every claimCheckEvery,
// and by one reader at a time: a held copy serves reads without a database round trip
// meanwhile, and is loaded again once the claim is seen.
func TestSnapshotSeesOtherProcesses(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	lookups := watch(t, db, func(c command) bool { return c.name == "find" && c.collection == "version_claims" })
	now := newClock()
	countedLoad, loads := counted()
	// The reload that the claim starts waits for the readers to be done, so that every one
	// of them meets the copy held, however the goroutines are scheduled.
	readersDone := make(chan struct{})
	load := func(ctx context.Context, k, version string) (string, error) {
		if loads.Load() > 0 {
			<-readersDone
		}
		return countedLoad(ctx, k, version)
	}
	s := store.NewStringSnapshots(true, 1, time.Hour, now.now, load)
	get := func() string {
		t.Helper()
		_, version, err := s.Get(ctx, lookups.db, "list")
		if err != nil {
			t.Fatal(err)
		}
		return version
	}
	get()
	if err := db.ClaimElsewhere(ctx, "test_version:list", 1); err != nil {
		t.Fatal(err)
	}
	lookups.reset()
	if v := get(); v != "" || loads.Load() != 1 || lookups.count() != 0 {
		t.Errorf("right after another process's claim: version %q, %d loads, %d lookups; the copy should still serve", v, loads.Load(), lookups.count())
	}
	// The check is due: of many readers at once, one looks, and all are served the copy.
	now.add(200 * time.Millisecond)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if _, version, err := s.Get(ctx, lookups.db, "list"); err != nil || version != "" {
				t.Errorf("a reader got version %q, %v; want the copy held", version, err)
			}
		})
	}
	wg.Wait()
	// One reader's look, and the version that the reload it started reads before it loads,
	// which may have run by now.
	if n := lookups.count(); n < 1 || n > 2 {
		t.Errorf("%d looks for the claim, want one reader's (and the reload's)", n)
	}
	close(readersDone)
	lookups.db.WaitForReloads()
	if v := get(); v != "1" || loads.Load() != 2 {
		t.Errorf("after the claim check: version %q, %d loads, want version 1 and 2 loads", v, loads.Load())
	}
}

// TestSnapshotWithoutVersion checks the snapshot of values that never change: bounded in
// number (least recently used dropped) and in age (reloaded in the background), and
// dropped on request.
func TestSnapshotWithoutVersion(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	now := newClock()
	load, loads := counted()
	s := store.NewStringSnapshots(false, 2, time.Minute, now.now, load)
	get := func(k string) string {
		t.Helper()
		v, _, err := s.Get(ctx, db, k)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	get("a")
	get("b")
	get("a")
	if loads.Load() != 2 {
		t.Fatalf("%d loads of two values", loads.Load())
	}
	if v, ok := s.Cached("a"); !ok || v != "a@#1" {
		t.Errorf("Cached(a) = %q, %v", v, ok)
	}
	get("d") // drops b, the least recently used
	if _, ok := s.Cached("b"); ok {
		t.Error("b survived eviction")
	}
	s.Drop("d")
	if _, ok := s.Cached("d"); ok {
		t.Error("d survived Drop")
	}
	now.add(2 * time.Minute)
	if _, ok := s.Cached("a"); ok {
		t.Error("a survived its time to live")
	}
	if v := get("a"); v != "a@#1" {
		t.Errorf("a too old = %q, want the copy held, served while it loads again", v)
	}
	db.WaitForReloads()
	if v := get("a"); v != "a@#4" || loads.Load() != 4 {
		t.Errorf("a = %q after %d loads, want a@#4 after 4: a, b, d, and a again once too old", v, loads.Load())
	}
}

// TestSnapshotReloadKeepsNewerPatch checks that a background load never replaces a copy
// of a later version, patched in by a write of this process while it ran, with the older
// one it read.
func TestSnapshotReloadKeepsNewerPatch(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	now := newClock()
	var loads atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	s := store.NewStringSnapshots(true, 1, time.Minute, now.now, func(_ context.Context, k, version string) (string, error) {
		if loads.Add(1) == 2 {
			close(started)
			<-release
		}
		return "loaded@" + version, nil
	})
	if _, _, err := s.Get(ctx, db, "list"); err != nil {
		t.Fatal(err)
	}
	now.add(2 * time.Minute) // too old: the next read starts a load, of version ""
	if v, version, err := s.Get(ctx, db, "list"); err != nil || v != "loaded@" || version != "" {
		t.Fatalf("a read of the copy too old = %q, %q, %v; want the copy held", v, version, err)
	}
	<-started
	mine := func(old, version string) (string, bool) { return old + "+mine@" + version, true }
	if err := s.Wrote(ctx, db, "list", "", mine); err != nil {
		t.Fatal(err)
	}
	close(release)
	db.WaitForReloads()
	if v, version, err := s.Get(ctx, db, "list"); err != nil || v != "loaded@+mine@1" || version != "1" {
		t.Errorf("after the load of version \"\" ended: %q, %q, %v; want the patched copy of version 1", v, version, err)
	}
	db.WaitForReloads()
}

// TestSnapshotLoadsOnce checks that parallel readers of a value not held load it once,
// and that a failed load is not kept.
func TestSnapshotLoadsOnce(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	var loads atomic.Int32
	fail := true
	s := store.NewStringSnapshots(true, 1, time.Minute, nil, func(context.Context, string, string) (string, error) {
		loads.Add(1)
		if fail {
			return "", portal.Errorf(portal.EUNAVAILABLE, "down")
		}
		time.Sleep(20 * time.Millisecond) // long enough for the readers to queue
		return "value", nil
	})
	if _, _, err := s.Get(ctx, db, "k"); portal.ErrorCode(err) != portal.EUNAVAILABLE {
		t.Fatalf("a failed load: %v", err)
	}
	fail = false
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if v, _, err := s.Get(ctx, db, "k"); err != nil || v != "value" {
				t.Errorf("Get = %q, %v", v, err)
			}
		})
	}
	wg.Wait()
	if loads.Load() != 2 {
		t.Errorf("%d loads: one failed, then one for eight readers, were expected", loads.Load())
	}
}

// TestFirstWriteScansNoClaims checks that the first writes of a DB (a process that writes
// once, such as the CLI or another portal) touch the version claims by _id only: the sweep
// of old claims, which scans them all (in the portal's process, on the embedded engine),
// waits until the DB has written for an hour.
func TestFirstWriteScansNoClaims(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	if err := db.ClaimElsewhere(ctx, "test_version:list", 1); err != nil {
		t.Fatal(err)
	}
	w := watch(t, db, func(c command) bool { return c.collection == "version_claims" })
	load, _ := counted()
	s := store.NewStringSnapshots(true, 1, time.Minute, nil, load)
	for _, before := range []string{"1", "2", "3"} {
		if err := s.Wrote(ctx, w.db, "list", before, nil); err != nil {
			t.Fatal(err)
		}
	}
	w.db.WaitForReloads()
	if w.count() == 0 {
		t.Fatal("no command on version_claims seen")
	}
	for _, c := range w.commands() {
		if !c.byID() {
			t.Errorf("%s on %s selects by %v: not by _id", c.name, c.collection, c.filters)
		}
	}
}
