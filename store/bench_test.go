package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

const (
	benchGuidelines = 1000
	benchBlocks     = 150 // about 20 KB of HTML per revision
)

// seed fills a fresh database with benchGuidelines guidelines, each with one revision, half
// in each language and a quarter in each status, and returns their IDs. It holds the
// guideline list before, as a serving process does, so that every save patches it: the
// list is then current right after the import.
func seed(b *testing.B) (*store.DB, []string) {
	b.Helper()
	db := storetest.Open(b)
	if _, err := db.FindGuidelines(context.Background(), portal.GuidelineFilter{}); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	defer func() {
		b.Logf("imported %d guidelines in %s", benchGuidelines, time.Since(start).Round(time.Millisecond))
	}()
	ids := make([]string, benchGuidelines)
	statuses := []portal.GuidelineStatus{portal.StatusDraft, portal.StatusOpen, portal.StatusAdopted, portal.StatusArchived}
	for i := range ids {
		g := newGuideline(fmt.Sprintf("guideline-%d", i), portal.Languages[i%2], 1, base.Add(time.Duration(i)*time.Minute))
		g.Status = statuses[i/2%4]
		r := newRevision(g, 1, benchBlocks)
		if i == 0 {
			b.Logf("revision: %d bytes of HTML, %d blocks", len(r.HTML), len(r.Blocks))
		}
		if err := db.SaveRevisions(context.Background(), g, r); err != nil {
			b.Fatal(err)
		}
		ids[i] = g.ID
	}
	return db, ids
}

// BenchmarkFindGuideline reads guidelines by ID, from the guideline list held and, with it
// dropped, by _id lookups.
func BenchmarkFindGuideline(b *testing.B) {
	db, ids := seed(b)
	ctx := context.Background()
	for _, held := range []bool{true, false} {
		b.Run(fmt.Sprintf("held=%v", held), func(b *testing.B) {
			if !held {
				db.ClearCache()
			}
			i := 0
			for b.Loop() {
				if _, err := db.FindGuideline(ctx, ids[i%len(ids)]); err != nil {
					b.Fatal(err)
				}
				i += 7
			}
		})
	}
}

func BenchmarkFindRevision(b *testing.B) {
	db, ids := seed(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := db.FindRevision(ctx, ids[i%len(ids)], 1); err != nil {
			b.Fatal(err)
		}
		i += 7
	}
}

// BenchmarkFindGuidelines lists the guidelines, on the embedded database both from its cache
// and, with the cache cleared before each call, from a scan of the collection.
func BenchmarkFindGuidelines(b *testing.B) {
	db, _ := seed(b)
	for _, bb := range []struct {
		name   string
		filter portal.GuidelineFilter
		want   int
	}{
		{"all", portal.GuidelineFilter{}, benchGuidelines},
		{"language", portal.GuidelineFilter{Language: portal.English}, benchGuidelines / 2},
		{"language+status", portal.GuidelineFilter{Language: portal.English, Status: portal.StatusOpen}, benchGuidelines / 8},
	} {
		for _, cached := range []bool{true, false} {
			b.Run(fmt.Sprintf("%s/cached=%v", bb.name, cached), func(b *testing.B) {
				if _, err := db.FindGuidelines(context.Background(), bb.filter); err != nil {
					b.Fatal(err) // the first read loads the list: not what a cached read costs
				}
				for b.Loop() {
					if !cached {
						db.ClearCache()
					}
					gs, err := db.FindGuidelines(context.Background(), bb.filter)
					if err != nil || len(gs) != bb.want {
						b.Fatalf("FindGuidelines = %d, %v; want %d", len(gs), err, bb.want)
					}
				}
			})
		}
	}
}
