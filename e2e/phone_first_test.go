package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// headerBudget is the most of a 740 px phone screen the header may take: about 15 %.
const headerBudget = 111

// headerFacts is what a phone shows of the header: its height, the widest element's right
// edge and the page's width, which nav items a person can see, and the name's title.
type headerFacts struct {
	Height  float64  `json:"height"`
	Right   float64  `json:"right"`
	Widest  string   `json:"widest"`
	Page    int      `json:"page"`
	Window  int      `json:"window"`
	Visible []string `json:"visible"`
	Title   string   `json:"title"`
}

const measureHeader = `(() => {
  const h = document.querySelector("header.site"), vw = window.innerWidth;
  let right = 0, widest = "";
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > right) { right = r.right; widest = el.tagName + "." + el.className; }
  }
  const seen = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.right <= vw + 0.5 && r.left >= -0.5; };
  const visible = [...h.querySelectorAll("a[href], button")].filter(seen)
    .map(el => el.hasAttribute("hreflang") ? "lang:" + el.getAttribute("hreflang") : el.getAttribute("href") || (el.closest("form") ? "form:" + el.closest("form").getAttribute("action") : el.textContent.trim()));
  const who = h.querySelector(".who");
  return {height: h.getBoundingClientRect().height, right, widest, page: document.documentElement.scrollWidth, window: vw,
    visible, title: who ? (who.getAttribute("title") || "") : ""};
})()`

// checkHeader fails t when the header of the page in ctx takes more than headerBudget px,
// makes the page wider than the screen, or hides one of want's nav items.
func checkHeader(t *testing.T, h headerFacts, where string, want []string) {
	t.Helper()
	t.Logf("%s: header %.0f px, page %d px in a %d px window, rightmost %.0f px (%s)", where, h.Height, h.Page, h.Window, h.Right, h.Widest)
	if h.Height > headerBudget {
		t.Errorf("%s: the header is %.0f px tall, want at most %d", where, h.Height, headerBudget)
	}
	if h.Page > h.Window || h.Right > float64(h.Window)+0.5 {
		t.Errorf("%s: the page is %d px wide and %s ends at %.0f px in a %d px window", where, h.Page, h.Widest, h.Right, h.Window)
	}
	for _, w := range want {
		found := false
		for _, v := range h.Visible {
			found = found || v == w
		}
		if !found {
			t.Errorf("%s: %s is not on the screen (visible: %q)", where, w, h.Visible)
		}
	}
}

// On a 360x740 phone, in both languages, the header takes at most ~15 % of the screen with
// every nav item and the language switch in view, signed out and signed in as an admin
// whose name is 80 letters with no break (shortened, never widening the page); on a
// filtered directory page the first result's phone number is on the first screen.
func TestPhoneFirstHeaderAndDirectory(t *testing.T) {
	site := portaltest.New(t, portaltest.Options{StarterDirectory: true})
	base := site.Serve(t)
	long := strings.Repeat("Батбаяр", 11) + "Бат" // 80 letters, no space
	_, admin := site.Person(t, "admin@council.mn", long, portal.RoleAdmin, "")

	tab, problems := browser(t)
	step(t, tab, "a phone's screen", chromedp.EmulateViewport(360, 740))
	main := []string{"/", "/guidelines", "/directory", "/search"}
	for _, lang := range []string{"mn", "en"} {
		other := map[string]string{"mn": "en", "en": "mn"}[lang]
		path := "/directory?aimag=umnugovi&type=shelter&lang=" + lang
		step(t, tab, "open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(".dir-list")))
		firstScreen(t, tab, "phone-first-directory-"+lang+"-360")
		h := value(t, tab, chromedp.Evaluate[headerFacts](measureHeader))
		checkHeader(t, h, "signed out, "+lang, append(main, "/login", "lang:"+other))

		tel := value(t, tab, chromedp.Evaluate[[]float64](`(() => {
  const r = document.querySelector(".dir-list a[href^='tel:']").getBoundingClientRect();
  return [r.top + window.scrollY, r.height]; })()`))
		t.Logf("%s: the first result's phone is at y=%.0f, %.0f px tall", path, tel[0], tel[1])
		if tel[0]+tel[1] > 740 {
			t.Errorf("%s: the first result's phone ends at y=%.0f, below the first 740 px", path, tel[0]+tel[1])
		}
		// The folded filters open with a tap, no script needed: a <details>.
		step(t, tab, "open the filters", chromedp.Click(chromedp.CSS(".dir-filters > summary")),
			chromedp.WaitVisible(chromedp.CSS(`.dir-filters .dir-quick a.chip[href*="type=legal-aid"]`)), chromedp.WaitVisible(chromedp.CSS("#dir-q")))
		firstScreen(t, tab, "phone-first-directory-"+lang+"-360-filters")
	}

	signInAs(t, tab, base, admin)
	for _, lang := range []string{"mn", "en"} {
		for _, path := range []string{"/directory?lang=" + lang, "/profile?lang=" + lang} {
			step(t, tab, "open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
			firstScreen(t, tab, "phone-first-admin-"+strings.NewReplacer("/", "", "?", "-", "=", "-").Replace(path)+"-360")
			h := value(t, tab, chromedp.Evaluate[headerFacts](measureHeader))
			checkHeader(t, h, "signed in as admin, "+path, append(main, "/admin", "/profile", "form:/logout"))
			if h.Title != long {
				t.Errorf("%s: the shortened name's title is %q, want the whole name", path, h.Title)
			}
		}
	}

	// A wide screen shows the folded filters too (where the browser can style a closed
	// details' content, as Chromium does), with the header on two rows.
	step(t, tab, "a wide screen", chromedp.EmulateViewport(1280, 800))
	for _, lang := range []string{"mn", "en"} {
		path := "/directory?aimag=umnugovi&type=shelter&lang=" + lang
		step(t, tab, "open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(".dir-list")))
		firstScreen(t, tab, "phone-first-directory-"+lang+"-1280")
		h := value(t, tab, chromedp.Evaluate[headerFacts](measureHeader))
		checkHeader(t, h, "signed in as admin at 1280 px, "+lang, append(main, "/admin", "/profile", "form:/logout", "lang:"+map[string]string{"mn": "en", "en": "mn"}[lang]))
		if n := value(t, tab, chromedp.Evaluate[int](`[...document.querySelectorAll(".dir-filters .chip, .dir-filters #dir-q")].filter(e => e.getBoundingClientRect().height > 0).length`)); n < 10 {
			t.Errorf("%s at 1280 px: %d chips and text boxes of the filters shown, want them all", path, n)
		}
	}
	if p := problems(); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}
