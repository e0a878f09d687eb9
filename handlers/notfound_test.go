package handlers_test

import (
	"strings"
	"testing"
)

// TestNotFoundWayOn: a 404 page, whatever was not found, offers a way on in the reader's
// language: a search box for the whole portal and links to the home page, the directory, the
// guidelines and search. Other errors keep their short links.
func TestNotFoundWayOn(t *testing.T) {
	h := directorySite(t).Router
	tests := []struct {
		name, target string
		status       int
		lead         string // the way on's sentence
	}{
		{"no route en", "/nowhere?lang=en", 404, "Search the portal"},
		{"no route mn", "/nowhere?lang=mn", 404, "Порталаас хайх"},
		{"no such guideline", "/guidelines/no-such-guideline?lang=en", 404, "Search the portal"},
		{"no such service", "/directory/services/no-such-service?lang=mn", 404, "Порталаас хайх"},
		{"page past the end", "/directory?page=50&lang=en", 404, ""}, // the directory's own page, with its form
		{"bad request", "/?lang=fr", 400, ""},
		{"escaping", "/%3Cscript%3Ealert(1)%3C/script%3E?lang=en", 404, "Search the portal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, h, "GET", tt.target)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d", r.Code, tt.status)
			}
			if strings.Contains(r.body, "<script>alert") || r.doc.Find(`script:not([src^="/static/"])`).Length() > 0 {
				t.Fatal("markup from the address reached the page")
			}
			box := r.doc.Find(`.error form[role="search"][action="/search"] input[type="search"][name="q"]`)
			if tt.lead == "" {
				if box.Length() != 0 {
					t.Error("a search box on a page that is not the 404 page")
				}
				return
			}
			if !strings.Contains(r.text(".error"), tt.lead) {
				t.Errorf("no %q on the page: %q", tt.lead, r.text(".error"))
			}
			if box.Length() != 1 {
				t.Fatal("no search box")
			}
			if id := box.AttrOr("id", ""); r.doc.Find(`label[for="`+id+`"]`).Length() != 1 {
				t.Error("the search box has no label")
			}
			for _, href := range []string{"/", "/directory", "/guidelines", "/search"} {
				if r.doc.Find(`.error .way-on a[href="`+href+`"]`).Length() != 1 {
					t.Errorf("no link to %s", href)
				}
			}
		})
	}
}
