package server

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
)

// DefaultPageCacheBytes bounds the public page cache when the configuration does not.
const DefaultPageCacheBytes = 64 << 20

// pageCache holds public pages as bytes: what a visitor who is not signed in receives for a
// path, query and language, rendered once per stamp (the versions of everything a public
// page shows, and the minute: see Server.pageStamp) and kept with its gzip form and ETag. It
// is an LRU bounded by bytes. It knows nothing of HTTP routing or sessions: the middleware
// in cache.go decides what may enter it.
//
// A hit, nearly every request, takes the lock for reading only and marks the page used (an
// atomic flag) instead of moving it in the order: the order is the order pages were stored
// in, and eviction gives a page marked used since it last came round a second chance
// (moved to the front, its mark cleared), which approximates least-recently-used (the
// CLOCK algorithm). With an exclusive lock per hit, two processors serving pages queued on
// it, and a request that waited was parked behind every runnable one.
type pageCache struct {
	max int64

	mu     sync.RWMutex
	items  map[string]*list.Element // of *cachedPage
	order  list.List                // most recently used first
	bytes  int64
	flight map[string]*flight // renders under way, by key

	hits, misses, stale, stores, evictions atomic.Int64
}

// cachedPage is one page held, immutable once made but for its used mark.
type cachedPage struct {
	used  atomic.Bool // read since it was stored or last given a second chance
	key   string
	stamp pageStamp
	// The headers it is served with, as the header map holds them, made once.
	contentType, cacheControl, etag, length, gzLength, allowOrigin []string
	// A page is kept once: gzipped when compression pays (gz; nearly every client takes
	// it, and the cache holds four to five times as many pages so), as it is otherwise
	// (body). A client that does not take gzip gets gz decompressed.
	body, gz []byte
}

// size is what p costs the cache: its bytes and a fixed allowance for the rest.
func (p *cachedPage) size() int64 {
	return int64(len(p.key)+len(p.stamp.Shows)+len(p.body)+len(p.gz)) + 512
}

// flight is a render of one key under way: others asking for the key wait for it instead
// of rendering the same page again.
type flight struct {
	done   chan struct{}
	page   *cachedPage // nil when the render could not be kept; set before done closes
	landed bool        // under pageCache.mu
}

func newPageCache(max int64) *pageCache {
	return &pageCache{max: max, items: map[string]*list.Element{}, flight: map[string]*flight{}}
}

// get returns the page at key rendered at stamp, as a hit. Otherwise, when it holds a page
// at key that may be served while a fresh one is made (pageStamp.usable, and stale
// allowed), it returns that page and, unless a rendering of key is under way already, a
// new flight for the caller to make the fresh page with (lead). Otherwise it returns the
// rendering under way to wait for, or a new flight that the caller must end with land.
func (c *pageCache) get(key string, stamp pageStamp, stale bool) (p *cachedPage, wait *flight, lead *flight) {
	c.mu.RLock()
	if el, ok := c.items[key]; ok {
		if p := el.Value.(*cachedPage); p.stamp == stamp {
			c.mu.RUnlock()
			if !p.used.Load() { // a store only when it changes: the flag's line stays shared
				p.used.Store(true)
			}
			c.hits.Add(1)
			return p, nil, nil
		}
	}
	c.mu.RUnlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		p = el.Value.(*cachedPage)
		if p.stamp == stamp { // stored since the look above
			p.used.Store(true)
			c.hits.Add(1)
			return p, nil, nil
		}
		if !stale || !p.stamp.usable(stamp) {
			p = nil
		}
	}
	c.misses.Add(1)
	f, ok := c.flight[key]
	switch {
	case ok && p != nil:
		c.stale.Add(1)
		return p, nil, nil
	case ok:
		return nil, f, nil
	}
	f = &flight{done: make(chan struct{})}
	c.flight[key] = f
	if p != nil {
		c.stale.Add(1)
	}
	return p, nil, f
}

// land ends the flight f of key: p (nil when the page could not be kept) replaces what the
// cache held at key, and whoever waited is woken. Landing a flight again does nothing.
func (c *pageCache) land(key string, f *flight, p *cachedPage) {
	c.mu.Lock()
	if f.landed {
		c.mu.Unlock()
		return
	}
	f.landed, f.page = true, p
	if c.flight[key] == f {
		delete(c.flight, key)
	}
	if p != nil && p.size() <= c.max/8 {
		c.put(p)
	}
	c.mu.Unlock()
	close(f.done)
}

// put stores p, dropping pages beyond max, the least recently used first (nearly: see
// pageCache). c.mu is held.
func (c *pageCache) put(p *cachedPage) {
	if el, ok := c.items[p.key]; ok {
		c.bytes -= el.Value.(*cachedPage).size()
		c.order.Remove(el)
	}
	c.items[p.key] = c.order.PushFront(p)
	c.bytes += p.size()
	c.stores.Add(1)
	for c.bytes > c.max {
		last := c.order.Back()
		old := last.Value.(*cachedPage)
		if old == p || old.used.Load() {
			// The page just stored, or one read since it came round last: a second
			// chance. Readers hold the lock for reading, so none marks a page while
			// this runs, and a pass of the order clears every mark: the loop ends (p
			// is at most an eighth of max, so others are there to drop).
			old.used.Store(false)
			c.order.MoveToFront(last)
			continue
		}
		c.order.Remove(last)
		delete(c.items, old.key)
		c.bytes -= old.size()
		c.evictions.Add(1)
	}
}

// holds reports whether the cache holds a page at key, of whatever stamp.
func (c *pageCache) holds(key string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.items[key]
	return ok
}

// pageCacheStats is what the cache reports on /metrics.
type pageCacheStats struct {
	Bytes, Max, Entries                    int64
	Hits, Misses, Stale, Stores, Evictions int64
}

func (c *pageCache) stats() pageCacheStats {
	c.mu.RLock()
	b, n := c.bytes, int64(len(c.items))
	c.mu.RUnlock()
	return pageCacheStats{Bytes: b, Max: c.max, Entries: n, Hits: c.hits.Load(), Misses: c.misses.Load(), Stale: c.stale.Load(),
		Stores: c.stores.Load(), Evictions: c.evictions.Load()}
}

// each calls fn with every page held, for tests that look at what the cache keeps.
func (c *pageCache) each(fn func(key string, body []byte)) {
	c.mu.RLock()
	pages := make([]*cachedPage, 0, len(c.items))
	for el := c.order.Front(); el != nil; el = el.Next() {
		pages = append(pages, el.Value.(*cachedPage))
	}
	c.mu.RUnlock()
	for _, p := range pages {
		b, err := p.plain()
		if err != nil {
			b = p.gz
		}
		fn(p.key, b)
	}
}

// pageGzipLevel is how hard a page kept is compressed. Every page kept is compressed once
// per rendering, in a visitor's request (a miss) or in a background rendering (a page out of
// date), and most pages of a large directory are rendered again every minute or two for few
// visitors each. The best level (9) cost three to four times level 6's CPU, 1 to 4 ms for
// the directory and guideline pages of the 10,000-service load, for 1.5 to 3.5 % fewer
// bytes (BenchmarkKeepPage measures a rendering with it).
const pageGzipLevel = 6

// pageGzipPool holds the writers of the pages kept.
var pageGzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, pageGzipLevel)
	return zw
}}

// newCachedPage makes the page to keep: body with its ETag (the handler's, or else one of
// the body) and, when the type compresses and it pays, its gzip form.
func newCachedPage(key string, stamp pageStamp, ctype, cacheControl, etag, allowOrigin string, body []byte) *cachedPage {
	if etag == "" {
		sum := sha256.Sum256(body)
		etag = `W/"` + hex.EncodeToString(sum[:12]) + `"`
	}
	p := &cachedPage{key: key, stamp: stamp, body: body,
		contentType: []string{ctype}, etag: []string{etag}, length: []string{strconv.Itoa(len(body))}}
	if cacheControl != "" {
		p.cacheControl = []string{cacheControl}
	}
	if allowOrigin != "" {
		p.allowOrigin = []string{allowOrigin}
	}
	if compressible(ctype) && len(body) >= minGzipBytes {
		var buf bytes.Buffer
		zw := pageGzipPool.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		pageGzipPool.Put(zw)
		if buf.Len() < len(body) {
			p.gz, p.body = bytes.Clone(buf.Bytes()), nil
			p.gzLength = []string{strconv.Itoa(len(p.gz))}
		}
	}
	return p
}

// plain returns the page's bytes as they were rendered.
func (p *cachedPage) plain() ([]byte, error) {
	if p.gz == nil {
		return p.body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(p.gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// minGzipBytes is the size below which a body is sent as it is: gzip's header and trailer
// would eat what it saves.
const minGzipBytes = 256
