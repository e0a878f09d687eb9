package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/server"
)

// BenchmarkDirectoryPage serves /directory through the real router, gzipped, with 10,000
// generated services in the embedded store, and reports the median and 95th percentile
// latency. "cached" asks for an aimag and a service type through the page cache, as
// portal serve does (the target is p95 under 50 ms); the others render every time, with
// no page cache, what a page the cache does not hold yet costs: the first visitors after
// a start or a change pay it.
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
	uncached, err := server.New(server.Config{}, p.Handlers)
	if err != nil {
		b.Fatal(err)
	}
	var aimagType, aimag, types []string
	for _, a := range g.Aimags {
		aimag = append(aimag, fmt.Sprintf("/directory?aimag=%s&lang=en", a.ID))
		for _, t := range terms {
			aimagType = append(aimagType, fmt.Sprintf("/directory?aimag=%s&type=%s&lang=mn", a.ID, t.ID))
		}
	}
	for _, t := range terms {
		types = append(types, fmt.Sprintf("/directory?type=%s", t.ID))
	}
	b.Run("cached", func(b *testing.B) { benchPages(b, p.Router, aimagType) })
	b.Run("uncached/aimag+type", func(b *testing.B) { benchPages(b, uncached.Handler(), aimagType) })
	b.Run("uncached/aimag", func(b *testing.B) { benchPages(b, uncached.Handler(), aimag) })
	b.Run("uncached/type", func(b *testing.B) { benchPages(b, uncached.Handler(), types) })
	b.Run("uncached/all", func(b *testing.B) {
		benchPages(b, uncached.Handler(), []string{"/directory", "/directory?lang=en", "/directory?page=7"})
	})
}
