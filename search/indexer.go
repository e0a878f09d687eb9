package search

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

// Defaults of an Indexer.
const (
	// DefaultInterval is how often an Indexer looks for changes: a write is searchable
	// within this and the time to index it, well under a second.
	DefaultInterval = 500 * time.Millisecond
	// DefaultFullEvery is how often an Indexer reconciles against the engine's own list of
	// records, whatever the change markers say.
	DefaultFullEvery = 5 * time.Minute
)

// Indexer keeps a search index converged on the database. It is an updated-since sweep,
// not an outbox: nothing is written anywhere but the index, so a process that dies
// between a database write and the index update leaves nothing to replay. Instead:
//
//   - at start it reconciles the whole index with the database (Reconcile), which
//     catches up on anything written while no indexer ran, or left half-indexed;
//   - every Interval it reads two cheap change markers, the directory's Version and the
//     guidelines' version (one _id lookup each), and when one moved it rebuilds the
//     records of that part in memory, compares their hashes with those it last wrote and
//     sends only the difference;
//   - after any error (the engine or the database down) the next pass is a whole
//     reconcile again, retried every Interval; the outage is logged once at WARN;
//   - every FullEvery it reconciles whole anyway, so a change whose marker was lost (a
//     writer that died between its write and the marker) or an index changed behind its
//     back converges in bounded time.
//
// Several processes may each run an Indexer on the same index: they write the same
// records, so they agree.
type Indexer struct {
	Searcher   portal.Searcher
	Guidelines portal.GuidelineStore
	Directory  portal.DirectoryStore
	Gazetteer  *portal.Gazetteer
	Terms      []portal.TaxonomyTerm
	// Interval is the time between passes; DefaultInterval when zero.
	Interval time.Duration
	// FullEvery is the time between whole reconciles; DefaultFullEvery when zero.
	FullEvery time.Duration
	// Logger is slog.Default() when nil.
	Logger *slog.Logger

	st indexState
}

// indexState is what an Indexer remembers between passes.
type indexState struct {
	// hashes are the id → hash of every record as this Indexer last wrote or found it; nil
	// until a whole reconcile succeeds, and after any error.
	hashes     map[string]string
	dirVersion string
	guideMark  string
	lastFull   time.Time
	down       bool // the last pass failed and the failure was logged

	builder    *docBuilder
	orgs       map[string]orgEntry // the records of each organisation, by its id
	guidelines guidelineCache
}

// orgEntry holds the records made from one organisation. A Directory is never modified,
// and the store keeps the organisations that a write did not touch, so an organisation at
// the same address has the same records.
type orgEntry struct {
	org  *portal.DirectoryOrg
	docs []portal.SearchDoc
}

// Run keeps the index converged until ctx is done.
func (x *Indexer) Run(ctx context.Context) {
	interval := x.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		x.Sync(ctx)
		timer.Reset(interval)
	}
}

// Sync runs one pass of Run: a whole reconcile the first time, after an error and every
// FullEvery, otherwise the changes since the last pass. It reports whether the index is
// converged on what it read. Run calls it; tests call it to take one step. It must not be
// called while Run runs.
func (x *Indexer) Sync(ctx context.Context) bool {
	log := x.Logger
	if log == nil {
		log = slog.Default()
	}
	every := x.FullEvery
	if every <= 0 {
		every = DefaultFullEvery
	}
	if x.st.builder == nil {
		x.st.builder = newDocBuilder(x.Gazetteer, x.Terms)
		x.st.orgs = map[string]orgEntry{}
		x.st.guidelines = guidelineCache{}
	}
	var r Report
	var err error
	full := x.st.hashes == nil || time.Since(x.st.lastFull) >= every
	if full {
		r, err = x.full(ctx)
	} else {
		r, err = x.changes(ctx)
	}
	if err != nil {
		// What the index holds is no longer known: the next pass reconciles it whole.
		x.st.hashes = nil
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return false // stopping
	case err != nil:
		if !x.st.down {
			log.Warn("search index not updated; retrying until the engine and the database answer", "err", err)
			x.st.down = true
		}
		return false
	case x.st.down:
		x.st.down = false
		log.Info("search index updated again", "added", r.Added, "updated", r.Updated, "deleted", r.Deleted)
	case full && r.Changed():
		log.Info("search index reconciled", "added", r.Added, "updated", r.Updated, "deleted", r.Deleted, "unchanged", r.Unchanged)
	case r.Changed():
		log.Debug("search index updated", "added", r.Added, "updated", r.Updated, "deleted", r.Deleted)
	}
	return true
}

// full reconciles the whole index with the database.
func (x *Indexer) full(ctx context.Context) (Report, error) {
	mark, err := x.guidelineMark(ctx)
	if err != nil {
		return Report{}, err
	}
	want, err := guidelineDocs(ctx, x.Guidelines, x.st.guidelines)
	if err != nil {
		return Report{}, err
	}
	d, err := x.Directory.Directory(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("search: read the directory: %w", err)
	}
	want = append(want, x.directoryDocs(d)...)
	r, err := Reconcile(ctx, x.Searcher, want, nil)
	if err != nil {
		return r, err
	}
	x.st.hashes = make(map[string]string, len(want))
	for _, doc := range want {
		x.st.hashes[doc.ID] = doc.Hash
	}
	x.st.dirVersion, x.st.guideMark, x.st.lastFull = d.Version, mark, time.Now()
	return r, nil
}

// changes indexes what changed since the last pass, by the change markers.
func (x *Indexer) changes(ctx context.Context) (Report, error) {
	var total Report
	d, err := x.Directory.Directory(ctx)
	if err != nil {
		return total, fmt.Errorf("search: read the directory: %w", err)
	}
	if d.Version != x.st.dirVersion {
		r, err := x.apply(ctx, "service:", x.directoryDocs(d))
		if err != nil {
			return r, err
		}
		total, x.st.dirVersion = r, d.Version
	}
	mark, err := x.guidelineMark(ctx)
	if err != nil {
		return total, err
	}
	if mark != x.st.guideMark {
		docs, err := guidelineDocs(ctx, x.Guidelines, x.st.guidelines)
		if err != nil {
			return total, err
		}
		r, err := x.apply(ctx, "guideline:", docs)
		if err != nil {
			return total, err
		}
		total.Added, total.Updated, total.Deleted = total.Added+r.Added, total.Updated+r.Updated, total.Deleted+r.Deleted
		x.st.guideMark = mark
	}
	return total, nil
}

// apply makes the records whose id starts with prefix those of docs, writing only what
// differs from what this Indexer last wrote.
func (x *Indexer) apply(ctx context.Context, prefix string, docs []portal.SearchDoc) (Report, error) {
	var r Report
	var write []portal.SearchDoc
	wanted := make(map[string]bool, len(docs))
	for _, d := range docs {
		wanted[d.ID] = true
		switch h, ok := x.st.hashes[d.ID]; {
		case !ok:
			r.Added++
		case h != d.Hash:
			r.Updated++
		default:
			r.Unchanged++
			continue
		}
		write = append(write, d)
	}
	var del []string
	for id := range x.st.hashes {
		if strings.HasPrefix(id, prefix) && !wanted[id] {
			del = append(del, id)
		}
	}
	if err := indexBatches(ctx, x.Searcher, write, func([]portal.SearchDoc) {}); err != nil {
		return Report{}, err
	}
	if err := deleteBatches(ctx, x.Searcher, del, func(int) {}); err != nil {
		return Report{}, err
	}
	r.Deleted = len(del)
	for _, d := range write {
		x.st.hashes[d.ID] = d.Hash
	}
	for _, id := range del {
		delete(x.st.hashes, id)
	}
	return r, nil
}

// directoryDocs returns the records of d, made again only for the organisations that
// changed since the last call.
func (x *Indexer) directoryDocs(d *portal.Directory) []portal.SearchDoc {
	docs := make([]portal.SearchDoc, 0, 2*len(d.Services()))
	seen := make(map[string]bool, len(d.Orgs))
	for _, o := range d.Orgs {
		seen[o.ID] = true
		e, ok := x.st.orgs[o.ID]
		if !ok || e.org != o {
			e = orgEntry{org: o, docs: x.st.builder.orgDocs(o)}
			x.st.orgs[o.ID] = e
		}
		docs = append(docs, e.docs...)
	}
	for id := range x.st.orgs {
		if !seen[id] {
			delete(x.st.orgs, id)
		}
	}
	return docs
}

// guidelinesVersioner is a guideline store with a cheap change marker (store.DB has one).
type guidelinesVersioner interface {
	GuidelinesVersion(ctx context.Context) (string, error)
}

// guidelineMark returns a value that changes when any guideline changes: the store's
// version when it has one, otherwise a hash of every guideline's id, revision and time of
// update.
func (x *Indexer) guidelineMark(ctx context.Context) (string, error) {
	if v, ok := x.Guidelines.(guidelinesVersioner); ok {
		mark, err := v.GuidelinesVersion(ctx)
		if err != nil {
			return "", fmt.Errorf("search: read the guidelines' version: %w", err)
		}
		return mark, nil
	}
	gs, err := x.Guidelines.FindGuidelines(ctx, portal.GuidelineFilter{})
	if err != nil {
		return "", fmt.Errorf("search: read the guidelines: %w", err)
	}
	h := sha256.New()
	for _, g := range gs {
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", g.ID, g.Revision, g.UpdatedAt.UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
