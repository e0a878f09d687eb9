package searchtest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
)

// corpus is a small directory and library for the filter and facet tests. Every body says
// "dialogue", so each case also runs with text. Year 0 is no year: services have none, and
// count in no year facet.
func corpus() []portal.SearchDoc {
	d := func(id, kind string, lang portal.Language, year int, aimags, types []string) portal.SearchDoc {
		r := rec(id, "Record "+id, "Part of the dialogue.")
		r.Kind, r.Language, r.Year, r.Aimags, r.Types = kind, lang, year, aimags, types
		return r
	}
	return []portal.SearchDoc{
		d("s1", portal.KindService, portal.Mongolian, 0, []string{"omnogovi"}, []string{"shelter"}),
		d("s2", portal.KindService, portal.English, 0, []string{"omnogovi", "dornogovi"}, []string{"legal"}),
		d("s3", portal.KindService, portal.English, 0, []string{"ulaanbaatar"}, []string{"shelter", "medical"}),
		d("g1", portal.KindGuideline, portal.English, 2024, []string{"omnogovi"}, nil),
		d("m1", portal.KindMinutes, portal.Mongolian, 2023, []string{"dornogovi"}, nil),
		d("d1", portal.KindDecision, portal.English, 2023, nil, nil),
	}
}

func testFilters(t *testing.T, s portal.Searcher) {
	index(t, s, corpus()...)
	for _, tt := range []struct {
		name string
		q    portal.SearchQuery
		want []string
	}{
		{"kind", portal.SearchQuery{Kind: portal.KindService}, []string{"s1", "s2", "s3"}},
		{"aimag", portal.SearchQuery{Aimag: "omnogovi"}, []string{"s1", "s2", "g1"}},
		{"type", portal.SearchQuery{Type: "shelter"}, []string{"s1", "s3"}},
		{"language", portal.SearchQuery{Language: portal.Mongolian}, []string{"s1", "m1"}},
		{"year", portal.SearchQuery{Year: 2023}, []string{"m1", "d1"}},
		{"kind and aimag", portal.SearchQuery{Kind: portal.KindService, Aimag: "omnogovi"}, []string{"s1", "s2"}},
		{"kind, type and language", portal.SearchQuery{Kind: portal.KindService, Type: "shelter", Language: portal.English}, []string{"s3"}},
		{"aimag and year", portal.SearchQuery{Aimag: "dornogovi", Year: 2023}, []string{"m1"}},
		{"nothing in common", portal.SearchQuery{Kind: portal.KindDecision, Aimag: "omnogovi"}, nil},
		{"unknown value", portal.SearchQuery{Kind: "nonsense"}, nil},
		{"no filter", portal.SearchQuery{}, []string{"s1", "s2", "s3", "g1", "m1", "d1"}},
	} {
		q := tt.q
		q.PerPage = portal.MaxPerPage
		sameSet(t, tt.name, find(t, s, q), tt.want...)
		q.Text = "dialogue"
		sameSet(t, tt.name+" with text", find(t, s, q), tt.want...)
	}
}

func testFacets(t *testing.T, s portal.Searcher) {
	index(t, s, corpus()...)
	all := map[string]map[string]int{
		"kind":     {"service": 3, "guideline": 1, "minutes": 1, "decision": 1},
		"aimag":    {"omnogovi": 3, "dornogovi": 2, "ulaanbaatar": 1},
		"type":     {"shelter": 2, "legal": 1, "medical": 1},
		"language": {"en": 4, "mn": 2},
		"year":     {"2023": 2, "2024": 1},
	}
	// PerPage 1: the counts are of the whole result, not of the page.
	checkFacets(t, "all", find(t, s, portal.SearchQuery{PerPage: 1}), all)
	checkFacets(t, "all with text", find(t, s, portal.SearchQuery{Text: "dialogue", PerPage: 1}), all)
	checkFacets(t, "services in Omnogovi", find(t, s, portal.SearchQuery{Kind: portal.KindService, Aimag: "omnogovi"}),
		map[string]map[string]int{
			"kind":     {"service": 2},
			"aimag":    {"omnogovi": 2, "dornogovi": 1},
			"type":     {"shelter": 1, "legal": 1},
			"language": {"en": 1, "mn": 1},
			"year":     {},
		})
	checkFacets(t, "nothing", find(t, s, portal.SearchQuery{Kind: "nonsense"}),
		map[string]map[string]int{"kind": {}, "aimag": {}, "type": {}, "language": {}, "year": {}})
}

// checkFacets compares the facet counts with want and checks they are most frequent first.
func checkFacets(t *testing.T, what string, res *portal.SearchResult, want map[string]map[string]int) {
	t.Helper()
	for _, name := range portal.Facets {
		got := make(map[string]int)
		for i, fc := range res.Facets[name] {
			got[fc.Value] = fc.Count
			if i > 0 && fc.Count > res.Facets[name][i-1].Count {
				t.Errorf("%s: facet %s not most frequent first: %v", what, name, res.Facets[name])
			}
		}
		if !maps.Equal(got, want[name]) {
			t.Errorf("%s: facet %s = %v, want %v", what, name, res.Facets[name], want[name])
		}
	}
}

func testPaging(t *testing.T, s portal.Searcher) {
	const n = 120
	var docs []portal.SearchDoc
	for i := range n {
		d := rec(fmt.Sprintf("report-%03d", i), fmt.Sprintf("Report %d", i), "A monthly report.")
		d.Updated = base.Add(time.Duration(i) * time.Hour)
		docs = append(docs, d)
	}
	index(t, s, docs...)
	for _, q := range []string{"report", ""} {
		seen := make(map[string]bool)
		for page, want := range []int{50, 50, 20, 0} {
			res := find(t, s, portal.SearchQuery{Text: q, Page: page + 1, PerPage: 50})
			if res.Total != n || len(res.Hits) != want {
				t.Errorf("%q page %d: %d hits of %d, want %d of %d", q, page+1, len(res.Hits), res.Total, want, n)
			}
			for _, id := range ids(res) {
				if seen[id] {
					t.Errorf("%q page %d: %s was on an earlier page", q, page+1, id)
				}
				seen[id] = true
			}
		}
		if len(seen) != n {
			t.Errorf("%q: the pages hold %d records, want %d", q, len(seen), n)
		}
		first := find(t, s, portal.SearchQuery{Text: q, Page: 1})
		zero := find(t, s, portal.SearchQuery{Text: q, Page: 0})
		if !slices.Equal(ids(first), ids(zero)) || len(first.Hits) != 20 {
			t.Errorf("%q: page 0 %v, page 1 %v: want the same 20 (the default)", q, ids(zero), ids(first))
		}
		if res := find(t, s, portal.SearchQuery{Text: q, PerPage: 1000}); len(res.Hits) != portal.MaxPerPage {
			t.Errorf("%q: PerPage 1000 gives %d hits, want MaxPerPage", q, len(res.Hits))
		}
	}
}

func testEmptyTextOrder(t *testing.T, s portal.Searcher) {
	old, mid, recent := rec("old", "Old", ""), rec("mid", "Mid", ""), rec("recent", "Recent", "")
	old.Updated, mid.Updated, recent.Updated = base, base.Add(time.Hour), base.Add(48*time.Hour)
	mid.Kind = portal.KindMinutes
	index(t, s, mid, recent, old)
	if got := ids(find(t, s, portal.SearchQuery{})); !slices.Equal(got, []string{"recent", "mid", "old"}) {
		t.Errorf("empty query lists %v, want the most recently updated first", got)
	}
	if got := ids(find(t, s, portal.SearchQuery{Kind: portal.KindService})); !slices.Equal(got, []string{"recent", "old"}) {
		t.Errorf("empty query with a filter lists %v, want recent, old", got)
	}
}
