package meili

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/gobidialogue/portal"
)

// thingsPage is Meilisearch's answer to the multi-search of a search for things: the page
// (distinct: one record per thing, the best-ranked, here one Mongolian and one English),
// with the things' facets; and the language count, no hits.
const thingsPage = `{"results":[{
  "indexUid":"portal",
  "hits":[
    {"id":"service_3Amn_3Ashelter","kind":"service","thing":"service:shelter","language":"mn","title":"Хамгаалах байр",
     "url":"/directory/services/shelter?lang=mn","places":"Өмнөговь Umnugovi","body":"Аюулгүй байр.",
     "_formatted":{"body_f":"aiolgoi vair"},"_rankingScore":0.9},
    {"id":"service_3Aen_3Alegal","kind":"service","thing":"service:legal","language":"en","title":"Legal aid",
     "url":"/directory/services/legal?lang=en","places":"Өмнөговь Umnugovi","body":"Advice on contracts.",
     "_formatted":{"body_f":"advitse on tsontrats"},"_rankingScore":0.8}
  ],
  "query":"omnogovi","processingTimeMs":1,"hitsPerPage":2,"page":1,"totalPages":2,"totalHits":3,
  "facetDistribution":{"kind":{"service":3},"aimags":{"umnugovi":3},"types":{"shelter":1,"legal":2}}
},{
  "indexUid":"portal","hits":[],"query":"omnogovi","processingTimeMs":1,"hitsPerPage":0,"page":1,"totalPages":0,"totalHits":5,
  "facetDistribution":{"language":{"mn":2,"en":3}}
}]}`

// thingsFake answers the multi-search with page and the search for preferred records with
// preferred.
func thingsFake(t *testing.T, page, preferred string) (*fakeMeili, *Index) {
	t.Helper()
	f := newFake(t)
	f.replies["POST /multi-search"] = func([]byte) reply { return reply{200, page} }
	f.replies["POST /indexes/portal/search"] = func([]byte) reply { return reply{200, preferred} }
	ix := f.open(t, Config{})
	f.reset()
	return f, ix
}

func TestSearchThingsRequests(t *testing.T) {
	preferred := `{"hits":[{"id":"service_3Amn_3Alegal","kind":"service","thing":"service:legal","language":"mn",
		"title":"Хууль зүйн туслалцаа","url":"/directory/services/legal?lang=mn","places":"Өмнөговь","body":"Гэрээний зөвлөгөө.",
		"_formatted":{"body_f":"gereenii zovlogo"},"_rankingScore":0.5}],
		"query":"omnogovi","processingTimeMs":1,"hitsPerPage":1,"page":1,"totalPages":1,"totalHits":1}`
	f, ix := thingsFake(t, thingsPage, preferred)
	q := portal.SearchQuery{Text: "Өмнөговь", Kind: portal.KindService, Aimag: "umnugovi", Page: 1, PerPage: 2,
		Things: true, Prefer: portal.Mongolian}
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.calls(), []string{"POST /multi-search", "POST /indexes/portal/search"}; !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
	const (
		common   = `"matchingStrategy":"all","hybrid":null,"filter":["kind = \"service\"","aimags = \"umnugovi\""]`
		retrieve = `"attributesToRetrieve":["id","kind","thing","language","title","url","places","body","body_f"],` +
			`"attributesToHighlight":["body_f"],"highlightPreTag":"\ue000","highlightPostTag":"\ue001"`
	)
	checkJSON(t, "multi-search", f.bodies("POST /multi-search")[0], `{"queries":[
		{"indexUid":"portal","q":"omnogovi",`+common+`,"showRankingScore":true,"distinct":"thing",
		 "facets":["kind","aimags","types","year"],"page":1,"hitsPerPage":2,`+retrieve+`},
		{"indexUid":"portal","q":"omnogovi",`+common+`,"facets":["language"],"page":1,"hitsPerPage":0}]}`)
	// The English hit's thing, in Mongolian, among the records that match.
	checkJSON(t, "preferred", f.bodies("POST /indexes/portal/search")[0], `{"q":"omnogovi","matchingStrategy":"all",
		"hybrid":null,"showRankingScore":true,"distinct":"thing","page":1,"hitsPerPage":1,`+retrieve+`,
		"filter":["kind = \"service\"","aimags = \"umnugovi\"","language = \"mn\"","thing IN [\"service:legal\"]"]}`)
	want := &portal.SearchResult{
		Total: 3,
		Hits: []portal.SearchHit{{
			ID: "service:mn:shelter", Kind: "service", Thing: "service:shelter", Language: "mn", Title: "Хамгаалах байр",
			URL: "/directory/services/shelter?lang=mn", Snippet: []portal.SnippetPart{{Text: "Аюулгүй байр."}}, Score: 0.9,
		}, {
			// The Mongolian record stands for its thing, with the thing's score: that of
			// the English record that ranked it, spelled as typed (the place).
			ID: "service:mn:legal", Kind: "service", Thing: "service:legal", Language: "mn", Title: "Хууль зүйн туслалцаа",
			URL: "/directory/services/legal?lang=mn", Snippet: []portal.SnippetPart{{Text: "Гэрээний зөвлөгөө."}}, Score: 0.8 + exactBonus,
		}},
		Facets: map[string][]portal.FacetCount{
			"kind":     {{Value: "service", Count: 3}},
			"aimag":    {{Value: "umnugovi", Count: 3}},
			"type":     {{Value: "legal", Count: 2}, {Value: "shelter", Count: 1}},
			"language": {{Value: "en", Count: 3}, {Value: "mn", Count: 2}},
		},
	}
	// The shelter scores 0.9 + exactBonus too: both hold "Өмнөговь" as typed.
	want.Hits[0].Score += exactBonus
	if !reflect.DeepEqual(res, want) {
		got, _ := json.MarshalIndent(res, "", "  ")
		exp, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("Search =\n%s\nwant\n%s", got, exp)
	}
}

func TestSearchThingsKeepsAHitWithoutAPreferredMatch(t *testing.T) {
	none := `{"hits":[],"query":"omnogovi","processingTimeMs":1,"hitsPerPage":1,"page":1,"totalPages":0,"totalHits":0}`
	f, ix := thingsFake(t, thingsPage, none)
	res, err := ix.Search(context.Background(), portal.SearchQuery{Text: "Umnugovi", PerPage: 2, Things: true, Prefer: portal.Mongolian})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{res.Hits[0].ID, res.Hits[1].ID}; !slices.Equal(got, []string{"service:mn:shelter", "service:en:legal"}) {
		t.Errorf("hits %v: the English record stands for its thing when its Mongolian one does not match", got)
	}
	if len(f.calls()) != 2 {
		t.Errorf("sent %q", f.calls())
	}
}

func TestSearchThingsAsksNoMoreWhenThePageIsInThePreferredLanguage(t *testing.T) {
	for _, prefer := range []portal.Language{"", portal.English} {
		page := thingsPage // with no preference, the best-ranked records stand
		if prefer != "" {
			// Both hits in English.
			page = `{"results":[{"hits":[{"id":"service_3Aen_3Alegal","kind":"service","thing":"service:legal","language":"en",
				"title":"Legal aid","url":"/x","places":"","body":"","_formatted":{"body_f":""},"_rankingScore":0.8}],
				"query":"legal","processingTimeMs":1,"hitsPerPage":20,"page":1,"totalPages":1,"totalHits":1},
				{"hits":[],"query":"legal","processingTimeMs":1,"hitsPerPage":0,"page":1,"totalPages":0,"totalHits":1,
				 "facetDistribution":{"language":{"en":1}}}]}`
		}
		f, ix := thingsFake(t, page, "")
		if _, err := ix.Search(context.Background(), portal.SearchQuery{Text: "legal", Things: true, Prefer: prefer}); err != nil {
			t.Fatal(err)
		}
		if got := f.calls(); !slices.Equal(got, []string{"POST /multi-search"}) {
			t.Errorf("prefer %q: sent %q, want the multi-search alone", prefer, got)
		}
	}
	// A language filter: every hit is in it, whatever is preferred.
	f, ix := thingsFake(t, thingsPage, "")
	q := portal.SearchQuery{Text: "Umnugovi", Language: portal.English, Things: true, Prefer: portal.Mongolian}
	if _, err := ix.Search(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if got := f.calls(); !slices.Equal(got, []string{"POST /multi-search"}) {
		t.Errorf("with a language filter: sent %q, want the multi-search alone", got)
	}
}

func TestSearchThingsWithoutWords(t *testing.T) {
	f, ix := thingsFake(t, thingsPage, `{"hits":[],"totalHits":0}`)
	if _, err := ix.Search(context.Background(), portal.SearchQuery{Type: "shelter", Things: true}); err != nil {
		t.Fatal(err)
	}
	// Newest first, nothing to highlight; the count by language has no sort.
	checkJSON(t, "multi-search", f.bodies("POST /multi-search")[0], `{"queries":[
		{"indexUid":"portal","q":"","matchingStrategy":"all","hybrid":null,"filter":["types = \"shelter\""],
		 "showRankingScore":true,"distinct":"thing","facets":["kind","aimags","types","year"],"page":1,"hitsPerPage":20,
		 "attributesToRetrieve":["id","kind","thing","language","title","url","places","body"],"sort":["updated:desc"]},
		{"indexUid":"portal","q":"","matchingStrategy":"all","hybrid":null,"filter":["types = \"shelter\""],
		 "facets":["language"],"page":1,"hitsPerPage":0}]}`)
}

func TestSearchThingsErrors(t *testing.T) {
	f := newFake(t)
	f.replies["POST /multi-search"] = func([]byte) reply {
		return apiError(500, "Meilisearch experienced an internal error.", "internal")
	}
	ix := f.open(t, Config{})
	_, err := ix.Search(context.Background(), portal.SearchQuery{Text: "shelter", Things: true})
	if portal.ErrorCode(err) != portal.EUNAVAILABLE {
		t.Errorf("Search = %v, want an unavailable error", err)
	}
	f.replies["POST /multi-search"] = func([]byte) reply { return reply{200, `{"results":[]}`} }
	if _, err := ix.Search(context.Background(), portal.SearchQuery{Text: "shelter", Things: true}); err == nil {
		t.Error("an answer without the two results is no error")
	}
}
