package store

import (
	"testing"
	"time"

	"github.com/gobidialogue/portal"
)

func TestRevisionCache(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	c := newRevisionCache(2, time.Minute)
	c.now = func() time.Time { return now }
	a, b, d := &portal.Revision{ID: "a"}, &portal.Revision{ID: "b"}, &portal.Revision{ID: "d"}
	c.put("a", a)
	c.put("b", b)
	if got, ok := c.get("a"); !ok || got != a {
		t.Fatal("a not cached")
	}
	c.put("d", d) // evicts b, the least recently used
	if _, ok := c.get("b"); ok {
		t.Error("b survived eviction")
	}
	if _, ok := c.get("d"); !ok {
		t.Error("d not cached")
	}
	c.remove("d")
	if _, ok := c.get("d"); ok {
		t.Error("d survived remove")
	}
	now = now.Add(2 * time.Minute)
	if _, ok := c.get("a"); ok {
		t.Error("a survived its time to live")
	}
	if len(c.items) != 0 || c.order.Len() != 0 {
		t.Errorf("cache holds %d/%d entries after expiry, want none", len(c.items), c.order.Len())
	}
}
