package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directorytest"
	"github.com/gobidialogue/portal/portaltest"
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
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest("GET", targets[i%len(targets)], nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		start := time.Now()
		router.ServeHTTP(rec, req)
		durations = append(durations, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
}
