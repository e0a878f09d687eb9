package meili

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
)

// The adapter's tests run against fakeMeili, which answers as Meilisearch's documentation
// says; conformance_test.go runs the shared suite against a real server when there is one.

func TestOpenCreatesIndexAndAppliesSettings(t *testing.T) {
	f := newFake(t)
	f.open(t, Config{Synonyms: map[string][]string{
		"Ulaanbaatar": {"UB", "Улаанбаатар", "Ulan Bator"},
		"ub":          {"Ulaanbaatar", "Ulan Bator"},
		"Ulan Bator":  {"UB", "Ulaanbaatar"},
		"Өмнөговь":    {"Umnugovi", "South Gobi"},
		"South Gobi":  {"Өмнөговь"},
	}})
	want := []string{
		"GET /health",
		"GET /version",
		"GET /indexes/portal",
		"POST /indexes",
		"PATCH /indexes/portal/settings",
	}
	if got := f.calls(); !slices.Equal(got, want) {
		t.Errorf("Open sent\n%q\nwant\n%q", got, want)
	}
	checkJSON(t, "POST /indexes", f.bodies("POST /indexes")[0], `{"uid":"portal","primaryKey":"id"}`)
	checkGolden(t, "settings.json", f.bodies("PATCH /indexes/portal/settings")[0])
	// Every task was waited for until it was done (each is processing at the first look).
	for _, task := range f.tasks {
		if task.polled < 2 {
			t.Errorf("task %d (%s) was not waited for: polled %d times", task.uid, task.route, task.polled)
		}
	}
	for _, r := range f.requests {
		if r.Auth != "Bearer "+fakeKey {
			t.Errorf("%s sent Authorization %q, want the key as a bearer token", r.route(), r.Auth)
		}
	}
}

func TestOpenKeepsAnExistingIndex(t *testing.T) {
	f := newFake(t)
	f.index = `{"uid":"portal","primaryKey":"id","createdAt":"2024-11-04T10:00:00Z","updatedAt":"2024-11-04T10:00:00Z"}`
	f.open(t, Config{})
	want := []string{
		"GET /health",
		"GET /version",
		"GET /indexes/portal",
		"PATCH /indexes/portal/settings",
		// No synonyms configured: those an earlier configuration set are cleared.
		"DELETE /indexes/portal/settings/synonyms",
	}
	if got := f.calls(); !slices.Equal(got, want) {
		t.Errorf("Open sent\n%q\nwant\n%q", got, want)
	}
}

func TestOpenRefusesAnIndexWithAnotherPrimaryKey(t *testing.T) {
	f := newFake(t)
	f.index = `{"uid":"portal","primaryKey":"ref","createdAt":"2024-11-04T10:00:00Z","updatedAt":"2024-11-04T10:00:00Z"}`
	_, err := Open(context.Background(), Config{URL: f.srv.URL, Key: fakeKey})
	if err == nil || !strings.Contains(err.Error(), `primary key "ref"`) {
		t.Fatalf("Open = %v, want an error about the primary key", err)
	}
}

func TestOpenToleratesAnIndexCreatedMeanwhile(t *testing.T) {
	f := newFake(t)
	f.failTasks["POST /indexes"] = `{"message":"Index ` + "`portal`" + ` already exists.","code":"index_already_exists","type":"invalid_request","link":"https://docs.meilisearch.com/errors#index_already_exists"}`
	f.open(t, Config{})
}

func TestOpenUnreachableNamesTheURLNotTheKey(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	url := "http://admin:hunter2@" + addr
	_, err = Open(context.Background(), Config{URL: url, Key: fakeKey, Timeout: 2 * time.Second})
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, "http://admin:xxxxx@"+addr) || !strings.Contains(msg, "does not answer") {
		t.Errorf("error %q does not name the URL", msg)
	}
	if strings.Contains(msg, fakeKey) || strings.Contains(msg, "hunter2") {
		t.Errorf("error %q shows a secret", msg)
	}
	if code := portal.ErrorCode(err); code != portal.EUNAVAILABLE {
		t.Errorf("code %q, want %q", code, portal.EUNAVAILABLE)
	}
}

func TestOpenWithAWrongKey(t *testing.T) {
	f := newFake(t)
	f.replies["GET /version"] = func([]byte) reply {
		return apiError(403, "The provided API key is invalid.", "invalid_api_key")
	}
	_, err := Open(context.Background(), Config{URL: f.srv.URL, Key: fakeKey})
	if err == nil {
		t.Fatal("Open with a refused key succeeded")
	}
	msg := err.Error()
	for _, s := range []string{f.srv.URL, "The provided API key is invalid.", "invalid_api_key", "HTTP 403"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not say %q", msg, s)
		}
	}
	if strings.Contains(msg, fakeKey) {
		t.Errorf("error %q shows the key", msg)
	}
}

func TestOpenRefusesAnOldMeilisearch(t *testing.T) {
	f := newFake(t)
	f.replies["GET /version"] = func([]byte) reply {
		return reply{200, `{"commitSha":"a","commitDate":"2024-01-01T00:00:00Z","pkgVersion":"1.11.3"}`}
	}
	_, err := Open(context.Background(), Config{URL: f.srv.URL, Key: fakeKey})
	if err == nil || !strings.Contains(err.Error(), "version 1.11.3") || !strings.Contains(err.Error(), f.srv.URL) {
		t.Fatalf("Open = %v, want an error naming the version and the URL", err)
	}
	for v, ok := range map[string]bool{"1.15.0": true, "v1.16.0-rc.1": true, "2.0.0": true, "1.9.9": false, "0.30.5": false, "": true} {
		if recentEnough(v) != ok {
			t.Errorf("recentEnough(%q) = %v", v, !ok)
		}
	}
}

func TestOpenFailsWhenTheSettingsTaskFails(t *testing.T) {
	f := newFake(t)
	f.failTasks["PATCH /indexes/portal/settings"] = `{"message":"Invalid value type at ` + "`.typoTolerance.disableOnNumbers`" + `: unknown field","code":"invalid_settings_typo_tolerance","type":"invalid_request","link":"https://docs.meilisearch.com/errors#invalid_settings_typo_tolerance"}`
	_, err := Open(context.Background(), Config{URL: f.srv.URL, Key: fakeKey})
	var te *TaskError
	if !errors.As(err, &te) || te.Code != "invalid_settings_typo_tolerance" || te.Status != "failed" {
		t.Fatalf("Open = %v, want the failed task's error", err)
	}
	if !strings.Contains(err.Error(), "disableOnNumbers") {
		t.Errorf("error %q does not give Meilisearch's message", err)
	}
}

func TestOpenChecksItsConfig(t *testing.T) {
	for _, cfg := range []Config{
		{URL: ""},
		{URL: "127.0.0.1:7700"},
		{URL: "ftp://127.0.0.1"},
		{URL: "http://127.0.0.1:7700", Index: "portal/../keys"},
	} {
		if _, err := Open(context.Background(), cfg); err == nil {
			t.Errorf("Open(%+v) succeeded", cfg)
		}
	}
}

// testDocs are two records: Cyrillic and Latin place names, a portal id with colons, the
// highlight runes in a title.
func testDocs() []portal.SearchDoc {
	return []portal.SearchDoc{{
		ID:       "service:mn:ub-safe-house",
		Kind:     portal.KindService,
		Thing:    "service:ub-safe-house",
		Language: portal.Mongolian,
		Title:    "Аюулгүй байр \uE000fake\uE001 mark",
		Body:     "Хамгаалах байр, Өмнөговь аймаг.",
		Places:   "Өмнөговь Umnugovi Ömnögovi",
		URL:      "/directory/services/ub-safe-house",
		Aimags:   []string{"umnugovi"},
		Types:    []string{"shelter", "legal"},
		Updated:  time.Date(2024, 11, 4, 10, 0, 0, 0, time.UTC),
		Hash:     "h1",
	}, {
		ID:       "guideline:en:truck-drivers:p-1a2b",
		Kind:     portal.KindGuideline,
		Language: portal.English,
		Title:    "Support for truck drivers",
		Body:     "Companies brief drivers at Zamyn-Üüd.",
		Places:   "Дорноговь Dornogovi Замын-Үүд",
		URL:      "/guidelines/truck-drivers#p-1a2b",
		Aimags:   []string{"dornogovi"},
		Year:     2024,
		Hash:     "h2",
	}}
}

func TestIndexSendsDocuments(t *testing.T) {
	f := newFake(t)
	ix := f.open(t, Config{})
	f.reset()
	if err := ix.Index(context.Background(), testDocs()...); err != nil {
		t.Fatal(err)
	}
	if got, want := f.calls(), []string{"POST /indexes/portal/documents?primaryKey=id"}; !slices.Equal(got, want) {
		t.Fatalf("Index sent %q, want %q", got, want)
	}
	r := f.requests[0]
	if r.ContentType != "application/json" || r.Auth != "Bearer "+fakeKey {
		t.Errorf("Content-Type %q, Authorization %q", r.ContentType, r.Auth)
	}
	checkGolden(t, "documents.json", r.Body)
	if strings.ContainsAny(string(r.Body), "\uE000\uE001") {
		t.Error("the highlight runes reached the index")
	}
}

func TestIndexInBatches(t *testing.T) {
	f := newFake(t)
	ix := f.open(t, Config{})
	docs := make([]portal.SearchDoc, 2*batchSize+5)
	for i := range docs {
		docs[i] = portal.SearchDoc{ID: fmt.Sprintf("service:mn:s%d", i), Kind: portal.KindService, Title: "x"}
	}
	f.reset()
	if err := ix.Index(context.Background(), docs...); err != nil {
		t.Fatal(err)
	}
	// All batches are sent before the first wait, so that Meilisearch can process them
	// together.
	var routes []string
	for _, r := range f.requests {
		routes = append(routes, r.route())
	}
	if len(routes) < 4 || slices.ContainsFunc(routes[:3], func(r string) bool { return r != "POST /indexes/portal/documents" }) {
		t.Errorf("requests %q: want the three batches first, then the waits", routes)
	}
	var sizes []int
	for _, b := range f.bodies("POST /indexes/portal/documents") {
		var batch []map[string]any
		if err := json.Unmarshal(b, &batch); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(batch))
	}
	if want := []int{batchSize, batchSize, 5}; !slices.Equal(sizes, want) {
		t.Errorf("batches of %v, want %v", sizes, want)
	}
	if err := ix.Index(context.Background()); err != nil {
		t.Errorf("Index of nothing: %v", err)
	}
}

func TestIndexRefusesIDsMeilisearchWouldNot(t *testing.T) {
	f := newFake(t)
	ix := f.open(t, Config{})
	f.reset()
	for _, id := range []string{"", strings.Repeat("é", 100)} { // é is 2 bytes, 6 encoded
		docs := append(testDocs(), portal.SearchDoc{ID: id, Kind: portal.KindService, Title: "x"})
		if err := ix.Index(context.Background(), docs...); err == nil {
			t.Errorf("Index of the id %q succeeded", id)
		}
	}
	if calls := f.calls(); len(calls) != 0 {
		t.Errorf("Index sent %q: a batch with a bad id must not be sent at all", calls)
	}
}

func TestIndexFailsWhenTheTaskFails(t *testing.T) {
	f := newFake(t)
	ix := f.open(t, Config{})
	// The request is accepted (202); the task fails later.
	f.failTasks["POST /indexes/portal/documents"] = `{"message":"Document identifier ` + "`a:b`" + ` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes.","code":"invalid_document_id","type":"invalid_request","link":"https://docs.meilisearch.com/errors#invalid_document_id"}`
	err := ix.Index(context.Background(), testDocs()...)
	var te *TaskError
	if !errors.As(err, &te) {
		t.Fatalf("Index = %v, want a *TaskError", err)
	}
	if te.Code != "invalid_document_id" || te.Status != "failed" || !strings.Contains(te.Message, "is invalid") {
		t.Errorf("task error %+v", te)
	}
	if !strings.Contains(err.Error(), "invalid_document_id") || !strings.Contains(err.Error(), "index 2 records") {
		t.Errorf("error %q does not say what failed", err)
	}
}

func TestWaitGivesUpOnAStuckTask(t *testing.T) {
	f := newFake(t)
	ix := f.open(t, Config{TaskTimeout: 150 * time.Millisecond})
	f.stuckTasks["POST /indexes/portal/documents"] = true
	err := ix.Index(context.Background(), testDocs()...)
	if err == nil || portal.ErrorCode(err) != portal.EUNAVAILABLE || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("Index = %v, want an unavailable error that timed out", err)
	}
}

func TestDeleteSendsIDs(t *testing.T) {
	f := newFake(t)
	ix := f.open(t, Config{})
	f.reset()
	if err := ix.Delete(context.Background()); err != nil || len(f.calls()) != 0 {
		t.Fatalf("Delete of nothing = %v, sent %q", err, f.calls())
	}
	if err := ix.Delete(context.Background(), "service:mn:ub-safe-house", "guideline:en:a_b"); err != nil {
		t.Fatal(err)
	}
	if got, want := f.calls(), []string{"POST /indexes/portal/documents/delete-batch"}; !slices.Equal(got, want) {
		t.Fatalf("Delete sent %q, want %q", got, want)
	}
	checkJSON(t, "delete-batch", f.requests[0].Body, `["service_3Amn_3Aub-safe-house","guideline_3Aen_3Aa_5Fb"]`)

	f.failTasks["POST /indexes/portal/documents/delete-batch"] = `{"message":"Internal error.","code":"internal","type":"internal","link":"https://docs.meilisearch.com/errors#internal"}`
	var te *TaskError
	if err := ix.Delete(context.Background(), "x"); !errors.As(err, &te) || te.Code != "internal" {
		t.Errorf("Delete with a failed task = %v", err)
	}
}

func TestSearchRequest(t *testing.T) {
	const (
		facets    = `"facets":["kind","aimags","types","language","year"]`
		retrieve  = `"attributesToRetrieve":["id","kind","thing","language","title","url","places","body","body_f"]`
		highlight = `"attributesToHighlight":["body_f"],"highlightPreTag":"\ue000","highlightPostTag":"\ue001"`
		common    = `"matchingStrategy":"all","showRankingScore":true,"hybrid":null,` + facets
	)
	for _, tt := range []struct {
		name string
		q    portal.SearchQuery
		want string
	}{{
		name: "words are folded, filters quoted",
		q:    portal.SearchQuery{Text: "Umnugovi shelter", Kind: portal.KindService, Aimag: "umnugovi", Page: 2, PerPage: 10},
		want: `{"q":"omnogovi shelter",` + common + `,"page":2,"hitsPerPage":10,` + retrieve + `,` + highlight + `,
			"filter":["kind = \"service\"","aimags = \"umnugovi\""]}`,
	}, {
		name: "quotes and backslashes in a filter value cannot end it",
		q:    portal.SearchQuery{Text: "Өмнөговь", Type: `legal" OR kind = "x`, Aimag: `a\" b\`},
		want: `{"q":"omnogovi",` + common + `,"page":1,"hitsPerPage":20,` + retrieve + `,` + highlight + `,
			"filter":["aimags = \"a\\\\\\\" b\\\\\"","types = \"legal\\\" OR kind = \\\"x\""]}`,
	}, {
		name: "operators and an unbalanced quote are only separators",
		q:    portal.SearchQuery{Text: `"Zamiin-Uud -shelter* (legal): [x]`, Language: portal.English, Year: 2024, PerPage: 500},
		want: `{"q":"zamin od shelter legal x",` + common + `,"page":1,"hitsPerPage":100,` + retrieve + `,` + highlight + `,
			"filter":["language = \"en\"","year = 2024"]}`,
	}, {
		name: "no words: everything, newest first, nothing to highlight",
		q:    portal.SearchQuery{Text: " *** ", Page: -3},
		want: `{"q":"",` + common + `,"page":1,"hitsPerPage":20,
			"attributesToRetrieve":["id","kind","thing","language","title","url","places","body"],"sort":["updated:desc"]}`,
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

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		`umnugovi`:     `"umnugovi"`,
		`a"b`:          `"a\"b"`,
		`a\b`:          `"a\\b"`,
		`\"`:           `"\\\""`,
		`x" OR 1 = "1`: `"x\" OR 1 = \"1"`,
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%s) = %s, want %s", in, got, want)
		}
	}
}

// searchResponse is a search response as Meilisearch documents it, with page and
// hitsPerPage: hits with _formatted (the folded body highlighted with the tags asked for)
// and _rankingScore, facetDistribution, facetStats and the exhaustive totals.
const searchResponse = `{
  "hits": [
    {
      "id": "service_3Amn_3Aub-safe-house",
      "kind": "service",
      "thing": "service:ub-safe-house",
      "language": "mn",
      "title": "Аюулгүй байр",
      "url": "/directory/services/ub-safe-house",
      "places": "Өмнөговь",
      "body": "Хамгаалах байр, Өмнөговь аймаг.",
      "body_f": "hamgalah vair omnogovi aimag",
      "_formatted": {
        "id": "service_3Amn_3Aub-safe-house",
        "kind": "service",
        "language": "mn",
        "title": "Аюулгүй байр",
        "url": "/directory/services/ub-safe-house",
        "body": "Хамгаалах байр, Өмнөговь аймаг.",
        "body_f": "hamgalah vair \ue000omnogovi\ue001 aimag"
      },
      "_rankingScore": 0.9727272727272728
    },
    {
      "id": "guideline_3Aen_3Atruck-drivers_3Ap-1a2b",
      "kind": "guideline",
      "language": "en",
      "title": "Support for truck drivers",
      "url": "/guidelines/truck-drivers#p-1a2b",
      "body": "Companies brief drivers at Zamyn-Üüd, on the road to Umnugovi.",
      "body_f": "tsompanies vrief drivers at zamin od on the road to omnogovi",
      "_formatted": {
        "id": "guideline_3Aen_3Atruck-drivers_3Ap-1a2b",
        "body": "Companies brief drivers at Zamyn-Üüd, on the road to Umnugovi.",
        "body_f": "tsompanies vrief drivers at zamin od on the road to \ue000omno\ue001govi"
      },
      "_rankingScore": 0.5
    }
  ],
  "query": "omnogovi",
  "processingTimeMs": 2,
  "hitsPerPage": 2,
  "page": 1,
  "totalPages": 4,
  "totalHits": 7,
  "facetDistribution": {
    "aimags": {"dornogovi": 2, "umnugovi": 5},
    "kind": {"guideline": 2, "service": 5},
    "language": {"en": 3, "mn": 4},
    "types": {"shelter": 5},
    "year": {"2024": 2}
  },
  "facetStats": {"year": {"min": 2024, "max": 2024}}
}`

func TestSearchReadsTheResponse(t *testing.T) {
	f := newFake(t)
	f.replies["POST /indexes/portal/search"] = func([]byte) reply { return reply{200, searchResponse} }
	ix := f.open(t, Config{})
	res, err := ix.Search(context.Background(), portal.SearchQuery{Text: "Umnugovi", PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := &portal.SearchResult{
		Total: 7,
		Hits: []portal.SearchHit{{
			ID: "service:mn:ub-safe-house", Kind: "service", Thing: "service:ub-safe-house", Language: "mn", Title: "Аюулгүй байр",
			URL: "/directory/services/ub-safe-house",
			Snippet: []portal.SnippetPart{
				{Text: "Хамгаалах байр, "}, {Text: "Өмнөговь", Match: true}, {Text: " аймаг."},
			},
			Score: 0.9727272727272728,
		}, {
			// No thing: a record of an index from before things, a thing of its own.
			ID: "guideline:en:truck-drivers:p-1a2b", Kind: "guideline", Thing: "guideline:en:truck-drivers:p-1a2b",
			Language: "en", Title: "Support for truck drivers",
			URL: "/guidelines/truck-drivers#p-1a2b",
			Snippet: []portal.SnippetPart{
				{Text: "Companies brief drivers at Zamyn-Üüd, on the road to "}, {Text: "Umnugovi", Match: true}, {Text: "."},
			},
			Score: 0.5 + exactBonus, // spelled as typed

		}},
		Facets: map[string][]portal.FacetCount{
			"aimag":    {{Value: "umnugovi", Count: 5}, {Value: "dornogovi", Count: 2}},
			"kind":     {{Value: "service", Count: 5}, {Value: "guideline", Count: 2}},
			"language": {{Value: "mn", Count: 4}, {Value: "en", Count: 3}},
			"type":     {{Value: "shelter", Count: 5}},
			"year":     {{Value: "2024", Count: 2}},
		},
	}
	if !reflect.DeepEqual(res, want) {
		got, _ := json.MarshalIndent(res, "", "  ")
		exp, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("Search =\n%s\nwant\n%s", got, exp)
	}
}

func TestSearchRanksTheTypedSpellingFirst(t *testing.T) {
	f := newFake(t)
	// Meilisearch ranks both alike: it sees only the folded words.
	f.replies["POST /indexes/portal/search"] = func([]byte) reply {
		return reply{200, `{"hits":[
			{"id":"cyrillic","title":"Өмнөговь office","places":"","body":"Open on weekdays.","_rankingScore":0.9,
			 "_formatted":{"body_f":"open on veekdais"}},
			{"id":"latin","title":"Umnugovi office","places":"","body":"Open on weekdays.","_rankingScore":0.9,
			 "_formatted":{"body_f":"open on veekdais"}},
			{"id":"other","title":"Umnugovi office","places":"Umnugovi","body":"","_rankingScore":0.86,
			 "_formatted":{"body_f":""}}],
			"query":"omnogovi office","processingTimeMs":1,"hitsPerPage":20,"page":1,"totalPages":1,"totalHits":3}`}
	}
	ix := f.open(t, Config{})
	for q, want := range map[string][]string{
		"Umnugovi office": {"latin", "other", "cyrillic"},
		"Өмнөговь office": {"cyrillic", "latin", "other"},
		"OMNOGOVI":        {"cyrillic", "latin", "other"},
	} {
		res, err := ix.Search(context.Background(), portal.SearchQuery{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: hits %v, want %v", q, got, want)
		}
	}
}

func TestSearchErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		reply reply
		code  string
		says  []string
	}{{
		name:  "a filter Meilisearch refuses",
		reply: apiError(400, "Attribute `secret` is not filterable. Available filterable attributes are: `aimags, kind, language, types, year`.\n1:7 secret = 1", "invalid_search_filter"),
		code:  portal.EINTERNAL,
		says:  []string{"invalid_search_filter", "is not filterable", "HTTP 400"},
	}, {
		name:  "a key without the search action",
		reply: apiError(403, "The provided API key is invalid.", "invalid_api_key"),
		code:  portal.EINTERNAL,
		says:  []string{"invalid_api_key", "HTTP 403"},
	}, {
		name:  "an engine failing",
		reply: apiError(500, "Meilisearch experienced an internal error.", "internal"),
		code:  portal.EUNAVAILABLE,
		says:  []string{"internal error", "HTTP 500"},
	}, {
		name:  "a body that is not Meilisearch's",
		reply: reply{500, "<html>oops</html>"},
		code:  portal.EUNAVAILABLE,
		says:  []string{"HTTP 500"},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.replies["POST /indexes/portal/search"] = func([]byte) reply { return tt.reply }
			ix := f.open(t, Config{})
			_, err := ix.Search(context.Background(), portal.SearchQuery{Text: "shelter"})
			if err == nil {
				t.Fatal("Search succeeded")
			}
			if code := portal.ErrorCode(err); code != tt.code {
				t.Errorf("code %q, want %q (%v)", code, tt.code, err)
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if strings.Contains(err.Error(), fakeKey) {
				t.Errorf("error %q shows the key", err)
			}
		})
	}
}

func TestSearchWhenTheEngineIsGone(t *testing.T) {
	f := newFake(t)
	ix := f.open(t, Config{})
	f.srv.Close()
	_, err := ix.Search(context.Background(), portal.SearchQuery{Text: "shelter"})
	if portal.ErrorCode(err) != portal.EUNAVAILABLE {
		t.Fatalf("Search = %v, want an unavailable error", err)
	}
}

func TestHashesPagesThroughDocuments(t *testing.T) {
	f := newFake(t)
	f.replies["POST /indexes/portal/documents/fetch"] = func(body []byte) reply {
		var q struct{ Offset int }
		json.Unmarshal(body, &q)
		if q.Offset == 0 {
			return reply{200, `{"results":[{"id":"service_3Amn_3Aa","hash":"h1"},{"id":"guideline_3Aen_3Ab_5Fc","hash":"h2"}],"offset":0,"limit":2,"total":3}`}
		}
		return reply{200, `{"results":[{"id":"minutes_3Amn_3A2024-05","hash":"h3"}],"offset":2,"limit":2,"total":3}`}
	}
	ix := f.open(t, Config{})
	got, err := ix.Hashes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"service:mn:a": "h1", "guideline:en:b_c": "h2", "minutes:mn:2024-05": "h3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Hashes = %v, want %v", got, want)
	}
	bodies := f.bodies("POST /indexes/portal/documents/fetch")
	if len(bodies) != 2 {
		t.Fatalf("%d requests for documents, want 2", len(bodies))
	}
	checkJSON(t, "first page", bodies[0], `{"limit":1000,"fields":["id","hash"]}`)
	checkJSON(t, "second page", bodies[1], `{"offset":2,"limit":1000,"fields":["id","hash"]}`)
}

func TestDrop(t *testing.T) {
	f := newFake(t)
	ix := f.open(t, Config{})
	f.reset()
	if err := ix.Drop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := f.calls(), []string{"DELETE /indexes/portal"}; !slices.Equal(got, want) {
		t.Errorf("Drop sent %q, want %q", got, want)
	}
}

func TestDocIDRoundTrip(t *testing.T) {
	for _, id := range []string{"", "service:mn:ub-safe-house", "guideline:en:a_b:p-1", "Өмнөговь/x y", "_5F", "a\x00b"} {
		key := docID(id)
		for _, c := range key {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				t.Errorf("docID(%q) = %q holds %q", id, key, c)
			}
		}
		if back, err := portalID(key); err != nil || back != id {
			t.Errorf("portalID(docID(%q)) = %q, %v", id, back, err)
		}
	}
	for _, bad := range []string{"a_", "a_4", "a_ZZ", "_-1"} {
		if _, err := portalID(bad); err == nil {
			t.Errorf("portalID(%q) succeeded", bad)
		}
	}
}

func FuzzDocID(f *testing.F) {
	f.Add("service:mn:ub-safe-house")
	f.Add("_5F_")
	f.Fuzz(func(t *testing.T, id string) {
		if back, err := portalID(docID(id)); err != nil || back != id {
			t.Fatalf("portalID(docID(%q)) = %q, %v", id, back, err)
		}
	})
}

func TestFoldSynonyms(t *testing.T) {
	got := foldSynonyms(map[string][]string{
		"Ulaanbaatar": {"UB", "Улаанбаатар", "Ulan Bator", "UB"},
		"UB":          {"Ulaanbaatar"},
		"Өмнөговь":    {"Umnugovi", "South Gobi", ""},
		"Ханбогд":     {"Khanbogd"}, // folds alike: no synonym needed
		"":            {"x"},
	})
	want := map[string][]string{
		"olanvatar": {"olan vator", "ov"},
		"ov":        {"olanvatar"},
		"omnogovi":  {"soth govi"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("foldSynonyms = %v, want %v", got, want)
	}
}
