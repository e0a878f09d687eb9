package search

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gobidialogue/portal"
)

// BatchSize is how many records Reconcile sends to the engine in one call: large enough
// that 100,000 services take a few hundred calls, small enough that one call stays well
// under Meilisearch's payload limit and a failure loses little.
const BatchSize = 500

// Report counts what Reconcile did.
type Report struct {
	Added, Updated, Deleted, Unchanged int
}

// Changed reports whether Reconcile wrote anything.
func (r Report) Changed() bool { return r.Added+r.Updated+r.Deleted > 0 }

// Reconcile makes the index hold exactly want: it indexes the records the index lacks or
// holds with another hash, and deletes the records it holds that want lacks, in batches of
// BatchSize. progress, when not nil, is called with the records written so far and the
// total to write, first with 0. An error leaves the index part way, which the next
// Reconcile completes; the report counts what was done until then.
func Reconcile(ctx context.Context, s portal.Searcher, want []portal.SearchDoc, progress func(done, total int)) (Report, error) {
	return reconcile(ctx, s, want, false, progress)
}

// Rebuild is Reconcile that rewrites every record of want, changed or not: what
// `portal reindex` does, in case the index holds a record whose content is not what its
// hash says (an engine's settings changed, a file was damaged). Searches keep working
// during a Rebuild: no record is deleted that want holds.
func Rebuild(ctx context.Context, s portal.Searcher, want []portal.SearchDoc, progress func(done, total int)) (Report, error) {
	return reconcile(ctx, s, want, true, progress)
}

func reconcile(ctx context.Context, s portal.Searcher, want []portal.SearchDoc, all bool, progress func(done, total int)) (Report, error) {
	var r Report
	have, err := s.Hashes(ctx)
	if err != nil {
		return r, fmt.Errorf("search: reconcile: %w", err)
	}
	var write []portal.SearchDoc
	wanted := make(map[string]bool, len(want))
	for _, d := range want {
		wanted[d.ID] = true
		if h, ok := have[d.ID]; ok && h == d.Hash && !all {
			r.Unchanged++
			continue
		}
		write = append(write, d)
	}
	var del []string
	for id := range have {
		if !wanted[id] {
			del = append(del, id)
		}
	}
	sort.Strings(del)
	total, done := len(write)+len(del), 0
	report := func(n int) {
		done += n
		if progress != nil {
			progress(done, total)
		}
	}
	report(0)
	err = indexBatches(ctx, s, write, func(batch []portal.SearchDoc) {
		for _, d := range batch {
			if _, ok := have[d.ID]; ok {
				r.Updated++
			} else {
				r.Added++
			}
		}
		report(len(batch))
	})
	if err == nil {
		err = deleteBatches(ctx, s, del, func(n int) { r.Deleted += n; report(n) })
	}
	return r, err
}

// indexBatches indexes docs BatchSize at a time, calling done after each batch.
func indexBatches(ctx context.Context, s portal.Searcher, docs []portal.SearchDoc, done func([]portal.SearchDoc)) error {
	for start := 0; start < len(docs); start += BatchSize {
		batch := docs[start:min(start+BatchSize, len(docs))]
		if err := s.Index(ctx, batch...); err != nil {
			return fmt.Errorf("search: index %d records: %w", len(batch), err)
		}
		done(batch)
	}
	return nil
}

// deleteBatches deletes ids BatchSize at a time, calling done after each batch.
func deleteBatches(ctx context.Context, s portal.Searcher, ids []string, done func(int)) error {
	for start := 0; start < len(ids); start += BatchSize {
		batch := ids[start:min(start+BatchSize, len(ids))]
		if err := s.Delete(ctx, batch...); err != nil {
			return fmt.Errorf("search: delete %d records: %w", len(batch), err)
		}
		done(len(batch))
	}
	return nil
}

// Check compares the index with want without changing it: the ids of records the index
// lacks (missing), holds with another hash (stale) and holds but want lacks (extra), each
// sorted.
func Check(ctx context.Context, s portal.Searcher, want []portal.SearchDoc) (missing, stale, extra []string, err error) {
	have, err := s.Hashes(ctx)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("search: check: %w", err)
	}
	wanted := make(map[string]bool, len(want))
	for _, d := range want {
		wanted[d.ID] = true
		switch h, ok := have[d.ID]; {
		case !ok:
			missing = append(missing, d.ID)
		case h != d.Hash:
			stale = append(stale, d.ID)
		}
	}
	for id := range have {
		if !wanted[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	sort.Strings(extra)
	return missing, stale, extra, nil
}

// guidelineCache keeps the records of each guideline by its id, with the revision and time
// of update they were made from, so that a guideline that did not change is not read again.
type guidelineCache map[string]guidelineEntry

type guidelineEntry struct {
	key  string // what the records were made from: see entryKey
	docs []portal.SearchDoc
}

// entryKey is what a guideline's records depend on besides the revision's text, which a
// revision number fixes.
func entryKey(g *portal.Guideline) string {
	return fmt.Sprintf("%d\x00%d\x00%s\x00%s", g.Revision, g.UpdatedAt.UnixNano(), g.Slug, g.Title)
}

// guidelineDocs returns the records of every guideline's current revision. With a cache,
// it reads only the revisions of guidelines that changed since the cache was filled, and
// refills it.
func guidelineDocs(ctx context.Context, store portal.GuidelineStore, cache guidelineCache) ([]portal.SearchDoc, error) {
	gs, err := store.FindGuidelines(ctx, portal.GuidelineFilter{})
	if err != nil {
		return nil, fmt.Errorf("search: read the guidelines: %w", err)
	}
	var docs []portal.SearchDoc
	seen := make(map[string]bool, len(gs))
	for _, g := range gs {
		seen[g.ID] = true
		e, ok := cache[g.ID]
		if key := entryKey(g); !ok || e.key != key {
			rev, err := store.FindRevision(ctx, g.ID, g.Revision)
			if err != nil {
				return nil, fmt.Errorf("search: read revision %d of guideline %s: %w", g.Revision, g.ID, err)
			}
			e = guidelineEntry{key: key, docs: FromGuideline(g, rev)}
			if cache != nil {
				cache[g.ID] = e
			}
		}
		docs = append(docs, e.docs...)
	}
	for id := range cache {
		if !seen[id] {
			delete(cache, id)
		}
	}
	return docs, nil
}

func sortByID(docs []portal.SearchDoc) {
	sort.Slice(docs, func(i, j int) bool { return strings.Compare(docs[i].ID, docs[j].ID) < 0 })
}
