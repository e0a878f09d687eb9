package bleve_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search/bleve"
)

// The benchmarks share one on-disk index of the size issue 5 asks for, built once per test
// binary: 100,000 services, 2,000 guideline paragraphs and 1,000 minutes. It lives in a
// directory of its own (a benchmark's TempDir would vanish with the first benchmark), which
// TestMain removes.

const (
	benchServices   = 100_000
	benchParagraphs = 2_000
	benchMinutes    = 1_000
)

var bench struct {
	once sync.Once
	dir  string
	x    *bleve.Index
	docs []portal.SearchDoc
	took time.Duration
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.x != nil {
		bench.x.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// sharedIndex builds the benchmark index the first time it is asked for.
func sharedIndex(b *testing.B) *bleve.Index {
	b.Helper()
	bench.once.Do(func() {
		bench.docs = benchCorpus()
		if bench.dir, bench.err = os.MkdirTemp("", "portal-bleve-bench-"); bench.err != nil {
			return
		}
		if bench.x, bench.err = bleve.Open(filepath.Join(bench.dir, "search")); bench.err != nil {
			return
		}
		start := time.Now()
		// In the batches a reindex would send.
		for i := 0; i < len(bench.docs) && bench.err == nil; i += 5000 {
			bench.err = bench.x.Index(context.Background(), bench.docs[i:min(i+5000, len(bench.docs))]...)
		}
		bench.took = time.Since(start)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.x
}

// BenchmarkIndex reports the throughput of building the shared index from nothing
// (bulk-docs/s), then times upserts of 1,000 records into the full index (docs/s).
func BenchmarkIndex(b *testing.B) {
	x := sharedIndex(b)
	b.ResetTimer()
	start := time.Now()
	n := 0
	for i := 0; b.Loop(); i++ {
		from := (i * 1000) % (len(bench.docs) - 1000)
		if err := x.Index(context.Background(), bench.docs[from:from+1000]...); err != nil {
			b.Fatal(err)
		}
		n += 1000
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "docs/s")
	// After the loop: ResetTimer would drop it.
	b.ReportMetric(float64(len(bench.docs))/bench.took.Seconds(), "bulk-docs/s")
}

// benchQueries are two-word queries with two facet filters, as the directory page sends:
// spellings in both scripts, a typo and a word being typed among them.
var benchQueries = []portal.SearchQuery{
	{Text: "хамгаалах байр", Kind: portal.KindService, Aimag: "omnogovi"},
	{Text: "Umnugovi shelter", Kind: portal.KindService, Language: portal.English},
	{Text: "legal Dalanzadgad", Kind: portal.KindService, Aimag: "omnogovi"},
	{Text: "shleter Sainshand", Kind: portal.KindService, Aimag: "dornogovi"},
	{Text: "drivers forced", Kind: portal.KindGuideline, Language: portal.English},
	{Text: "хөдөлмөр жолооч", Kind: portal.KindGuideline, Language: portal.Mongolian},
	{Text: "council decis", Kind: portal.KindMinutes, Year: 2024},
	{Text: "Zamiin-Uud hotline", Kind: portal.KindService, Type: "hotline"},
	{Text: "medical Khanbogd", Type: "medical", Aimag: "omnogovi"},
	{Text: "сэтгэл зүйн", Kind: portal.KindService, Language: portal.Mongolian},
}

// BenchmarkSearch runs benchQueries on the shared index and reports the latency
// percentiles; each search computes all five facets over its whole result.
func BenchmarkSearch(b *testing.B) {
	x := sharedIndex(b)
	ctx := context.Background()
	var took []time.Duration
	totals := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := benchQueries[i%len(benchQueries)]
		x.ForgetAnswers() // the engine's time, not a kept answer's
		start := time.Now()
		res, err := x.Search(ctx, q)
		took = append(took, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		totals += res.Total
	}
	reportPercentiles(b, took)
	b.ReportMetric(float64(totals)/float64(len(took)), "hits/op")
}

// BenchmarkSearchThings runs benchQueries as /search does, for things in the reader's
// language (portal.SearchQuery.Things), against the same queries for records, alternating:
// each of the corpus's records is a thing of its own, the most things a result can hold,
// so the collapsing costs the most here.
func BenchmarkSearchThings(b *testing.B) {
	x := sharedIndex(b)
	ctx := context.Background()
	took := map[bool][]time.Duration{}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := benchQueries[(i/2)%len(benchQueries)]
		q.Things, q.Prefer = i%2 == 1, portal.Mongolian
		x.ForgetAnswers()
		start := time.Now()
		if _, err := x.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
		took[q.Things] = append(took[q.Things], time.Since(start))
	}
	for things, name := range map[bool]string{false: "records", true: "things"} {
		d := took[things]
		if len(d) == 0 {
			continue
		}
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(d[len(d)*95/100].Microseconds())/1000, name+"-p95-ms")
	}
}

// BenchmarkList lists records without text, as the directory page does before anything is
// typed: every record a filter selects, most recently updated first, with facets over all.
func BenchmarkList(b *testing.B) {
	x := sharedIndex(b)
	ctx := context.Background()
	lists := []portal.SearchQuery{
		{}, {Kind: portal.KindService}, {Kind: portal.KindService, Aimag: "omnogovi"},
		{Kind: portal.KindService, Type: "shelter", Language: portal.Mongolian}, {Kind: portal.KindGuideline},
	}
	var took []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		x.ForgetAnswers()
		start := time.Now()
		if _, err := x.Search(ctx, lists[i%len(lists)]); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	reportPercentiles(b, took)
}

// BenchmarkHashes times reading the hashes of the whole shared index, as reconciliation does.
func BenchmarkHashes(b *testing.B) {
	x := sharedIndex(b)
	b.ResetTimer()
	for b.Loop() {
		h, err := x.Hashes(context.Background())
		if err != nil || len(h) != len(bench.docs) {
			b.Fatalf("Hashes: %d records, %v", len(h), err)
		}
	}
}

func reportPercentiles(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	at := func(p float64) float64 {
		return float64(took[int(p*float64(len(took)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// The generated corpus: Mongolian- and English-looking text around a few real words and
// place names, with a long tail of made-up words so that the dictionaries (and with them
// the cost of typo and prefix matching) are of a realistic size.

type benchPlace struct{ id, cyrillic, latin string }

var benchAimags = []benchPlace{
	{"omnogovi", "Өмнөговь", "Umnugovi"},
	{"dornogovi", "Дорноговь", "Dornogovi"},
	{"dundgovi", "Дундговь", "Dundgovi"},
	{"govisumber", "Говьсүмбэр", "Govisumber"},
	{"ulaanbaatar", "Улаанбаатар", "Ulaanbaatar"},
	{"khentii", "Хэнтий", "Khentii"},
}

var benchSoums = [][2]string{
	{"Даланзадгад", "Dalanzadgad"}, {"Ханбогд", "Khanbogd"}, {"Цогтцэций", "Tsogttsetsii"},
	{"Сайншанд", "Sainshand"}, {"Замын-Үүд", "Zamiin-Uud"}, {"Мандах", "Mandakh"},
	{"Мандалговь", "Mandalgovi"}, {"Чойр", "Choir"}, {"Баянзүрх", "Bayanzurkh"}, {"Өндөрхаан", "Undurkhaan"},
}

var benchTypes = []string{"shelter", "drop-in", "hotline", "legal", "medical", "psychosocial", "employment"}

var benchTitles = map[string][2]string{
	"shelter":      {"Хамгаалах байр", "Shelter"},
	"drop-in":      {"Түр саатах төв", "Drop-in centre"},
	"hotline":      {"Утасны зөвлөгөө", "Hotline"},
	"legal":        {"Хууль зүйн туслалцаа", "Legal aid"},
	"medical":      {"Эмнэлгийн тусламж", "Medical care"},
	"psychosocial": {"Сэтгэл зүйн зөвлөгөө", "Psychosocial support"},
	"employment":   {"Хөдөлмөр эрхлэлт", "Employment help"},
}

var benchWords = strings.Fields("the and for with drivers truck mining company workers forced labour " +
	"trafficking support council decision action report safe women children night meals advice " +
	"contract wages border road camp referral victims hotline shelter legal medical counselling " +
	"жолооч хөдөлмөр хүчирхийлэл хохирогч тусламж үйлчилгээ зөвлөгөө аймаг сум байр төв " +
	"компани уурхай ажилчин гэрээ цалин хил зам хурал шийдвэр тайлан эмэгтэй хүүхэд шөнө")

var benchSyllables = strings.Fields("ba ga da la ma na sa ta ha tsa cha sha bo go do lo mo no " +
	"so to ho ü ö ur ar or an on un en in ai ei oi ул аа өө үү га на ма ба да ла хо ту сэ цэ жи")

// benchCorpus generates the records, the same every time.
func benchCorpus() []portal.SearchDoc {
	rng := rand.New(rand.NewPCG(5, 2025))
	tail := make([]string, 20_000)
	for i := range tail {
		var w strings.Builder
		for range 2 + rng.IntN(3) {
			w.WriteString(benchSyllables[rng.IntN(len(benchSyllables))])
		}
		tail[i] = w.String()
	}
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(len(tail)-1))
	text := func(words int) string {
		var b strings.Builder
		for i := range words {
			if i > 0 {
				b.WriteByte(' ')
			}
			if rng.IntN(3) == 0 {
				b.WriteString(benchWords[rng.IntN(len(benchWords))])
			} else {
				b.WriteString(tail[zipf.Uint64()])
			}
			if rng.IntN(12) == 0 {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]portal.SearchDoc, 0, benchServices+benchParagraphs+benchMinutes)
	for i := range benchServices {
		aimag := benchAimags[rng.IntN(len(benchAimags))]
		soum := benchSoums[rng.IntN(len(benchSoums))]
		typ := benchTypes[rng.IntN(len(benchTypes))]
		lang, title := portal.English, benchTitles[typ][1]+" "+soum[1]
		if i%2 == 0 {
			lang, title = portal.Mongolian, benchTitles[typ][0]+" "+soum[0]
		}
		types := []string{typ}
		if rng.IntN(4) == 0 {
			types = append(types, benchTypes[rng.IntN(len(benchTypes))])
		}
		docs = append(docs, portal.SearchDoc{
			ID:       fmt.Sprintf("service:%s:s%06d", lang, i),
			Kind:     portal.KindService,
			Language: lang,
			Title:    title,
			Body:     text(40 + rng.IntN(60)),
			Places:   strings.Join([]string{aimag.cyrillic, aimag.latin, soum[0], soum[1]}, " "),
			URL:      fmt.Sprintf("/directory/services/s%06d", i),
			Aimags:   []string{aimag.id},
			Types:    types,
			Updated:  base.Add(time.Duration(rng.IntN(500*24)) * time.Hour),
			Hash:     fmt.Sprintf("%016x", rng.Uint64()),
		})
	}
	for i := range benchParagraphs {
		lang := portal.Language([]string{"mn", "en"}[i%2])
		docs = append(docs, portal.SearchDoc{
			ID:       fmt.Sprintf("guideline:%s:g%02d:p-%04d", lang, i%40, i),
			Kind:     portal.KindGuideline,
			Language: lang,
			Title:    fmt.Sprintf("Guideline %d", i%40),
			Body:     text(60 + rng.IntN(80)),
			URL:      fmt.Sprintf("/guidelines/g%02d#p-%04d", i%40, i),
			Year:     2023 + i%3,
			Updated:  base.Add(time.Duration(i) * time.Hour),
			Hash:     fmt.Sprintf("%016x", rng.Uint64()),
		})
	}
	for i := range benchMinutes {
		aimag := benchAimags[i%len(benchAimags)]
		docs = append(docs, portal.SearchDoc{
			ID:       fmt.Sprintf("minutes:mn:m%04d", i),
			Kind:     portal.KindMinutes,
			Language: portal.Mongolian,
			Title:    fmt.Sprintf("Council meeting %d", i),
			Body:     text(300 + rng.IntN(300)),
			Places:   aimag.cyrillic + " " + aimag.latin,
			URL:      fmt.Sprintf("/meetings/m%04d", i),
			Aimags:   []string{aimag.id},
			Year:     2023 + i%3,
			Updated:  base.Add(time.Duration(i) * 24 * time.Hour),
			Hash:     fmt.Sprintf("%016x", rng.Uint64()),
		})
	}
	return docs
}
