package store_test

import (
	"context"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// TestPagesVersion: a write through this process moves both the version and the count of
// local writes, and the version is that of the written value at once; another process's
// write moves the version (once seen) but not the local count.
func TestPagesVersion(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	version := func(db *store.DB) (string, int64) {
		t.Helper()
		v, local, err := db.PagesVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v, local
	}
	v0, l0 := version(db)
	o := &portal.DirectoryOrg{ID: "org-a", Name: portal.Text{EN: "A"}}
	if err := db.SaveDirectoryOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	v1, l1 := version(db)
	d, err := db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v1 == v0 || l1 != l0+1 || d.Org("org-a") == nil {
		t.Errorf("after a write here: version %q → %q, local %d → %d, org held %v", v0, v1, l0, l1, d.Org("org-a") != nil)
	}
	g := &portal.Guideline{ID: portal.GuidelineID("g", portal.English), GuidelineMeta: portal.GuidelineMeta{Slug: "g", Language: portal.English}}
	if err := db.SaveRevisions(ctx, g); err != nil {
		t.Fatal(err)
	}
	v2, l2 := version(db)
	if v2 == v1 || l2 != l1+1 {
		t.Errorf("after a guideline write here: version %q → %q, local %d → %d", v1, v2, l1, l2)
	}
	other := storetest.OpenElsewhere(t, db)
	if err := other.SaveDirectoryOrg(ctx, &portal.DirectoryOrg{ID: "org-b", Name: portal.Text{EN: "B"}}); err != nil {
		t.Fatal(err)
	}
	if _, l3 := version(db); l3 != l2 {
		t.Errorf("another process's write counted as local: %d → %d", l2, l3)
	}
}
