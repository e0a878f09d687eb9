package search_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/search"
)

// memSearcher is an in-memory portal.Searcher that counts calls, for the bookkeeping of
// Reconcile; the Indexer's tests run on the real embedded engine.
type memSearcher struct {
	mu             sync.Mutex
	docs           map[string]portal.SearchDoc
	indexes, dels  int
	failAfterIndex int // Index fails once it was called this many times; 0: never
}

func newMem(docs ...portal.SearchDoc) *memSearcher {
	m := &memSearcher{docs: map[string]portal.SearchDoc{}}
	for _, d := range docs {
		m.docs[d.ID] = d
	}
	return m
}

var errDown = errors.New("engine down")

func (m *memSearcher) Index(_ context.Context, docs ...portal.SearchDoc) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failAfterIndex > 0 && m.indexes >= m.failAfterIndex {
		return errDown
	}
	m.indexes++
	for _, d := range docs {
		m.docs[d.ID] = d
	}
	return nil
}

func (m *memSearcher) Delete(_ context.Context, ids ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dels++
	for _, id := range ids {
		delete(m.docs, id)
	}
	return nil
}

func (m *memSearcher) Search(context.Context, portal.SearchQuery) (*portal.SearchResult, error) {
	return nil, errors.New("memSearcher does not search")
}

func (m *memSearcher) Hashes(context.Context) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := make(map[string]string, len(m.docs))
	for id, d := range m.docs {
		h[id] = d.Hash
	}
	return h, nil
}

func (m *memSearcher) Close() error { return nil }

// docs returns n records with ids "service:en:s0000"...
func docs(n int) []portal.SearchDoc {
	out := make([]portal.SearchDoc, n)
	for i := range out {
		d := portal.SearchDoc{ID: fmt.Sprintf("service:en:s%04d", i), Kind: portal.KindService,
			Language: portal.English, Title: fmt.Sprintf("Service %d", i)}
		d.Hash = search.Hash(d)
		out[i] = d
	}
	return out
}

// hashesOf returns the id → hash of docs.
func hashesOf(docs []portal.SearchDoc) map[string]string {
	h := make(map[string]string, len(docs))
	for _, d := range docs {
		h[d.ID] = d.Hash
	}
	return h
}

func TestReconcile(t *testing.T) {
	ctx := context.Background()
	want := docs(1203)
	// The index holds 1,000 of them, 5 stale, and 3 records the database no longer has.
	held := slices.Clone(want[:1000])
	for i := range 5 {
		held[i].Title += " (old)"
		held[i].Hash = search.Hash(held[i])
	}
	extra := docs(1206)[1203:]
	m := newMem(append(held, extra...)...)
	var calls [][2]int
	r, err := search.Reconcile(ctx, m, want, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if want := (search.Report{Added: 203, Updated: 5, Deleted: 3, Unchanged: 995}); r != want {
		t.Errorf("report %+v, want %+v", r, want)
	}
	if h, _ := m.Hashes(ctx); !reflect.DeepEqual(h, hashesOf(want)) {
		t.Error("the index does not hold exactly what was wanted")
	}
	if m.indexes != 1 || m.dels != 1 {
		t.Errorf("%d Index and %d Delete calls, want 1 and 1 (208 records in batches of %d)", m.indexes, m.dels, search.BatchSize)
	}
	if wantCalls := [][2]int{{0, 211}, {208, 211}, {211, 211}}; !reflect.DeepEqual(calls, wantCalls) {
		t.Errorf("progress %v, want %v", calls, wantCalls)
	}
	// Converged: nothing to do.
	r, err = search.Reconcile(ctx, m, want, nil)
	if err != nil || r != (search.Report{Unchanged: 1203}) || m.indexes != 1 {
		t.Errorf("second Reconcile: %+v, %v, %d Index calls", r, err, m.indexes)
	}
	// Rebuild rewrites everything, in batches.
	r, err = search.Rebuild(ctx, m, want, nil)
	if err != nil || r != (search.Report{Updated: 1203}) || m.indexes != 1+3 {
		t.Errorf("Rebuild: %+v, %v, %d Index calls", r, err, m.indexes)
	}
}

func TestReconcileResumesAfterAFailure(t *testing.T) {
	ctx := context.Background()
	want := docs(1600)
	m := newMem()
	m.failAfterIndex = 2
	var last [2]int
	r, err := search.Reconcile(ctx, m, want, func(done, total int) { last = [2]int{done, total} })
	if !errors.Is(err, errDown) {
		t.Fatalf("Reconcile = %v, want the engine's error", err)
	}
	if r.Added != 2*search.BatchSize || last != [2]int{1000, 1600} {
		t.Errorf("report %+v, progress %v: want the two batches written", r, last)
	}
	m.failAfterIndex = 0
	r, err = search.Reconcile(ctx, m, want, nil)
	if err != nil || r != (search.Report{Added: 600, Unchanged: 1000}) {
		t.Errorf("second Reconcile: %+v, %v", r, err)
	}
	if h, _ := m.Hashes(ctx); !reflect.DeepEqual(h, hashesOf(want)) {
		t.Error("not converged")
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	want := docs(6)
	stale := want[1]
	stale.Hash = "old"
	m := newMem(want[0], stale, want[2], docs(8)[7])
	missing, staleIDs, extra, err := search.Check(ctx, m, want)
	if err != nil {
		t.Fatal(err)
	}
	got := [][]string{missing, staleIDs, extra}
	expect := [][]string{{want[3].ID, want[4].ID, want[5].ID}, {want[1].ID}, {"service:en:s0007"}}
	if !reflect.DeepEqual(got, expect) {
		t.Errorf("Check = %v, want %v", got, expect)
	}
	if m.indexes+m.dels != 0 {
		t.Error("Check wrote to the index")
	}
	_, _ = search.Reconcile(ctx, m, want, nil)
	if missing, staleIDs, extra, err := search.Check(ctx, m, want); len(missing)+len(staleIDs)+len(extra) != 0 || err != nil {
		t.Errorf("after Reconcile: %v %v %v %v", missing, staleIDs, extra, err)
	}
}

// seed imports the starter guidelines and directory into db.
func seed(t *testing.T, db interface {
	portal.GuidelineStore
	portal.DirectoryStore
	portal.MetaStore
}) {
	t.Helper()
	ctx := context.Background()
	im := &content.Importer{Store: db, Renderer: content.NewRenderer(), Now: clock}
	if _, err := content.ImportStarter(ctx, im, db); err != nil {
		t.Fatal(err)
	}
	if _, err := directory.ImportStarter(ctx, db, db, clock); err != nil {
		t.Fatal(err)
	}
}

func TestDesired(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	seed(t, db)
	g, terms, orgs := starter(t)
	want, err := search.Desired(ctx, search.Sources(db, db, g, terms)...)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for i, d := range want {
		kinds[d.Kind+":"+string(d.Language)]++
		if i > 0 && want[i-1].ID >= d.ID {
			t.Errorf("not in id order: %s, %s", want[i-1].ID, d.ID)
		}
	}
	services := 0
	for _, o := range orgs {
		services += len(o.Services)
	}
	if kinds["service:mn"] != services || kinds["service:en"] != services {
		t.Errorf("service records %v, want %d per language", kinds, services)
	}
	if kinds["guideline:mn"] < 10 || kinds["guideline:en"] < 10 {
		t.Errorf("guideline records %v: want both languages' paragraphs", kinds)
	}
	// Exactly the records of the current revisions.
	gs, _ := db.FindGuidelines(ctx, portal.GuidelineFilter{})
	var fromGuidelines []portal.SearchDoc
	for _, gl := range gs {
		rev, err := db.FindRevision(ctx, gl.ID, gl.Revision)
		if err != nil {
			t.Fatal(err)
		}
		fromGuidelines = append(fromGuidelines, search.FromGuideline(gl, rev)...)
	}
	ids := maps.Collect(func(yield func(string, string) bool) {
		for _, d := range want {
			if strings.HasPrefix(d.ID, "guideline:") && !yield(d.ID, d.Hash) {
				return
			}
		}
	})
	if !reflect.DeepEqual(ids, hashesOf(fromGuidelines)) {
		t.Error("Desired's guideline records are not those of the current revisions")
	}
}
