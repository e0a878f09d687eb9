package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// renewals counts the loads and the patches of db's directory.
func renewals(db *store.DB) (loads, patches *atomic.Int32) {
	loads, patches = new(atomic.Int32), new(atomic.Int32)
	db.BeforeDirectoryLoad(func() { loads.Add(1) })
	db.BeforeDirectoryPatch(func([]string) { patches.Add(1) })
	return loads, patches
}

// anotherProcess opens a DB on db's database that acts as another process's.
func anotherProcess(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	other, err := store.Open(context.Background(), storetest.URI(t), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close(context.Background()) })
	other.ActAsAnotherProcess()
	return other
}

// waitForVersion reads db's directory until it is of version, and returns it. It waits up
// to a minute: a load of a directory of a hundred organisations took over ten seconds under
// the race detector on a busy machine.
func waitForVersion(t *testing.T, db *store.DB, version string) *portal.Directory {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		d, err := db.Directory(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if d.Version == version {
			db.WaitForReloads()
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("still at version %q, want %q", d.Version, version)
		}
	}
}

// TestDirectoryPatchedFromOtherProcess checks that another process's save of an
// organisation, which its claim names, reaches this process's directory by _id lookups
// only (no load): at the new version, with the organisation saved, every other one shared
// with the copy held before, and equal to the directory a load would give.
func TestDirectoryPatchedFromOtherProcess(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	orgs := saveStarterDirectory(t, db)
	other := anotherProcess(t, db)
	// This process reads through a DB whose commands on the directory are recorded.
	w := watch(t, db, func(c command) bool { return c.collection == "dir_orgs" })
	held, err := w.db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loads, patches := renewals(w.db)
	w.reset()
	o := orgs[1].Clone()
	o.Name.EN = "Renamed elsewhere"
	o.Services = o.Services[:1]
	if err := other.SaveDirectoryOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	version, err := other.DirectoryVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := waitForVersion(t, w.db, version)
	if loads.Load() != 0 || patches.Load() != 1 {
		t.Errorf("%d loads and %d patches, want 0 and 1", loads.Load(), patches.Load())
	}
	for _, c := range w.commands() {
		if !c.byID() {
			t.Errorf("the patch sent %s %v, not by _id", c.name, c.filters)
		}
	}
	if got := d.Org(o.ID); got == nil || got.Name.EN != "Renamed elsewhere" || len(got.Services) != 1 {
		t.Fatalf("the organisation saved elsewhere: %+v", got)
	}
	if len(d.Orgs) != len(held.Orgs) || len(d.Services()) != len(held.Services())-(len(orgs[1].Services)-1) {
		t.Errorf("%d organisations and %d services, from %d and %d", len(d.Orgs), len(d.Services()), len(held.Orgs), len(held.Services()))
	}
	for _, x := range held.Orgs {
		if x.ID != o.ID && d.Org(x.ID) != x {
			t.Errorf("organisation %s was not shared with the copy held before", x.ID)
		}
	}
	fresh, err := store.Open(ctx, storetest.URI(t), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close(ctx)
	loaded, err := fresh.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !storetest.SameDirectory(d, loaded) {
		t.Errorf("the patched directory (version %s) differs from the one loaded (version %s)", d.Version, loaded.Version)
	}
	// A second save elsewhere patches the patched copy in turn.
	o.Name.EN = "Renamed again"
	if err := other.SaveDirectoryOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	version, _ = other.DirectoryVersion(ctx)
	if d := waitForVersion(t, w.db, version); d.Org(o.ID).Name.EN != "Renamed again" || loads.Load() != 0 || patches.Load() != 2 {
		t.Errorf("after a second save: %q, %d loads, %d patches", d.Org(o.ID).Name.EN, loads.Load(), patches.Load())
	}
}

// TestDirectoryLoadedForUnnamedClaims checks that the directory is loaded whole, not
// patched, when a claim after its version does not say what its write changed: alone, or
// after one that does.
func TestDirectoryLoadedForUnnamedClaims(t *testing.T) {
	for _, named := range []bool{false, true} {
		t.Run(fmt.Sprintf("after a named claim %v", named), func(t *testing.T) {
			ctx, db := context.Background(), storetest.Open(t)
			mustSaveOrg(t, db, &portal.DirectoryOrg{ID: "org-01", Name: portal.Text{EN: "Org"}})
			other := anotherProcess(t, db)
			if _, err := db.Directory(ctx); err != nil {
				t.Fatal(err)
			}
			loads, patches := renewals(db)
			n := int64(2)
			if named {
				mustSaveOrg(t, other, &portal.DirectoryOrg{ID: "org-02", Name: portal.Text{EN: "Org"}})
				n++
			}
			if err := other.ClaimElsewhere(ctx, "directory_version", n); err != nil {
				t.Fatal(err)
			}
			d := waitForVersion(t, db, fmt.Sprint(n))
			if loads.Load() != 1 || patches.Load() != 0 {
				t.Errorf("%d loads and %d patches, want 1 and 0", loads.Load(), patches.Load())
			}
			if named && d.Org("org-02") == nil {
				t.Error("the load missed org-02")
			}
		})
	}
}

// TestDirectoryPatchRace saves organisations through another process while readers of
// this process read its directory, which is patched as they read: each reads a
// consistent directory, and in the end this process has every organisation, without a
// load. Run with -race.
func TestDirectoryPatchRace(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	save := func(db *store.DB, i int) {
		t.Helper()
		mustSaveOrg(t, db, &portal.DirectoryOrg{ID: fmt.Sprintf("org-%02d", i), Name: portal.Text{EN: "Org"}})
	}
	save(db, 1)
	other := anotherProcess(t, db)
	if _, err := db.Directory(ctx); err != nil {
		t.Fatal(err)
	}
	loads, patches := renewals(db)
	const last = 20
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				d, err := db.Directory(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if err := consistent(d); err != nil {
					t.Error(err)
				}
				for _, s := range d.Services() {
					_ = s.ID
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	for i := 2; i <= last; i++ {
		save(other, i)
		time.Sleep(time.Duration(i%4) * 40 * time.Millisecond) // some saves patched one by one, some together
	}
	d := waitForVersion(t, db, fmt.Sprint(last))
	close(stop)
	wg.Wait()
	if err := consistent(d); err != nil {
		t.Error(err)
	}
	if loads.Load() != 0 || patches.Load() == 0 {
		t.Errorf("%d loads and %d patches, want none and some", loads.Load(), patches.Load())
	}
	t.Logf("%d saves elsewhere reached this process in %d patches", last-1, patches.Load())
}
