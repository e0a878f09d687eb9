package handlers_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gobidialogue/portal"
)

// mainPart returns the <main> element of a page.
func mainPart(t *testing.T, page string) string {
	t.Helper()
	start, end := strings.Index(page, "<main"), strings.LastIndex(page, "</main>")
	if start < 0 || end < start {
		t.Fatalf("no <main> in the page:\n%.600s", page)
	}
	return page[start : end+len("</main>")]
}

// gunzipped returns r's body, decompressed by the standard library when it was gzipped.
func gunzipped(t *testing.T, r *response) string {
	t.Helper()
	if r.Header().Get("Content-Encoding") != "gzip" {
		return r.body
	}
	zr, err := gzip.NewReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("the gzipped page does not decompress: %v", err)
	}
	return string(b)
}

// The main part of a page in sharedMain is kept once for every signed-in person and sent
// compressed as kept: it must be exactly what a visitor gets, whoever asked first, and the
// gzip stream it is spliced into must decompress to the page.
func TestSharedMainIsTheSameForEveryone(t *testing.T) {
	p := newServer(t)
	h := p.Router
	people := map[string]string{}
	for _, r := range []portal.Role{portal.RoleAdmin, portal.RoleSecretariat, portal.RoleMember} {
		u, cookie := p.Person(t, string(r)+"@example.org", "Person "+string(r), r, "")
		people[u.Name] = cookie
	}
	for _, target := range []string{
		"/?lang=en", "/?lang=mn", "/guidelines?lang=en", "/guidelines?status=open&lang=mn",
		"/guidelines/truck-drivers?lang=en", "/guidelines/truck-drivers?lang=mn",
		"/guidelines/truck-drivers/revisions?lang=en", "/guidelines/truck-drivers/revisions/1?lang=mn",
		"/guidelines/truck-drivers/diff?from=1&to=2&lang=en",
		"/guidelines/hostile?lang=en", // escaping: the hostile fields stay text
		"/guidelines/hostile/revisions?lang=mn",
	} {
		t.Run(target, func(t *testing.T) {
			visitor := get(t, h, "GET", target)
			if visitor.Code != http.StatusOK {
				t.Fatalf("visitor: status %d", visitor.Code)
			}
			want := mainPart(t, visitor.body)
			if strings.Contains(want, "<script>") {
				t.Fatal("the main part carries a <script> tag")
			}
			for round := range 2 { // the first renders and keeps, the second reuses
				for name, cookie := range people {
					for _, enc := range []string{"gzip", "identity"} {
						r := get(t, h, "GET", target, "Cookie", cookie, "Accept-Encoding", enc)
						if r.Code != http.StatusOK {
							t.Fatalf("%s, round %d, %s: status %d", name, round, enc, r.Code)
						}
						if enc == "gzip" && r.Header().Get("Content-Encoding") != "gzip" {
							t.Fatalf("%s: not gzipped", name)
						}
						page := gunzipped(t, r)
						if got := mainPart(t, page); got != want {
							t.Fatalf("%s, round %d, %s: the main part differs from a visitor's:\n got %.400s\nwant %.400s", name, round, enc, got, want)
						}
						if !strings.Contains(page, name) || strings.Contains(visitor.body, name) {
							t.Errorf("%s: the menu is not theirs", name)
						}
						if !strings.HasSuffix(page, "</html>\n") {
							t.Errorf("%s, %s: the page does not end with </html>: %q", name, enc, page[max(0, len(page)-40):])
						}
					}
				}
			}
		})
	}
}

// A write through this process shows to a signed-in person on their next request, though
// their main part was kept before it.
func TestSharedMainFollowsWrites(t *testing.T) {
	p := newServer(t)
	_, cookie := p.Person(t, "member@example.org", "Member", portal.RoleMember, "")
	const target = "/guidelines/hostile?lang=en"
	if r := get(t, p.Router, "GET", target, "Cookie", cookie, "Accept-Encoding", "gzip"); !strings.Contains(gunzipped(t, r), "Hello") {
		t.Fatalf("status %d: the first revision is not shown", r.Code)
	}
	p.ImportGuidelines(t, fstest.MapFS{"guidelines/hostile/en.2.md": {Data: []byte(`---
title: "Hostile, tamed"
slug: hostile
language: en
translation_key: hostile
status: draft
revision: 2
date: 2026-01-06
change_note: Tamed.
---
Good morning &amp; welcome.
`)}})
	page := gunzipped(t, get(t, p.Router, "GET", target, "Cookie", cookie, "Accept-Encoding", "gzip"))
	if !strings.Contains(page, "Good morning") || !strings.Contains(page, "Hostile, tamed") {
		t.Fatalf("the new revision is not shown:\n%s", mainPart(t, page))
	}
}
