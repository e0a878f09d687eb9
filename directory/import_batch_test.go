package directory_test

import (
	"context"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

// TestImportInBatches imports more organisations than one batch stores: every one is
// stored and has its audit entry; importing them again with some changed and some new
// stores and audits those only.
func TestImportInBatches(t *testing.T) {
	e, db, at, _ := importEditor(t)
	ctx := context.Background()
	orgs := directorytest.Generate(1050, 1, e.Gazetteer, e.Terms) // 210 organisations
	r, err := e.Import(ctx, "", clones(orgs[:205]))
	if err != nil {
		t.Fatal(err)
	}
	if r.Organisations != 205 || r.Created != 205 || r.Changed+r.Unchanged != 0 {
		t.Errorf("first import: %+v", r)
	}
	if n := len(imported(t, db)); n != 205 {
		t.Errorf("%d audit entries for 205 new organisations", n)
	}

	*at = at.Add(time.Hour)
	next := clones(orgs)
	for _, o := range next[:5] {
		o.Description.EN += " Changed."
	}
	if r, err = e.Import(ctx, "", next); err != nil || r.Created != 5 || r.Changed != 5 || r.Unchanged != 200 {
		t.Fatalf("second import: %+v %v", r, err)
	}
	entries := imported(t, db)
	if len(entries) != 215 {
		t.Fatalf("%d audit entries after 5 new and 5 changed, want 215", len(entries))
	}
	audited := map[string]int{}
	for _, en := range entries {
		audited[en.Target]++
	}
	for i, o := range orgs {
		if want := 1 + min(1, max(0, 5-i)); audited[o.ID] != want {
			t.Errorf("%s has %d audit entries, want %d", o.ID, audited[o.ID], want)
		}
	}
	d, err := db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Orgs) != len(orgs) || d.Org(orgs[0].ID).Description.EN != next[0].Description.EN {
		t.Errorf("%d organisations stored, want %d, the first changed", len(d.Orgs), len(orgs))
	}
	places, err := db.ConfidentialPlaces(ctx, confidentialIDs(orgs))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(confidentialIDs(orgs)); len(places) != n || n == 0 {
		t.Errorf("%d confidential places stored, want %d", len(places), n)
	}
}

// confidentialIDs returns the ids of the confidential locations of orgs.
func confidentialIDs(orgs []*portal.DirectoryOrg) []string {
	var ids []string
	for _, o := range orgs {
		for _, l := range o.Locations {
			if l.Confidential {
				ids = append(ids, l.ID)
			}
		}
	}
	return ids
}

// TestImportStarterOnce checks that the starter directory is stored on the first start
// only, and not over a directory that was imported before.
func TestImportStarterOnce(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	db := storetest.Open(t)
	n, err := directory.ImportStarter(ctx, db, db, clock)
	if err != nil || n != 47 {
		t.Fatalf("first start: %d services, %v; want 47", n, err)
	}
	_, _, starter, _ := directory.LoadStarter()
	d, err := db.Directory(ctx)
	if err != nil || len(d.Orgs) != len(starter) || len(d.Services()) != n {
		t.Fatalf("after the first start: %d organisations, %v", len(d.Orgs), err)
	}
	if n, err := directory.ImportStarter(ctx, db, db, clock); err != nil || n != 0 {
		t.Errorf("second start: %d services, %v; want none", n, err)
	}

	imported := storetest.Open(t)
	if err := imported.SaveDirectoryOrg(ctx, &portal.DirectoryOrg{ID: "own-org", Name: portal.Text{EN: "Own"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := directory.ImportStarter(ctx, imported, imported, clock); err != nil || n != 0 {
		t.Errorf("over an imported directory: %d services, %v; want none", n, err)
	}
}

// BenchmarkImport imports a generated directory of 10,000 services into an empty database
// through the editor (validation, what changed, the batches stored, an audit entry per
// organisation), per iteration, and logs how long each took.
func BenchmarkImport(b *testing.B) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		b.Fatal(err)
	}
	orgs := directorytest.Generate(10000, 1, g, terms)
	ctx := context.Background()
	for b.Loop() {
		db := storetest.Open(b)
		e := &directory.Editor{Store: db, Audit: db, Gazetteer: g, Terms: terms, Now: time.Now}
		start := time.Now()
		r, err := e.Import(ctx, "", clones(orgs))
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		b.Logf("imported %d services (%d organisations, %d new) in %s", r.Services, r.Organisations, r.Created, took.Round(time.Millisecond))
	}
}
