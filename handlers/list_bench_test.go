package handlers_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// BenchmarkListsAfterImport measures the home page and the guideline list with 1,000
// guidelines right after an import: every iteration saves a guideline (a new version, so
// the page cache and nothing else answers from memory), then requests / and /guidelines
// once each as a visitor. It reports the 95th percentile of those requests (target: under
// 5 ms); the saves are not timed.
func BenchmarkListsAfterImport(b *testing.B) {
	const n = 1000
	p := portaltest.New(b, portaltest.Options{})
	ctx := context.Background()
	guidelines := storeGuidelines(b, p, n)
	var durations []time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		g := *guidelines[i%n]
		g.UpdatedAt = time.Now()
		if err := p.DB.SaveRevisions(ctx, &g); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, target := range []string{"/?lang=en", "/guidelines?lang=en"} {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			rec := httptest.NewRecorder()
			start := time.Now()
			p.Router.ServeHTTP(rec, req)
			durations = append(durations, time.Since(start))
			if rec.Code != http.StatusOK {
				b.Fatalf("%s: %d", target, rec.Code)
			}
		}
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	if len(durations) > 0 {
		b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
		b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
	}
}

// storeGuidelines stores n English guidelines made of the truck-drivers guideline, each
// with one revision, and returns them.
func storeGuidelines(b testing.TB, p *portaltest.Portal, n int) []*portal.Guideline {
	b.Helper()
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
	gs := make([]*portal.Guideline, n)
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
		gs[i] = g
	}
	return gs
}

// TestGuidelineListPaged: the list shows guidelinesPerPage guidelines a page with a pager,
// a page past the end is a 404 and a page that is no number a 400 (its words escaped), and
// the home page shows the latest three with a link to all those open for comment.
func TestGuidelineListPaged(t *testing.T) {
	p := portaltest.New(t, portaltest.Options{Now: now})
	storeGuidelines(t, p, 45)
	tests := []struct {
		target      string
		code, cards int
		pager, next string
		notInBody   string
	}{
		{"/guidelines?lang=en", 200, 20, "Page 1 of 3", "/guidelines?page=2", ""},
		{"/guidelines?lang=en&page=2", 200, 20, "Page 2 of 3", "/guidelines?page=3", ""},
		{"/guidelines?lang=en&page=3", 200, 5, "Page 3 of 3", "", ""},
		{"/guidelines?lang=en&status=open&page=2", 200, 20, "Page 2 of 3", "/guidelines?page=3&status=open", ""},
		{"/guidelines?lang=en&page=4", 404, 0, "", "", ""},
		{"/guidelines?lang=en&page=0", 400, 0, "", "", ""},
		{"/guidelines?lang=en&page=%3Cscript%3Ealert(1)%3C/script%3E", 400, 0, "", "", "<script>alert(1)"},
	}
	for _, tt := range tests {
		r := get(t, p.Router, "GET", tt.target)
		if r.Code != tt.code {
			t.Errorf("%s: %d, want %d", tt.target, r.Code, tt.code)
			continue
		}
		if tt.notInBody != "" && strings.Contains(r.body, tt.notInBody) {
			t.Errorf("%s: the page lets %q through", tt.target, tt.notInBody)
		}
		if tt.code != 200 {
			continue
		}
		if n := r.doc.Find("ul.cards > li").Length(); n != tt.cards {
			t.Errorf("%s: %d cards, want %d", tt.target, n, tt.cards)
		}
		if got := r.text("nav.pager span"); got != tt.pager {
			t.Errorf("%s: pager %q, want %q", tt.target, got, tt.pager)
		}
		if got := r.doc.Find(`nav.pager a[rel="next"]`).AttrOr("href", ""); got != tt.next {
			t.Errorf("%s: next %q, want %q", tt.target, got, tt.next)
		}
	}
	home := get(t, p.Router, "GET", "/?lang=en")
	if n := home.doc.Find("section.home-guidelines ul.cards > li").Length(); n != 3 {
		t.Errorf("home: %d of the latest guidelines shown, want 3", n)
	}
	if a := home.doc.Find(`a[href="/guidelines?status=open"]`); a.Length() != 1 || !strings.Contains(a.Text(), "All 45 open for comment") {
		t.Errorf("home: no link to all 45 open for comment (%q)", a.Text())
	}
}
