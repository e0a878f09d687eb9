package search_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
	"github.com/gobidialogue/portal/search/bleve"
)

// minutesSource is a source of the test's own: a version and records it sets, and how
// often its records were made.
type minutesSource struct {
	mu      sync.Mutex
	version string
	docs    []portal.SearchDoc
	made    int
}

func (s *minutesSource) Prefix() string { return "minutes:" }

func (s *minutesSource) Version(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, nil
}

func (s *minutesSource) Records(context.Context) ([]portal.SearchDoc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.made++
	return slices.Clone(s.docs), nil
}

func (s *minutesSource) set(version string, titles ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version, s.docs = version, nil
	for _, title := range titles {
		d := portal.SearchDoc{ID: "minutes:en:" + title, Kind: portal.KindMinutes, Language: portal.English, Title: title,
			Body: "Minutes of the " + title + " meeting", URL: "/meetings/" + title}
		d.Hash = search.Hash(d)
		s.docs = append(s.docs, d)
	}
}

func (s *minutesSource) makes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.made
}

// TestIndexerFollowsEverySource runs an Indexer over two sources: each is read again only
// when its own version moves, and its records are added, changed and deleted by its prefix
// without touching the other's.
func TestIndexerFollowsEverySource(t *testing.T) {
	ctx := context.Background()
	idx, err := bleve.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	minutes, other := &minutesSource{}, &minutesSource{}
	minutes.set("1", "plenary", "working-group")
	other.set("a", "unrelated")
	other.docs[0].ID = "decision:en:unrelated"
	otherSource := prefixed{other, "decision:"}
	x := &search.Indexer{Searcher: idx, Sources: []search.Source{minutes, otherSource}, Logger: slog.New(slog.DiscardHandler)}
	if !x.Sync(ctx) {
		t.Fatal("the first pass failed")
	}
	ids := func() []string {
		h, err := idx.Hashes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for id := range h {
			out = append(out, id)
		}
		slices.Sort(out)
		return out
	}
	if got := ids(); !slices.Equal(got, []string{"decision:en:unrelated", "minutes:en:plenary", "minutes:en:working-group"}) {
		t.Fatalf("after the first pass: %v", got)
	}
	// Nothing moved: nothing is made again.
	x.Sync(ctx)
	if minutes.makes() != 1 || other.makes() != 1 {
		t.Errorf("records made %d and %d times with no version moved", minutes.makes(), other.makes())
	}
	// One source moves: only it is read, and its gone record is deleted.
	minutes.set("2", "plenary", "extraordinary")
	x.Sync(ctx)
	if minutes.makes() != 2 || other.makes() != 1 {
		t.Errorf("records made %d and %d times after one version moved", minutes.makes(), other.makes())
	}
	if got := ids(); !slices.Equal(got, []string{"decision:en:unrelated", "minutes:en:extraordinary", "minutes:en:plenary"}) {
		t.Errorf("after the change: %v", got)
	}
}

// prefixed is a minutesSource under another prefix.
type prefixed struct {
	*minutesSource
	prefix string
}

func (p prefixed) Prefix() string { return p.prefix }
