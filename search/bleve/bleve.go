// Package bleve is the embedded search engine: a portal.Searcher on a bleve v2 index kept
// on disk in the data directory, for the one-machine mode.
//
// Text is indexed as written (title, body, places: Unicode words, lower-cased, no stemmer)
// and folded by search.Fold (title_f, and text_f: title, places and body in one field), so
// that Cyrillic, Latin romanisations and keyboard stand-ins of Mongolian find each other.
// Every word of a query must be in text_f: folded, with a typo when the index does not
// know the word, or as the start of a word for the last one; a word in the title or spelled
// as typed ranks higher (textQuery). Queries are built from words, never parsed as bleve
// query syntax, so any text is a valid query. Snippets are cut and marked here, as plain
// text in parts (snippet.go).
//
// The index is derived data. Open rebuilds an index made with another mapping or another
// search.Fold as an empty one and says so (Index.Rebuilt): the caller reindexes, and the
// reconciliation by Hashes does it anyway.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/gobidialogue/portal"
)

// errClosed is the error of a search or a read of an index after Close: bleve's own
// reader of a closed index is no error but a nil snapshot, which panics when read.
var errClosed = errors.New("bleve: the search index is closed")

// versionKey is the internal key under which an index keeps its mappingVersion.
var versionKey = []byte("portal_mapping_version")

// batchSize bounds the records sent to bleve in one batch: large enough for throughput,
// small enough to keep a reindex's memory flat.
const batchSize = 1000

// lockTimeout is how long Open waits for another process to release the index.
const lockTimeout = "2s"

// Index is a bleve search index. It is safe for concurrent use.
type Index struct {
	idx     bleve.Index
	mapping mapping.IndexMapping
	text    analysis.Analyzer // textAnalyzer, for the words of queries
	keyword analysis.Analyzer // for the columns newDocument adds
	dir     string
	rebuilt bool
	results results // answers kept while the index stands still
	closed  atomic.Bool

	closeOnce sync.Once
	closeErr  error
}

var _ portal.Searcher = (*Index)(nil)

// Open opens the index in dir, creating it (and dir) when there is none. An index built
// with another mapping version is replaced by an empty one, and Rebuilt reports it. Open
// fails with a clear message when dir is not writable, holds something that is not an
// index, is in use by another process or cannot be read.
func Open(dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bleve: search index directory %s cannot be created: %w", dir, err)
	}
	if err := checkWritable(dir); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); errors.Is(err, os.ErrNotExist) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("bleve: search index directory %s: %w", dir, err)
		}
		if len(entries) > 0 {
			return nil, fmt.Errorf("bleve: %s is not a search index but is not empty either: "+
				"remove it or choose another data directory, then run `portal reindex`", dir)
		}
		return create(dir)
	}
	idx, err := bleve.OpenUsing(dir, map[string]any{"bolt_timeout": lockTimeout})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("bleve: search index %s is in use by another process "+
				"(is another portal running on this data directory?)", dir)
		}
		return nil, fmt.Errorf("bleve: search index %s cannot be opened, it may be corrupt: "+
			"stop the portal, remove the directory and run `portal reindex`: %w", dir, err)
	}
	version, err := idx.GetInternal(versionKey)
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("bleve: search index %s cannot be read, it may be corrupt: "+
			"stop the portal, remove the directory and run `portal reindex`: %w", dir, err)
	}
	if string(version) == mappingVersion() {
		return wrap(idx, dir)
	}
	// Built by another version of the portal: the index is derived data, so start afresh
	// rather than refuse to start. We held the lock, so no other process is using it.
	if err := idx.Close(); err != nil {
		return nil, fmt.Errorf("bleve: close outdated search index %s: %w", dir, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("bleve: remove outdated search index %s: %w", dir, err)
	}
	x, err := create(dir)
	if err != nil {
		return nil, err
	}
	x.rebuilt = true
	return x, nil
}

// OpenMemory returns an empty index held in memory, for tests. It is the same kind of
// index as Open's (scorch), so it matches the same way.
func OpenMemory() (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("bleve: mapping: %w", err)
	}
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("bleve: new in-memory index: %w", err)
	}
	return wrap(idx, "")
}

// create makes a new index in the empty or missing dir.
func create(dir string) (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("bleve: mapping: %w", err)
	}
	idx, err := bleve.New(dir, m)
	if err != nil {
		return nil, fmt.Errorf("bleve: create search index in %s: %w", dir, err)
	}
	if err := idx.SetInternal(versionKey, []byte(mappingVersion())); err != nil {
		idx.Close()
		return nil, fmt.Errorf("bleve: create search index in %s: %w", dir, err)
	}
	return wrap(idx, dir)
}

func wrap(idx bleve.Index, dir string) (*Index, error) {
	m := idx.Mapping()
	x := &Index{idx: idx, mapping: m, dir: dir}
	if im, ok := m.(*mapping.IndexMappingImpl); ok {
		x.text, x.keyword = im.AnalyzerNamed(textAnalyzer), im.AnalyzerNamed(keyword.Name)
	}
	if x.text == nil || x.keyword == nil {
		idx.Close()
		return nil, fmt.Errorf("bleve: search index %s lacks the analyzers of its mapping", dir)
	}
	return x, nil
}

// checkWritable tells early, and in words, that dir cannot be written to: bleve's own
// error would come later and name a file inside it.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".writable-*")
	if err != nil {
		return fmt.Errorf("bleve: search index directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// Rebuilt reports whether Open found an index of another mapping version and replaced it
// with an empty one: the caller must reindex (portal reindex, or search.Reconcile).
func (x *Index) Rebuilt() bool { return x.rebuilt }

// Dir returns the directory of the index, "" for one in memory.
func (x *Index) Dir() string { return x.dir }

// Close releases the index. Searches after Close fail.
// A second Close returns what the first did.
func (x *Index) Close() error {
	x.closeOnce.Do(func() {
		x.closed.Store(true) // Search then answers errClosed, kept answers included
		if err := x.idx.Close(); err != nil {
			x.closeErr = fmt.Errorf("bleve: close: %w", err)
		}
	})
	return x.closeErr
}

// Index adds or replaces records, in batches; a record given twice keeps the last. Every
// record is searchable when Index returns; one interrupted by a crash before bleve
// persisted it is missing from Hashes, so reconciliation indexes it again.
func (x *Index) Index(ctx context.Context, docs ...portal.SearchDoc) error {
	defer x.results.wrote() // after the last batch, or a failed one
	for _, d := range docs {
		if d.ID == "" {
			return portal.Errorf(portal.EINVALID, "search record without an id (titled %q)", d.Title)
		}
	}
	for start := 0; start < len(docs); start += batchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := x.idx.NewBatch()
		for _, d := range docs[start:min(start+batchSize, len(docs))] {
			doc, err := newDocument(x.mapping, x.keyword, d)
			if err == nil {
				err = b.IndexAdvanced(doc)
			}
			if err != nil {
				return fmt.Errorf("bleve: index %s: %w", d.ID, err)
			}
		}
		if err := x.idx.Batch(b); err != nil {
			return fmt.Errorf("bleve: index batch: %w", err)
		}
	}
	return nil
}

// Delete removes records by id; unknown ids are no error.
func (x *Index) Delete(ctx context.Context, ids ...string) error {
	defer x.results.wrote()
	for start := 0; start < len(ids); start += batchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := x.idx.NewBatch()
		for _, id := range ids[start:min(start+batchSize, len(ids))] {
			if id != "" {
				b.Delete(id)
			}
		}
		if err := x.idx.Batch(b); err != nil {
			return fmt.Errorf("bleve: delete batch: %w", err)
		}
	}
	return nil
}

// Hashes returns the id and Hash of every record. It walks the index's documents and
// reads the hash from its doc values, without scoring or sorting anything.
func (x *Index) Hashes(ctx context.Context) (map[string]string, error) {
	if x.closed.Load() {
		return nil, errClosed
	}
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("bleve: hashes: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("bleve: hashes: %w", err)
	}
	defer r.Close()
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return nil, fmt.Errorf("bleve: hashes: %w", err)
	}
	defer ids.Close()
	dv, err := r.DocValueReader([]string{fieldHash})
	if err != nil {
		return nil, fmt.Errorf("bleve: hashes: %w", err)
	}
	out := make(map[string]string)
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		internal, err := ids.Next()
		if err != nil {
			return nil, fmt.Errorf("bleve: hashes: %w", err)
		}
		if internal == nil {
			return out, nil
		}
		id, err := r.ExternalID(internal)
		if err != nil {
			return nil, fmt.Errorf("bleve: hashes: %w", err)
		}
		hash := ""
		if err := dv.VisitDocValues(internal, func(field string, term []byte) {
			if field == fieldHash {
				hash = string(term)
			}
		}); err != nil {
			return nil, fmt.Errorf("bleve: hashes of %s: %w", id, err)
		}
		out[id] = hash
	}
}
