package searchtest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
)

// placesCorpus is a directory of services about three aimags, and guideline paragraphs
// that mention them: enough records for a place name to fill several pages, a place named
// in the title in one script or the other (which ranks the spelling typed first), and many
// records that score alike and were updated at the same time (ties the engine must break
// the same way whatever it is asked to return).
func placesCorpus() []portal.SearchDoc {
	aimags := []struct{ id, cyrillic, latin string }{
		{"omnogovi", "Өмнөговь", "Umnugovi"},
		{"dornogovi", "Дорноговь", "Dornogovi"},
		{"ulaanbaatar", "Улаанбаатар", "Ulaanbaatar"},
	}
	types := []string{"shelter", "legal", "medical", "hotline"}
	var docs []portal.SearchDoc
	for i := range 450 {
		a, other, typ := aimags[i%3], aimags[(i+1)%3], types[(i/3)%4]
		lang := portal.Language([]string{"en", "mn"}[i%2])
		title := []string{typ + " in " + a.latin, typ + " " + a.cyrillic, typ + " centre",
			typ + " for " + a.latin + " and " + other.latin, typ}[i%5]
		body := "Help for people in need."
		if i%7 == 0 {
			body = "Serves " + a.cyrillic + " and " + a.latin + ", day and night."
		}
		d := rec(fmt.Sprintf("service:%s:p%03d", lang, i), title, body)
		d.Language, d.Places = lang, a.cyrillic+" "+a.latin
		d.Aimags, d.Types = []string{a.id}, []string{typ}
		d.Updated = base.Add(time.Duration(i%4) * time.Hour)
		docs = append(docs, d)
	}
	for i := range 60 {
		a := aimags[i%3]
		d := rec(fmt.Sprintf("guideline:en:roads:p-%02d", i), "Truck stops", "Drivers rest on the road to "+a.latin+".")
		d.Kind, d.Year, d.Places, d.Aimags = portal.KindGuideline, 2025, a.cyrillic+" "+a.latin, []string{a.id}
		d.Updated = base.Add(time.Duration(i%3) * time.Hour)
		docs = append(docs, d)
	}
	return docs
}

// testIDsOnly asks for ids alone, in one large page and in smaller ones, and checks they are
// the hits of the full query's pages of MaxPerPage, in their order, with their kinds and
// scores, and nothing else: place names in both scripts, with filters and without words.
func testIDsOnly(t *testing.T, s portal.Searcher) {
	index(t, s, placesCorpus()...)
	for _, q := range []portal.SearchQuery{
		{Text: "Umnugovi"},
		{Text: "Өмнөговь"},
		{Text: "Ömnögovi shelter"},
		{Text: "Дорноговь", Kind: portal.KindService, Aimag: "dornogovi"},
		{Text: "Dornogovi", Kind: portal.KindService, Language: portal.English},
		{Text: "Ulaanbaatar", Kind: portal.KindService, Type: "shelter"},
		{Text: "Улаанбаатар day night"},
		{Text: "", Kind: portal.KindService},
		{Text: "", Aimag: "omnogovi"},
	} {
		full := allPages(t, s, q)
		if len(full.Hits) == 0 {
			t.Errorf("%+v: nothing found, the comparison proves nothing", q)
			continue
		}
		q.IDsOnly = true
		q.Page, q.PerPage = 1, portal.MaxIDsPerPage
		checkIDs(t, q, find(t, s, q), full, 0)
		// Smaller pages, across the full query's: the same hits, sliced.
		q.Page, q.PerPage = 2, 150
		checkIDs(t, q, find(t, s, q), full, 150)
	}
}

// allPages returns the hits of every full page of q, MaxPerPage each, and the total.
func allPages(t *testing.T, s portal.Searcher, q portal.SearchQuery) *portal.SearchResult {
	t.Helper()
	out := &portal.SearchResult{}
	for page := 1; ; page++ {
		q.Page, q.PerPage = page, portal.MaxPerPage
		res := find(t, s, q)
		out.Total, out.Hits = res.Total, append(out.Hits, res.Hits...)
		if len(res.Hits) < portal.MaxPerPage {
			return out
		}
	}
}

// checkIDs checks that the hits of an ids-only search are those of full from offset on, at
// most q.PerPage of them, with only their ids, kinds and scores.
func checkIDs(t *testing.T, q portal.SearchQuery, got, full *portal.SearchResult, offset int) {
	t.Helper()
	want := full.Hits[min(offset, len(full.Hits)):min(offset+q.PerPage, len(full.Hits))]
	if got.Total != full.Total || !slices.Equal(ids(got), ids(&portal.SearchResult{Hits: want})) {
		t.Errorf("%+v: ids\n%v (total %d), want the full query's\n%v (total %d)", q, ids(got), got.Total,
			ids(&portal.SearchResult{Hits: want}), full.Total)
		return
	}
	for i, h := range got.Hits {
		w := want[i]
		if h.Kind != w.Kind || h.Score != w.Score {
			t.Errorf("%+v: hit %s is a %q scoring %v, want a %q scoring %v", q, h.ID, h.Kind, h.Score, w.Kind, w.Score)
		}
		if h.Title != "" || h.URL != "" || h.Language != "" || h.Snippet != nil {
			t.Errorf("%+v: hit %+v: want only the id, kind and score", q, h)
		}
	}
	if len(got.Facets) != 0 {
		t.Errorf("%+v: facets %v, want none", q, got.Facets)
	}
}
