package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/server"
)

// TestWarmServesFirstVisitor checks that a page warmed at start is served from the cache
// to the first visitor who asks, however the visitor says the language (the site's default,
// Accept-Language, the cookie, ?lang=), and that it is the page a visitor gets rendered
// (markup in a query escaped, as when rendered for a visitor).
func TestWarmServesFirstVisitor(t *testing.T) {
	ctx := context.Background()
	var log bytes.Buffer
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Now: fixedNow,
		Logger: slog.New(slog.NewTextHandler(&log, nil))})
	paths := []string{"/", "/guidelines", "/guidelines/truck-drivers", "/directory", "/directory?q=%3Cb%3Ebold%3C/b%3E"}
	if n := p.Server.Warm(ctx, paths); n != len(paths)*4 {
		t.Fatalf("Warm kept %d pages, want %d: each path in two languages, by cookie and by ?lang=", n, len(paths)*4)
	}
	// The server's own requests are not in the request log at info: no visitor made them.
	if strings.Contains(log.String(), "msg=request") {
		t.Errorf("the warm-up's requests are logged as visitors' requests:\n%.600s", log.String())
	}
	cold := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Now: fixedNow})
	tests := []struct {
		path    string
		headers []string
		want    string
	}{
		{"/", nil, "Ачааны машины жолоочдыг"}, // the default language, Mongolian
		{"/", []string{"Accept-Language: en-GB,en;q=0.9"}, "Supporting truck drivers"},
		{"/?lang=en", nil, "Supporting truck drivers"},
		{"/guidelines", []string{"Cookie: lang=en"}, "Supporting truck drivers"},
		{"/guidelines?lang=mn", nil, "Ачааны машины жолоочдыг"},
		{"/guidelines/truck-drivers?lang=en", nil, "Scope and who does what"},
		{"/guidelines/truck-drivers", []string{"Cookie: lang=en"}, "Scope and who does what"},
		{"/directory", nil, "Шилжүүлгийн лавлах"},
		{"/directory?lang=en", nil, "Referral directory"},
		// Escaping: the warmed page escapes the query as the page rendered for a visitor.
		{"/directory?q=%3Cb%3Ebold%3C/b%3E&lang=en", nil, "&lt;b&gt;bold&lt;/b&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+strings.Join(tt.headers, " "), func(t *testing.T) {
			hits := p.Server.PageCacheHits()
			r := get(t, p, tt.path, tt.headers...)
			if r.Code != http.StatusOK {
				t.Fatalf("%d", r.Code)
			}
			if got := p.Server.PageCacheHits() - hits; got != 1 {
				t.Errorf("the first request was not answered from the cache (%d hits)", got)
			}
			b := body(t, r)
			if !strings.Contains(b, tt.want) {
				t.Errorf("page lacks %q", tt.want)
			}
			if strings.Contains(b, "<b>bold") {
				t.Error("markup of the query in the page")
			}
			if rendered := body(t, get(t, cold, tt.path, tt.headers...)); rendered != b {
				t.Error("the warmed page differs from the page rendered for a visitor")
			}
		})
	}
}

// TestWarmWithoutCache: a server without the page cache warms nothing.
func TestWarmWithoutCache(t *testing.T) {
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, Now: fixedNow})
	srv, err := server.New(server.Config{}, p.Handlers)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Warm(context.Background(), []string{"/"}); n != 0 {
		t.Errorf("Warm kept %d pages without a cache", n)
	}
}
