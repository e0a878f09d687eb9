package server

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// keepPage stores a page of n bytes at key in c, as a rendering that was waited for does.
func keepPage(c *pageCache, key string, n int) {
	st := pageStamp{PageVersion: PageVersion{Shows: "v"}}
	_, _, lead := c.get(key, st, false)
	c.land(key, lead, newCachedPage(key, st, "image/png", "", "", "", bytes.Repeat([]byte{'x'}, n)))
}

// TestPageCacheEvictsUnread: past its bound the cache drops the pages not read since they
// came round, oldest first, and keeps a page that is read, however old it is; it never
// holds more than its bound.
func TestPageCacheEvictsUnread(t *testing.T) {
	const page = 1000
	st := pageStamp{PageVersion: PageVersion{Shows: "v"}}
	size := (&cachedPage{key: "k0", stamp: st, body: make([]byte, page)}).size()
	c := newPageCache(8*size + 16) // eight pages (the new ones' keys are two bytes longer)
	for i := range 8 {
		keepPage(c, fmt.Sprintf("k%d", i), page)
	}
	for round := range 4 {
		// k0, the oldest, is read before every new page: it stays. The others are not.
		if p, _, _ := c.get("k0", st, false); p == nil {
			t.Fatalf("round %d: k0, read every round, was dropped", round)
		}
		keepPage(c, fmt.Sprintf("new%d", round), page)
		if st := c.stats(); st.Bytes > st.Max {
			t.Fatalf("round %d: holds %d bytes, bound %d", round, st.Bytes, st.Max)
		}
	}
	for _, k := range []string{"k1", "k2", "k3", "k4"} {
		if c.holds(k) {
			t.Errorf("%s, never read, is held while newer pages came", k)
		}
	}
	for _, k := range []string{"k0", "k5", "k6", "k7", "new0", "new1", "new2", "new3"} {
		if !c.holds(k) {
			t.Errorf("%s was dropped", k)
		}
	}
	// Every page held is read; the page stored next is the most recently used of all, and
	// one of the others makes room for it.
	for _, k := range []string{"k0", "k5", "k6", "k7", "new0", "new1", "new2", "new3"} {
		c.get(k, st, false)
	}
	keepPage(c, "kf", page)
	if !c.holds("kf") {
		t.Error("the page just stored was dropped to make room for itself")
	}
	if s := c.stats(); s.Entries != 8 || s.Bytes > s.Max {
		t.Errorf("holds %d pages, %d bytes of %d", s.Entries, s.Bytes, s.Max)
	}
}

// TestPageCacheConcurrentHits: readers hitting pages while others are stored and dropped
// all get whole, right pages (run with -race).
func TestPageCacheConcurrentHits(t *testing.T) {
	st := pageStamp{PageVersion: PageVersion{Shows: "v"}}
	size := (&cachedPage{key: "k0", stamp: st, body: make([]byte, 500)}).size()
	c := newPageCache(16 * size)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				key := fmt.Sprintf("k%d", (i*7+g)%40)
				if p, wait, lead := c.get(key, st, false); p != nil {
					if p.key != key || len(p.body) != 500 {
						t.Errorf("asked %s, got %s of %d bytes", key, p.key, len(p.body))
						return
					}
				} else if lead != nil {
					c.land(key, lead, newCachedPage(key, st, "image/png", "", "", "", make([]byte, 500)))
				} else {
					<-wait.done
				}
			}
		})
	}
	wg.Wait()
	if s := c.stats(); s.Bytes > s.Max || s.Hits == 0 || s.Evictions == 0 {
		t.Errorf("after the run: %+v", s)
	}
}
