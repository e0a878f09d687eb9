package search

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
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
//   - every Interval it reads each source's Version (one _id lookup each), and for a
//     source whose version moved it makes the source's records, compares their hashes
//     with those it last wrote and sends only the difference;
//   - after any error (the engine or the database down) the next pass is a whole
//     reconcile again, retried every Interval; the outage is logged once at WARN;
//   - every FullEvery it reconciles whole anyway, so a change whose version was lost (a
//     writer that died between its write and the version) or an index changed behind its
//     back converges in bounded time.
//
// Several processes may each run an Indexer on the same index: they write the same
// records, so they agree.
type Indexer struct {
	Searcher portal.Searcher
	// Sources are what the index holds records of (see Sources); each source's records
	// have ids of its own prefix.
	Sources []Source
	// Interval is the time between passes; DefaultInterval when zero.
	Interval time.Duration
	// FullEvery is the time between whole reconciles; DefaultFullEvery when zero.
	FullEvery time.Duration
	// Logger is slog.Default() when nil.
	Logger *slog.Logger

	st indexState
	// generation counts the passes that changed the index (see Generation).
	generation atomic.Int64
}

// Generation returns a number that grows whenever a pass of this Indexer changed the index:
// pages made from search results are current while it stands still. Safe to call while Run
// runs.
func (x *Indexer) Generation() int64 { return x.generation.Load() }

// indexState is what an Indexer remembers between passes.
type indexState struct {
	// hashes are the id → hash of every record as this Indexer last wrote or found it; nil
	// until a whole reconcile succeeds, and after any error.
	hashes   map[string]string
	versions []string // of each source, when its records were last made
	lastFull time.Time
	down     bool // the last pass failed and the failure was logged
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
	if err != nil || r.Changed() {
		// A failed pass may have written part of what it meant to.
		x.generation.Add(1)
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

// full reconciles the whole index with every source. Each version is read before the
// records it stands for, so a write racing the pass moves the version again.
func (x *Indexer) full(ctx context.Context) (Report, error) {
	versions := make([]string, len(x.Sources))
	var want []portal.SearchDoc
	for i, s := range x.Sources {
		v, err := s.Version(ctx)
		if err != nil {
			return Report{}, err
		}
		docs, err := s.Records(ctx)
		if err != nil {
			return Report{}, err
		}
		versions[i], want = v, append(want, docs...)
	}
	r, err := Reconcile(ctx, x.Searcher, want, nil)
	if err != nil {
		return r, err
	}
	x.st.hashes = make(map[string]string, len(want))
	for _, doc := range want {
		x.st.hashes[doc.ID] = doc.Hash
	}
	x.st.versions, x.st.lastFull = versions, time.Now()
	return r, nil
}

// changes indexes the records of the sources whose version moved since the last pass.
func (x *Indexer) changes(ctx context.Context) (Report, error) {
	var total Report
	for i, s := range x.Sources {
		v, err := s.Version(ctx)
		if err != nil {
			return total, err
		}
		if v == x.st.versions[i] {
			continue
		}
		docs, err := s.Records(ctx)
		if err != nil {
			return total, err
		}
		r, err := x.apply(ctx, s.Prefix(), docs)
		if err != nil {
			return total, err
		}
		total.Added, total.Updated, total.Deleted = total.Added+r.Added, total.Updated+r.Updated, total.Deleted+r.Deleted
		x.st.versions[i] = v
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
