package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gobidialogue/portal"
)

// TestServicePagePhoneFirst: on a service page, the first section after the heading is the
// ways to reach the service (tap-to-call links, the hours with open-now, the public contact
// point of a confidential place, never its address), before how to get help and before
// the description; in both languages, hostile text staying text.
func TestServicePagePhoneFirst(t *testing.T) {
	site := directorySite(t)
	sunday := time.Date(2026, 11, 29, 12, 0, 0, 0, portal.MongoliaTime)
	tests := []struct {
		name, id, lang string
		at             time.Time // the clock; now() when zero
		tel            string    // the first tel: link
		badge          string    // the open-now badge's text
		hours          bool      // the week's hours are listed (not "open 24 hours")
		contact        string    // the public contact point, "" when none
		address        string    // a confidential address that must not be on the page
		description    string    // the start of the description
	}{
		{name: "confidential shelter mn", id: "gobi-women-network-shelter", lang: "mn", tel: "tel:+97699110101", badge: "Одоо нээлттэй",
			contact: "Шилжүүлэг авахын тулд тусламжийн утсаар", address: "Говийн гудамж 14", description: "Хүн худалдаалах гэмт хэргийн хохирогч"},
		{name: "confidential shelter en", id: "gobi-women-network-shelter", lang: "en", tel: "tel:+97699110101", badge: "Open now",
			contact: "Call the hotline to be referred", address: "Govi street 14", description: "Safe accommodation, food"},
		{name: "drop-in open en", id: "gobi-women-network-drop-in-dalanzadgad", lang: "en", tel: "tel:", badge: "Open now", hours: true,
			description: "Women can walk in"},
		{name: "drop-in closed on Sunday mn", id: "gobi-women-network-drop-in-dalanzadgad", lang: "mn", at: sunday, tel: "tel:", badge: "Одоо хаалттай", hours: true,
			description: "Эмэгтэйчүүд урьдчилан цаг авалгүйгээр"},
		{name: "escaping", id: "hostile-service", lang: "en", tel: "tel:+97670000002", badge: "Open now",
			contact: dirScript + " " + dirAttr, description: dirScript},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site.at = now()
			if !tt.at.IsZero() {
				site.at = tt.at
			}
			r := get(t, site.Router, "GET", "/directory/services/"+tt.id+"?lang="+tt.lang)
			if r.Code != 200 {
				t.Fatalf("status %d", r.Code)
			}
			if strings.Contains(r.body, "<script>alert") || r.doc.Find("main img").Length() > 0 {
				t.Fatal("markup from the directory reached the page")
			}
			first := r.doc.Find("main h1").First().NextAllFiltered("section").First()
			if first.Length() == 0 {
				t.Fatal("no section after the heading")
			}
			tel := first.Find(`a[href^="tel:"]`).First()
			if href := tel.AttrOr("href", ""); !strings.HasPrefix(href, tt.tel) || href == "tel:" {
				t.Errorf("the first section's first tel: link is %q, want %q…", href, tt.tel)
			}
			if got := strings.TrimSpace(first.Find(".badge.open, .badge.closed").Text()); got != tt.badge {
				t.Errorf("the first section's open-now badge says %q, want %q", got, tt.badge)
			}
			if got := first.Find(".hours li").Length() > 0; got != tt.hours {
				t.Errorf("hours listed: %v, want %v", got, tt.hours)
			}
			if got := strings.TrimSpace(first.Find(".public-contact").Text()); !strings.HasPrefix(got, tt.contact) || (tt.contact == "") != (got == "") {
				t.Errorf("the first section's public contact point is %q, want %q…", got, tt.contact)
			}
			if tt.address != "" && strings.Contains(r.body, tt.address) {
				t.Errorf("the confidential address %q is on the page", tt.address)
			}
			if first.Find(".summary").Length() > 0 {
				t.Error("the description is in the first section")
			}
			// Document order: heading, the first tel: link, the open-now badge, how to get
			// help, then the description.
			order := []string{"<h1", `href="tel:`, `class="open-line"`, `id="svc-help-title"`, `class="summary"`}
			at := -1
			for _, s := range order {
				i := strings.Index(r.body, s)
				if i <= at {
					t.Errorf("%q comes before what precedes it in %q (at %d, previous at %d)", s, order, i, at)
				}
				at = i
			}
			if got := r.text(".summary"); !strings.HasPrefix(got, tt.description) {
				t.Errorf("the description is %q, want %q…", got, tt.description)
			}
			checkHeadingOrder(t, r.doc)
		})
	}
}

// checkHeadingOrder fails when a heading in main skips a level (an h2 followed by an h4).
func checkHeadingOrder(t *testing.T, doc *goquery.Document) {
	t.Helper()
	last := 0
	doc.Find("main h1, main h2, main h3, main h4, main h5, main h6").Each(func(_ int, h *goquery.Selection) {
		level := int(goquery.NodeName(h)[1] - '0')
		if last == 0 && level != 1 || level > last+1 {
			t.Errorf("heading %s %q follows h%d", goquery.NodeName(h), strings.TrimSpace(h.Text()), last)
		}
		last = level
	})
}
