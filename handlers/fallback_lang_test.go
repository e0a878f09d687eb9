package handlers_test

import (
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// TestFallbackTextIsMarked: a record with no text in the page's language shows the other
// language's, and marks it with a lang attribute (screen readers read it with the right
// voice; the Mongolian pages' no-English test skips it as content, not interface); a text in
// the page's language carries none. With an escaping case: the hostile organisation.
func TestFallbackTextIsMarked(t *testing.T) {
	o := hostileDirectoryOrg()
	o.Name = portal.Text{EN: "English-only NGO <b>x</b>"}
	s := &o.Services[0]
	s.Name = portal.Text{EN: "English-only service <script>alert(1)</script>"}
	s.Description = portal.Text{EN: "Only in English."}
	p := portaltest.New(t, portaltest.Options{Orgs: []*portal.DirectoryOrg{o}, Now: now})
	tests := []struct {
		name, target, selector, want string
	}{
		{"list, name", "/directory?lang=mn", `.dir-list a[href="/directory/services/hostile-service"]`, "en"},
		{"list, organisation", "/directory?lang=mn", `.dir-list .svc .org`, "en"},
		{"service, heading", "/directory/services/hostile-service?lang=mn", "main h1", "en"},
		{"service, description", "/directory/services/hostile-service?lang=mn", "main p.summary", "en"},
		{"English page, name", "/directory?lang=en", `.dir-list a[href="/directory/services/hostile-service"]`, ""},
		{"English page, heading", "/directory/services/hostile-service?lang=en", "main h1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := getPage(t, p.Router, tt.target)
			if r.doc.Find("main b").Length() > 0 {
				t.Fatal("markup from the record reached the page")
			}
			el := r.doc.Find(tt.selector).First()
			if el.Length() == 0 {
				t.Fatalf("%s: no %s", tt.target, tt.selector)
			}
			if got, _ := el.Attr("lang"); got != tt.want {
				t.Errorf("%s %s: lang=%q, want %q", tt.target, tt.selector, got, tt.want)
			}
		})
	}
}
