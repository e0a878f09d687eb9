package handlers_test

import (
	"net/url"
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
			r := getPage(t, site.Router, "/directory/services/"+tt.id+"?lang="+tt.lang)
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

// TestHomePhoneFirst: the home page gives the three things people come for, in order: find
// help (the directory, a search into it, the national numbers 102 and 108 as tap-to-call
// links), the latest guidelines with a link to all, and the meetings to come (no link while
// there are no meeting pages); in both languages, a hostile query staying out of the page.
func TestHomePhoneFirst(t *testing.T) {
	h := newServer(t).Router
	tests := []struct {
		name, target        string
		help, police, child string
	}{
		{"mn", "/?lang=mn", "Тусламж хайх", "Цагдаагийн дуудлага 102", "Хүүхдийн тусламжийн утас 108"},
		{"en", "/?lang=en", "Find help", "Police emergency 102", "Child Helpline 108"},
		{"escaping", "/?lang=en&words=" + url.QueryEscape(`"><script>alert(1)</script>`), "Find help", "Police emergency 102", "Child Helpline 108"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := getPage(t, h, tt.target)
			sections := r.doc.Find("main section")
			help := sections.First()
			if got := strings.TrimSpace(help.Find("h2").First().Text()); got != tt.help {
				t.Errorf("the first section is %q, want %q", got, tt.help)
			}
			if help.Find(`a[href="/directory"]`).Length() != 1 {
				t.Error("no link to the referral directory in the first section")
			}
			form := help.Find(`form[action="/directory"][method="get"]`)
			if form.Find(`input[name="words"][type="search"]`).Length() != 1 || form.Find("label").Length() != 1 {
				t.Error("no labelled search box into the directory in the first section")
			}
			for tel, label := range map[string]string{"tel:102": tt.police, "tel:108": tt.child} {
				a := help.Find(`a[href="` + tel + `"]`)
				if a.Length() != 1 {
					t.Errorf("%d %s links in the first section, want 1", a.Length(), tel)
					continue
				}
				if got := strings.Join(strings.Fields(a.Text()), " "); got != label {
					t.Errorf("the %s link says %q, want %q", tel, got, label)
				}
			}
			guidelines := sections.Eq(1)
			cards := guidelines.Find(`.card h3 a[href^="/guidelines/"]`)
			if cards.Length() < 1 || cards.Length() > 3 {
				t.Errorf("%d guideline links in the second section, want 1 to 3", cards.Length())
			}
			if guidelines.Find(`a[href="/guidelines"]`).Length() != 1 {
				t.Error("no link to all guidelines")
			}
			meetings := sections.Eq(2)
			if meetings.Find("h2").Length() != 1 || meetings.Find("a").Length() != 0 {
				t.Errorf("the third section should name the meetings to come with no link: %q", strings.TrimSpace(meetings.Text()))
			}
			if strings.Contains(r.body, `href="/meetings`) {
				t.Error("a link to the meetings, which have no pages yet")
			}
			checkHeadingOrder(t, r.doc)
			// Light on mobile data: the page with its style sheets and scripts, uncompressed,
			// under 100 KB.
			size := len(r.body)
			r.doc.Find(`link[rel="stylesheet"][href], script[src]`).Each(func(_ int, s *goquery.Selection) {
				src := s.AttrOr("href", s.AttrOr("src", ""))
				a := get(t, h, "GET", src)
				if a.Code != 200 {
					t.Errorf("%s: status %d", src, a.Code)
				}
				size += a.Body.Len()
			})
			t.Logf("the home page and its assets: %d bytes uncompressed", size)
			if size > 100_000 {
				t.Errorf("the home page and its assets weigh %d bytes, want under 100 KB", size)
			}
		})
	}
}
