package store

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/gobidialogue/portal"
)

// guidelinesVersionKey names the version of the guidelines collection, claimed anew by
// every write to it (see snapshots): the guideline list is checked against it, and the
// search indexer follows it.
const guidelinesVersionKey = "guidelines_version"

// guidelineListMaxAge bounds how long a process trusts its guideline list without reading
// it again (see snapshots).
const guidelineListMaxAge = 5 * time.Minute

// guidelineListSnapshot returns the snapshot of every guideline of db's guidelines
// collection. FerretDB decodes each document it scans from JSON, about 0.3 ms for a
// guideline (measured: 270 ms to list 1,000), whatever the filter, and list pages list
// guidelines on every request; so they are listed from memory, converted and in order
// once, and filtered per request.
func guidelineListSnapshot(db *DB) *snapshots[struct{}, *guidelineList] {
	return &snapshots[struct{}, *guidelineList]{
		versionKey: func(struct{}) string { return guidelinesVersionKey },
		load: func(ctx context.Context, _ struct{}, _ string) (*guidelineList, error) {
			docs, err := db.scanGuidelines(ctx)
			if err != nil {
				return nil, err
			}
			return newGuidelineList(docs), nil
		},
		maxAge: guidelineListMaxAge,
		max:    1,
	}
}

// guidelineList is the guideline list as held: shared by every reader, and never modified
// (a write makes a new one).
type guidelineList struct {
	docs   map[string]*guidelineDoc // by ID: FindGuideline converts one for its caller
	sorted []*portal.Guideline      // in FindGuidelines' order
}

func newGuidelineList(docs []guidelineDoc) *guidelineList {
	l := &guidelineList{docs: make(map[string]*guidelineDoc, len(docs)), sorted: make([]*portal.Guideline, len(docs))}
	for i := range docs {
		l.docs[docs[i].ID] = &docs[i]
		l.sorted[i] = docs[i].guideline()
	}
	slices.SortFunc(l.sorted, listOrder)
	return l
}

// listOrder orders guidelines as FindGuidelines lists them: most recently updated first
// and, among those updated at the same time, by ID.
func listOrder(a, b *portal.Guideline) int {
	return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(a.ID, b.ID))
}

// with returns the list after a write of d, without reading it again: d in place of the
// document of its ID, or added. l is left as it is.
func (l *guidelineList) with(d *guidelineDoc) *guidelineList {
	g := d.guideline()
	n := &guidelineList{docs: maps.Clone(l.docs), sorted: make([]*portal.Guideline, 0, len(l.sorted)+1)}
	if n.docs == nil {
		n.docs = map[string]*guidelineDoc{}
	}
	n.docs[d.ID] = d
	for _, x := range l.sorted {
		if x.ID != d.ID {
			n.sorted = append(n.sorted, x)
		}
	}
	i, _ := slices.BinarySearchFunc(n.sorted, g, listOrder)
	n.sorted = slices.Insert(n.sorted, i, g)
	return n
}

// The revision snapshot holds up to revisionCacheSize revisions (about 50 KB each) for at
// most revisionCacheTTL.
const (
	revisionCacheSize = 256
	revisionCacheTTL  = 10 * time.Minute
)

// revisionSnapshot returns the snapshot of revisions, by cache key: a revision's ID for the
// whole revision, renderedKey(ID) for what a page shows. A revision is written once and
// never changed (a retried save writes the same content under the same ID, and drops the
// copies this process holds), so it has no version to check; and decoding one from the
// embedded engine costs about 10 ms (FerretDB parses the ~50 KB document from JSON), which
// would be most of a guideline page.
func revisionSnapshot(db *DB) *snapshots[string, *portal.Revision] {
	return &snapshots[string, *portal.Revision]{
		load: func(ctx context.Context, key string, _ string) (*portal.Revision, error) {
			if id, ok := renderedID(key); ok {
				return db.findRendered(ctx, id)
			}
			return db.findWhole(ctx, key)
		},
		maxAge: revisionCacheTTL,
		max:    revisionCacheSize,
	}
}
