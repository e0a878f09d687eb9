package handlers_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
	"github.com/gobidialogue/portal/themes"
)

// now is the tests' fixed clock: within the truck-drivers comment period.
func now() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, portal.MongoliaTime) }

// hostile is a guideline whose every field tries to inject markup.
var hostile = fstest.MapFS{
	"guidelines/hostile/en.1.md": {Data: []byte(`---
title: "<script>alert('title')</script> Hostile"
slug: hostile
language: en
translation_key: hostile
summary: "<img src=x onerror=alert(1)> summary"
tags: ["<b>tag</b>"]
status: draft
revision: 1
date: 2026-01-05
change_note: "<script>alert('note')</script>"
---
Hello <script>alert('body')</script> and [click](javascript:alert(1)).
`)},
	"guidelines/hostile/mn.1.md": {Data: []byte(`---
title: "<script>alert('гарчиг')</script> Хортой"
slug: hostile
language: mn
translation_key: hostile
status: draft
revision: 1
date: 2026-01-05
---
Сайн байна уу <script>alert(1)</script>.
`)},
}

// newServer returns the portal over a fresh database holding the starter guidelines and the
// hostile guideline, on the fixed clock.
func newServer(t *testing.T) *portaltest.Portal {
	t.Helper()
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, Now: now})
	p.ImportGuidelines(t, hostile)
	return p
}

type response struct {
	*httptest.ResponseRecorder
	body string
	doc  *goquery.Document
}

// get serves one request through the router; header pairs are name, value.
func get(t *testing.T, h http.Handler, method, target string, header ...string) *response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := &response{ResponseRecorder: rec, body: rec.Body.String()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") && rec.Header().Get("Content-Encoding") == "" {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
		if err != nil {
			t.Fatalf("%s: parse HTML: %v", target, err)
		}
		r.doc = doc
	}
	return r
}

// getPage GETs target and fails the test unless it answers 200 with a page that no markup
// of the request or the data got into (the escaping case every handler table has: a
// script, an image or an alert from the payloads the tests use).
func getPage(t *testing.T, h http.Handler, target string, header ...string) *response {
	t.Helper()
	r := get(t, h, "GET", target, header...)
	if r.Code != 200 {
		t.Fatalf("%s: status %d", target, r.Code)
	}
	if strings.Contains(r.body, "<script>alert") || r.doc != nil && r.doc.Find("main script, main img").Length() > 0 {
		t.Fatalf("%s: markup from the request or the data reached the page", target)
	}
	return r
}

func (r *response) text(sel string) string {
	if r.doc == nil {
		return ""
	}
	return strings.TrimSpace(r.doc.Find(sel).First().Text())
}

func TestPages(t *testing.T) {
	h := newServer(t).Router
	tests := []struct {
		name     string
		target   string
		header   []string
		status   int
		lang     string            // the <html lang> wanted
		selector map[string]string // selector → text it must contain
		count    map[string]int    // selector → minimum number of matches
		absent   []string          // substrings the body must not contain
		none     []string          // selectors that must match nothing
	}{
		{name: "home default mn", target: "/", status: 200, lang: "mn",
			selector: map[string]string{"h1": "Говьд", "header .lang.current": "Монгол"}},
		{name: "home en by query", target: "/?lang=en", status: 200, lang: "en",
			selector: map[string]string{"h1": "Working together", "a[hreflang=mn]": "Монгол"}},
		{name: "home en by cookie", target: "/", header: []string{"Cookie", "lang=en"}, status: 200, lang: "en"},
		{name: "home en by Accept-Language", target: "/", header: []string{"Accept-Language", "en-GB,en;q=0.9,mn;q=0.5"}, status: 200, lang: "en"},
		{name: "Accept-Language prefers mn", target: "/", header: []string{"Accept-Language", "mn-MN, en;q=0.8"}, status: 200, lang: "mn"},
		{name: "query beats cookie", target: "/?lang=mn", header: []string{"Cookie", "lang=en"}, status: 200, lang: "mn"},
		{name: "unknown language", target: "/?lang=fr", header: []string{"Cookie", "lang=en"}, status: 400, lang: "en",
			selector: map[string]string{".error .detail": `"fr"`}},
		{name: "guideline list", target: "/guidelines?lang=en", status: 200, lang: "en",
			count: map[string]int{".cards .card": 5}},
		{name: "guideline list by status", target: "/guidelines?lang=en&status=adopted", status: 200,
			selector: map[string]string{".card .status": "Adopted", ".chip.current": "Adopted"}},
		{name: "bad status", target: "/guidelines?lang=en&status=lost", status: 400,
			selector: map[string]string{".error .detail": `"lost"`}},
		{name: "guideline en", target: "/guidelines/truck-drivers?lang=en", status: 200, lang: "en",
			selector: map[string]string{"h1": "truck drivers", ".status": "Open for comment until 31 January 2027",
				".example": "Example text", "a[hreflang=mn]": "Монгол хэлээр"},
			count: map[string]int{".toc li a": 6, ".body h2[id]": 6, ".body p[id]": 10}},
		{name: "guideline mn", target: "/guidelines/truck-drivers?lang=mn", status: 200, lang: "mn",
			selector: map[string]string{".status": "2027 оны 1-р сарын 31 хүртэл санал авна", "a[hreflang=en]": "Read in English"}},
		{name: "guideline not found", target: "/guidelines/no-such-guideline?lang=en", status: 404,
			selector: map[string]string{"h1": "Page not found"}},
		{name: "guideline bad slug", target: "/guidelines/Bad_Slug", status: 404},
		{name: "revisions", target: "/guidelines/truck-drivers/revisions?lang=en", status: 200,
			count: map[string]int{".revisions li": 2}, selector: map[string]string{".revisions li": "Revision 2"}},
		{name: "old revision", target: "/guidelines/truck-drivers/revisions/1?lang=en", status: 200,
			selector: map[string]string{".notice.old": "You are reading revision 1"}},
		{name: "revision not a number", target: "/guidelines/truck-drivers/revisions/abc?lang=en", status: 400,
			selector: map[string]string{".error .detail": `"abc"`}},
		{name: "revision zero", target: "/guidelines/truck-drivers/revisions/0?lang=en", status: 404,
			selector: map[string]string{".error .detail": "Revision 0 does not exist"}},
		{name: "revision too high", target: "/guidelines/truck-drivers/revisions/99?lang=mn", status: 404,
			selector: map[string]string{".error .detail": "99-р хувилбар байхгүй"}},
		{name: "diff", target: "/guidelines/truck-drivers/diff?from=1&to=2&lang=en", status: 200,
			selector: map[string]string{"h2": "Changes from revision 1 to revision 2"},
			count:    map[string]int{".diff ins": 1, ".diff del": 1, ".diff details.unchanged": 1}},
		{name: "diff default", target: "/guidelines/victim-identification/diff?lang=en", status: 200,
			count: map[string]int{".diff ins": 1}},
		{name: "diff bad from", target: "/guidelines/truck-drivers/diff?from=x&to=2&lang=en", status: 400,
			selector: map[string]string{".error .detail": "from"}},
		{name: "diff to out of range", target: "/guidelines/truck-drivers/diff?from=1&to=9&lang=en", status: 404,
			selector: map[string]string{".error .detail": "parameter to"}},
		{name: "no route", target: "/nowhere?lang=en", status: 404, selector: map[string]string{"h1": "Page not found"}},
		// Escaping: every field of the hostile guideline comes out as text.
		{name: "escaping guideline", target: "/guidelines/hostile?lang=en", status: 200,
			selector: map[string]string{"h1": "<script>alert('title')</script> Hostile"},
			absent:   []string{"<script>", "<img"},
			none:     []string{"script:not([src])", "[onerror]", "[onclick]", `a[href^="javascript:"]`, "img"}},
		{name: "escaping list", target: "/guidelines?lang=en", status: 200,
			absent: []string{"<script>", "<img src=x"}},
		{name: "escaping revisions", target: "/guidelines/hostile/revisions?lang=en", status: 200,
			absent: []string{"<script>"}},
		{name: "escaping bad lang", target: "/?lang=%3Cscript%3Ealert(1)%3C/script%3E", status: 400,
			absent: []string{"<script>"}},
		{name: "escaping bad revision", target: "/guidelines/truck-drivers/revisions/%3Cb%3E?lang=en", status: 400,
			selector: map[string]string{".error .detail": `"<b>"`}, absent: []string{"<b>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, h, "GET", tt.target, tt.header...)
			if r.Code != tt.status {
				t.Fatalf("status = %d, want %d; body:\n%.600s", r.Code, tt.status, r.body)
			}
			if r.doc == nil {
				t.Fatalf("not an HTML page: %s", r.Header().Get("Content-Type"))
			}
			if got, _ := r.doc.Find("html").Attr("lang"); tt.lang != "" && got != tt.lang {
				t.Errorf("html lang = %q, want %q", got, tt.lang)
			}
			for sel, want := range tt.selector {
				found := false
				r.doc.Find(sel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
					found = strings.Contains(s.Text(), want)
					return !found
				})
				if !found {
					t.Errorf("no %q containing %q (first: %q)", sel, want, r.text(sel))
				}
			}
			for sel, n := range tt.count {
				if got := r.doc.Find(sel).Length(); got < n {
					t.Errorf("%d × %q, want at least %d", got, sel, n)
				}
			}
			for _, sel := range tt.none {
				if n := r.doc.Find(sel).Length(); n > 0 {
					t.Errorf("%d × %q, want none", n, sel)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(r.body, s) {
					t.Errorf("body contains %q", s)
				}
			}
		})
	}
}

func TestLanguageCookieRemembered(t *testing.T) {
	h := newServer(t).Router
	r := get(t, h, "GET", "/guidelines?lang=en")
	var cookie *http.Cookie
	for _, c := range r.Result().Cookies() {
		if c.Name == "lang" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "en" || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("lang cookie = %+v", cookie)
	}
	if r := get(t, h, "GET", "/?lang=xx"); len(r.Result().Cookies()) != 0 {
		t.Errorf("an invalid lang set a cookie")
	}
}

func TestHeadersAndCompression(t *testing.T) {
	h := newServer(t).Router
	r := get(t, h, "GET", "/guidelines/truck-drivers?lang=en", "Accept-Encoding", "gzip")
	if r.Code != 200 {
		t.Fatalf("status %d", r.Code)
	}
	for name, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
		"Content-Encoding":        "gzip",
		"Content-Language":        "en",
	} {
		if got := r.Header().Get(name); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if !strings.Contains(r.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("CSP lacks frame-ancestors 'none'")
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "</html>") {
		t.Fatal("gzipped body is not the whole page")
	}
	const limit = 100 << 10
	if r.Body.Len() > limit {
		t.Errorf("guideline page is %d bytes gzipped, want under %d", r.Body.Len(), limit)
	}
	t.Logf("guideline page: %d bytes, %d gzipped", len(page), r.Body.Len())
}

func TestPageRevalidation(t *testing.T) {
	h := newServer(t).Router
	r := get(t, h, "GET", "/guidelines/truck-drivers?lang=en")
	etag := r.Header().Get("ETag")
	if r.Code != 200 || etag == "" || r.Header().Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("first visit: %d, ETag %q, Cache-Control %q", r.Code, etag, r.Header().Get("Cache-Control"))
	}
	if r := get(t, h, "GET", "/guidelines/truck-drivers?lang=en", "If-None-Match", etag); r.Code != http.StatusNotModified || r.Body.Len() != 0 {
		t.Errorf("revisit: %d with %d bytes, want 304 and no body", r.Code, r.Body.Len())
	}
	if r := get(t, h, "GET", "/guidelines/truck-drivers?lang=mn", "If-None-Match", etag); r.Code != 200 {
		t.Errorf("the Mongolian page answered the English page's ETag with %d", r.Code)
	}
}

func TestStatic(t *testing.T) {
	h := newServer(t).Router
	theme, _ := themes.Load("")
	url := theme.StaticURL("style.css")
	r := get(t, h, "GET", url, "Accept-Encoding", "gzip")
	if r.Code != 200 || r.Header().Get("Content-Encoding") != "gzip" ||
		r.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("GET %s: %d %v", url, r.Code, r.Header())
	}
	etag := r.Header().Get("ETag")
	if r := get(t, h, "GET", url, "If-None-Match", etag); r.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", r.Code)
	}
	if r := get(t, h, "GET", "/static/style.0000000000.css"); r.Code != 404 {
		t.Errorf("stale hash: status %d, want 404", r.Code)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	h := newServer(t).Router
	r := get(t, h, "POST", "/guidelines?lang=en", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if r.Code != http.StatusForbidden {
		t.Fatalf("cross-site POST: status %d, want 403", r.Code)
	}
}

func TestHealth(t *testing.T) {
	h := newServer(t).Router
	r := get(t, h, "GET", "/healthz")
	if r.Code != 200 || !strings.Contains(r.body, `"status":"ok"`) || r.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("healthz: %d %s", r.Code, r.body)
	}
	// A client of its own whose connection is closed: the database no longer answers it.
	ctx := context.Background()
	gone, err := store.Open(ctx, storetest.URI(t), "healthz_closed")
	if err != nil {
		t.Fatal(err)
	}
	if err := gone.Close(ctx); err != nil {
		t.Fatal(err)
	}
	h = portaltest.New(t, portaltest.Options{DB: gone, Now: now}).Router
	r = get(t, h, "GET", "/healthz")
	if r.Code != http.StatusServiceUnavailable || !strings.Contains(r.body, `"status":"unavailable"`) {
		t.Fatalf("healthz with the database closed: %d %s", r.Code, r.body)
	}
	// A page whose database call fails is the themed 500 page, in the user's language,
	// without the internal error.
	r = get(t, h, "GET", "/guidelines?lang=mn")
	if r.Code != http.StatusInternalServerError || r.text("h1") != "Алдаа гарлаа" || strings.Contains(r.body, "disconnected") {
		t.Fatalf("page with the database closed: %d %q\n%.400s", r.Code, r.text("h1"), r.body)
	}
}
