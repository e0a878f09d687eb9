package store

import (
	"container/list"
	"sync"
	"time"

	"github.com/gobidialogue/portal"
)

// revisionCache keeps recently read revisions in memory. A revision is written once and
// never changed (a retried save writes the same content under the same ID), and decoding
// one from the embedded engine costs about 10 ms (FerretDB parses the ~50 KB document from
// JSON), which would be most of a guideline page. The cache is bounded in size (LRU) and in
// time, and a save in this process drops the IDs it wrote, as DESIGN.md asks of any
// per-process cache.
type revisionCache struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	order *list.List // of *revisionEntry, most recently used first
	items map[string]*list.Element
}

type revisionEntry struct {
	id      string
	rev     *portal.Revision
	expires time.Time
}

func newRevisionCache(max int, ttl time.Duration) *revisionCache {
	return &revisionCache{max: max, ttl: ttl, now: time.Now, order: list.New(), items: map[string]*list.Element{}}
}

// get returns the cached revision with id. The revision is shared: callers must not modify it.
func (c *revisionCache) get(id string) (*portal.Revision, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[id]
	if !ok {
		return nil, false
	}
	e := el.Value.(*revisionEntry)
	if c.now().After(e.expires) {
		c.order.Remove(el)
		delete(c.items, id)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e.rev, true
}

// put caches rev under id, evicting the least recently used entry when full.
func (c *revisionCache) put(id string, rev *portal.Revision) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[id]; ok {
		c.order.Remove(el)
	}
	c.items[id] = c.order.PushFront(&revisionEntry{id: id, rev: rev, expires: c.now().Add(c.ttl)})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*revisionEntry).id)
	}
}

// remove drops id from the cache.
func (c *revisionCache) remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[id]; ok {
		c.order.Remove(el)
		delete(c.items, id)
	}
}
