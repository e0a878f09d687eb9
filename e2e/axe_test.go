package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// axeDefault is where .ci/run installs axe-core (npm), relative to this package.
const axeDefault = "../.cache/axe/node_modules/axe-core/axe.min.js"

// axeSource returns the source of axe-core: the file AXE_CORE_JS names, or the one .ci/run
// installs. Without it the test skips, except under CI=true, where it fails: CI must check
// accessibility.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AXE_CORE_JS")
	if path == "" {
		path = axeDefault
	}
	b, err := os.ReadFile(path)
	if err == nil {
		return string(b)
	}
	abs, _ := filepath.Abs(path)
	if os.Getenv("CI") == "true" {
		t.Fatalf("axe-core is not installed at %s; CI must check accessibility (.ci/run installs it with npm)", abs)
	}
	t.Skipf("axe-core is not installed at %s: skipping the accessibility checks "+
		"(npm install --prefix .cache/axe --no-save axe-core, or set AXE_CORE_JS)", abs)
	return ""
}

// axeRun runs axe on the page in the tab and returns its serious and critical violations,
// each with the elements it found, one line per element. heading-order (moderate for axe)
// is reported too: the pages keep their headings in order.
const axeRun = `(async () => {
	const r = await axe.run(document, {resultTypes: ["violations"]});
	return r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical" || v.id === "heading-order")
		.map(v => v.id + " (" + v.impact + "): " + v.help + "\n" + v.nodes.slice(0, 6).map(n =>
			"      " + n.target.join(" ") + "  " + n.html.replace(/\s+/g, " ").slice(0, 200)).join("\n"));
})()`

// axePage is a page the accessibility test visits: its address, and what to do there
// before axe looks (a form to send with errors).
type axePage struct {
	name, path string
	prepare    func(t *testing.T, ctx context.Context)
}

// TestAccessibility runs axe-core on the main public and signed-in pages, in both
// languages, on a phone (360 px) and a desktop (1280 px): no serious or critical violation
// (nor a heading-order jump) may be found. axe is injected through the DevTools protocol,
// as a script evaluated in the page, so the site's Content-Security-Policy stays as strict
// as it is. One browser and one tab visit every page.
func TestAccessibility(t *testing.T) {
	axe := axeSource(t)
	site := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Search: portaltest.IndexOnce})
	base := site.Serve(t)
	_, admin := site.Person(t, "admin@council.mn", "Админ Батбаяр", portal.RoleAdmin, "")
	token := strings.TrimPrefix(admin, handlers.SessionCookie+"=")
	ctx, _ := browser(t)

	const service = "/directory/services/ub-safe-house-shelter"
	public := []axePage{
		{name: "home", path: "/"},
		{name: "guidelines", path: "/guidelines"},
		{name: "guideline", path: "/guidelines/truck-drivers"},
		{name: "revisions", path: "/guidelines/truck-drivers/revisions"},
		{name: "diff", path: "/guidelines/truck-drivers/diff?from=1&to=2"},
		{name: "directory", path: "/directory?aimag=umnugovi&type=shelter"},
		{name: "service", path: service},
		{name: "search", path: "/search?q=shelter"},
		{name: "sign-in", path: "/login"},
		{name: "not-found", path: "/no-such-page"},
	}
	signedIn := []axePage{
		{name: "profile", path: "/profile"},
		{name: "admin", path: "/admin"},
		{name: "invitations", path: "/admin/invitations"},
		{name: "edit-errors", path: service + "/edit", prepare: func(t *testing.T, ctx context.Context) {
			// Hours and a phone that are none: the form comes back with its errors.
			step(t, ctx, "send the edit form with errors",
				chromedp.Evaluate[chromedp.Void](`document.getElementById("hours").value = "Funday 10:00-12:00";
					document.getElementById("phones").value = "12345";
					document.querySelector("form.service-form").requestSubmit()`),
				chromedp.WaitVisible(chromedp.CSS(`#hours[aria-invalid="true"]`)))
		}},
	}
	check := func(t *testing.T, pages []axePage, signedIn bool) {
		t.Helper()
		for _, width := range []int64{360, 1280} {
			step(t, ctx, "set the window", chromedp.EmulateViewport(width, 800))
			for _, lang := range []string{"mn", "en"} {
				for _, pg := range pages {
					sep := "?"
					if strings.Contains(pg.path, "?") {
						sep = "&"
					}
					where := fmt.Sprintf("%s (%s, %d px)", pg.path, lang, width)
					step(t, ctx, "open "+where, chromedp.Navigate(base+pg.path+sep+"lang="+lang),
						chromedp.WaitVisible(chromedp.CSS("main h1")))
					if who := value(t, ctx, chromedp.Evaluate[bool](`!!document.querySelector("nav.menu .who")`)); who != signedIn {
						t.Fatalf("%s: signed in %v, want %v", where, who, signedIn)
					}
					if pg.prepare != nil {
						pg.prepare(t, ctx)
					}
					screenshot(t, ctx, fmt.Sprintf("axe-%s-%s-%d", pg.name, lang, width))
					found := axeCheck(t, ctx, axe)
					if len(found) > 0 {
						t.Errorf("%s: axe finds %d serious or critical problems:\n  %s", where, len(found), strings.Join(found, "\n  "))
					}
				}
			}
		}
	}
	check(t, public, false)
	step(t, ctx, "sign in", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: handlers.SessionCookie, Value: token, URL: base})
		return err
	}))
	check(t, signedIn, true)
}

// axeCheck injects axe into the page in the tab (once per document) and returns what it
// finds.
func axeCheck(t *testing.T, ctx context.Context, axe string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		t.Fatal(err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
			t.Fatalf("inject axe: %v", err)
		}
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe: %v", err)
	}
	return found
}
