package store

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// guidelineCache holds every document of the guidelines collection of one database served by
// an Embedded of this process. FerretDB decodes each document it scans from JSON, about 0.3 ms
// for a guideline (measured: 270 ms to list 1,000), whatever the filter, and list pages list
// guidelines on every request. The cache is exact, not just bounded in time: the embedded
// database has one process (the data directory is locked), and every write to guidelines goes
// through a DB, which clears the cache shared by all DBs on that database. A MongoDB, with
// other processes writing to it and indexes to answer filters, gets no cache.
type guidelineCache struct {
	mu   sync.Mutex
	gen  uint64         // counts clears, so a scan that raced a write is not kept
	docs []guidelineDoc // nil until loaded; never modified, only replaced
}

// load returns the cached documents, or scans the collection and keeps the result unless a
// write cleared the cache meanwhile.
func (c *guidelineCache) load(ctx context.Context, db *DB) ([]guidelineDoc, error) {
	c.mu.Lock()
	docs, gen := c.docs, c.gen
	c.mu.Unlock()
	if docs != nil {
		return docs, nil
	}
	docs, err := db.scanGuidelines(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	if docs == nil {
		docs = []guidelineDoc{} // loaded, and empty
	}
	c.mu.Lock()
	if c.gen == gen {
		c.docs = docs
	}
	c.mu.Unlock()
	return docs, nil
}

// clear drops the cached documents; writers call it after every write, failed or not.
func (c *guidelineCache) clear() {
	c.mu.Lock()
	c.gen++
	c.docs = nil
	c.mu.Unlock()
}

// cacheFor returns the guideline cache of the database name, shared by every DB opened on it.
func (e *Embedded) cacheFor(name string) *guidelineCache {
	c, _ := e.caches.LoadOrStore(name, new(guidelineCache))
	return c.(*guidelineCache)
}
