package bleve_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search/bleve"
	"github.com/gobidialogue/portal/search/searchtest"
)

func TestConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) portal.Searcher {
		t.Helper()
		return openTemp(t)
	})
}

func TestConformanceInMemory(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) portal.Searcher {
		t.Helper()
		x, err := bleve.OpenMemory()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		return x
	})
}

// openTemp opens an index on disk in a temporary directory, closed at the end of the test.
func openTemp(t *testing.T) *bleve.Index {
	t.Helper()
	x, err := bleve.Open(filepath.Join(t.TempDir(), "search"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func doc(id, title, body string) portal.SearchDoc {
	return portal.SearchDoc{ID: id, Kind: portal.KindService, Language: portal.English, Title: title,
		Body: body, URL: "/directory/services/" + id, Hash: "h-" + id, Updated: time.Now()}
}

func search(t *testing.T, x *bleve.Index, text string) *portal.SearchResult {
	t.Helper()
	res, err := x.Search(context.Background(), portal.SearchQuery{Text: text})
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	return res
}

func TestReopenKeepsRecords(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "search")
	x, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Index(context.Background(), doc("a", "Shelter", "Beds.")); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x, err = bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.Rebuilt() {
		t.Error("Rebuilt after reopening an index of this version")
	}
	if res := search(t, x, "shelter"); res.Total != 1 {
		t.Errorf("after reopening, %d hits, want 1", res.Total)
	}
}

func TestOpenRebuildsAnotherVersion(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "search")
	x, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Index(context.Background(), doc("a", "Shelter", "Beds.")); err != nil {
		t.Fatal(err)
	}
	if err := bleve.SetVersionForTest(x, "0-old"); err != nil {
		t.Fatal(err)
	}
	x.Close()

	x, err = bleve.Open(dir)
	if err != nil {
		t.Fatalf("Open of an index of another version: %v", err)
	}
	defer x.Close()
	if !x.Rebuilt() {
		t.Error("Rebuilt is false: the caller would not know to reindex")
	}
	if hashes, err := x.Hashes(context.Background()); err != nil || len(hashes) != 0 {
		t.Errorf("rebuilt index holds %v, %v; want nothing", hashes, err)
	}
}

func TestOpenErrors(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	notIndex := filepath.Join(tmp, "other")
	if err := os.MkdirAll(notIndex, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(notIndex, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(tmp, "corrupt")
	x, err := bleve.Open(corrupt)
	if err != nil {
		t.Fatal(err)
	}
	x.Close()
	if err := os.WriteFile(filepath.Join(corrupt, "index_meta.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name, dir, want string
	}{
		{"under a file", filepath.Join(file, "search"), "cannot be created"},
		{"not an index", notIndex, "is not a search index"},
		{"corrupt", corrupt, "portal reindex"},
	} {
		x, err := bleve.Open(tt.dir)
		if err == nil {
			x.Close()
			t.Errorf("%s: Open succeeded", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.dir) {
			t.Errorf("%s: error %q, want one naming %s and saying %q", tt.name, err, tt.dir, tt.want)
		}
	}
	if b, err := os.ReadFile(filepath.Join(notIndex, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("Open touched a directory that is not an index: %q, %v", b, err)
	}
}

func TestOpenInUse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "search")
	x, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	y, err := bleve.Open(dir)
	if err == nil {
		y.Close()
		t.Fatal("a second Open of an index in use succeeded")
	}
	if !strings.Contains(err.Error(), "in use") {
		t.Errorf("error %q, want one saying the index is in use", err)
	}
}

func TestSnippetMarksOriginalWords(t *testing.T) {
	x := openTemp(t)
	d := doc("mn", "Хамгаалах байр", "Энэ байр Өмнөговь аймгийн төвд, Замын-Үүд суманд салбартай. Shelters nearby.")
	if err := x.Index(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{
		"Umnugovi":   {"Өмнөговь"},
		"Zamiin-Uud": {"Замын", "Үүд"},
		"өмнөговъ":   {"Өмнөговь"},
		"аймгийн":    {"аймгийн"},
		"sheltres":   {"Shelters"},         // a typo
		"байр shel":  {"байр", "Shelters"}, // the start of the last word
		"Zamin Uud":  {"Замын", "Үүд"},
	} {
		res := search(t, x, q)
		if len(res.Hits) != 1 {
			t.Errorf("%q: %d hits", q, len(res.Hits))
			continue
		}
		var got []string
		for _, p := range res.Hits[0].Snippet {
			if p.Match {
				got = append(got, p.Text)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q marks %q, want %q", q, got, want)
		}
	}
	// A hit on the title only: the start of the body, unmarked.
	res := search(t, x, "хамгаалах")
	if len(res.Hits) != 1 || len(res.Hits[0].Snippet) != 1 || res.Hits[0].Snippet[0].Match ||
		res.Hits[0].Snippet[0].Text != d.Body {
		t.Errorf("title-only hit: snippet %+v, want the body unmarked", res.Hits)
	}
}

func TestTyposOnlyForUnknownWords(t *testing.T) {
	x := openTemp(t)
	if err := x.Index(context.Background(),
		doc("dornogovi", "Shelter in Dornogovi", ""),
		doc("umnugovi", "Shelter in Umnugovi", "")); err != nil {
		t.Fatal(err)
	}
	// Folded, dornogovi is two edits from omnogovi: a known word is not a typo.
	if res := search(t, x, "Dornogovi"); res.Total != 1 {
		t.Errorf("Dornogovi finds %d records, want 1", res.Total)
	}
	if res := search(t, x, "Dornagovi"); res.Total != 1 || res.Hits[0].ID != "dornogovi" {
		t.Errorf("a typo of Dornogovi finds %+v", res.Hits)
	}
}

func TestDeepPagesAreEmpty(t *testing.T) {
	x := openTemp(t)
	if err := x.Index(context.Background(), doc("a", "Shelter", "")); err != nil {
		t.Fatal(err)
	}
	for _, page := range []int{2, 1 << 20, 1<<62 + 7} {
		res, err := x.Search(context.Background(), portal.SearchQuery{Text: "shelter", Page: page, PerPage: 100})
		if err != nil || res.Total != 1 || len(res.Hits) != 0 || res.Facets["kind"][0].Count != 1 {
			t.Errorf("page %d: %+v, %v; want no hits, the total and facets", page, res, err)
		}
	}
}

func TestInvalidRecord(t *testing.T) {
	x := openTemp(t)
	err := x.Index(context.Background(), doc("", "No id", ""))
	if portal.ErrorCode(err) != portal.EINVALID {
		t.Errorf("Index of a record without id: %v, want EINVALID", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	x := openTemp(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				id := fmt.Sprintf("w%d-%d", w, i)
				if err := x.Index(ctx, doc(id, "Shelter "+id, "Beds and meals.")); err != nil {
					t.Error(err)
					return
				}
				if _, err := x.Search(ctx, portal.SearchQuery{Text: "shelter", Kind: portal.KindService}); err != nil {
					t.Error(err)
					return
				}
				// What this goroutine wrote, it finds, whatever the others wrote and asked
				// meanwhile (answers are kept while the index stands still).
				if found, err := finds(ctx, x, id); err != nil || !found {
					t.Errorf("%s is not found after it was indexed (%v)", id, err)
					return
				}
				if i%5 == 0 {
					if err := x.Delete(ctx, id); err != nil {
						t.Error(err)
						return
					}
					if found, err := finds(ctx, x, id); err != nil || found {
						t.Errorf("%s is found after it was deleted (%v)", id, err)
						return
					}
					if _, err := x.Hashes(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	hashes, err := x.Hashes(ctx)
	if err != nil || len(hashes) != 4*20 {
		t.Errorf("Hashes after concurrent use: %d records, %v; want 80", len(hashes), err)
	}
	if res := search(t, x, "shelter"); res.Total != 4*20 {
		t.Errorf("a search after concurrent use finds %d records, want 80", res.Total)
	}
}

// finds reports whether a search for "shelter" lists the record id.
func finds(ctx context.Context, x *bleve.Index, id string) (bool, error) {
	res, err := x.Search(ctx, portal.SearchQuery{Text: "shelter", PerPage: portal.MaxPerPage})
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(res.Hits, func(h portal.SearchHit) bool { return h.ID == id }), nil
}

// TestSearchAnswersFollowWrites checks the answers an Index keeps: the same search asked
// again gives the same answer, whose list is the caller's own; after a record is added,
// changed or deleted, the search gives the index as it now is.
func TestSearchAnswersFollowWrites(t *testing.T) {
	x := openTemp(t)
	ctx := context.Background()
	if err := x.Index(ctx, doc("a", "Shelter in Sainshand", "Beds.")); err != nil {
		t.Fatal(err)
	}
	first := search(t, x, "shelter")
	if first.Total != 1 || first.Hits[0].Title != "Shelter in Sainshand" {
		t.Fatalf("first search: %+v", first)
	}
	res := first
	for i := range 2 {
		res.Hits[0].Title = "changed by the caller"
		res.Hits = append(res.Hits[:0], portal.SearchHit{ID: "x"})
		res = search(t, x, "shelter")
		if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].ID != "a" || res.Hits[0].Title != "Shelter in Sainshand" {
			t.Fatalf("the same search again (%d): %+v", i+1, res)
		}
	}
	steps := []struct {
		name  string
		write func() error
		want  []string // titles found for "shelter"
	}{
		{"added", func() error { return x.Index(ctx, doc("b", "Shelter in Zamiin-Uud", "Beds.")) },
			[]string{"Shelter in Sainshand", "Shelter in Zamiin-Uud"}},
		{"changed", func() error { return x.Index(ctx, doc("a", "Shelter in Dalanzadgad", "Beds.")) },
			[]string{"Shelter in Dalanzadgad", "Shelter in Zamiin-Uud"}},
		{"deleted", func() error { return x.Delete(ctx, "b") }, []string{"Shelter in Dalanzadgad"}},
	}
	for _, st := range steps {
		if err := st.write(); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			var got []string
			for _, h := range search(t, x, "shelter").Hits {
				got = append(got, h.Title)
			}
			slices.Sort(got)
			if !slices.Equal(got, st.want) {
				t.Errorf("after the record was %s: %q, want %q", st.name, got, st.want)
			}
		}
	}
	// A kept answer is no answer to a request that is gone, nor after Close.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := x.Search(gone, portal.SearchQuery{Text: "shelter"}); !errors.Is(err, context.Canceled) {
		t.Errorf("search with a cancelled context: %v, want context.Canceled", err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if res, err := x.Search(ctx, portal.SearchQuery{Text: "shelter"}); err == nil {
		t.Errorf("search after Close: %+v, want an error", res)
	}
	if _, err := x.Hashes(ctx); err == nil {
		t.Error("Hashes after Close: no error")
	}
}
