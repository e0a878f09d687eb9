package directory_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/search"
	"github.com/gobidialogue/portal/search/bleve"
)

// finderOrgs is a small directory: a Ulaanbaatar shelter that also serves Ömnögovi, and a
// Dalanzadgad centre with a shelter and a legal aid service for Khanbogd.
func finderOrgs() []*portal.DirectoryOrg {
	mon := []time.Weekday{time.Monday}
	return []*portal.DirectoryOrg{
		{ID: "ub", Name: portal.Text{EN: "UB House"}, Locations: []portal.Location{{ID: "ub-l", Aimag: "ulaanbaatar", Soum: "bayangol"}},
			Services: []portal.Service{{ID: "ub-shelter", Name: portal.Text{EN: "A shelter in UB"}, Types: []string{"shelter"},
				Always: true, Free: true, Languages: []string{"mn", "en"}, LocationIDs: []string{"ub-l"},
				Area: []portal.Place{{Aimag: "ulaanbaatar"}, {Aimag: "umnugovi"}}}}},
		{ID: "dz", Name: portal.Text{EN: "Dalanzadgad Centre"}, Locations: []portal.Location{{ID: "dz-l", Aimag: "umnugovi", Soum: "dalanzadgad"}},
			Modified: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
			Services: []portal.Service{
				{ID: "dz-shelter", Name: portal.Text{EN: "Shelter Dalanzadgad"}, Types: []string{"shelter"}, Languages: []string{"mn"},
					Hours: []portal.Schedule{{Days: mon, Opens: "09:00", Closes: "17:00"}}, LocationIDs: []string{"dz-l"},
					Area: []portal.Place{{Aimag: "umnugovi"}}},
				{ID: "dz-legal", Name: portal.Text{EN: "Legal aid"}, Types: []string{"legal-aid"}, Languages: []string{"mn"}, Free: true,
					Always: true, Area: []portal.Place{{Aimag: "umnugovi", Soum: "khanbogd"}}, Description: portal.Text{MN: "Хууль зүйн туслалцаа"},
					Modified: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
			}},
	}
}

// newFinder stores orgs in a database of the test's own and returns a Finder over it with
// engine (nil for none).
func newFinder(t *testing.T, orgs []*portal.DirectoryOrg, engine portal.Searcher) *directory.Finder {
	t.Helper()
	db := storetest.Open(t)
	for _, o := range orgs {
		if err := db.SaveDirectoryOrg(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	return &directory.Finder{Store: db, Search: engine, Logger: slog.New(slog.DiscardHandler)}
}

func ids(hits []directory.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Service.ID)
	}
	return out
}

func TestFindFilters(t *testing.T) {
	f := newFinder(t, finderOrgs(), nil)
	monday10 := time.Date(2026, 11, 30, 10, 0, 0, 0, portal.MongoliaTime)
	sunday := time.Date(2026, 11, 29, 10, 0, 0, 0, portal.MongoliaTime)
	tests := []struct {
		name string
		q    directory.Query
		want []string
	}{
		{"everything by name", directory.Query{}, []string{"ub-shelter", "dz-legal", "dz-shelter"}},
		{"aimag: located there first", directory.Query{Aimag: "umnugovi"}, []string{"dz-shelter", "ub-shelter", "dz-legal"}},
		{"soum served", directory.Query{Aimag: "umnugovi", Soum: "khanbogd"}, []string{"dz-legal", "ub-shelter", "dz-shelter"}},
		{"soum located", directory.Query{Aimag: "umnugovi", Soum: "dalanzadgad"}, []string{"dz-shelter", "ub-shelter"}},
		{"other aimag", directory.Query{Aimag: "dornogovi"}, nil},
		{"type", directory.Query{Aimag: "umnugovi", Type: "shelter"}, []string{"dz-shelter", "ub-shelter"}},
		{"language", directory.Query{Language: "en"}, []string{"ub-shelter"}},
		{"open now on Monday", directory.Query{OpenNow: true}, []string{"ub-shelter", "dz-legal", "dz-shelter"}},
		{"open now on Sunday", directory.Query{OpenNow: true, Now: sunday}, []string{"ub-shelter", "dz-legal"}},
		{"24 hours and free", directory.Query{Always: true, Free: true, Aimag: "umnugovi"}, []string{"ub-shelter", "dz-legal"}},
		{"text in either language", directory.Query{Text: "ХУУЛЬ зүйн"}, []string{"dz-legal"}},
		{"text of the organisation", directory.Query{Text: "dalanzadgad centre"}, []string{"dz-legal", "dz-shelter"}},
		{"an organisation", directory.Query{OrgID: "dz"}, []string{"dz-legal", "dz-shelter"}},
		{"modified after", directory.Query{ModifiedAfter: time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)}, []string{"dz-legal"}},
		{"by ids, in their order", directory.Query{IDs: []string{"dz-shelter", "ub-shelter", "dz-shelter"}}, []string{"dz-shelter", "ub-shelter"}},
		{"by ids, filtered", directory.Query{IDs: []string{"dz-shelter", "dz-legal"}, Free: true}, []string{"dz-legal"}},
		{"markup is a word like any other", directory.Query{Text: "<script>alert(1)</script>"}, nil},
	}
	for _, tt := range tests {
		tt.q.SortLanguage = portal.English
		if tt.q.Now.IsZero() {
			tt.q.Now = monday10
		}
		res, err := f.Find(context.Background(), tt.q)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := ids(res.Hits); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
		if res.Degraded || res.Directory == nil || len(res.Directory.Services()) != 3 {
			t.Errorf("%s: degraded %v, directory %v", tt.name, res.Degraded, res.Directory)
		}
	}
	res, err := f.Find(context.Background(), directory.Query{IDs: []string{"nowhere", "ub-shelter", "<b>"}})
	if err != nil || !reflect.DeepEqual(res.Missing, []string{"nowhere", "<b>"}) || !reflect.DeepEqual(ids(res.Hits), []string{"ub-shelter"}) {
		t.Errorf("missing ids: %v, %+v", err, res)
	}
}

// downEngine is a search engine that does not answer.
type downEngine struct{ portal.Searcher }

func (downEngine) Search(context.Context, portal.SearchQuery) (*portal.SearchResult, error) {
	return nil, errors.New("connection refused")
}

// TestFindWords sends words to the engine, keeps its order, applies the other filters to
// its hits, and matches in memory, saying so, when the engine is down.
func TestFindWords(t *testing.T) {
	g, terms, orgs, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	var public []*portal.DirectoryOrg
	for _, o := range orgs {
		p, _ := o.Public()
		public = append(public, p)
	}
	if err := idx.Index(context.Background(), search.FromDirectory(portal.NewDirectory(public, "t"), g, terms)...); err != nil {
		t.Fatal(err)
	}
	f := newFinder(t, orgs, idx)
	ctx := context.Background()
	find := func(q directory.Query) *directory.Result {
		t.Helper()
		res, err := f.Find(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// The engine knows every spelling of a place: three spellings find the same services
	// (each ranks its own spelling first).
	latin := find(directory.Query{Text: "Zamiin-Uud"})
	if len(latin.Hits) == 0 || latin.Degraded {
		t.Fatalf("Zamiin-Uud: %d hits, degraded %v", len(latin.Hits), latin.Degraded)
	}
	for _, spelling := range []string{"Замын-Үүд", "Zamyn-Üüd"} {
		if got, want := slices.Sorted(slices.Values(ids(find(directory.Query{Text: spelling}).Hits))),
			slices.Sorted(slices.Values(ids(latin.Hits))); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", spelling, got, want)
		}
	}
	// Other filters narrow the engine's hits and keep its order.
	all := ids(find(directory.Query{Text: "shelter"}).Hits)
	narrowed := ids(find(directory.Query{Text: "shelter", Aimag: "umnugovi", Always: true}).Hits)
	if len(narrowed) == 0 || len(narrowed) >= len(all) {
		t.Fatalf("shelter: %d hits; in Ömnögovi, open 24 hours: %d", len(all), len(narrowed))
	}
	last := -1
	for _, id := range narrowed {
		i := indexOf(all, id)
		if i <= last {
			t.Errorf("%s is out of the engine's order: %v within %v", id, narrowed, all)
		}
		last = i
	}
	// The engine down: the words are matched in memory, and the result says so.
	f.Search = downEngine{idx}
	down := find(directory.Query{Text: "shelter"})
	if !down.Degraded || len(down.Hits) == 0 {
		t.Errorf("engine down: degraded %v, %d hits", down.Degraded, len(down.Hits))
	}
	if res := find(directory.Query{Aimag: "umnugovi"}); res.Degraded {
		t.Error("a query without words is degraded by an engine it does not use")
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func TestQueryCheck(t *testing.T) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q     directory.Query
		field string // in error, "" for none
	}{
		{directory.Query{}, ""},
		{directory.Query{Aimag: "umnugovi", Soum: "khanbogd", Type: "shelter", Text: "anything <b>"}, ""},
		{directory.Query{Aimag: "<script>"}, "aimag"},
		{directory.Query{Soum: "khanbogd"}, "soum"},
		{directory.Query{Aimag: "dornogovi", Soum: "khanbogd"}, "soum"},
		{directory.Query{Type: "spa"}, "type"},
	} {
		err := tt.q.Check(g, terms)
		var pe *portal.Error
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%+v: %v", tt.q, err)
		case tt.field != "" && (!errors.As(err, &pe) || pe.Code != portal.EINVALID || pe.Fields[tt.field] == ""):
			t.Errorf("%+v: %v, want an error of field %s", tt.q, err, tt.field)
		}
	}
}

// TestFindWordsWithFiltersTheEngineLacks searches words every service has with a filter
// the engine does not apply (one organisation): the engine is read far enough that the
// organisation's services are all found, though hundreds rank before them.
func TestFindWordsWithFiltersTheEngineLacks(t *testing.T) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	orgs := directorytest.Generate(800, 3, g, terms)
	idx, err := bleve.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.Index(context.Background(), search.FromDirectory(portal.NewDirectory(publicOf(orgs), "t"), g, terms)...); err != nil {
		t.Fatal(err)
	}
	f := newFinder(t, orgs, idx)
	ctx := context.Background()
	all, err := f.Find(ctx, directory.Query{Text: "generated example data"})
	if err != nil || len(all.Hits) == 0 {
		t.Fatalf("%v, %d hits", err, len(all.Hits))
	}
	// An organisation none of whose services is among those the words alone find: the
	// engine ranks it past the first pages.
	ranked := map[string]bool{}
	for _, h := range all.Hits {
		ranked[h.Org.ID] = true
	}
	var unranked *portal.DirectoryOrg
	for _, o := range orgs {
		if !ranked[o.ID] && len(o.Services) > 0 {
			unranked = o
		}
	}
	if unranked == nil {
		t.Fatalf("the words alone find all %d organisations: the test proves nothing", len(orgs))
	}
	res, err := f.Find(ctx, directory.Query{Text: "generated example data", OrgID: unranked.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != len(unranked.Services) {
		t.Errorf("%d of the %d services of %s found (the words alone find %d services)", len(res.Hits), len(unranked.Services), unranked.ID, len(all.Hits))
	}
}

func publicOf(orgs []*portal.DirectoryOrg) []*portal.DirectoryOrg {
	out := make([]*portal.DirectoryOrg, len(orgs))
	for i, o := range orgs {
		out[i], _ = o.Public()
	}
	return out
}

// pagesEngine answers an ids-only search as the finder read the engine before it could
// ask for ids alone: the full hits, page after page of portal.MaxPerPage.
type pagesEngine struct{ portal.Searcher }

func (e pagesEngine) Search(ctx context.Context, q portal.SearchQuery) (*portal.SearchResult, error) {
	if !q.IDsOnly {
		return e.Searcher.Search(ctx, q)
	}
	out := &portal.SearchResult{}
	for page := 1; page <= q.PerPage/portal.MaxPerPage; page++ {
		full := q
		full.IDsOnly, full.Page, full.PerPage = false, page, portal.MaxPerPage
		res, err := e.Searcher.Search(ctx, full)
		if err != nil {
			return nil, err
		}
		out.Total, out.Hits = res.Total, append(out.Hits, res.Hits...)
		if page*portal.MaxPerPage >= res.Total {
			break
		}
	}
	return out, nil
}

// TestFindPlaceNamesInOneRequest searches place names, which match more records than the
// finder reads, over a generated directory: asking the engine once for ids finds the
// services that reading its pages did, in the same order.
func TestFindPlaceNamesInOneRequest(t *testing.T) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	d := portal.NewDirectory(publicOf(directorytest.Generate(2500, 7, g, terms)), "t")
	idx, err := bleve.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.Index(context.Background(), search.FromDirectory(d, g, terms)...); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 20, 0, 0, 0, portal.MongoliaTime)
	once, pages := &directory.Finder{Search: idx}, &directory.Finder{Search: pagesEngine{idx}}
	for _, q := range []directory.Query{
		{Text: "Dornogovi"}, {Text: "Дорноговь", Aimag: "dornogovi"}, {Text: "South Gobi aimag"},
		{Text: "Өмнөговь"}, {Text: "Umnugovi", Aimag: "umnugovi", Type: "shelter"}, {Text: "Ulaan Baatar"},
		{Text: "Ulan-Bator", Aimag: "ulaanbaatar"}, {Text: "Улаанбаатар"}, {Text: "generated example data"},
		// Filters the engine does not apply: twenty pages' worth.
		{Text: "Dornogovi", Aimag: "dornogovi", Free: true}, {Text: "Umnugovi", Language: "en"},
		{Text: "Улаанбаатар", OpenNow: true},
	} {
		q.Now = at
		want, err := pages.FindIn(ctx, d, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := once.FindIn(ctx, d, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Hits) == 0 || got.Degraded {
			t.Errorf("%+v: %d services, degraded %v: the comparison proves nothing", q, len(want.Hits), got.Degraded)
		}
		if !reflect.DeepEqual(got.Hits, want.Hits) {
			t.Errorf("%+v: one request finds %d services, pages found %d:\n%v\n%v", q, len(got.Hits), len(want.Hits), ids(got.Hits), ids(want.Hits))
		}
	}
}

// TestFindFiltersConcurrently: pages of two directories (before and after a save) sorted
// at once, in both languages, each get their own directory's order (the names kept for
// sorting belong to one directory; run with -race).
func TestFindFiltersConcurrently(t *testing.T) {
	orgs := publicOf(finderOrgs())
	d1 := portal.NewDirectory(orgs, "1")
	f := &directory.Finder{}
	// The service first in English order, renamed to come last.
	first, err := f.FindIn(context.Background(), d1, directory.Query{SortLanguage: portal.English})
	if err != nil || len(first.Hits) < 2 {
		t.Fatalf("%v, %d services", err, len(first.Hits))
	}
	renamed := first.Hits[0].Org.Clone()
	for i := range renamed.Services {
		if renamed.Services[i].ID == first.Hits[0].Service.ID {
			renamed.Services[i].Name = portal.Text{MN: "Ёё эхэнд биш", EN: "Zzz last"}
		}
	}
	d2 := d1.WithOrg(renamed, "2")
	want := map[*portal.Directory]map[portal.Language][]string{}
	for _, d := range []*portal.Directory{d1, d2} {
		want[d] = map[portal.Language][]string{}
		for _, l := range []portal.Language{portal.Mongolian, portal.English} {
			res, err := f.FindIn(context.Background(), d, directory.Query{SortLanguage: l})
			if err != nil {
				t.Fatal(err)
			}
			want[d][l] = ids(res.Hits)
		}
	}
	if slices.Equal(want[d1][portal.English], want[d2][portal.English]) {
		t.Fatal("the rename should change the English order: the test checks nothing")
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			d := []*portal.Directory{d1, d2}[i%2]
			l := []portal.Language{portal.Mongolian, portal.English}[i/2%2]
			for range 50 {
				res, err := f.FindIn(context.Background(), d, directory.Query{SortLanguage: l})
				if err != nil {
					t.Error(err)
					return
				}
				if got := ids(res.Hits); !slices.Equal(got, want[d][l]) {
					t.Errorf("directory %s in %s: %v, want %v", d.Version, l, got, want[d][l])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestFindInOrderIsSorted checks the order that filter reads services in (kept per
// directory and language, and per aimag) against sorting the services that the query
// keeps: nearest first, then by lower-case name in the sort language, then by id. It asks
// a directory patched by saves, and again after one more save, which must not be answered
// from the order of the directory before it.
func TestFindInOrderIsSorted(t *testing.T) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	d := portal.NewDirectory(publicOf(directorytest.Generate(2000, 7, g, terms)), "v0")
	for i, o := range d.Orgs[:40] {
		o = o.Clone()
		// The same name forty times: the id decides between them.
		o.Services[0].Name.EN, o.Services[0].Name.MN = "Aa same name", "Аа ижил нэр"
		d = d.WithOrg(o, fmt.Sprint("v", i+1))
	}
	at := time.Date(2026, 12, 8, 10, 30, 0, 0, portal.MongoliaTime)
	queries := []directory.Query{
		{}, {SortLanguage: portal.English},
		{Aimag: "umnugovi"}, {Aimag: "dornogovi", SortLanguage: portal.English},
		{Aimag: "dornogovi", Soum: "zamiin-uud"}, {Aimag: "ulaanbaatar", Soum: "khan-uul", Type: "hotline"},
		{Type: "shelter"}, {Aimag: "umnugovi", Type: "legal-aid", Free: true},
		{OpenNow: true}, {Aimag: "umnugovi", Always: true}, {Language: "zh"},
		{Aimag: "ulaanbaatar"},
	}
	check := func(d *portal.Directory) {
		t.Helper()
		f := &directory.Finder{}
		for _, q := range queries {
			q.Now = at
			res, err := f.FindIn(context.Background(), d, q)
			if err != nil {
				t.Fatal(err)
			}
			var want []directory.Hit
			for _, o := range d.Orgs {
				for i := range o.Services {
					// Each service alone, by id: the finder's own verdict on it, in no order.
					r, err := f.FindIn(context.Background(), d, directory.Query{IDs: []string{o.Services[i].ID},
						Aimag: q.Aimag, Soum: q.Soum, Type: q.Type, Language: q.Language, OpenNow: q.OpenNow,
						Always: q.Always, Free: q.Free, Now: at})
					if err != nil {
						t.Fatal(err)
					}
					want = append(want, r.Hits...)
				}
			}
			lang := cmp.Or(q.SortLanguage, portal.Mongolian)
			slices.SortFunc(want, func(a, b directory.Hit) int {
				return cmp.Or(cmp.Compare(a.Nearness, b.Nearness),
					strings.Compare(strings.ToLower(a.Service.Name.In(lang)), strings.ToLower(b.Service.Name.In(lang))),
					strings.Compare(a.Service.ID, b.Service.ID))
			})
			if len(want) == 0 {
				t.Fatalf("%+v finds nothing in the generated directory: the query tests nothing", q)
			}
			if len(res.Hits) != len(want) {
				t.Fatalf("%+v: %d hits, want %d", q, len(res.Hits), len(want))
			}
			for i := range want {
				if res.Hits[i].Service != want[i].Service || res.Hits[i].Nearness != want[i].Nearness {
					t.Fatalf("%+v: hit %d is %s (%d), want %s (%d)", q, i, res.Hits[i].Service.ID, res.Hits[i].Nearness,
						want[i].Service.ID, want[i].Nearness)
				}
			}
		}
	}
	check(d)
	o := d.Orgs[len(d.Orgs)/2].Clone()
	o.Services[0].Name.MN, o.Services[0].Name.EN = "Ааа эхэнд", "Aaa first"
	o.Services[0].Area = []portal.Place{{Aimag: "umnugovi"}}
	check(d.WithOrg(o, "v-next"))
}
