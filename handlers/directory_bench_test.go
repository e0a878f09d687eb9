package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// BenchmarkDirectoryPage serves /directory with two filters (an aimag and a service type)
// through the real router, gzipped, with 10,000 generated services in the embedded store,
// and reports the median and 95th percentile latency (the target is p95 under 50 ms).
func BenchmarkDirectoryPage(b *testing.B) {
	const n = 10000
	at := time.Date(2026, 11, 27, 20, 0, 0, 0, portal.MongoliaTime)
	p := portaltest.New(b, portaltest.Options{Directory: true, Now: func() time.Time { return at }})
	ctx := context.Background()
	g, terms := p.Gazetteer, p.Terms
	start := time.Now()
	for _, o := range directorytest.Generate(n, 1, g, terms) {
		if err := p.DB.SaveDirectoryOrg(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	d, err := p.DB.Directory(ctx)
	if err != nil || len(d.Services()) != n {
		b.Fatalf("directory: %v", err)
	}
	b.Logf("saved %d services in %s", n, time.Since(start).Round(time.Millisecond))
	router := p.Router
	var targets []string
	for _, a := range g.Aimags {
		for _, t := range terms {
			targets = append(targets, fmt.Sprintf("/directory?aimag=%s&type=%s&lang=mn", a.ID, t.ID))
		}
	}
	benchPages(b, router, targets)
}
