package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// guidelineLayout is where the parts of a guideline page are, measured in the browser.
type guidelineLayout struct {
	FirstH2     float64 `json:"firstH2"`     // the top of the body's first h2, from the page's top
	TOCFound    bool    `json:"tocFound"`    // the contents are a <details class="toc">
	TOCOpen     bool    `json:"tocOpen"`     // the contents' <details> is open
	TOCVisible  bool    `json:"tocVisible"`  // the contents' list takes room on the screen
	TOCLeft     float64 `json:"tocLeft"`     // the contents list's box
	TOCRight    float64 `json:"tocRight"`    //
	TOCTop      float64 `json:"tocTop"`      //
	TOCBottom   float64 `json:"tocBottom"`   //
	BodyLeft    float64 `json:"bodyLeft"`    // the body's box
	BodyRight   float64 `json:"bodyRight"`   //
	BodyTop     float64 `json:"bodyTop"`     //
	BodyBottom  float64 `json:"bodyBottom"`  //
	Examples    int     `json:"examples"`    // example notices shown
	ScrollWidth float64 `json:"scrollWidth"` // the page's width: no sideways scrolling
}

const measureGuideline = `(() => {
	const box = e => e.getBoundingClientRect();
	const d = document.querySelector("main details.toc"), list = d && d.querySelector("ul");
	const b = document.querySelector("main .body"), h2 = b.querySelector("h2");
	const l = list ? box(list) : {left: 0, right: 0, top: 0, bottom: 0, height: 0};
	const n = box(b);
	const examples = [...document.querySelectorAll("main .example, main .body blockquote")].filter(e =>
		e.matches(".example") || /^(Example text\.|Жишээ текст\.|Жишээ бичвэр\.)/.test(e.textContent.trim()));
	return {
		firstH2: box(h2).top + window.scrollY,
		tocFound: !!d,
		tocOpen: !!(d && d.open),
		tocVisible: !!list && list.checkVisibility() && l.height > 0,
		tocLeft: l.left, tocRight: l.right, tocTop: l.top + window.scrollY, tocBottom: l.bottom + window.scrollY,
		bodyLeft: n.left, bodyRight: n.right, bodyTop: n.top + window.scrollY, bodyBottom: n.bottom + window.scrollY,
		examples: examples.length,
		scrollWidth: document.documentElement.scrollWidth,
	};
})()`

// TestGuidelinePhoneFirst: on a phone (360x740) a guideline's first section starts within
// the first screen and a half, with the contents collapsed and one example notice; on a
// desktop (1280x800) the contents are a column beside the text. Both languages, axe clean.
func TestGuidelinePhoneFirst(t *testing.T) {
	axe := axeSource(t)
	base := portaltest.New(t, portaltest.Options{StarterGuidelines: true}).Serve(t)
	ctx, problems := browser(t)
	for _, lang := range []string{"mn", "en"} {
		for _, size := range [][2]int64{{360, 740}, {1280, 800}} {
			where := fmt.Sprintf("%s %dx%d", lang, size[0], size[1])
			step(t, ctx, "open the guideline "+where, chromedp.EmulateViewport(size[0], size[1]),
				chromedp.Navigate(base+"/guidelines/truck-drivers?lang="+lang), chromedp.WaitVisible(chromedp.CSS("main h1")))
			m := value(t, ctx, chromedp.Evaluate[guidelineLayout](measureGuideline))
			t.Logf("%s: %+v", where, m)
			firstScreen(t, ctx, fmt.Sprintf("guideline-%s-%d", lang, size[0]))
			screenshot(t, ctx, fmt.Sprintf("guideline-%s-%d-full", lang, size[0]))
			if !m.TOCFound {
				t.Errorf("%s: the contents are not a <details class=\"toc\">", where)
			}
			if m.Examples != 1 {
				t.Errorf("%s: %d example notices, want 1", where, m.Examples)
			}
			if m.ScrollWidth > float64(size[0]) {
				t.Errorf("%s: the page is %v px wide", where, m.ScrollWidth)
			}
			if size[0] == 360 {
				if m.FirstH2 >= 1110 {
					t.Errorf("%s: the first section starts at y=%v, want < 1110", where, m.FirstH2)
				}
				if m.TOCOpen || m.TOCVisible {
					t.Errorf("%s: the contents are open on a phone (open %v, list shown %v)", where, m.TOCOpen, m.TOCVisible)
				}
			} else {
				beside := m.TOCLeft >= m.BodyRight || m.BodyLeft >= m.TOCRight
				overlap := m.TOCTop < m.BodyBottom && m.BodyTop < m.TOCBottom
				if !m.TOCVisible || !beside || !overlap {
					t.Errorf("%s: the contents are not a column beside the text: list %v–%v × %v–%v, body %v–%v × %v–%v",
						where, m.TOCLeft, m.TOCRight, m.TOCTop, m.TOCBottom, m.BodyLeft, m.BodyRight, m.BodyTop, m.BodyBottom)
				}
			}
			if found := axeCheck(t, ctx, axe); len(found) > 0 {
				t.Errorf("%s: axe finds %d serious or critical problems:\n  %s", where, len(found), strings.Join(found, "\n  "))
			}
		}
	}
	if p := problems(); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}
