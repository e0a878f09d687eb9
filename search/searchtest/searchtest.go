// Package searchtest is the conformance suite every portal.Searcher passes: the embedded
// bleve engine always, Meilisearch when a test server is at hand. It says what the portal
// relies on: upserts and deletions, filters and facets, Mongolian spellings meeting through
// search.Fold, typo tolerance, paging, snippets as plain text, operator-laden queries taken
// as words, ids-only searches ranked as full ones, searches for things (one hit per
// thing, in the language preferred when it matches, counted per thing), and the hashes
// reconciliation reads.
package searchtest

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
)

// Run runs the suite. open returns a new, empty engine for one subtest, and closes it when
// the subtest ends (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) portal.Searcher) {
	tests := []struct {
		name string
		run  func(*testing.T, portal.Searcher)
	}{
		{"Indexing", testIndexing},
		{"Upsert", testUpsert},
		{"Deletion", testDeletion},
		{"Filters", testFilters},
		{"Facets", testFacets},
		{"Folding", testFolding},
		{"ExactSpellingFirst", testExactSpellingFirst},
		{"TitleFirst", testTitleFirst},
		{"Typos", testTypos},
		{"AllWordsMustMatch", testAllWords},
		{"Prefix", testPrefix},
		{"PlaceNames", testPlaceNames},
		{"Paging", testPaging},
		{"IDsOnly", testIDsOnly},
		{"Things", testThings},
		{"ThingsRanking", testThingsRanking},
		{"EmptyTextOrder", testEmptyTextOrder},
		{"Highlighting", testHighlighting},
		{"HighlightingIsPlainText", testHighlightingPlainText},
		{"BadQueries", testBadQueries},
		{"Visibility", testVisibility},
		{"Hashes", testHashes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

// base is the Updated time of records that do not set one.
var base = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// rec returns a service record in English with the given title and body.
func rec(id, title, body string) portal.SearchDoc {
	return portal.SearchDoc{
		ID:       id,
		Kind:     portal.KindService,
		Language: portal.English,
		Title:    title,
		Body:     body,
		URL:      "/directory/services/" + id,
		Updated:  base,
		Hash:     "hash-" + id,
	}
}

func index(t *testing.T, s portal.Searcher, docs ...portal.SearchDoc) {
	t.Helper()
	if err := s.Index(context.Background(), docs...); err != nil {
		t.Fatalf("Index: %v", err)
	}
}

func find(t *testing.T, s portal.Searcher, q portal.SearchQuery) *portal.SearchResult {
	t.Helper()
	res, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	if res == nil {
		t.Fatalf("Search(%+v): nil result", q)
	}
	for _, h := range res.Hits {
		if math.IsNaN(h.Score) || math.IsInf(h.Score, 0) {
			t.Fatalf("Search(%+v): hit %s scores %v: the ranking is meaningless", q, h.ID, h.Score)
		}
	}
	return res
}

// text searches for text with a page large enough for every test's records.
func text(t *testing.T, s portal.Searcher, text string) *portal.SearchResult {
	t.Helper()
	return find(t, s, portal.SearchQuery{Text: text, PerPage: portal.MaxPerPage})
}

// ids returns the ids of the hits, in order.
func ids(res *portal.SearchResult) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

// sameSet reports whether the hits are exactly want, in any order, and Total agrees.
func sameSet(t *testing.T, what string, res *portal.SearchResult, want ...string) {
	t.Helper()
	got := slices.Sorted(slices.Values(ids(res)))
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) || res.Total != len(want) {
		t.Errorf("%s: hits %v (total %d), want %v", what, got, res.Total, want)
	}
}

func contains(res *portal.SearchResult, id string) bool { return slices.Contains(ids(res), id) }

func hit(t *testing.T, res *portal.SearchResult, id string) portal.SearchHit {
	t.Helper()
	for _, h := range res.Hits {
		if h.ID == id {
			return h
		}
	}
	t.Fatalf("no hit %s in %v", id, ids(res))
	return portal.SearchHit{}
}

// snippetText joins the parts of a snippet.
func snippetText(parts []portal.SnippetPart) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// marked returns the matched parts of a snippet, lower-cased.
func marked(parts []portal.SnippetPart) []string {
	var out []string
	for _, p := range parts {
		if p.Match {
			out = append(out, strings.ToLower(p.Text))
		}
	}
	return out
}
