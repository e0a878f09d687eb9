package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// TestPhoneFirstPages: on a phone's first screen (360 × 740), in both languages, a
// caseworker can already call: the service page's first phone number and the home page's
// national numbers are tap-to-call links that end within the first 740 px; on a desktop's
// first screen (1280 × 800) too.
func TestPhoneFirstPages(t *testing.T) {
	base := portaltest.New(t, portaltest.Options{StarterDirectory: true, StarterGuidelines: true}).Serve(t)
	ctx, problems := browser(t)
	pages := []struct{ name, path string }{
		{"service", "/directory/services/gobi-women-network-shelter"},
		{"home", "/"},
	}
	for _, screen := range [][2]int64{{360, 740}, {1280, 800}} {
		w, h := screen[0], screen[1]
		step(t, ctx, "the screen", chromedp.EmulateViewport(w, h))
		for _, lang := range []string{"mn", "en"} {
			for _, pg := range pages {
				step(t, ctx, "open "+pg.name, chromedp.Navigate(base+pg.path+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("footer")))
				// The top and bottom of the first tel: link in the page, from the page's top.
				box := value(t, ctx, chromedp.Evaluate[[]float64](`(a => a ? [a.getBoundingClientRect().top + scrollY, a.getBoundingClientRect().bottom + scrollY, a.getBoundingClientRect().height] : [])(document.querySelector('main a[href^="tel:"]'))`))
				name := fmt.Sprintf("phone-first-%s-%d-%s", pg.name, w, lang)
				firstScreen(t, ctx, name)
				screenshot(t, ctx, name+"-full")
				if len(box) == 0 {
					t.Errorf("%s (%s, %d px): no tel: link in the page", pg.name, lang, w)
					continue
				}
				t.Logf("%s (%s, %d px): first tel: link at y=%.0f–%.0f", pg.name, lang, w, box[0], box[1])
				if box[1] > float64(h) {
					t.Errorf("%s (%s, %d px): the first tel: link ends at y=%.0f, below the first %d px screen", pg.name, lang, w, box[1], h)
				}
				if box[2] < 24 {
					t.Errorf("%s (%s, %d px): the first tel: link is %.0f px tall: too small a tap target", pg.name, lang, w, box[2])
				}
			}
		}
	}
	if p := problems(); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}
