package meili

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/gobidialogue/portal"
)

func TestSearchRequestIDsOnly(t *testing.T) {
	const common = `"matchingStrategy":"all","showRankingScore":true,"hybrid":null`
	for _, tt := range []struct {
		name string
		q    portal.SearchQuery
		want string
	}{{
		name: "words: the raw text the spelling typed is ranked by, no facets, no highlighting",
		q:    portal.SearchQuery{Text: "Өмнөговь", Kind: portal.KindService, Aimag: "umnugovi", PerPage: 500, IDsOnly: true},
		want: `{"q":"omnogovi",` + common + `,"page":1,"hitsPerPage":500,
			"attributesToRetrieve":["id","kind","title","places","body"],
			"filter":["kind = \"service\"","aimags = \"umnugovi\""]}`,
	}, {
		name: "a page is at most MaxIDsPerPage",
		q:    portal.SearchQuery{Text: "South Gobi aimag", Page: 3, PerPage: 5000, IDsOnly: true},
		want: `{"q":"soth govi aimag",` + common + `,"page":3,"hitsPerPage":2000,
			"attributesToRetrieve":["id","kind","title","places","body"]}`,
	}, {
		name: "a page across pages of MaxPerPage asks for them whole",
		q:    portal.SearchQuery{Text: "Dornogovi", Page: 2, PerPage: 150, IDsOnly: true},
		want: `{"q":"dornogovi",` + common + `,"page":1,"hitsPerPage":300,
			"attributesToRetrieve":["id","kind","title","places","body"]}`,
	}, {
		name: "past maxTotalHits: the page asked for, which is empty",
		q:    portal.SearchQuery{Text: "Dornogovi", Page: 1 << 60, PerPage: 150, IDsOnly: true},
		want: `{"q":"dornogovi",` + common + `,"page":1152921504606846976,"hitsPerPage":150,
			"attributesToRetrieve":["id","kind","title","places","body"]}`,
	}, {
		name: "no words: ids and kinds, newest first",
		q:    portal.SearchQuery{Text: " *** ", Type: "shelter", IDsOnly: true},
		want: `{"q":"",` + common + `,"page":1,"hitsPerPage":20,
			"attributesToRetrieve":["id","kind"],"sort":["updated:desc"],"filter":["types = \"shelter\""]}`,
	}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.replies["POST /indexes/portal/search"] = func([]byte) reply {
				return reply{200, `{"hits":[],"query":"","processingTimeMs":0,"hitsPerPage":20,"page":1,"totalPages":0,"totalHits":0}`}
			}
			ix := f.open(t, Config{})
			if _, err := ix.Search(context.Background(), tt.q); err != nil {
				t.Fatal(err)
			}
			checkJSON(t, "search", f.bodies("POST /indexes/portal/search")[0], tt.want)
		})
	}
}

// rankedFake makes the fake answer searches from a result Meilisearch ranked: n records
// in order, whose scores fall by less than exactBonus over the whole result, titled with
// "Umnugovi" and "Өмнөговь" in turn; it honours page, hitsPerPage, attributesToRetrieve
// and attributesToHighlight as Meilisearch does.
func rankedFake(t *testing.T, f *fakeMeili, n int) {
	t.Helper()
	f.replies["POST /indexes/portal/search"] = func(body []byte) reply {
		var req struct {
			Page        int      `json:"page"`
			HitsPerPage int      `json:"hitsPerPage"`
			Retrieve    []string `json:"attributesToRetrieve"`
			Highlight   []string `json:"attributesToHighlight"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Errorf("search body: %v", err)
		}
		hits := []map[string]any{}
		for i := (req.Page - 1) * req.HitsPerPage; i < min(n, req.Page*req.HitsPerPage); i++ {
			doc := map[string]any{
				"id": docID(fmt.Sprintf("service:mn:s%03d", i)), "kind": "service", "language": "mn",
				"title": []string{"Umnugovi office", "Өмнөговь office"}[i%2], "url": "/directory/services/s",
				"places": "", "body": "Open on weekdays.", "body_f": "open on veekdais",
			}
			hit := map[string]any{"_rankingScore": 0.9 - 0.0001*float64(i/10)}
			for _, a := range req.Retrieve {
				hit[a] = doc[a]
			}
			if len(req.Highlight) > 0 {
				hit["_formatted"] = map[string]any{"body_f": "open on veekdais"}
			}
			hits = append(hits, hit)
		}
		b, _ := json.Marshal(map[string]any{"hits": hits, "query": "omnogovi", "processingTimeMs": 1,
			"hitsPerPage": req.HitsPerPage, "page": req.Page, "totalPages": (n + req.HitsPerPage - 1) / req.HitsPerPage, "totalHits": n})
		return reply{200, string(b)}
	}
}

// TestSearchIDsOnlyAsPages checks that ids-only hits are ranked as Search's pages of
// MaxPerPage are: the spelling typed first within each page, not across pages, however
// the ids are asked for.
func TestSearchIDsOnlyAsPages(t *testing.T) {
	f := newFake(t)
	const n = 250
	rankedFake(t, f, n)
	ix := f.open(t, Config{})
	ctx := context.Background()
	for _, text := range []string{"Umnugovi office", "Өмнөговь office"} {
		var full []portal.SearchHit
		for page := 1; page <= 3; page++ {
			res, err := ix.Search(ctx, portal.SearchQuery{Text: text, Page: page, PerPage: portal.MaxPerPage})
			if err != nil {
				t.Fatal(err)
			}
			full = append(full, res.Hits...)
		}
		if len(full) != n || full[0].ID == "service:mn:s000" && full[1].ID == "service:mn:s001" {
			t.Fatalf("%q: %d hits, first %v: the fake does not rank as the test needs", text, len(full), ids(full[:2]))
		}
		for _, tt := range []struct{ page, perPage, from int }{{1, portal.MaxIDsPerPage, 0}, {2, 150, 150}, {3, 40, 80}} {
			res, err := ix.Search(ctx, portal.SearchQuery{Text: text, Page: tt.page, PerPage: tt.perPage, IDsOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			want := full[tt.from:min(n, tt.from+tt.perPage)]
			if !slices.Equal(ids(res.Hits), ids(want)) || res.Total != n {
				t.Errorf("%q, page %d of %d ids: %v (total %d), want %v", text, tt.page, tt.perPage, ids(res.Hits), res.Total, ids(want))
				continue
			}
			for i, h := range res.Hits {
				if w := want[i]; !reflect.DeepEqual(h, portal.SearchHit{ID: w.ID, Kind: w.Kind, Score: w.Score}) {
					t.Errorf("%q: ids-only hit %+v, want the id, kind and score of %+v", text, h, w)
				}
			}
			if res.Facets != nil {
				t.Errorf("%q: facets %v, want none", text, res.Facets)
			}
		}
	}
}

func TestWholePages(t *testing.T) {
	for _, tt := range []struct{ from, to, page, perPage, skip int }{
		{0, 500, 1, 500, 0},
		{0, 20, 1, 100, 0},
		{4000, 6000, 3, 2000, 0},
		{150, 300, 1, 300, 150},
		{80, 120, 1, 200, 80},
		{1350, 1500, 5, 300, 150},
		{99_900, 100_050, 334, 300, 0},
	} {
		page, perPage, skip := wholePages(tt.from, tt.to)
		if page != tt.page || perPage != tt.perPage || skip != tt.skip {
			t.Errorf("wholePages(%d, %d) = page %d of %d from %d, want page %d of %d from %d",
				tt.from, tt.to, page, perPage, skip, tt.page, tt.perPage, tt.skip)
		}
		if start := (page - 1) * perPage; start%portal.MaxPerPage != 0 || start > tt.from || start+perPage < tt.to || start+skip != tt.from {
			t.Errorf("wholePages(%d, %d): page %d of %d does not hold it in whole pages", tt.from, tt.to, page, perPage)
		}
	}
}

func ids(hits []portal.SearchHit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}
