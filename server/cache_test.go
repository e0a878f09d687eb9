package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/internal/testkit/logtest"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

// get requests path through p's router with the given headers ("Name: value").
func get(t *testing.T, p *portaltest.Portal, path string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Add(name, value)
	}
	rec := httptest.NewRecorder()
	p.Router.ServeHTTP(rec, req)
	return rec
}

// body returns the answer's body, gunzipped when it came compressed.
func body(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if rec.Header().Get("Content-Encoding") != "gzip" {
		return rec.Body.String()
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fixedNow is the clock of the cache tests: within the truck-drivers comment period.
func fixedNow() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, portal.MongoliaTime) }

// TestPageCacheServes checks what a cached page is: the same bytes as the page rendered,
// gzipped for a client that takes it, a 304 for one that holds it, one entry per path,
// query and language (markup in the query escaped in each), and served again without
// rendering.
func TestPageCacheServes(t *testing.T) {
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Search: portaltest.IndexOnce, Now: fixedNow})
	tests := []struct {
		path, want, not string
	}{
		{"/?lang=en", "Supporting truck drivers", ""},
		{"/?lang=mn", "Ачааны машины жолоочдыг", "Supporting truck drivers"},
		{"/guidelines/truck-drivers?lang=en", "Scope and who does what", ""},
		{"/guidelines/truck-drivers/revisions?lang=en", "Added a new section", ""},
		{"/guidelines/truck-drivers/diff?from=1&to=2&lang=en", "<ins", ""},
		{"/directory?aimag=umnugovi&type=shelter&lang=en", "Shelter", ""},
		{"/search?q=shelter&lang=en", "Shelter", ""},
		{"/api/hsds/services?lang=en", `"total_items"`, ""},
		// Escaping: markup in the query is escaped in the page kept, and the page is
		// another entry than the same path without it.
		{"/search?q=%3Cscript%3Ealert(1)%3C/script%3E&lang=en", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			first := get(t, p, tt.path)
			if first.Code != http.StatusOK {
				t.Fatalf("%d", first.Code)
			}
			hits := p.Server.PageCacheHits()
			plain := get(t, p, tt.path)
			zipped := get(t, p, tt.path, "Accept-Encoding: gzip, deflate")
			if got := p.Server.PageCacheHits() - hits; got != 2 {
				t.Errorf("%d answers from the cache, want 2", got)
			}
			if body(t, plain) != body(t, first) || body(t, zipped) != body(t, first) {
				t.Error("the cached page differs from the page rendered")
			}
			if len(first.Body.String()) > 1024 && zipped.Header().Get("Content-Encoding") != "gzip" {
				t.Error("not gzipped for a client that takes gzip")
			}
			if !strings.Contains(zipped.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", zipped.Header().Get("Vary"))
			}
			b := body(t, plain)
			if !strings.Contains(b, tt.want) || (tt.not != "" && strings.Contains(b, tt.not)) {
				t.Errorf("page lacks %q or has %q", tt.want, tt.not)
			}
			etag := plain.Header().Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			if r := get(t, p, tt.path, "If-None-Match: "+etag); r.Code != http.StatusNotModified || r.Body.Len() != 0 {
				t.Errorf("revalidation: %d with %d bytes, want 304 and none", r.Code, r.Body.Len())
			}
		})
	}
}

// TestPageCacheFollowsChanges checks that a change made through this process shows on the
// very next request (a guideline saved, a revision imported, a directory entry edited, the
// language switched), and one made by another process within the documented staleness.
func TestPageCacheFollowsChanges(t *testing.T) {
	ctx := context.Background()
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Now: fixedNow})
	page := func(path string, headers ...string) string {
		t.Helper()
		r := get(t, p, path, headers...)
		if r.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, r.Code)
		}
		return body(t, r)
	}
	const guide = "/guidelines/truck-drivers?lang=en"
	page(guide)
	page(guide)

	// A guideline saved.
	g, err := p.DB.FindGuideline(ctx, portal.GuidelineID("truck-drivers", portal.English))
	if err != nil {
		t.Fatal(err)
	}
	changed := *g
	changed.Title = "Retitled while cached"
	if err := p.DB.SaveRevisions(ctx, &changed); err != nil {
		t.Fatal(err)
	}
	if b := page(guide); !strings.Contains(b, "Retitled while cached") {
		t.Error("a guideline saved through this process does not show on the next request")
	}
	if b := page("/?lang=en"); !strings.Contains(b, "Retitled while cached") {
		t.Error("the home page does not show the guideline saved")
	}

	// A revision imported.
	const revisions = "/guidelines/truck-drivers/revisions?lang=en"
	page(revisions)
	src, err := content.Starter().Open("guidelines/truck-drivers/en.2.md")
	if err != nil {
		t.Fatal(err)
	}
	md, _ := io.ReadAll(src)
	md = bytes.Replace(md, []byte("revision: 2\n"), []byte("revision: 3\n"), 1)
	md = bytes.Replace(md, []byte("change_note: "), []byte("change_note: A third revision while cached. "), 1)
	p.ImportGuidelines(t, fstest.MapFS{"guidelines/truck-drivers/en.3.md": {Data: md}})
	if b := page(revisions); !strings.Contains(b, "A third revision while cached") {
		t.Error("a revision imported through this process does not show on the next request")
	}

	// A directory entry edited.
	const service = "/directory/services/ub-safe-house-shelter?lang=en"
	const list = "/directory?aimag=ulaanbaatar&lang=en"
	page(service)
	page(list)
	d, err := p.DB.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o := d.Org("ub-safe-house").Clone()
	o.Services[0].Name.EN = "Shelter renamed while cached"
	if err := p.DB.SaveDirectoryOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page(service), "Shelter renamed while cached") || !strings.Contains(page(list), "Shelter renamed while cached") {
		t.Error("a directory edit through this process does not show on the next request")
	}

	// The language switched, by the query, the cookie and the browser's languages.
	en, mn := page("/?lang=en"), page("/?lang=mn")
	if en == mn || !strings.Contains(mn, `lang="mn"`) || !strings.Contains(en, `lang="en"`) {
		t.Error("?lang= does not switch the cached home page")
	}
	if b := page("/", "Cookie: lang=en"); b != en {
		t.Error("the lang cookie does not give the English home page")
	}
	if b := page("/", "Accept-Language: mn-MN"); b != mn {
		t.Error("Accept-Language: mn does not give the Mongolian home page")
	}

	// Another process's edit shows within the documented staleness: the snapshot's claim
	// check (100 ms) and the time to read the directory again.
	other := storetest.OpenElsewhere(t, p.DB)
	od, err := other.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o = od.Org("ub-safe-house").Clone()
	o.Services[0].Name.EN = "Renamed by another process"
	if err := other.SaveDirectoryOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(page(service), "Renamed by another process") {
		if time.Now().After(deadline) {
			t.Fatal("another process's edit did not show within 2 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPageCacheNeverMixesPeople checks, through the real router with cookies, that a
// signed-in person never receives a cached visitor's page, a visitor never a signed-in
// person's, and nothing personal enters the cache, whichever asks first.
func TestPageCacheNeverMixesPeople(t *testing.T) {
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Now: fixedNow})
	p.Organisation(t, "gobi-women", "Говийн эмэгтэйчүүд", "Gobi Women", portal.GroupCivilSociety, true)
	_, cookie := p.Person(t, "saraa@example.org", "Saraa Personal-Name", portal.RoleMember, "gobi-women")
	paths := []string{"/?lang=en", "/guidelines/truck-drivers?lang=en", "/directory?lang=en",
		"/directory/services/ub-safe-house-shelter?lang=en", "/search?q=shelter&lang=en"}
	for i, path := range paths {
		visitorFirst := i%2 == 0
		for round := range 2 {
			asVisitor := (round == 0) == visitorFirst
			var r *httptest.ResponseRecorder
			if asVisitor {
				r = get(t, p, path, "Accept-Encoding: gzip")
			} else {
				r = get(t, p, path, "Cookie: "+cookie, "Accept-Encoding: gzip")
			}
			b := body(t, r)
			switch signed := strings.Contains(b, "Saraa Personal-Name"); {
			case asVisitor && signed:
				t.Errorf("%s: a visitor received the signed-in person's page", path)
			case !asVisitor && !signed:
				t.Errorf("%s: the signed-in person received a page without their name (a visitor's?)", path)
			}
		}
		// Once more as the visitor, from the cache this time.
		if b := body(t, get(t, p, path)); strings.Contains(b, "Saraa Personal-Name") {
			t.Errorf("%s: a visitor received the signed-in person's page", path)
		}
	}
	p.Server.EachCachedPage(func(key string, b []byte) {
		if bytes.Contains(b, []byte("Saraa Personal-Name")) || bytes.Contains(b, []byte("/logout")) {
			t.Errorf("the cache keeps a signed-in page at %s", key)
		}
	})
}

// TestPageCacheKeepsNothingConfidential reads every public page of the starter directory as
// a member who may see confidential addresses and as a visitor, in both languages, then
// scans every byte the cache holds for every confidential address and coordinate.
func TestPageCacheKeepsNothingConfidential(t *testing.T) {
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Search: portaltest.IndexOnce, Now: fixedNow})
	p.Organisation(t, "gobi-women", "Говийн эмэгтэйчүүд", "Gobi Women", portal.GroupCivilSociety, true)
	_, cookie := p.Person(t, "saraa@example.org", "Saraa", portal.RoleMember, "gobi-women")
	_, _, orgs := portaltest.StarterDirectory(t)
	var secrets []string
	var paths []string
	for _, o := range orgs {
		for _, l := range o.Locations {
			if l.Confidential {
				secrets = append(secrets, l.Address.MN, l.Address.EN)
			}
		}
		for _, s := range o.Services {
			paths = append(paths, "/directory/services/"+s.ID, "/directory/print?s="+s.ID, "/api/hsds/services/"+s.ID)
		}
	}
	if len(secrets) < 4 {
		t.Fatalf("%d confidential addresses in the starter directory", len(secrets))
	}
	paths = append(paths, "/directory", "/directory?aimag=ulaanbaatar", "/search?q=shelter", "/api/hsds/services", "/api/hsds/organizations")
	sawSecret := false
	for _, path := range paths {
		for _, lang := range []string{"mn", "en"} {
			u := path + map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "lang=" + lang
			member := body(t, get(t, p, u, "Cookie: "+cookie))
			for _, s := range secrets {
				sawSecret = sawSecret || strings.Contains(member, s)
			}
			get(t, p, u)
			get(t, p, u)
		}
	}
	if !sawSecret {
		t.Fatal("the member saw no confidential address: the test proves nothing")
	}
	n := 0
	p.Server.EachCachedPage(func(key string, b []byte) {
		n++
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("the cache keeps a confidential address at %s", key)
			}
		}
	})
	if n < len(paths) {
		t.Errorf("the cache holds %d pages, want the visitors' %d at least", n, len(paths))
	}
}

// TestClientGoneIsNoError checks that a request whose client went away before its answer
// is logged at debug as such, with no 500 and no error line.
func TestClientGoneIsNoError(t *testing.T) {
	var logs logtest.Buffer
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, Now: fixedNow, Logger: logs.Logger()})
	_, cookie := p.Person(t, "saraa@example.org", "Saraa", portal.RoleMember, "")
	for _, path := range []string{"/guidelines/truck-drivers?lang=en", "/profile"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		p.Router.ServeHTTP(rec, req)
		if rec.Code != 499 {
			t.Errorf("%s: %d, want 499 (the client closed the request)", path, rec.Code)
		}
	}
	if n := logs.Count("level=ERROR"); n > 0 || logs.Count("client went away") != 2 {
		t.Errorf("%d error lines, want none and two lines at debug:\n%s", n, logs.String())
	}
}

// TestPageCacheServesWhileRefreshing checks that a page out of date only because the minute
// turned is served as it is while its new rendering is made in the background, and that a
// page of any other time is rendered before it is served. The comment period of
// truck-drivers closes as 31 January 2027 ends, which the guideline page shows.
func TestPageCacheServesWhileRefreshing(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Date(2027, 1, 31, 23, 59, 30, 0, portal.MongoliaTime).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, Now: now})
	const path = "/guidelines/truck-drivers?lang=en"
	open := body(t, get(t, p, path))
	if !strings.Contains(open, "Open for comment until") {
		t.Fatal("the comment period is not open before it closes")
	}
	clock.Add(int64(time.Minute)) // 1 February, 00:00:30
	if b := body(t, get(t, p, path)); b != open {
		t.Error("the page of the minute before was not served while its new rendering was made")
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Contains(body(t, get(t, p, path)), "Open for comment until") {
		if time.Now().After(deadline) {
			t.Fatal("the page was not rendered again within 5 s of the minute turning")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A page of another time than this minute or the one before is rendered before it is
	// served: the clock set back to 23:58 shows the period open again, at once.
	clock.Store(time.Date(2027, 1, 31, 23, 58, 0, 0, portal.MongoliaTime).UnixNano())
	if b := body(t, get(t, p, path)); !strings.Contains(b, "Open for comment until") {
		t.Error("a page of another time was served")
	}
}

// TestPageCacheRevalidatesAfterRendering: a page rendered again after a write that did not
// change it keeps its ETag, and a client holding it gets a 304 from that very request.
func TestPageCacheRevalidatesAfterRendering(t *testing.T) {
	ctx := context.Background()
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Now: fixedNow})
	const path = "/guidelines/truck-drivers?lang=en"
	etag := get(t, p, path).Header().Get("ETag")
	d, err := p.DB.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o := d.Org("ub-safe-house").Clone()
	o.Services[0].Name.EN = "A change the guideline page does not show"
	if err := p.DB.SaveDirectoryOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	if r := get(t, p, path, "If-None-Match: "+etag); r.Code != http.StatusNotModified {
		t.Errorf("the first request after the write: %d, want 304 for the unchanged page", r.Code)
	}
}
