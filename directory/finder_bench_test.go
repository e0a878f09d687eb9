package directory_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/search"
	"github.com/gobidialogue/portal/search/bleve"
)

// placeQueries are the directory searches of issue 10's load test that took up to a second:
// a place name, which the gazetteer indexes with every record of the place, so that it
// matches thousands of records; in both scripts, with aliases, with and without the
// aimag's filter.
var placeQueries = []struct {
	name string
	q    directory.Query
}{
	{"Dornogovi", directory.Query{Text: "Dornogovi"}},
	{"Дорноговь+aimag", directory.Query{Text: "Дорноговь", Aimag: "dornogovi"}},
	{"South_Gobi_aimag", directory.Query{Text: "South Gobi aimag"}},
	{"Өмнөговь+aimag", directory.Query{Text: "Өмнөговь", Aimag: "umnugovi"}},
	{"Ulaan_Baatar", directory.Query{Text: "Ulaan Baatar"}},
	{"Ulan-Bator+aimag", directory.Query{Text: "Ulan-Bator", Aimag: "ulaanbaatar"}},
	{"Улаанбаатар", directory.Query{Text: "Улаанбаатар"}},
	// A filter the engine does not apply: the finder reads it further.
	{"Dornogovi+aimag+free", directory.Query{Text: "Dornogovi", Aimag: "dornogovi", Free: true}},
}

// BenchmarkFinderPlaceNames times Finder.FindIn for each of placeQueries over 10,000
// generated services (20,000 records) in an on-disk bleve index, as the directory page runs
// them once it has read the directory, and reports the milliseconds per query, their 95th
// percentile and how many services a query finds.
func BenchmarkFinderPlaceNames(b *testing.B) {
	const services = 10000
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		b.Fatal(err)
	}
	d := portal.NewDirectory(publicOf(directorytest.Generate(services, 1, g, terms)), "bench")
	idx, err := bleve.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	start := time.Now()
	docs := search.FromDirectory(d, g, terms)
	if err := idx.Index(context.Background(), docs...); err != nil {
		b.Fatal(err)
	}
	b.Logf("indexed %d records in %s", len(docs), time.Since(start).Round(time.Millisecond))
	f := &directory.Finder{Search: idx}
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 20, 0, 0, 0, portal.MongoliaTime)
	for _, pq := range placeQueries {
		q := pq.q
		q.Now = at
		b.Run(pq.name, func(b *testing.B) {
			var took []time.Duration
			hits := 0
			for b.Loop() {
				idx.ForgetAnswers() // the engine's time, not a kept answer's
				t0 := time.Now()
				res, err := f.FindIn(ctx, d, q)
				took = append(took, time.Since(t0))
				if err != nil || res.Degraded || len(res.Hits) == 0 {
					b.Fatalf("%+v: %v, %d hits", q, err, len(res.Hits))
				}
				hits += len(res.Hits)
			}
			var sum time.Duration
			for _, t := range took {
				sum += t
			}
			slices.Sort(took)
			ms := func(t time.Duration) float64 { return float64(t) / float64(time.Millisecond) }
			b.ReportMetric(ms(sum)/float64(len(took)), "ms/query")
			b.ReportMetric(ms(took[len(took)*95/100]), "p95-ms")
			b.ReportMetric(float64(hits)/float64(len(took)), "services/query")
		})
	}
}

// BenchmarkFinderFilters times Finder.FindIn with filters and no words (matched in memory,
// no engine) over 10,000 generated services, as a directory page that the page cache does
// not hold yet runs it: the whole directory is read through once per query.
func BenchmarkFinderFilters(b *testing.B) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		b.Fatal(err)
	}
	d := portal.NewDirectory(publicOf(directorytest.Generate(10000, 1, g, terms)), "bench")
	// A directory patched by saves, as a running portal's is: its indexes are layered.
	for i, o := range d.Orgs[:100] {
		d = d.WithOrg(o.Clone(), fmt.Sprint(i))
	}
	f := &directory.Finder{}
	at := time.Date(2026, 11, 27, 20, 0, 0, 0, portal.MongoliaTime)
	for _, q := range []struct {
		name string
		q    directory.Query
	}{
		{"none", directory.Query{}},
		{"aimag", directory.Query{Aimag: "dornogovi"}},
		{"aimag+type", directory.Query{Aimag: "umnugovi", Type: "shelter"}},
		{"open+free", directory.Query{OpenNow: true, Free: true}},
	} {
		b.Run(q.name, func(b *testing.B) {
			q.q.Now = at
			for b.Loop() {
				if _, err := f.FindIn(context.Background(), d, q.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
