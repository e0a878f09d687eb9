package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// firstScreen saves a PNG of what the screen shows as DIR/name.png when E2E_SCREENSHOTS=DIR
// is set: on a phone, what matters is what the first screen holds.
func firstScreen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := value(t, ctx, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The secretariat, on a phone, saves the service form with mistakes: the first screen
// says what is wrong, each problem a link that takes them to its field, in both languages.
func TestErrorSummaryOnAPhone(t *testing.T) {
	site := portaltest.New(t, portaltest.Options{StarterDirectory: true})
	base := site.Serve(t)
	_, cookie := site.Person(t, "sec@council.mn", "Нарийн бичгийн газар", portal.RoleSecretariat, "")
	ctx, problems := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step(t, ctx, "phone size", chromedp.EmulateViewport(360, 740))
	step(t, ctx, "sign in", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		name, token, _ := strings.Cut(cookie, "=")
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: name, Value: token, URL: base})
		return err
	}))
	words := map[string][2]string{"en": {"Error: ", "There is a problem"}, "mn": {"Алдаа: ", "Асуудал гарлаа"}}
	for _, lang := range []string{"en", "mn"} {
		step(t, ctx, "open the service form", chromedp.Navigate(base+"/directory/services/ub-safe-house-reintegration/edit?lang="+lang),
			chromedp.WaitVisible(css("form.service-form")))
		value(t, ctx, chromedp.Evaluate[bool](`(f => { f("name_mn", ""); f("name_en", ""); f("hours", "Funday 09:00–17:00"); f("phones", "12345"); return true })(
			(id, v) => { document.getElementById(id).value = v })`))
		step(t, ctx, "make mistakes and save", chromedp.Click(css(`form.service-form button[type=submit]`)), chromedp.WaitVisible(css("#error-summary")))
		title := value(t, ctx, chromedp.Title())
		if !strings.HasPrefix(title, words[lang][0]) {
			t.Errorf("title %q", title)
		}
		if h := text(t, ctx, "#error-summary h2"); h != words[lang][1] {
			t.Errorf("summary heading %q", h)
		}
		// The summary has the focus and is on the first screen; its problems in page order.
		state := value(t, ctx, chromedp.Evaluate[[]float64](`(s => [document.activeElement === s ? 1 : 0, s.getBoundingClientRect().top, s.getBoundingClientRect().bottom, window.scrollY])(document.getElementById("error-summary"))`))
		if state[0] != 1 || state[1] < 0 || state[2] > 740 || state[3] != 0 {
			t.Errorf("summary focused %v, from %v to %v px, page scrolled %v px", state[0] == 1, state[1], state[2], state[3])
		}
		links := value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#error-summary a")].map(a => a.getAttribute("href"))`))
		if strings.Join(links, " ") != "#name_mn #hours #phones" {
			t.Errorf("summary links %q", links)
		}
		firstScreen(t, ctx, "service-edit-errors-360-"+lang)
		screenshot(t, ctx, "service-edit-errors-360-full-"+lang)
		// A link takes the keyboard to its field, with its label in view.
		step(t, ctx, "follow the hours link", chromedp.Click(css(`#error-summary a[href="#hours"]`)))
		at := value(t, ctx, chromedp.Evaluate[[]float64](`(l => [document.activeElement.id === "hours" ? 1 : 0, l.getBoundingClientRect().top, window.scrollY])(document.querySelector('label[for="hours"]'))`))
		if at[0] != 1 || at[1] < -1 || at[1] > 740 || at[2] < 1000 {
			t.Errorf("after the link: hours focused %v, its label at %v px, page scrolled %v px", at[0] == 1, at[1], at[2])
		}
		firstScreen(t, ctx, "service-edit-hours-360-"+lang)
	}
	// A refused form is answered 400, which the browser logs; nothing else may be.
	var other []string
	for _, p := range problems() {
		if !strings.Contains(p, "status of 400") || !strings.Contains(p, "/edit:") {
			other = append(other, p)
		}
	}
	if len(other) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(other, "\n"))
	}
}

// The truck-driver guideline's revision 2 changed its indicators table: on a phone the
// diff shows it as a table, scrolling in its own box, with the changed cells marked.
func TestTruckDriversDiffOnAPhone(t *testing.T) {
	base := startPortal(t)
	ctx, problems := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step(t, ctx, "phone size", chromedp.EmulateViewport(360, 740))
	for _, lang := range []string{"en", "mn"} {
		step(t, ctx, "open the diff", chromedp.Navigate(base+"/guidelines/truck-drivers/diff?from=1&to=2&lang="+lang),
			chromedp.WaitVisible(css(".diff table.d-table")))
		w := value(t, ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth, document.querySelectorAll(".diff table.d-table").length, document.querySelectorAll(".diff td.d-cell-change").length, document.querySelectorAll(".diff .d-list").length]`))
		if w[0] > w[1] {
			t.Errorf("the diff is %d px wide on a %d px screen", w[0], w[1])
		}
		if w[2] != 2 || w[3] < 8 || w[4] < 5 {
			t.Errorf("%d tables, %d changed cells, %d lists", w[2], w[3], w[4])
		}
		// The changed cells show their words struck through and underlined, not only coloured.
		deco := value(t, ctx, chromedp.Evaluate[[]string](`[getComputedStyle(document.querySelector(".diff td.d-cell-change ins")).textDecorationLine, getComputedStyle(document.querySelector(".diff td.d-cell-change del")).textDecorationLine]`))
		if deco[0] != "underline" || deco[1] != "line-through" {
			t.Errorf("inserted words %q, deleted words %q", deco[0], deco[1])
		}
		screenshot(t, ctx, "truck-drivers-diff-360-"+lang)
		// The indicators table, the last one, for a person to look at.
		if dir := os.Getenv("E2E_SCREENSHOTS"); dir != "" {
			id := value(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll(".diff .d-block.d-table")].pop().id`))
			png := value(t, ctx, chromedp.Screenshot(css("#"+id)))
			if err := os.WriteFile(filepath.Join(dir, "truck-drivers-diff-table-360-"+lang+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if p := problems(); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}
