package server

import (
	"net/url"
	"testing"

	"github.com/gobidialogue/portal"
)

// TestPageMinutesSpread checks the pages' own minutes: the pages held turn on seconds
// spread over the minute, not all on the same one, and every page's minute still turns
// exactly once a minute, so that a page is never more than a minute old and the page of
// the minute before stays usable while its new rendering is made.
func TestPageMinutesSpread(t *testing.T) {
	const pages = 600
	turns := map[int64]int{} // second of the clock's minute → pages whose minute turns then
	for i := range pages {
		u, _ := url.Parse("/directory?type=shelter&page=" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
		key := pageKey(portal.English, u)
		off := minuteOffset(key)
		if off < 0 || off >= 60 {
			t.Fatalf("offset %d of %q is not a second of the minute", off, key)
		}
		if off != minuteOffset(key) {
			t.Fatalf("the offset of %q changes", key)
		}
		turns[(60-off)%60]++
		// Over two minutes of the clock, the page's minute turns at one second of each.
		const start = 1_800_000_000 - 1_800_000_000%60
		changes := 0
		for sec := int64(start); sec < start+120; sec++ {
			if (sec+1+off)/60 != (sec+off)/60 {
				changes++
			}
		}
		if changes != 2 {
			t.Fatalf("the minute of %q turned %d times in two minutes", key, changes)
		}
	}
	if len(turns) < 50 {
		t.Errorf("%d pages turn on %d seconds of the minute only", pages, len(turns))
	}
	for sec, n := range turns {
		if n > pages/10 {
			t.Errorf("%d of %d pages turn on second %d", n, pages, sec)
		}
	}
	if maxRefreshes < 1 {
		t.Errorf("maxRefreshes %d: a page out of date would never be rendered again", maxRefreshes)
	}
}
