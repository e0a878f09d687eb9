package bleve

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gobidialogue/portal"
)

// resultsMaxBytes bounds the answers an Index keeps (an estimate of their strings). An
// ids-only answer of the directory's finder is up to 2,000 ids, some 100 KB; a page of
// /search a few kilobytes. Past the bound the whole set is dropped.
const resultsMaxBytes = 16 << 20

// results keeps the answers of recent searches while the index stands still. The same
// search is asked by many pages: the directory's words in each language and on each page
// of the list ask the engine the same ids-only question, and /search in the default
// language asks what it asks in Mongolian. A search whose words name a place matches
// thousands of records and costs tens of milliseconds; the page cache keeps each page,
// but every page once.
//
// An answer is kept with the generation of the index it was read from, taken before the
// search began, and given again only while the generation is the same. Every write
// through this Index moves the generation after it is done; no other process writes to
// the index (bleve holds it locked). So an answer read while a write was under way is
// never given again, and none outlives a change.
type results struct {
	gen atomic.Uint64

	mu    sync.Mutex
	kept  map[portal.SearchQuery]keptResult
	bytes int
}

type keptResult struct {
	gen uint64
	res *portal.SearchResult
}

// generation returns the index's generation, to pass to get and put.
func (r *results) generation() uint64 { return r.gen.Load() }

// wrote records that the index changed.
func (r *results) wrote() { r.gen.Add(1) }

// get returns a copy of the answer to q kept at generation gen.
func (r *results) get(q portal.SearchQuery, gen uint64) (*portal.SearchResult, bool) {
	r.mu.Lock()
	k, ok := r.kept[q]
	r.mu.Unlock()
	if !ok || k.gen != gen {
		return nil, false
	}
	return shallowCopy(k.res), true
}

// put keeps res, the answer to q read at generation gen, unless the index has moved on
// since, and returns a copy of it for the caller.
func (r *results) put(q portal.SearchQuery, gen uint64, res *portal.SearchResult) *portal.SearchResult {
	if gen != r.generation() {
		return res
	}
	size := resultSize(q, res)
	r.mu.Lock()
	if r.kept == nil || r.bytes+size > resultsMaxBytes {
		r.kept, r.bytes = map[portal.SearchQuery]keptResult{}, 0
	}
	if old, ok := r.kept[q]; ok {
		r.bytes -= resultSize(q, old.res)
	}
	r.kept[q] = keptResult{gen: gen, res: res}
	r.bytes += size
	r.mu.Unlock()
	return shallowCopy(res)
}

// shallowCopy returns res with a list of hits of its own, so that a caller who changes
// its answer's list does not change the kept one. The hits' snippets and the facets are
// shared: callers read them.
func shallowCopy(res *portal.SearchResult) *portal.SearchResult {
	c := *res
	c.Hits = slices.Clone(res.Hits)
	return &c
}

// resultSize estimates the bytes that keeping res, the answer to q, holds: the key, the
// map's entry and the answer's strings, lists and facet map.
func resultSize(q portal.SearchQuery, res *portal.SearchResult) int {
	n := 256 + len(q.Text) + len(q.Kind) + len(q.Aimag) + len(q.Type)
	for _, h := range res.Hits {
		n += 96 + len(h.ID) + len(h.Kind) + len(h.Thing) + len(h.Language) + len(h.Title) + len(h.URL)
		for _, p := range h.Snippet {
			n += 24 + len(p.Text)
		}
	}
	for name, values := range res.Facets {
		n += len(name) + 64
		for _, v := range values {
			n += 32 + len(v.Value)
		}
	}
	return n
}

// ForgetAnswers drops the answers the index keeps, so that the next searches ask the
// index itself: for benchmarks of the engine, which would otherwise time the same answer
// given again.
func (x *Index) ForgetAnswers() { x.results.wrote() }
