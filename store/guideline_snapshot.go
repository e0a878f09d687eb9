package store

import (
	"context"
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

// guidelineListSnapshot returns the snapshot of every document of db's guidelines
// collection. FerretDB decodes each document it scans from JSON, about 0.3 ms for a
// guideline (measured: 270 ms to list 1,000), whatever the filter, and list pages list
// guidelines on every request; so they are listed from memory and filtered here.
func guidelineListSnapshot(db *DB) *snapshots[struct{}, []guidelineDoc] {
	return &snapshots[struct{}, []guidelineDoc]{
		versionKey: func(struct{}) string { return guidelinesVersionKey },
		load: func(ctx context.Context, _ struct{}, _ string) ([]guidelineDoc, error) {
			docs, err := db.scanGuidelines(ctx)
			if docs == nil && err == nil {
				docs = []guidelineDoc{} // loaded, and empty
			}
			return docs, err
		},
		maxAge: guidelineListMaxAge,
		max:    1,
	}
}

// withGuideline returns docs with d in place of the document of its id, or added: the
// list after a write of d, without reading it again. docs is shared and is not modified.
func withGuideline(docs []guidelineDoc, d *guidelineDoc) []guidelineDoc {
	out := make([]guidelineDoc, 0, len(docs)+1)
	for _, x := range docs {
		if x.ID != d.ID {
			out = append(out, x)
		}
	}
	return append(out, *d)
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
