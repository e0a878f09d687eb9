package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// generated returns an empty database whose directory is held (read once, as a serving
// process's is, so that saves patch it), and a generated directory of n services over the
// starter's gazetteer and terms, not yet stored.
func generated(b *testing.B, n int) (*store.DB, []*portal.DirectoryOrg, *portal.Gazetteer, []portal.TaxonomyTerm) {
	b.Helper()
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		b.Fatal(err)
	}
	db := storetest.Open(b)
	if _, err := db.Directory(context.Background()); err != nil {
		b.Fatal(err)
	}
	return db, directorytest.Generate(n, 1, g, terms), g, terms
}

// storeGenerated stores a generated directory of n services (about n/5 organisations),
// one SaveDirectoryOrg at a time, as a serving process would: its directory is held (read
// once before), so every save patches it. It logs how long the whole took, and returns
// the database, the organisations stored and the starter's gazetteer and terms.
func storeGenerated(b *testing.B, n int) (*store.DB, []*portal.DirectoryOrg, *portal.Gazetteer, []portal.TaxonomyTerm) {
	b.Helper()
	db, orgs, g, terms := generated(b, n)
	ctx := context.Background()
	start := time.Now()
	for i, o := range orgs {
		if err := db.SaveDirectoryOrg(ctx, o); err != nil {
			b.Fatal(err)
		}
		if i+1 == len(orgs)/2 {
			b.Logf("stored the first %d organisations in %s", i+1, time.Since(start).Round(time.Millisecond))
		}
	}
	took := time.Since(start)
	d, err := db.Directory(ctx)
	if err != nil || len(d.Services()) != n {
		b.Fatalf("directory after storing: %v", err)
	}
	b.Logf("stored %d services (%d organisations) in %s: %.2f ms per organisation",
		n, len(orgs), took.Round(time.Millisecond), float64(took.Microseconds())/1000/float64(len(orgs)))
	return db, orgs, g, terms
}

// BenchmarkSaveDirectoryOrg stores generated directories of 2,500, 5,000 and 10,000
// services one organisation at a time (the time it took is logged: it should grow
// linearly), then saves one of their organisations again per iteration: the time per op is
// a save's.
func BenchmarkSaveDirectoryOrg(b *testing.B) {
	for _, n := range []int{2500, 5000, 10000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			db, orgs, _, _ := storeGenerated(b, n)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				o := orgs[i*7%len(orgs)]
				o.Description.EN = fmt.Sprintf("Saved again, %d.", i)
				if err := db.SaveDirectoryOrg(ctx, o); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// storeGeneratedBatches is storeGenerated with SaveDirectoryOrgs, as an import stores: the
// organisations in batches of size (all in one when size is 0). It logs how long the whole
// took, and returns the database and the organisations stored.
func storeGeneratedBatches(b *testing.B, n, size int) (*store.DB, []*portal.DirectoryOrg) {
	b.Helper()
	db, orgs, _, _ := generated(b, n)
	ctx := context.Background()
	if size == 0 {
		size = len(orgs)
	}
	start := time.Now()
	for batch := range slices.Chunk(orgs, size) {
		if err := db.SaveDirectoryOrgs(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	took := time.Since(start)
	d, err := db.Directory(ctx)
	if err != nil || len(d.Services()) != n {
		b.Fatalf("directory after storing: %v", err)
	}
	b.Logf("stored %d services (%d organisations) in batches of %d in %s: %.2f ms per organisation",
		n, len(orgs), size, took.Round(time.Millisecond), float64(took.Microseconds())/1000/float64(len(orgs)))
	return db, orgs
}

// BenchmarkSaveDirectoryOrgs stores a generated directory of 10,000 services with
// SaveDirectoryOrgs, in one batch and in batches of 500 and 100 organisations (the time it
// took is logged), then saves 100 of its organisations again, changed, in one batch per
// iteration: the time per op is that batch's.
func BenchmarkSaveDirectoryOrgs(b *testing.B) {
	for _, size := range []int{0, 500, 100} {
		b.Run(fmt.Sprintf("services=10000/batch=%d", size), func(b *testing.B) {
			db, orgs := storeGeneratedBatches(b, 10000, size)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				batch := make([]*portal.DirectoryOrg, 100)
				for j := range batch {
					batch[j] = orgs[(i*100+j)*7%len(orgs)]
					batch[j].Description.EN = fmt.Sprintf("Saved again, %d.", i)
				}
				if err := db.SaveDirectoryOrgs(ctx, batch); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkEditService edits one service per iteration through the secretariat's editor
// (Editor.SaveService: read the directory, validate the organisation, store it, audit),
// with 10,000 generated services in the embedded store.
func BenchmarkEditService(b *testing.B) {
	db, orgs, g, terms := storeGenerated(b, 10000)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 20, 0, 0, 0, portal.MongoliaTime)
	e := &directory.Editor{Store: db, Audit: db, Gazetteer: g, Terms: terms, Now: func() time.Time { return at }}
	actor := &portal.User{ID: "sec", Name: "Secretariat", Role: portal.RoleSecretariat}
	i := 0
	for b.Loop() {
		o := orgs[i*7%len(orgs)]
		s := o.Services[0].Clone()
		s.Description.EN = fmt.Sprintf("Edited, %d.", i)
		if err := e.SaveService(ctx, actor, s); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkOtherProcessSave measures how long another process's save of one organisation
// takes to show in this process's Directory, with 10,000 generated services: per
// iteration the other process saves one organisation again, and this process reads its
// directory every millisecond, as pages would, until it has the new organisation. The
// time per op is that of the save and the wait; ms-to-show is from the end of the save.
func BenchmarkOtherProcessSave(b *testing.B) {
	db, orgs, _, _ := storeGenerated(b, 10000)
	ctx := context.Background()
	other, err := store.Open(ctx, storetest.URI(b), db.Name())
	if err != nil {
		b.Fatal(err)
	}
	defer other.Close(ctx)
	other.ActAsAnotherProcess()
	var shown time.Duration
	i := 0
	for b.Loop() {
		o := orgs[i*7%len(orgs)].Clone()
		o.Description.EN = fmt.Sprintf("Saved by another process, %d.", i)
		if err := other.SaveDirectoryOrg(ctx, o); err != nil {
			b.Fatal(err)
		}
		saved := time.Now()
		for {
			d, err := db.Directory(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if d.Org(o.ID).Description.EN == o.Description.EN {
				break
			}
			if time.Since(saved) > time.Minute {
				b.Fatal("another process's save did not show within a minute")
			}
			time.Sleep(time.Millisecond)
		}
		shown += time.Since(saved)
		i++
	}
	db.WaitForReloads()
	b.ReportMetric(float64(shown.Microseconds())/1000/float64(b.N), "ms-to-show")
}
