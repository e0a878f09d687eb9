package handlers_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestExitThisPage: the directory's pages (the list, a service, the referral sheet) carry
// "Exit this page" in both languages: a link to a neutral site that works without
// JavaScript, sends no referrer, and loads exit.js; the list's free-text box stays out of
// the browser's autocomplete history (autocomplete off, and a name no other site's search box
// shares), and the words still filter the list under the new name and the old one.
func TestExitThisPage(t *testing.T) {
	h := directorySite(t).Router
	tests := []struct {
		name, target string
		status       int
		button       string // the button's visible text
		words        string // the text box's value, on the list
	}{
		{"list mn", "/directory?lang=mn", 200, "Энэ хуудаснаас гарах", ""},
		{"list en filtered", "/directory?aimag=umnugovi&type=shelter&lang=en", 200, "Exit this page", ""},
		{"list words", "/directory?words=safe+house&lang=en", 200, "Exit this page", "safe house"},
		{"list words by the old name", "/directory?q=safe+house&lang=en", 200, "Exit this page", "safe house"},
		{"list with an error", "/directory?aimag=narnia&lang=en", 400, "Exit this page", ""},
		{"service mn", "/directory/services/ub-safe-house-shelter?lang=mn", 200, "Энэ хуудаснаас гарах", ""},
		{"service en", "/directory/services/ub-safe-house-shelter?lang=en", 200, "Exit this page", ""},
		{"referral sheet", "/directory/print?s=ub-safe-house-shelter&lang=en", 200, "Exit this page", ""},
		{"empty referral sheet", "/directory/print?lang=mn", 200, "Энэ хуудаснаас гарах", ""},
		{"escaping", "/directory?words=" + url.QueryEscape(`"><script>alert(1)</script>`) + "&lang=en", 200, "Exit this page",
			`"><script>alert(1)</script>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, h, "GET", tt.target)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d", r.Code, tt.status)
			}
			if strings.Contains(r.body, "<script>alert") || r.doc.Find(`script:not([src^="/static/"]), main img`).Length() > 0 {
				t.Fatal("markup from the query reached the page")
			}
			exit := r.doc.Find(".exit-page a.exit-button")
			if exit.Length() != 1 {
				t.Fatalf("%d exit buttons, want 1", exit.Length())
			}
			if got := strings.TrimSpace(exit.Text()); !strings.HasSuffix(got, tt.button) {
				t.Errorf("exit button %q, want %q", got, tt.button)
			}
			if href := exit.AttrOr("href", ""); !strings.HasPrefix(href, "https://") {
				t.Errorf("exit link %q: want a neutral site's address, which works without JavaScript", href)
			}
			if rel := exit.AttrOr("rel", ""); !strings.Contains(rel, "noreferrer") || !strings.Contains(rel, "nofollow") {
				t.Errorf("exit link rel %q: the neutral site must not learn where the person came from", rel)
			}
			if r.doc.Find(`script[src^="/static/exit."]`).Length() != 1 {
				t.Error("exit.js is not loaded")
			}
			if r.doc.Find(`main :not(.exit-page) > .exit-page, main > .exit-page`).Length() != 1 {
				t.Error("the exit button is not in the page's main part")
			}
			if !strings.HasPrefix(tt.target, "/directory?") {
				return
			}
			box := r.doc.Find("#dir-q")
			if box.AttrOr("autocomplete", "") != "off" {
				t.Errorf("the text box's autocomplete is %q, want off", box.AttrOr("autocomplete", ""))
			}
			if name := box.AttrOr("name", ""); name == "q" || name == "query" || name == "search" || name == "s" || name == "" {
				t.Errorf("the text box is named %q, a name other sites' search boxes share", name)
			}
			if got := box.AttrOr("value", ""); got != tt.words {
				t.Errorf("text box holds %q, want %q", got, tt.words)
			}
			if tt.words == "safe house" {
				if len(listed(r)) == 0 {
					t.Error("the words found nothing")
				}
				r.doc.Find(".dir-quick a.chip").Each(func(_ int, s *goquery.Selection) {
					if href := s.AttrOr("href", ""); !strings.Contains(href, "words=safe+house") {
						t.Errorf("filter link %q drops the words", href)
					}
				})
			}
		})
	}
	// Pages outside the directory do not carry it.
	if r := get(t, h, "GET", "/?lang=en"); r.doc.Find(".exit-page").Length() != 0 {
		t.Error("the home page has the exit button")
	}
}
