package searchtest

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

func testIndexing(t *testing.T, s portal.Searcher) {
	a := rec("service:en:a", "Alpha drop-in centre", "Hot meals and a place to rest.")
	a.Aimags, a.Types = []string{"omnogovi"}, []string{"drop-in"}
	b := rec("service:en:b", "Bravo legal aid", "Free advice on labour contracts.")
	c := rec("guideline:mn:c", "Чарли", "Жолооч нарт зориулсан зөвлөмж.")
	c.Kind, c.Language, c.Year = portal.KindGuideline, portal.Mongolian, 2024
	index(t, s, a, b, c)

	res := text(t, s, "alpha")
	sameSet(t, "alpha", res, a.ID)
	if len(res.Hits) == 1 {
		h := res.Hits[0]
		if h.Title != a.Title || h.URL != a.URL || h.Kind != a.Kind || h.Language != a.Language {
			t.Errorf("hit = %+v, want the title, URL, kind and language of %+v", h, a)
		}
	}
	sameSet(t, "a Mongolian word", text(t, s, "жолооч"), c.ID)
	sameSet(t, "everything", text(t, s, ""), a.ID, b.ID, c.ID)
	if err := s.Index(context.Background()); err != nil {
		t.Errorf("Index of nothing: %v", err)
	}
}

func testUpsert(t *testing.T, s portal.Searcher) {
	a := rec("service:en:a", "Alpha drop-in centre", "Hot meals.")
	b := rec("service:en:b", "Bravo legal aid", "Free advice.")
	index(t, s, a, b)
	a.Title, a.Hash = "Omega drop-in centre", "hash-a2"
	index(t, s, a)
	sameSet(t, "old title after re-index", text(t, s, "alpha"))
	sameSet(t, "new title after re-index", text(t, s, "omega"), a.ID)
	sameSet(t, "everything after re-index", text(t, s, ""), a.ID, b.ID)

	// The same id twice in one call: the last one is what is indexed.
	first, second := rec("service:en:c", "Charlie one", ""), rec("service:en:c", "Charlie two", "")
	index(t, s, first, second)
	sameSet(t, "the first of two", text(t, s, "one"))
	sameSet(t, "the second of two", text(t, s, "two"), "service:en:c")
}

func testDeletion(t *testing.T, s portal.Searcher) {
	ctx := context.Background()
	a, b, c := rec("a", "Alpha", ""), rec("b", "Bravo", ""), rec("c", "Charlie", "")
	index(t, s, a, b, c)
	if err := s.Delete(ctx, "b"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	sameSet(t, "deleted", text(t, s, "bravo"))
	sameSet(t, "the rest", text(t, s, ""), "a", "c")
	if err := s.Delete(ctx, "unknown", "b"); err != nil {
		t.Errorf("Delete of unknown ids: %v", err)
	}
	if err := s.Delete(ctx); err != nil {
		t.Errorf("Delete of nothing: %v", err)
	}
	if err := s.Delete(ctx, "a", "c"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	sameSet(t, "all deleted", text(t, s, ""))
}

func testVisibility(t *testing.T, s portal.Searcher) {
	d := rec("service:en:zzqx", "Visible title", "Visible body text about the centre.")
	d.Places = "Qwplace"
	d.URL = "/directory/services/qwurlpart"
	d.Hash = "qwhashvalue"
	d.Aimags, d.Types = []string{"qwaimag"}, []string{"qwtype"}
	index(t, s, d)
	res := text(t, s, "visible")
	h := hit(t, res, d.ID)
	if h.Title != d.Title || h.URL != d.URL || h.Kind != d.Kind || h.Language != d.Language {
		t.Errorf("hit %+v, want the record's title, URL, kind and language", h)
	}
	for _, p := range h.Snippet {
		if text := strings.Trim(p.Text, "… "); !strings.Contains(d.Body, text) {
			t.Errorf("snippet part %q is not from the body", p.Text)
		}
	}
	// Only title, body and places are searched: not ids, URLs, hashes or facet values.
	for _, q := range []string{"zzqx", "qwurlpart", "qwhashvalue", "qwaimag", "qwtype"} {
		if res := text(t, s, q); len(res.Hits) != 0 {
			t.Errorf("%q finds %v: it is not searchable text", q, ids(res))
		}
	}
	if res := text(t, s, "qwplace"); !contains(res, d.ID) {
		t.Errorf("a place name does not find its record: %v", ids(res))
	}
}

func testHashes(t *testing.T, s portal.Searcher) {
	ctx := context.Background()
	got, err := s.Hashes(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("Hashes of an empty engine = %v, %v", got, err)
	}
	a, b, c := rec("a", "Alpha", ""), rec("b", "Bravo", ""), rec("c", "Charlie", "")
	index(t, s, a, b, c)
	b.Hash = "hash-b2"
	index(t, s, b, rec("d", "Delta", ""))
	if err := s.Delete(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	got, err = s.Hashes(ctx)
	want := map[string]string{"a": "hash-a", "b": "hash-b2", "d": "hash-d"}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("Hashes = %v, %v; want %v", got, err, want)
	}
}
