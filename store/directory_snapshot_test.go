package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// consistent reports whether d is the directory of its version in a database where each
// version added one organisation, numbered from 1: org-01 to org-<version>.
func consistent(d *portal.Directory) error {
	n, _ := strconv.Atoi(d.Version)
	if len(d.Orgs) != n {
		return fmt.Errorf("version %q with %d organisations", d.Version, len(d.Orgs))
	}
	for i := 1; i <= n; i++ {
		if d.Org(fmt.Sprintf("org-%02d", i)) == nil {
			return fmt.Errorf("version %q without org-%02d", d.Version, i)
		}
	}
	return nil
}

// mustSaveOrg saves o through db.
func mustSaveOrg(t *testing.T, db *store.DB, o *portal.DirectoryOrg) {
	t.Helper()
	if err := db.SaveDirectoryOrg(context.Background(), o); err != nil {
		t.Fatalf("save %s: %v", o.ID, err)
	}
}

// TestDirectoryReloadsInBackground checks that once a directory is held, no read waits for
// it to load again: after another process's write, readers are served the copy held (each
// a consistent directory) while exactly one load runs in the background, held up here
// until they are all done; then the new copy replaces it.
func TestDirectoryReloadsInBackground(t *testing.T) { renewsInBackground(t, false) }

// TestDirectoryPatchedInBackground is TestDirectoryReloadsInBackground with the directory
// patched from the other process's claim, which names the organisation it saved: readers
// are served the copy held while exactly one patch runs, and nothing loads the directory.
func TestDirectoryPatchedInBackground(t *testing.T) { renewsInBackground(t, true) }

// renewsInBackground is TestDirectoryReloadsInBackground, the background work a load of the
// directory or, with patches, its patch.
func renewsInBackground(t *testing.T, patches bool) {
	ctx, db := context.Background(), storetest.Open(t)
	if !patches {
		db.WithoutDirectoryPatches()
	}
	other, err := store.Open(ctx, storetest.URI(t), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	other.ActAsAnotherProcess()
	save := func(db *store.DB, i int) {
		t.Helper()
		mustSaveOrg(t, db, &portal.DirectoryOrg{ID: fmt.Sprintf("org-%02d", i), Name: portal.Text{EN: "Org"}})
	}
	for i := 1; i <= 3; i++ {
		save(db, i)
	}
	held, err := db.Directory(ctx)
	if err != nil || held.Version != "3" {
		t.Fatalf("directory held: version %q, %v", held.Version, err)
	}
	// This process writes: its copy is patched, nothing loads.
	var loads, renewals atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	hold := func() {
		if renewals.Add(1) == 1 {
			close(started)
		}
		<-release
	}
	db.BeforeDirectoryLoad(func() {
		loads.Add(1)
		if !patches {
			hold()
		}
	})
	if patches {
		db.BeforeDirectoryPatch(func(changed []string) {
			if !slices.Equal(changed, []string{"org-05"}) {
				t.Errorf("patched with %v, want [org-05]", changed)
			}
			hold()
		})
	}
	save(db, 4)
	if d, _ := db.Directory(ctx); d.Version != "4" || consistent(d) != nil || loads.Load() != 0 {
		t.Fatalf("after a write of this process: version %q, %d loads, %v", d.Version, loads.Load(), consistent(d))
	}
	// Another process writes; this one learns of it within claimCheckEvery, and reloads.
	save(other, 5)
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range 50 {
		wg.Go(func() {
			for range 40 {
				d, err := db.Directory(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if err := consistent(d); err != nil {
					t.Error(err)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		close(release)
		t.Fatal("readers waited for the directory to load")
	}
	select {
	case <-started:
	default:
		t.Fatal("nothing started after another process's write")
	}
	close(release)
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := db.Directory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Version == "5" {
			if err := consistent(d); err != nil {
				t.Error(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still at version %q after the load", d.Version)
		}
		time.Sleep(10 * time.Millisecond)
	}
	db.WaitForReloads()
	want := int32(1)
	if patches {
		want = 0
	}
	if n, r := loads.Load(), renewals.Load(); n != want || r != 1 {
		t.Errorf("%d loads and %d in the background for 50 readers, want %d and 1", n, r, want)
	}
}

// TestDirectoryConvergesAfterRacingWrite checks a write of this process while a load runs
// that began before it: the write cannot patch the copy held (another process's write is
// missing from it), the load's copy is behind the write's version, and the next read
// loads again, so the directory converges.
func TestDirectoryConvergesAfterRacingWrite(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	db.WithoutDirectoryPatches()
	other, err := store.Open(ctx, storetest.URI(t), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	other.ActAsAnotherProcess()
	save := func(db *store.DB, i int) {
		t.Helper()
		mustSaveOrg(t, db, &portal.DirectoryOrg{ID: fmt.Sprintf("org-%02d", i), Name: portal.Text{EN: "Org"}})
	}
	save(db, 1)
	if _, err := db.Directory(ctx); err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	var loads atomic.Int32
	db.BeforeDirectoryLoad(func() {
		if loads.Add(1) == 1 {
			close(started)
			<-release
		}
	})
	save(other, 2)
	// The claim check finds version 2 within claimCheckEvery and starts the load.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := db.Directory(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case <-started:
		default:
			if time.Now().After(deadline) {
				t.Fatal("no load started")
			}
			continue
		}
		break
	}
	// The load read version 2. This process's write claims 3, and cannot patch its copy
	// of version 1: the copy stays behind, stale, while the load runs.
	save(db, 3)
	close(release)
	db.WaitForReloads()
	// The load's copy, of version 2, replaces the copy of version 1, and is still behind:
	// a read loads version 3.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		d, err := db.Directory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Version == "3" {
			if len(d.Orgs) != 3 {
				t.Errorf("version 3 with %d organisations", len(d.Orgs))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still at version %q", d.Version)
		}
	}
}

// TestDirectoryPatchedAsLoaded checks that the directory a process patches with its saves
// (portal.Directory.WithOrg) is the one it would load: organisations added, replaced,
// services added and removed, in the same order, with the same indexes.
func TestDirectoryPatchedAsLoaded(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	if _, err := db.Directory(ctx); err != nil { // held: every save patches it
		t.Fatal(err)
	}
	orgs := saveStarterDirectory(t, db)
	slices.Reverse(orgs) // not in id order
	for i, o := range orgs[:4] {
		o = o.Clone()
		switch i {
		case 0:
			o.Services = o.Services[1:]
		case 1:
			s := o.Services[0].Clone()
			s.ID, s.Name.EN = "aaa-first-service", "Added"
			o.Services = append(o.Services, *s)
		case 2:
			o.Services = nil
		case 3:
			o.ID = "zzz-" + o.ID
			for j := range o.Services {
				o.Services[j].ID = "zzz-" + o.Services[j].ID
			}
		}
		mustSaveOrg(t, db, o)
	}
	patched, err := db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
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
	if !storetest.SameDirectory(patched, loaded) {
		t.Errorf("the patched directory (version %s, %d organisations, %d services) differs from the one loaded (version %s, %d, %d)",
			patched.Version, len(patched.Orgs), len(patched.Services()), loaded.Version, len(loaded.Orgs), len(loaded.Services()))
	}
}
