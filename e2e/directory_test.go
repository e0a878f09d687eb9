package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// startDirectoryPortal serves the portal over a fresh database holding the starter
// guidelines and directory, with the directory editor, and the search index kept up to
// date by the indexer, as portal serve does.
func startDirectoryPortal(t *testing.T) (*portaltest.Portal, string) {
	t.Helper()
	site := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Search: portaltest.Indexer})
	return site, site.Serve(t)
}

// A CSO worker on a phone finds a shelter in Ömnögovi in two taps, opens it, and suggests
// an edit; the secretariat accepts it; the change is on the page. A visitor never sees the
// shelter's address.
func TestDirectoryFindSuggestAccept(t *testing.T) {
	site, base := startDirectoryPortal(t)
	svc := site.Accounts
	ctx := context.Background()
	admin := &portal.User{Email: "admin@council.mn", Name: "Админ", Role: portal.RoleAdmin}
	if err := svc.CreateUser(ctx, "", admin); err != nil {
		t.Fatal(err)
	}
	ngo := &portal.Organisation{ID: "gobi-women", NameMN: "Говийн эмэгтэйчүүд ТББ", NameEN: "Gobi Women NGO", Group: portal.GroupCivilSociety, Verified: true}
	if err := svc.CreateOrganisation(ctx, admin, ngo); err != nil {
		t.Fatal(err)
	}
	memberLink := site.SignInLink(t, &portal.User{Email: "naraa@gobiwomen.mn", Name: "Нараа", Role: portal.RoleMember, OrgID: ngo.ID})
	secLink := site.SignInLink(t, &portal.User{Email: "sec@council.mn", Name: "Ажлын алба Туяа", Role: portal.RoleSecretariat})
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// A visitor: two taps from the directory to the Ömnögovi shelters, one to an entry.
	tab, problems := browser(t)
	step(t, tab, "visitor filters the directory in two taps",
		chromedp.Navigate(base+"/directory"),
		chromedp.Click(css(`.dir-quick a.chip[href*="aimag=umnugovi"]`)),
		chromedp.WaitVisible(css(`.dir-quick a.chip[href*="aimag=umnugovi"][href*="type=shelter"]`)),
		chromedp.Click(css(`.dir-quick a.chip[href*="aimag=umnugovi"][href*="type=shelter"]`)),
		chromedp.WaitVisible(css(`.dir-list .svc`)),
	)
	loc := value(t, tab, chromedp.Location())
	if !strings.Contains(loc, "aimag=umnugovi") || !strings.Contains(loc, "type=shelter") {
		t.Fatalf("after two taps: %s", loc)
	}
	screenshot(t, tab, "directory-umnugovi-shelters")
	first := text(t, tab, ".dir-list .svc h3 a")
	step(t, tab, "visitor opens the first shelter", chromedp.Click(css(`.dir-list .svc h3 a`)), chromedp.WaitVisible(css("main h1")))
	if h1 := text(t, tab, "main h1"); h1 != first {
		t.Errorf("opened %q, want %q", h1, first)
	}
	screenshot(t, tab, "directory-entry-visitor")
	entry := value(t, tab, chromedp.Location())
	page := text(t, tab, "main")
	if !strings.Contains(page, "(жишээ)") {
		t.Errorf("the entry does not say it is example data")
	}
	_, _, orgs, _ := directory.LoadStarter()
	for _, o := range orgs {
		for _, l := range o.Locations {
			if l.Confidential && (strings.Contains(page, l.Address.MN) || strings.Contains(page, l.Address.EN)) {
				t.Fatalf("a visitor sees the confidential address of %s", l.ID)
			}
		}
	}

	// A member of a verified organisation signs in, comes back and suggests an edit.
	member, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
	defer cancel()
	memberProblems := watchConsole(member)
	const fees = "Үнэ төлбөргүй; иргэний үнэмлэхээ авчирна уу (шинэчилсэн)"
	step(t, member, "member signs in and opens the entry", append(linkSignIn(base+memberLink, "говийн эмэгтэйчүүд 2026"),
		chromedp.Navigate(entry),
		chromedp.Click(css(`a[href$="/suggest"]`)),
		chromedp.WaitVisible(css("form.service-form")),
	)...)
	screenshot(t, member, "directory-suggest-form")
	step(t, member, "member suggests new fees",
		chromedp.SetValue(css(`textarea[name="fees_mn"]`), fees),
		chromedp.SendKeys(css(`textarea[name="note"]`), "Утсаар шалгав."),
		chromedp.Click(css(`form.service-form button[type="submit"]`)),
		chromedp.WaitVisible(css(".notice")),
	)
	if s := text(t, member, ".facts .status"); s != "Хяналт хүлээж буй" {
		t.Errorf("suggestion status %q, want pending", s)
	}
	suggestion := value(t, member, chromedp.Location())

	// The secretariat reviews the queue, sees the field diff and accepts.
	sec, cancelSec := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
	defer cancelSec()
	secProblems := watchConsole(sec)
	step(t, sec, "secretariat opens the queue", append(linkSignIn(base+secLink, "зөвлөлийн нарийн бичиг 2026"),
		chromedp.Navigate(base+"/directory/suggestions"),
		chromedp.Click(css(".suggestions.pending a")),
		chromedp.WaitVisible(css("table.field-diff")),
	)...)
	screenshot(t, sec, "directory-review")
	if row := text(t, sec, "table.field-diff td.after"); row != fees {
		t.Errorf("diff shows %q, want %q", row, fees)
	}
	step(t, sec, "secretariat accepts",
		chromedp.Click(css("button.accept")),
		chromedp.WaitVisible(css(".notice")),
	)

	// The member sees the outcome, and the entry shows the new fees.
	step(t, member, "member sees the outcome", chromedp.Navigate(strings.Split(suggestion, "?")[0]), chromedp.WaitVisible(css(".facts .status")))
	screenshot(t, member, "directory-suggestion-accepted")
	if s := text(t, member, ".facts .status"); !strings.HasPrefix(s, "Хүлээн авсан") {
		t.Errorf("member sees %q, want accepted", s)
	}
	step(t, tab, "visitor reloads the entry", chromedp.Navigate(entry), chromedp.WaitVisible(css("main h1")))
	if page := text(t, tab, "main"); !strings.Contains(page, fees) {
		t.Errorf("the entry does not show the accepted fees")
	}
	if p := append(append(problems(), memberProblems()...), secProblems()...); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// A reader types "Umnugovi shelter" into the search box, in Latin letters, and lands on a
// shelter in Ömnögovi whose entry is written in Cyrillic.
func TestSearchUmnugoviShelter(t *testing.T) {
	_, base := startDirectoryPortal(t)
	_, _, orgs, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	right := map[string]bool{} // the shelters located in Ömnögovi
	for _, o := range orgs {
		for _, s := range o.Services {
			for _, id := range s.LocationIDs {
				if l := o.Location(id); l != nil && l.Aimag == "umnugovi" && slices.Contains(s.Types, "shelter") {
					right["/directory/services/"+s.ID] = true
				}
			}
		}
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab, problems := browser(t)
	// The indexer's first pass runs at start and writes the guidelines' records before the
	// directory's: wait until the index has every shelter of Ömnögovi.
	deadline := time.Now().Add(30 * time.Second)
	for {
		step(t, tab, "wait for the index", chromedp.Navigate(base+"/search?q=shelter&kind=service&aimag=umnugovi&lang=en"),
			chromedp.WaitVisible(css(`.search-count`)))
		hits := value(t, tab, chromedp.Evaluate[int](`document.querySelectorAll(".hits .hit").length`))
		if hits >= len(right) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	step(t, tab, "search", chromedp.Navigate(base+"/?lang=mn"), chromedp.Click(css(`nav.menu a[href="/search"]`)),
		chromedp.WaitVisible(css(`#search-q`)),
		chromedp.SendKeys(css(`#search-q`), "Umnugovi shelter"),
		chromedp.Submit(css(`#search-q`)),
		chromedp.WaitVisible(css(`.search-count`)),
	)
	screenshot(t, tab, "search-umnugovi-shelter")
	// With JavaScript, titles are suggested while typing.
	step(t, tab, "type-ahead", chromedp.Navigate(base+"/search"), chromedp.WaitVisible(css(`#search-q`)),
		chromedp.SendKeys(css(`#search-q`), "Zamiin"),
		chromedp.WaitVisible(css(`#search-suggestions li a`)),
	)
	if s := text(t, tab, "#search-suggestions li a"); s == "" {
		t.Error("no suggestion shown")
	}
	screenshot(t, tab, "search-suggestions")
	step(t, tab, "search again", chromedp.Navigate(base+"/search?q=Umnugovi+shelter"), chromedp.WaitVisible(css(`.hits`)))
	href := value(t, tab, chromedp.AttributeValue(css(".hits .hit h3 a"), "href")).Value
	step(t, tab, "open the first hit", chromedp.Click(css(".hits .hit h3 a")), chromedp.WaitVisible(css("main h1")))
	loc := value(t, tab, chromedp.Location())
	path := strings.SplitN(strings.TrimPrefix(loc, base), "?", 2)[0]
	if !right[path] {
		t.Errorf("landed on %s (first hit %s), want one of the Ömnögovi shelters %v", loc, href, right)
	}
	if p := problems(); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}
