package search_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/internal/testkit/logtest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/search"
	"github.com/gobidialogue/portal/search/bleve"
	"github.com/gobidialogue/portal/store"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// clock is the fixed time the test data is imported at.
func clock() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }

// engine is the embedded engine on disk, closed once however often Close is called (a
// bleve index panics on a second Close).
type engine struct {
	portal.Searcher
	once sync.Once
	err  error
}

func (e *engine) Close() error {
	e.once.Do(func() { e.err = e.Searcher.Close() })
	return e.err
}

// openEngine opens the embedded engine on disk in dir, closed when the test ends.
func openEngine(t *testing.T, dir string) *engine {
	t.Helper()
	ix, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &engine{Searcher: ix}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func newIndexer(s portal.Searcher, db *store.DB, log *logtest.Buffer) *search.Indexer {
	g, terms, _, _ := directory.LoadStarter()
	return &search.Indexer{Searcher: s, Sources: search.Sources(db, db, g, terms), Logger: log.Logger()}
}

// run runs x until the test ends, or until the returned function stops it.
func run(t *testing.T, x *search.Indexer) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { x.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond every 10 ms until it holds or timeout passes, and returns how long
// it took. The timeouts only catch an indexer that never gets there: they are generous
// (two minutes), since a CI machine shared with other work took over 30 s for five
// batches; how long it took is logged, never asserted.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("%s: not after %s", what, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// desired returns the id → hash of every record the database calls for.
func desired(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	g, terms, _, _ := directory.LoadStarter()
	want, err := search.Desired(context.Background(), search.Sources(db, db, g, terms)...)
	if err != nil {
		t.Fatal(err)
	}
	return hashesOf(want)
}

// converged reports whether s holds exactly what db calls for.
func converged(t *testing.T, s portal.Searcher, db *store.DB) bool {
	t.Helper()
	have, err := s.Hashes(context.Background())
	return err == nil && reflect.DeepEqual(have, desired(t, db))
}

// found returns the ids of the records a search for text finds.
func found(t *testing.T, s portal.Searcher, text string) []string {
	t.Helper()
	res, err := s.Search(context.Background(), portal.SearchQuery{Text: text, PerPage: portal.MaxPerPage})
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// dropInOrg is a new organisation with one service, whose English record is found by
// "Zorigtbaatar".
func dropInOrg(name string) *portal.DirectoryOrg {
	return &portal.DirectoryOrg{
		ID: "khatanbulag-drop-in", Name: portal.Text{MN: "Хатанбулаг төв", EN: "Khatanbulag centre"},
		Modified: clock(),
		Services: []portal.Service{{
			ID: "khatanbulag-drop-in-centre", OrgID: "khatanbulag-drop-in",
			Name:        portal.Text{MN: "Түр буудал", EN: name},
			Description: portal.Text{EN: "Run by Zorigtbaatar for drivers", MN: "Жолооч нарт"},
			Types:       []string{"drop-in"},
			Area:        []portal.Place{{Aimag: "dornogovi", Soum: "khatanbulag"}},
			Modified:    clock(),
		}},
	}
}

// TestIndexerMakesWritesSearchable checks that saved changes reach the index while the
// indexer runs, and logs how long each took: the issue wants under a second, which is a
// measured figure (see the note), not a timed assertion that a loaded machine would break.
func TestIndexerMakesWritesSearchable(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	seed(t, db)
	ix := openEngine(t, t.TempDir())
	var log logtest.Buffer
	run(t, newIndexer(ix, db, &log))
	waitFor(t, "the first reconcile", 2*time.Minute, func() bool { return converged(t, ix, db) })

	// A new directory organisation.
	if err := db.SaveDirectoryOrg(ctx, dropInOrg("Drop-in for drivers")); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, "a new service searchable", 2*time.Minute, func() bool {
		return slices.Contains(found(t, ix, "Zorigtbaatar"), "service:en:khatanbulag-drop-in-centre")
	})
	t.Logf("a saved service was searchable after %s", took)
	// Its service removed: its records go.
	empty := dropInOrg("")
	empty.Services = nil
	if err := db.SaveDirectoryOrg(ctx, empty); err != nil {
		t.Fatal(err)
	}
	took = waitFor(t, "a removed service gone", 2*time.Minute, func() bool { return len(found(t, ix, "Zorigtbaatar")) == 0 })
	t.Logf("a removed service left the index after %s", took)

	// A new revision of a guideline: its new paragraph is found, the one it dropped is not.
	gs, err := db.FindGuidelines(ctx, portal.GuidelineFilter{Language: portal.English})
	if err != nil || len(gs) == 0 {
		t.Fatalf("guidelines: %d, %v", len(gs), err)
	}
	g := *gs[0]
	r, err := content.NewRenderer().Render("## Camels\n\nQuxwell rest areas open at dawn.\n")
	if err != nil {
		t.Fatal(err)
	}
	g.Revision++
	g.Revisions = append(slices.Clone(g.Revisions), portal.RevisionInfo{Number: g.Revision, CreatedAt: clock()})
	g.UpdatedAt = clock()
	rev := &portal.Revision{ID: portal.RevisionID(g.ID, g.Revision), GuidelineID: g.ID, Number: g.Revision,
		GuidelineMeta: g.GuidelineMeta, Body: "…", HTML: r.HTML, TOC: r.TOC, Blocks: r.Blocks, CreatedAt: clock()}
	if err := db.SaveRevisions(ctx, &g, rev); err != nil {
		t.Fatal(err)
	}
	took = waitFor(t, "a new paragraph searchable", 2*time.Minute, func() bool {
		ids := found(t, ix, "Quxwell")
		return len(ids) == 1 && strings.HasPrefix(ids[0], "guideline:en:"+g.Slug+":p-")
	})
	t.Logf("a saved revision was searchable after %s", took)
	waitFor(t, "the index converged", 2*time.Minute, func() bool { return converged(t, ix, db) })
	if n := log.Count("level=WARN"); n != 0 {
		t.Errorf("%d warnings:\n%s", n, log.String())
	}
}

// killAfter fails every Index call after the first n, as a process killed in the middle
// of an update would leave the index: some batches written, the rest not.
type killAfter struct {
	portal.Searcher
	n        int32
	calls    atomic.Int32
	failures atomic.Int32
}

var errKilled = errors.New("killed")

func (k *killAfter) Index(ctx context.Context, docs ...portal.SearchDoc) error {
	if k.calls.Add(1) > k.n {
		k.failures.Add(1)
		return errKilled
	}
	return k.Searcher.Index(ctx, docs...)
}

// cancelAt cancels the context of the Index call number n while the call runs.
type cancelAt struct {
	portal.Searcher
	n      int32
	calls  atomic.Int32
	cancel context.CancelFunc
}

func (c *cancelAt) Index(ctx context.Context, docs ...portal.SearchDoc) error {
	if c.calls.Add(1) == c.n {
		c.cancel()
		half := docs[:len(docs)/2]
		_ = c.Searcher.Index(context.WithoutCancel(ctx), half...)
		return ctx.Err()
	}
	return c.Searcher.Index(ctx, docs...)
}

func TestIndexerConvergesAfterAKilledUpdate(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	g, terms, _, _ := directory.LoadStarter()
	orgs := directorytest.Generate(1200, 5, g, terms) // 2,400 records: five batches
	for _, o := range orgs {
		if err := db.SaveDirectoryOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()

	// An Indexer whose updates die after two batches, stopped while it retries.
	ix := openEngine(t, dir)
	k := &killAfter{Searcher: ix, n: 2}
	var log logtest.Buffer
	stop := run(t, newIndexer(k, db, &log))
	waitFor(t, "the update killed", 2*time.Minute, func() bool { return k.failures.Load() >= 2 })
	stop()
	have, err := ix.Hashes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := desired(t, db)
	if len(have) != 2*search.BatchSize || len(want) != 2400 {
		t.Fatalf("after the kill the index holds %d of %d records, want %d", len(have), len(want), 2*search.BatchSize)
	}
	if n := log.Count("level=WARN"); n != 1 {
		t.Errorf("%d warnings for one outage, want 1:\n%s", n, log.String())
	}
	// The database changes while no indexer runs: an organisation edited, one emptied.
	orgs[0].Services[0].Name.EN = "Renamed while the portal was down"
	orgs[1].Services = nil
	for _, o := range orgs[:2] {
		if err := db.SaveDirectoryOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	// A restart: the index reopened, a new Indexer; its first pass converges exactly.
	ix = openEngine(t, dir)
	if !newIndexer(ix, db, &log).Sync(ctx) {
		t.Fatalf("the first pass after the restart failed:\n%s", log.String())
	}
	if !converged(t, ix, db) {
		t.Fatal("after a restart the index is not what the database calls for")
	}

	// Killed again, this time by a cancellation in the middle of a batch.
	orgs[2].Services[0].Name.EN = "Renamed again"
	if err := db.SaveDirectoryOrg(ctx, orgs[2]); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	other := openEngine(t, t.TempDir()) // an empty index: everything is to be written
	cctx, cancel := context.WithCancel(ctx)
	c := &cancelAt{Searcher: other, n: 2, cancel: cancel}
	if newIndexer(c, db, &log).Sync(cctx) {
		t.Fatal("a pass whose context was cancelled reported success")
	}
	if have, _ := other.Hashes(ctx); len(have) <= search.BatchSize || len(have) >= len(want) {
		t.Fatalf("after the cancellation the index holds %d records: want part of a batch written", len(have))
	}
	if !newIndexer(other, db, &log).Sync(ctx) || !converged(t, other, db) {
		t.Fatal("after a cancelled pass the next Indexer did not converge")
	}
}

// outage makes every call fail while down is set.
type outage struct {
	portal.Searcher
	down atomic.Bool
}

var errUnavailable = &portal.Error{Code: portal.EUNAVAILABLE, Message: "the engine does not answer"}

func (o *outage) Index(ctx context.Context, docs ...portal.SearchDoc) error {
	if o.down.Load() {
		return errUnavailable
	}
	return o.Searcher.Index(ctx, docs...)
}

func (o *outage) Delete(ctx context.Context, ids ...string) error {
	if o.down.Load() {
		return errUnavailable
	}
	return o.Searcher.Delete(ctx, ids...)
}

func (o *outage) Hashes(ctx context.Context) (map[string]string, error) {
	if o.down.Load() {
		return nil, errUnavailable
	}
	return o.Searcher.Hashes(ctx)
}

func TestIndexerRidesOutAnEngineOutage(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	seed(t, db)
	ix := openEngine(t, t.TempDir())
	o := &outage{Searcher: ix}
	var log logtest.Buffer
	x := newIndexer(o, db, &log)
	x.Interval = 100 * time.Millisecond
	run(t, x)
	waitFor(t, "the first reconcile", 2*time.Minute, func() bool { return converged(t, ix, db) })

	o.down.Store(true)
	if err := db.SaveDirectoryOrg(ctx, dropInOrg("Written during the outage")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // ten passes, all failing
	if ids := found(t, ix, "Zorigtbaatar"); len(ids) != 0 {
		t.Fatalf("indexed during the outage: %v", ids)
	}
	if n := log.Count("level=WARN"); n != 1 {
		t.Errorf("%d warnings during one outage, want 1:\n%s", n, log.String())
	}

	o.down.Store(false)
	took := waitFor(t, "the write searchable after the outage", 2*time.Minute, func() bool {
		return slices.Contains(found(t, ix, "Zorigtbaatar"), "service:en:khatanbulag-drop-in-centre")
	})
	t.Logf("searchable %s after the engine came back", took)
	waitFor(t, "the index converged", 2*time.Minute, func() bool { return converged(t, ix, db) })
	if n := log.Count("level=WARN"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, log.String())
	}
	if log.Count("search index updated again") != 1 {
		t.Errorf("the recovery was not logged:\n%s", log.String())
	}
}

func TestIndexerNeverIndexesAConfidentialAddress(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	if err := db.SaveDirectoryOrg(ctx, shelterOrg()); err != nil {
		t.Fatal(err)
	}
	// The store holds the address, for those allowed to see it.
	hidden, err := db.ConfidentialPlaces(ctx, []string{"secret-house"})
	if err != nil || hidden["secret-house"].Address.EN != "12 Quietlane Street" {
		t.Fatalf("ConfidentialPlaces = %v, %v", hidden, err)
	}
	ix := openEngine(t, t.TempDir())
	var log logtest.Buffer
	if !newIndexer(ix, db, &log).Sync(ctx) || !converged(t, ix, db) {
		t.Fatalf("not indexed:\n%s", log.String())
	}
	// The shelter is found by its name and place...
	if ids := found(t, ix, "Хамгаалах байр Dalanzadgad"); !slices.Contains(ids, "service:mn:gobi-shelter") {
		t.Fatalf("the shelter is not found: %v", ids)
	}
	// ...never by its address, coordinates, location name or the contact of the location.
	for _, q := range []string{"Quietlane", "Сүхбаатарын", "Сүхбаатарын гудамж", "43.5712", "Hidden Willow", "Нууц байр", "Zuunmod", "Public Road"} {
		if ids := found(t, ix, q); len(ids) != 0 {
			t.Errorf("a search for %q finds %v", q, ids)
		}
	}
	// The index holds exactly the records made, and none of them carries the address.
	g, terms, _, _ := directory.LoadStarter()
	want, err := search.Desired(ctx, search.Sources(db, db, g, terms)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range want {
		data, _ := json.Marshal(d)
		if bytes.Contains(data, []byte("Quietlane")) || bytes.Contains(data, []byte("Сүхбаатар")) {
			t.Errorf("%s carries the address: %s", d.ID, data)
		}
	}
	res, err := ix.Search(ctx, portal.SearchQuery{PerPage: portal.MaxPerPage})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if text := fmt.Sprint(h); strings.Contains(text, "Quietlane") || strings.Contains(text, "Сүхбаатар") {
			t.Errorf("hit %s carries the address", h.ID)
		}
	}
}
