package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// neutralPage stands in for the neutral site "Exit this page" opens: the tests reach no
// other site, so the browser's requests for it are answered with this page.
const neutralPage = `<!doctype html><html><head><title>Weather</title></head><body><h1 id="weather">Weather</h1></body></html>`

// answerFor answers the tab's requests for addresses that start with one of prefixes with
// page, as that site would, for as long as the tab lives.
func answerFor(t *testing.T, ctx context.Context, page string, prefixes ...string) {
	t.Helper()
	var patterns []*fetch.RequestPattern
	for _, p := range prefixes {
		patterns = append(patterns, &fetch.RequestPattern{URLPattern: p + "*"})
	}
	_, err := chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		paused := cdp.Events(ctx, tg, fetch.RequestPaused) // lives as long as the tab's context
		if _, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: patterns}); err != nil {
			return err
		}
		go func() {
			for ev, err := range paused {
				if err != nil {
					return
				}
				_, _ = cdp.Call(ctx, tg, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 200,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}}, Body: []byte(page)})
			}
		}()
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
}

// history returns the addresses of the tab's history, oldest first.
func history(t *testing.T, ctx context.Context) []string {
	t.Helper()
	h := value(t, ctx, chromedp.NavigationEntries())
	var urls []string
	for _, e := range h.Entries {
		urls = append(urls, e.URL)
	}
	return urls
}

// TestExitThisPage is the GOV.UK "Exit this page" pattern on the directory: the button and
// the Shift key pressed three times replace the page with a neutral site, and the page
// leaves no entry in the history for the back button to return to; Shift held to type a
// capital letter in the text box does not count.
func TestExitThisPage(t *testing.T) {
	base := portaltest.New(t, portaltest.Options{StarterDirectory: true}).Serve(t)
	ctx, problems := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// Each language has a neutral site of its own.
	neutral := map[string]string{}
	for _, lang := range []string{"mn", "en"} {
		step(t, ctx, "open the directory", chromedp.Navigate(base+"/directory?lang="+lang), chromedp.WaitVisible(css(".exit-page .exit-button")))
		neutral[lang] = value(t, ctx, chromedp.AttributeValue(css(".exit-page .exit-button"), "href")).Value
		if !strings.HasPrefix(neutral[lang], "https://") || strings.HasPrefix(neutral[lang], base) {
			t.Fatalf("the exit button leads to %q, want a neutral site", neutral[lang])
		}
	}
	var origins []string // the whole site: the browser asks it for a favicon too
	for _, u := range neutral {
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		origins = append(origins, parsed.Scheme+"://"+parsed.Host+"/")
	}
	answerFor(t, ctx, neutralPage, origins...)

	step(t, ctx, "open the directory from the home page", chromedp.Navigate(base+"/?lang=en"),
		chromedp.Navigate(base+"/directory?lang=en"), chromedp.WaitVisible(css(".exit-page .exit-button")))
	screenshot(t, ctx, "exit-directory")

	// The button.
	before := len(history(t, ctx))
	step(t, ctx, "press Exit this page", chromedp.Click(css(".exit-page .exit-button")), chromedp.WaitVisible(css("#weather")))
	urls := history(t, ctx)
	if len(urls) != before || urls[len(urls)-1] != neutral["en"] || urls[len(urls)-2] != base+"/?lang=en" {
		t.Errorf("history after the button: %q; want the directory replaced by %s, the home page before it", urls, neutral["en"])
	}

	// Shift three times on a service page, with what a screen reader hears in between.
	service := base + "/directory/services/ub-safe-house-shelter?lang=mn"
	step(t, ctx, "open a service", chromedp.Navigate(base+"/?lang=mn"), chromedp.Navigate(service),
		chromedp.WaitVisible(css(".exit-page .exit-button")))
	before = len(history(t, ctx))
	step(t, ctx, "press Shift once", chromedp.KeyEvent(kb.Shift))
	if s := text(t, ctx, ".exit-page .exit-status"); s != "Гарахын тулд Shift товчийг дахиад 2 удаа дарна уу." {
		t.Errorf("after one Shift the page says %q", s)
	}
	if n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".exit-dots span.on").length`)); n != 1 {
		t.Errorf("%d dots lit after one Shift, want 1", n)
	}
	// (Nothing slow here: the presses count within five seconds.)
	step(t, ctx, "press Shift twice more", chromedp.KeyEvent(kb.Shift+kb.Shift), chromedp.WaitVisible(css("#weather")))
	urls = history(t, ctx)
	if len(urls) != before || urls[len(urls)-1] != neutral["mn"] || urls[len(urls)-2] != base+"/?lang=mn" {
		t.Errorf("history after Shift three times: %q; want the service replaced by %s, the home page before it", urls, neutral["mn"])
	}

	// Shift held for capital letters in the text box is typing, not leaving.
	step(t, ctx, "open the directory", chromedp.Navigate(base+"/directory?lang=mn"), chromedp.WaitVisible(css("#dir-q")),
		chromedp.Focus(css("#dir-q")))
	capital := func(key, code string, vk int64) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			for _, ev := range []input.DispatchKeyEventParams{
				{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "Shift", Code: "ShiftLeft", WindowsVirtualKeyCode: 16, Modifiers: 8},
				{Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: code, WindowsVirtualKeyCode: vk, Text: key, Modifiers: 8},
				{Type: input.DispatchKeyEventTypeKeyUp, Key: key, Code: code, WindowsVirtualKeyCode: vk, Modifiers: 8},
				{Type: input.DispatchKeyEventTypeKeyUp, Key: "Shift", Code: "ShiftLeft", WindowsVirtualKeyCode: 16},
			} {
				if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, ev); err != nil {
					return err
				}
			}
			return nil
		})
	}
	step(t, ctx, "type capitals", capital("U", "KeyU", 85), capital("B", "KeyB", 66), capital("D", "KeyD", 68), chromedp.Sleep(300e6))
	if got := value(t, ctx, chromedp.Value(css("#dir-q"))); got != "UBD" {
		t.Errorf("the text box holds %q, want UBD", got)
	}
	if loc := value(t, ctx, chromedp.Location()); !strings.HasPrefix(loc, base+"/directory") {
		t.Errorf("typing capitals left the page for %s", loc)
	}
	if p := problems(); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// TestPhoneFirstDetails looks at pages on a 360 px phone: a description of 100 KB and
// names that are one long word stay within the screen, the search boxes' text is 16 px (iOS
// zooms into smaller text), and the invitations table puts each invitation's Withdraw
// button on the screen rather than in a sideways scroller.
func TestPhoneFirstDetails(t *testing.T) {
	_, _, orgs := portaltest.StarterDirectory(t)
	var long *portal.DirectoryOrg
	for _, o := range orgs {
		if o.ID == "ub-safe-house" {
			long = o.Clone()
		}
	}
	word := strings.Repeat("Хүнхудалдаалахгэмтхэрэгтэйтэмцэх", 10) // 310 letters, no space
	long.Name = portal.Text{MN: word, EN: word}
	s := &long.Services[0]
	s.Name = portal.Text{MN: word, EN: word}
	// 100 KB of words of 310 letters. (One word of 100 KB takes Chromium some 15 seconds to
	// lay out, its line breaking being quadratic: the forms and the importer refuse such a
	// description; the page would still fit the screen.)
	s.Description = portal.Text{MN: strings.Repeat(word+" ", 330), EN: strings.Repeat(word+", ", 330)}
	s.Fees = portal.Text{MN: word, EN: word}
	site := portaltest.New(t, portaltest.Options{StarterDirectory: true, Orgs: []*portal.DirectoryOrg{long}})
	base := site.Serve(t)
	admin, cookie := site.Person(t, "admin@council.mn", "Админ", portal.RoleAdmin, "")
	for _, email := range []string{"csr.officer@oyutolgoi.mn", "a.very.long.address.of.someone@department-of-labour-and-social-welfare.gov.mn"} {
		if _, _, err := site.Accounts.Invite(context.Background(), admin, email, portal.RoleModerator, ""); err != nil {
			t.Fatal(err)
		}
	}
	ctx, problems := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step(t, ctx, "phone size", chromedp.EmulateViewport(360, 740))
	fits := func(what string) {
		t.Helper()
		w := value(t, ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
		if w[0] > w[1] {
			t.Errorf("%s is %d px wide on a %d px screen", what, w[0], w[1])
		}
	}
	serviceURL := base + "/directory/services/" + s.ID
	for _, lang := range []string{"mn", "en"} {
		step(t, ctx, "open the long service", chromedp.Navigate(serviceURL+"?lang="+lang), chromedp.WaitVisible(css("main h1")))
		fits("the service page (" + lang + ")")
		step(t, ctx, "find it in the directory", chromedp.Navigate(base+"/directory?aimag=ulaanbaatar&lang="+lang), chromedp.WaitVisible(css(".dir-list")))
		fits("the directory (" + lang + ")")
		screenshot(t, ctx, "long-words-directory-"+lang)
		step(t, ctx, "its referral sheet", chromedp.Navigate(base+"/directory/print?s="+s.ID+"&lang="+lang), chromedp.WaitVisible(css(".sheet")))
		fits("the referral sheet (" + lang + ")")
	}

	for _, path := range []string{"/search?lang=mn", "/directory?lang=en", "/no-such-page?lang=mn"} {
		step(t, ctx, "open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(css("main h1")))
		size := value(t, ctx, chromedp.Evaluate[float64](`parseFloat(getComputedStyle(document.querySelector("main input[type=search]")).fontSize)`))
		if size < 16 {
			t.Errorf("%s: the search box's text is %.1f px, want 16 at least", path, size)
		}
	}

	step(t, ctx, "sign in", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		name, token, _ := strings.Cut(cookie, "=")
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: name, Value: token, URL: base})
		return err
	}))
	for _, lang := range []string{"mn", "en"} {
		step(t, ctx, "open the invitations", chromedp.Navigate(base+"/admin/invitations?lang="+lang), chromedp.WaitVisible(css("table.invitations")))
		fits("the invitations page (" + lang + ")")
		off := value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("table.invitations button")].filter(b => {
			const r = b.getBoundingClientRect(); return r.width === 0 || r.right > window.innerWidth; }).map(b => b.outerHTML)`))
		if n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.invitations button").length`)); n != 2 {
			t.Errorf("%d Withdraw buttons, want 2", n)
		}
		if len(off) > 0 {
			t.Errorf("Withdraw buttons off the screen (%s): %v", lang, off)
		}
		if w := value(t, ctx, chromedp.Evaluate[[]int](`(e => [e.scrollWidth, e.clientWidth])(document.querySelector(".table-scroll"))`)); w[0] > w[1] {
			t.Errorf("the invitations table scrolls sideways (%s): %d px in %d", lang, w[0], w[1])
		}
		screenshot(t, ctx, "invitations-360-"+lang)
	}
	var p []string
	for _, m := range problems() {
		if !strings.Contains(m, "404 (Not Found) ("+base+"/no-such-page") { // the 404 page's own status
			p = append(p, m)
		}
	}
	if len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}
