package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/search"
	"github.com/gobidialogue/portal/search/bleve"
	"github.com/gobidialogue/portal/server"
)

// BenchmarkSearchPage serves /search through the real router, gzipped, over an on-disk
// bleve index of 100,000 generated services (a record per language, so 200,000 records),
// 2,000 guideline paragraphs and 1,000 minutes, with two-word queries and two facet
// filters, and reports the median and 95th percentile latency (the target is p95 under
// 50 ms) and how fast the records were indexed. "cached" is the router as portal serve
// has it, whose page cache answers every request after the first of each page; "uncached"
// is the same router without the page cache, and the index keeps no answer, so that every
// request searches the index and renders the page.
func BenchmarkSearchPage(b *testing.B) {
	const services = 100000
	g, terms, _ := portaltest.StarterDirectory(b)
	docs := search.FromDirectory(portal.NewDirectory(directorytest.Generate(services, 1, g, terms), "bench"), g, terms)
	topics := []string{"truck drivers rest areas", "recruitment fees", "grievance mechanism", "labour inspection",
		"жолооч нарын амрах газар", "зуучлалын төлбөр", "гомдол барагдуулах", "хөдөлмөрийн хяналт"}
	for i := range 3000 {
		kind, lang := portal.KindGuideline, portal.English
		if i >= 2000 {
			kind = portal.KindMinutes
		}
		if i%2 == 1 {
			lang = portal.Mongolian
		}
		a := g.Aimags[i%len(g.Aimags)]
		d := portal.SearchDoc{ID: fmt.Sprintf("%s:%s:bench-%d", kind, lang, i), Kind: kind, Language: lang,
			Title: fmt.Sprintf("%s %d", topics[i%len(topics)], i), URL: fmt.Sprintf("/guidelines/bench-%d", i),
			Body:   fmt.Sprintf("%s in %s: %s. Paragraph %d of the council's work on %s.", topics[i%len(topics)], a.Name.EN, topics[(i+3)%len(topics)], i, topics[(i+5)%len(topics)]),
			Places: a.Name.MN + " " + a.Name.EN, Aimags: []string{a.ID}, Year: 2024 + i%3, Updated: time.Unix(int64(1700000000+i), 0)}
		d.Hash = search.Hash(d)
		docs = append(docs, d)
	}
	idx, err := bleve.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	start := time.Now()
	if _, err := search.Reconcile(context.Background(), idx, docs, nil); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	b.Logf("indexed %d records in %s (%.0f records/s)", len(docs), took.Round(time.Millisecond), float64(len(docs))/took.Seconds())

	p := portaltest.New(b, portaltest.Options{Directory: true, Configure: func(h *handlers.Handlers) { h.Search = idx }})
	srv, err := server.New(server.Config{}, p.Handlers)
	if err != nil {
		b.Fatal(err)
	}
	queries := []string{"Umnugovi shelter", "хамгаалах байр", "legal aid", "Zamiin-Uud hotline", "drop-in centre",
		"Dalanzadgad medical", "сэтгэл зүйн зөвлөгөө", "free shelter"}
	var targets []string
	for i, q := range queries {
		a := g.Aimags[i%len(g.Aimags)]
		t := terms[i%len(terms)]
		targets = append(targets, "/search?q="+url.QueryEscape(q)+"&kind=service&aimag="+a.ID+"&lang=mn",
			"/search?q="+url.QueryEscape(q)+"&aimag="+a.ID+"&type="+t.ID+"&lang=en")
	}
	for _, r := range []struct {
		name   string
		router http.Handler
	}{{"cached", p.Router}, {"uncached", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		idx.ForgetAnswers() // every request asks the index, as the first of its kind does
		srv.Handler().ServeHTTP(w, r)
	})}} {
		b.Run(r.name, func(b *testing.B) {
			for _, target := range targets { // warm up, and check the pages work
				rec := httptest.NewRecorder()
				r.router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", target, rec.Code)
				}
			}
			benchPages(b, r.router, targets)
		})
	}
}
