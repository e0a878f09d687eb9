package searchtest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
)

// thingsCorpus is services in both languages (a record per language, one thing), a
// guideline paragraph in both languages kept in step (one thing), and a paragraph whose
// translation is not (a thing of its own). Every record of a thing has the same facet
// values but the language, and one record per language, as the portal's records do.
func thingsCorpus() []portal.SearchDoc {
	service := func(id string, mn, en [2]string, places, aimag, typ string) []portal.SearchDoc {
		var docs []portal.SearchDoc
		for _, l := range []struct {
			lang        portal.Language
			title, body string
		}{{portal.Mongolian, mn[0], mn[1]}, {portal.English, en[0], en[1]}} {
			d := rec("service:"+string(l.lang)+":"+id, l.title, l.body)
			d.Thing, d.Language, d.Places = "service:"+id, l.lang, places
			d.URL = "/directory/services/" + id + "?lang=" + string(l.lang)
			d.Aimags, d.Types = []string{aimag}, []string{typ}
			docs = append(docs, d)
		}
		return docs
	}
	omnogovi, capital := "Өмнөговь Ömnögovi Umnugovi", "Улаанбаатар Ulaanbaatar"
	docs := slices.Concat(
		service("shelter", [2]string{"Хамгаалах байр", "Эмэгтэйчүүд, хүүхдэд зориулсан аюулгүй байр."},
			[2]string{"Shelter", "Safe rooms for women and children."}, omnogovi, "omnogovi", "shelter"),
		service("legal", [2]string{"Хууль зүйн туслалцаа", "Хөдөлмөрийн гэрээний зөвлөгөө."},
			[2]string{"Legal aid", "Advice on labour contracts, legal help."}, omnogovi, "omnogovi", "legal"),
		service("hotline", [2]string{"Тусламжийн утас", "Өдөр шөнөгүй."},
			[2]string{"Hotline", "Day and night."}, capital, "ulaanbaatar", "hotline"),
	)
	for _, p := range []struct {
		lang portal.Language
		body string
	}{{portal.Mongolian, "Жолооч нар Өмнөговиос хил хүртэл амардаг."}, {portal.English, "Drivers rest on the road from Umnugovi to the border."}} {
		d := rec("guideline:"+string(p.lang)+":roads:p-"+string(p.lang), "Roads", p.body)
		d.Kind, d.Language, d.Thing, d.Year, d.Aimags = portal.KindGuideline, p.lang, "guideline:roads:shape:4", 2025, []string{"omnogovi"}
		docs = append(docs, d)
	}
	alone := rec("guideline:en:stops:p-1", "Truck stops", "Truck stops near Umnugovi need lighting.")
	alone.Kind, alone.Year, alone.Aimags = portal.KindGuideline, 2025, []string{"omnogovi"}
	return append(docs, alone)
}

// things searches for things with a page large enough for the corpus.
func things(t *testing.T, s portal.Searcher, q portal.SearchQuery) *portal.SearchResult {
	t.Helper()
	q.Things = true
	if q.PerPage == 0 {
		q.PerPage = portal.MaxPerPage
	}
	res := find(t, s, q)
	seen := map[string]bool{}
	for _, h := range res.Hits {
		if h.Thing == "" || seen[h.Thing] {
			t.Errorf("%+v: hit %s stands for thing %q, which is empty or has a hit already", q, h.ID, h.Thing)
		}
		seen[h.Thing] = true
	}
	return res
}

func testThings(t *testing.T, s portal.Searcher) {
	index(t, s, thingsCorpus()...)
	for _, tt := range []struct {
		name string
		q    portal.SearchQuery
		want []string // the hits, in any order
	}{{
		"a place both languages name, in Mongolian",
		portal.SearchQuery{Text: "Өмнөговь", Prefer: portal.Mongolian},
		[]string{"service:mn:shelter", "service:mn:legal", "guideline:mn:roads:p-mn", "guideline:en:stops:p-1"},
	}, {
		"the same place, in English",
		portal.SearchQuery{Text: "Umnugovi", Prefer: portal.English},
		[]string{"service:en:shelter", "service:en:legal", "guideline:en:roads:p-en", "guideline:en:stops:p-1"},
	}, {
		"only the English record matches: it stands in",
		portal.SearchQuery{Text: "legal", Prefer: portal.Mongolian},
		[]string{"service:en:legal"},
	}, {
		"only the Mongolian record matches",
		portal.SearchQuery{Text: "аюулгүй", Prefer: portal.English},
		[]string{"service:mn:shelter"},
	}, {
		"a language filter keeps that language's records",
		portal.SearchQuery{Text: "Umnugovi", Language: portal.English, Prefer: portal.Mongolian},
		[]string{"service:en:shelter", "service:en:legal", "guideline:en:roads:p-en", "guideline:en:stops:p-1"},
	}, {
		"no words: every thing the filters select, once",
		portal.SearchQuery{Kind: portal.KindService, Prefer: portal.Mongolian},
		[]string{"service:mn:shelter", "service:mn:legal", "service:mn:hotline"},
	}, {
		"a filter",
		portal.SearchQuery{Text: "Ulaanbaatar", Type: "hotline", Prefer: portal.English},
		[]string{"service:en:hotline"},
	}} {
		res := things(t, s, tt.q)
		sameSet(t, tt.name, res, tt.want...)
		for _, h := range res.Hits {
			if h.Title == "" || h.URL == "" || h.Language == "" || h.Kind == "" {
				t.Errorf("%s: hit %+v lacks its record's fields", tt.name, h)
			}
		}
	}
	// Facet counts count things: a value counts the things with a matching record that
	// has it; the language, the things with a matching record in that language.
	res := things(t, s, portal.SearchQuery{Text: "Өмнөговь", Prefer: portal.Mongolian, PerPage: 1})
	checkFacets(t, "things", res, map[string]map[string]int{
		"kind":     {"service": 2, "guideline": 2},
		"aimag":    {"omnogovi": 4},
		"type":     {"shelter": 1, "legal": 1},
		"language": {"mn": 3, "en": 4},
		"year":     {"2025": 2},
	})
	if res.Total != 4 || len(res.Hits) != 1 {
		t.Errorf("a page of one: %d hits of %d, want 1 of 4", len(res.Hits), res.Total)
	}
	checkFacets(t, "things of a language", things(t, s, portal.SearchQuery{Text: "Umnugovi", Language: portal.Mongolian}),
		map[string]map[string]int{
			"kind":     {"service": 2, "guideline": 1},
			"aimag":    {"omnogovi": 3},
			"type":     {"shelter": 1, "legal": 1},
			"language": {"mn": 3},
			"year":     {"2025": 1},
		})
	// A search for records is unchanged: every record, and each hit tells its thing.
	thingOf := map[string]string{}
	for _, d := range thingsCorpus() {
		thingOf[d.ID] = d.ThingID()
	}
	rs := text(t, s, "Өмнөговь")
	if rs.Total != 7 {
		t.Errorf("records of Өмнөговь: %d, want 7", rs.Total)
	}
	for _, h := range rs.Hits {
		if h.Thing != thingOf[h.ID] {
			t.Errorf("record hit %s tells thing %q, want %q", h.ID, h.Thing, thingOf[h.ID])
		}
	}
	// Ids only search records, with or without Things.
	ids1 := find(t, s, portal.SearchQuery{Text: "Өмнөговь", IDsOnly: true, PerPage: 100})
	ids2 := find(t, s, portal.SearchQuery{Text: "Өмнөговь", IDsOnly: true, Things: true, PerPage: 100})
	if ids1.Total != 7 || !slices.Equal(ids(ids1), ids(ids2)) {
		t.Errorf("ids only: %v and, with Things, %v: want the 7 records both times", ids(ids1), ids(ids2))
	}
}

// testThingsRanking checks that things come in the order of their best-ranked records, and
// that their pages are disjoint and complete.
func testThingsRanking(t *testing.T, s portal.Searcher) {
	const n = 60
	var docs []portal.SearchDoc
	for i := range n {
		for _, lang := range portal.Languages {
			title := fmt.Sprintf("Office %d", i)
			if i%3 == 0 && lang == portal.English {
				title = fmt.Sprintf("Shelter office %d", i) // ranks its thing first
			}
			d := rec(fmt.Sprintf("service:%s:s%02d", lang, i), title, "A shelter for the night, and an office.")
			d.Thing, d.Language = fmt.Sprintf("service:s%02d", i), lang
			d.Updated = base.Add(time.Duration(i) * time.Hour)
			docs = append(docs, d)
		}
	}
	index(t, s, docs...)
	for _, q := range []portal.SearchQuery{{Text: "shelter"}, {}} {
		// The order of things is that of their first records in a search for records.
		var want []string
		seen := map[string]bool{}
		for _, h := range allPages(t, s, q).Hits {
			if !seen[h.Thing] {
				seen[h.Thing] = true
				want = append(want, h.Thing)
			}
		}
		if len(want) != n {
			t.Fatalf("%q: %d things in the records, want %d", q.Text, len(want), n)
		}
		var got []string
		for page := 1; page <= 4; page++ {
			res := things(t, s, portal.SearchQuery{Text: q.Text, Page: page, PerPage: 25, Prefer: portal.Mongolian})
			if res.Total != n {
				t.Errorf("%q page %d: total %d, want %d things", q.Text, page, res.Total, n)
			}
			if wantLen := min(25, max(n-(page-1)*25, 0)); len(res.Hits) != wantLen {
				t.Errorf("%q page %d: %d hits, want %d", q.Text, page, len(res.Hits), wantLen)
			}
			for _, h := range res.Hits {
				got = append(got, h.Thing)
				if h.Language != portal.Mongolian {
					t.Errorf("%q: hit %s is not the Mongolian record, which matches", q.Text, h.ID)
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: things in the order\n%v\nwant that of their best records\n%v", q.Text, got, want)
		}
	}
}
