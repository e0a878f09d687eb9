package handlers_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// BenchmarkGuidelinePage serves /guidelines/{slug} through the real router with 1,000
// guidelines in the embedded store, and reports the 95th percentile latency (the target is
// under 10 ms).
func BenchmarkGuidelinePage(b *testing.B) {
	const n = 1000
	p := portaltest.New(b, portaltest.Options{})
	ctx := context.Background()
	body, err := fs.ReadFile(content.Starter(), "guidelines/truck-drivers/en.2.md")
	if err != nil {
		b.Fatal(err)
	}
	f, err := content.ParseFile("en.2.md", body)
	if err != nil {
		b.Fatal(err)
	}
	out, err := content.NewRenderer().Render(f.Body)
	if err != nil {
		b.Fatal(err)
	}
	created := time.Date(2026, 10, 1, 0, 0, 0, 0, portal.MongoliaTime)
	for i := range n {
		meta := f.Meta
		meta.Slug = fmt.Sprintf("guideline-%04d", i)
		meta.TranslationKey = meta.Slug
		id := portal.GuidelineID(meta.Slug, meta.Language)
		rev := &portal.Revision{ID: portal.RevisionID(id, 1), GuidelineID: id, Number: 1, GuidelineMeta: meta,
			Body: f.Body, Hash: content.Hash(f), HTML: out.HTML, TOC: out.TOC, Blocks: out.Blocks, Words: out.Words, CreatedAt: created}
		g := &portal.Guideline{ID: id, GuidelineMeta: meta, Revision: 1, Revisions: []portal.RevisionInfo{rev.Info()},
			Translations: map[portal.Language]string{portal.Mongolian: meta.Slug}, CreatedAt: created, UpdatedAt: created}
		if err := p.DB.SaveRevisions(ctx, g, rev); err != nil {
			b.Fatal(err)
		}
	}
	targets := make([]string, n)
	for i := range targets {
		targets[i] = fmt.Sprintf("/guidelines/guideline-%04d?lang=en", i*7919%n)
	}
	benchPages(b, p.Router, targets)
}

// benchPages requests targets in turn through router, gzipped, for b.N requests, fails on
// any status but 200, and reports the median and 95th percentile latency.
func benchPages(b *testing.B, router http.Handler, targets []string) {
	b.Helper()
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodGet, targets[i%len(targets)], nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		start := time.Now()
		router.ServeHTTP(rec, req)
		durations = append(durations, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: status %d", req.URL, rec.Code)
		}
	}
	b.StopTimer()
	if len(durations) == 0 {
		return
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
}
