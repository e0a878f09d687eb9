package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// signInAs gives the browser of ctx the session of cookie (a Cookie header value, as
// portaltest.Person returns it) on base.
func signInAs(t *testing.T, ctx context.Context, base, cookie string) {
	t.Helper()
	token := strings.TrimPrefix(cookie, handlers.SessionCookie+"=")
	step(t, ctx, "sign in", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: handlers.SessionCookie, Value: token, URL: base})
		return err
	}))
}

// screenshotOf saves a PNG of what sel finds in the tab (the window for "") as DIR/name.png
// when E2E_SCREENSHOTS=DIR is set: a part of a long page, at the size a phone shows it.
func screenshotOf(t *testing.T, ctx context.Context, name, sel string) {
	t.Helper()
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	a := chromedp.CaptureScreenshot()
	if sel != "" {
		a = chromedp.Screenshot(chromedp.CSS(sel))
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), value(t, ctx, a), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fitsWidth fails t when the page in the tab is wider than the window: something makes a
// phone scroll sideways.
func fitsWidth(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	w := value(t, ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if w[0] > w[1] {
		t.Errorf("%s: the page is %d px wide in a %d px window", where, w[0], w[1])
	}
}

// On a phone, the secretariat finds every organisation on one list, the directory's among
// them, and lets a listed shelter's people sign in; a member of a verified organisation
// finds their organisation's entry on their profile and opens the suggestion form from it.
// Both pages, in both languages, fit a 360 px screen.
func TestOrganisationsOnAPhone(t *testing.T) {
	site := portaltest.New(t, portaltest.Options{StarterDirectory: true})
	base := site.Serve(t)
	site.Organisation(t, "ub-safe-house", "Хохирогчдын аюулгүй байр ТББ", "Survivors' Safe House NGO", portal.GroupCivilSociety, true)
	site.Organisation(t, "oyu-tolgoi", "Оюу толгой ХХК", "Oyu Tolgoi LLC", portal.GroupMining, false)
	_, sec := site.Person(t, "sec@council.mn", "Туяа", portal.RoleSecretariat, "")
	_, member := site.Person(t, "naraa@safe-house.mn", "Нараа", portal.RoleMember, "ub-safe-house")
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	tab, problems := browser(t)
	step(t, tab, "a phone's screen", chromedp.EmulateViewport(360, 740))
	signInAs(t, tab, base, sec)
	for _, lang := range []string{"mn", "en"} {
		where := "/admin/organisations (" + lang + ")"
		step(t, tab, "open "+where, chromedp.Navigate(base+"/admin/organisations?lang="+lang), chromedp.WaitVisible(css(".orgs")))
		screenshot(t, tab, "organisations-"+lang+"-360")
		screenshotOf(t, tab, "organisations-"+lang+"-360-screen", "")
		for _, row := range []string{"org-ub-safe-house", "org-oyu-tolgoi", "listing-umnugovi-police"} {
			screenshotOf(t, tab, "organisations-"+lang+"-360-"+row, "#"+row)
		}
		fitsWidth(t, tab, where)
		if n := value(t, tab, chromedp.Evaluate[int](`document.querySelectorAll(".orgs > li").length`)); n != 23 {
			t.Errorf("%s: %d organisations, want the 22 listed and the mining company", where, n)
		}
	}
	step(t, tab, "let the police's people sign in",
		chromedp.Click(css(`#listing-umnugovi-police button`)),
		chromedp.WaitVisible(css(`#org-umnugovi-police .unverified`)))
	if g := text(t, tab, "#org-umnugovi-police .group"); g != "Government" {
		t.Errorf("the police's group: %q", g)
	}

	phone, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
	defer cancel()
	memberProblems := watchConsole(phone)
	step(t, phone, "the member's phone", chromedp.EmulateViewport(360, 740))
	signInAs(t, phone, base, member)
	for _, lang := range []string{"mn", "en"} {
		where := "/profile (" + lang + ")"
		step(t, phone, "open "+where, chromedp.Navigate(base+"/profile?lang="+lang), chromedp.WaitVisible(css(".org-listing")))
		screenshot(t, phone, "profile-listing-"+lang+"-360")
		screenshotOf(t, phone, "profile-listing-"+lang+"-360-section", ".org-listing")
		fitsWidth(t, phone, where)
		links := value(t, phone, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".org-listing a.change")].map(a => a.getAttribute("href"))`))
		if fmt.Sprint(links) != "[/directory/services/ub-safe-house-shelter/suggest /directory/services/ub-safe-house-reintegration/suggest]" {
			t.Errorf("%s: suggestion links %q", where, links)
		}
	}
	step(t, phone, "suggest an edit from the profile",
		chromedp.Click(css(".org-listing a.change")),
		chromedp.WaitVisible(css("form.service-form")))
	if p := append(problems(), memberProblems()...); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}

	// axe finds nothing serious on either page, or on the directory's form of a listing
	// whose group is set with its organisation, with every form open, at both widths.
	t.Run("accessibility", func(t *testing.T) {
		axe := axeSource(t)
		pages := []struct {
			ctx  context.Context
			path string
		}{{tab, "/admin/organisations"}, {tab, "/directory/organizations/ub-safe-house/edit"}, {phone, "/profile"}}
		for _, width := range []int64{360, 1280} {
			for _, pg := range pages {
				step(t, pg.ctx, "set the window", chromedp.EmulateViewport(width, 800))
				for _, lang := range []string{"mn", "en"} {
					where := fmt.Sprintf("%s (%s, %d px)", pg.path, lang, width)
					step(t, pg.ctx, "open "+where, chromedp.Navigate(base+pg.path+"?lang="+lang), chromedp.WaitVisible(css("main h1")),
						chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details").forEach(d => d.open = true)`))
					if found := axeCheck(t, pg.ctx, axe); len(found) > 0 {
						t.Errorf("%s: axe finds %d serious or critical problems:\n  %s", where, len(found), strings.Join(found, "\n  "))
					}
				}
			}
		}
	})
}
