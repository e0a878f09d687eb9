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

// TestSnapshotFollowsVersion checks the versioned snapshot: one load while the version
// stands, a load when another process writes, none after a write of this process (whose
// patch is kept), and a load when two writers raced, when the copy is too old, or when its
// patch cannot apply.
func TestSnapshotFollowsVersion(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	other, err := store.Open(ctx, storetest.URI(t), db.Name()) // a DB of this process
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	load, loads := counted()
	s := store.NewStringSnapshots(true, 4, time.Minute, func() time.Time { return now }, load)
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
	// Another process writes: it claims version 1, and the next read loads.
	write(theirs, other, "", nil)
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
	if v := get(3, "4"); v == "wrong" || !strings.HasPrefix(v, "list@4#") {
		t.Errorf("after racing writers: %q", v)
	}
	// A patch that cannot tell drops the copy.
	write(s, db, "4", func(string, string) (string, bool) { return "", false })
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
	get(5, "6")
	// A copy older than maxAge is read again, though nobody wrote.
	now = now.Add(2 * time.Minute)
	get(6, "6")
}

// TestSnapshotSeesOtherProcesses checks that a claim made by another process, which this
// process learns of only from the database, is looked for at most every claimCheckEvery:
// a held copy serves reads without a database round trip meanwhile, and is loaded again
// once the claim is seen.
func TestSnapshotSeesOtherProcesses(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	load, loads := counted()
	s := store.NewStringSnapshots(true, 1, time.Hour, func() time.Time { return now }, load)
	get := func() string {
		t.Helper()
		_, version, err := s.Get(ctx, db, "list")
		if err != nil {
			t.Fatal(err)
		}
		return version
	}
	get()
	if err := db.ClaimElsewhere(ctx, "test_version:list", 1); err != nil {
		t.Fatal(err)
	}
	if v := get(); v != "" || loads.Load() != 1 {
		t.Errorf("right after another process's claim: version %q, %d loads; the copy should still serve", v, loads.Load())
	}
	now = now.Add(200 * time.Millisecond)
	if v := get(); v != "1" || loads.Load() != 2 {
		t.Errorf("after the claim check: version %q, %d loads, want version 1 and 2 loads", v, loads.Load())
	}
}

// TestSnapshotWithoutVersion checks the snapshot of values that never change: bounded in
// number (least recently used dropped) and in age, and dropped on request.
func TestSnapshotWithoutVersion(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	load, loads := counted()
	s := store.NewStringSnapshots(false, 2, time.Minute, func() time.Time { return now }, load)
	get := func(k string) {
		t.Helper()
		if _, _, err := s.Get(ctx, db, k); err != nil {
			t.Fatal(err)
		}
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
	now = now.Add(2 * time.Minute)
	if _, ok := s.Cached("a"); ok {
		t.Error("a survived its time to live")
	}
	get("a")
	if loads.Load() != 4 {
		t.Errorf("%d loads, want 4: a, b, d, and a again once too old", loads.Load())
	}
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
