package handlers_test

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// dirSite is the portal over a database holding the starter directory and one hostile
// organisation, with a clock the test may move.
type dirSite struct {
	*portaltest.Portal
	at   time.Time
	orgs []*portal.DirectoryOrg // the starter directory as loaded, confidential addresses included
}

// Payloads the hostile organisation carries in every text field.
const (
	dirScript = `<script>alert(1)</script>`
	dirAttr   = `"><img src=x onerror=alert(1)>`
)

// hostileDirectoryOrg is an organisation whose every text tries to inject markup. It is
// valid: a form could save it.
func hostileDirectoryOrg() *portal.DirectoryOrg {
	lat, lon := 43.5, 104.5
	both := portal.Text{MN: dirScript + " " + dirAttr, EN: dirScript + " " + dirAttr}
	return &portal.DirectoryOrg{ID: "hostile-org", Name: both, Description: both, Group: portal.GroupCivilSociety,
		Email: "x@hostile.example.org", Website: "https://hostile.example.org/?q=%22%3E%3Cscript%3E",
		Phones: []portal.Phone{{Number: "+976 7000 0001", Description: both, Example: true}},
		Locations: []portal.Location{
			{ID: "hostile-office", Name: both, Address: both, Aimag: "umnugovi", Soum: "dalanzadgad", Latitude: &lat, Longitude: &lon},
			{ID: "hostile-hidden", Name: both, Confidential: true, Address: both, Aimag: "umnugovi", PublicContact: both},
		},
		Services: []portal.Service{{ID: "hostile-service", OrgID: "hostile-org",
			Name:        portal.Text{MN: dirScript + " Хортой " + dirAttr, EN: dirScript + " Hostile " + dirAttr},
			Description: both, Eligibility: both, ApplicationProcess: both, Fees: both,
			Types: []string{"shelter"}, Languages: []string{"mn"}, Always: true,
			Area: []portal.Place{{Aimag: "umnugovi"}}, LocationIDs: []string{"hostile-office", "hostile-hidden"},
			Phones:      []portal.Phone{{Number: "+976 7000 0002", Description: both, Example: true}},
			AssuredDate: time.Date(2026, 10, 1, 0, 0, 0, 0, portal.MongoliaTime), AssuredBy: dirScript, Example: true}},
		Example: true,
	}
}

// directorySite returns the portal over a fresh database holding the starter directory,
// as loaded, and the hostile organisation.
func directorySite(t testing.TB) *dirSite {
	t.Helper()
	g, terms, orgs := portaltest.StarterDirectory(t)
	known := map[string]bool{}
	for _, term := range terms {
		known[term.ID] = true
	}
	hostile := hostileDirectoryOrg()
	if err := hostile.Validate(g, known); err != nil {
		t.Fatalf("the hostile organisation is not valid: %v", err)
	}
	var saved []*portal.DirectoryOrg
	for _, o := range append(slices.Clone(orgs), hostile) {
		saved = append(saved, o.Clone())
	}
	s := &dirSite{at: now(), orgs: orgs}
	s.Portal = portaltest.New(t, portaltest.Options{Orgs: saved, Now: func() time.Time { return s.at }})
	return s
}

// listed returns the ids of the services a directory page lists, in order.
func listed(r *response) []string {
	var ids []string
	if r.doc == nil {
		return nil
	}
	r.doc.Find(".dir-list .svc h3 a").Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, strings.TrimPrefix(s.AttrOr("href", ""), "/directory/services/"))
	})
	return ids
}

// starterIDs returns the ids of the starter services keep selects, sorted.
func (s *dirSite) starterIDs(keep func(*portal.Service) bool) []string {
	var ids []string
	for _, o := range s.orgs {
		for i := range o.Services {
			if keep(&o.Services[i]) {
				ids = append(ids, o.Services[i].ID)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

func serves(s *portal.Service, aimag string) bool {
	return slices.ContainsFunc(s.Area, func(p portal.Place) bool { return p.Aimag == aimag })
}

func TestDirectoryList(t *testing.T) {
	s := directorySite(t)
	friday := now()                                                         // Friday 12:00 in Mongolia
	sundayNight := time.Date(2026, 11, 29, 3, 0, 0, 0, portal.MongoliaTime) // Sunday 03:00
	alwaysInDornogovi := s.starterIDs(func(x *portal.Service) bool { return x.Always && serves(x, "dornogovi") })
	tests := []struct {
		name    string
		target  string
		at      time.Time
		status  int
		exactly []string // the services listed, in any order
		exact   bool     // exactly is set, even when empty
		first   string   // the service listed first
		want    []string // services that must be listed
		notWant []string // services that must not be listed
		invalid string   // the form field marked invalid
		text    map[string]string
	}{
		{name: "aimag and type: shelters in Ömnögovi", target: "/directory?aimag=umnugovi&type=shelter&lang=en", status: 200,
			exactly: []string{"gobi-women-network-shelter", "hostile-service", "ub-safe-house-shelter", "umnugovi-one-stop-centre-shelter"},
			text:    map[string]string{".dir-count": "Services found: 4", `.dir-quick .chip.current[href*="type=shelter"]`: "Shelter"}},
		{name: "shelters in Dornogovi", target: "/directory?aimag=dornogovi&type=shelter&lang=en", status: 200,
			want: []string{"dornogovi-womens-centre-shelter", "zamiin-uud-border-centre-shelter"}, notWant: []string{"umnugovi-one-stop-centre-shelter", "gobi-women-network-shelter"}},
		{name: "soum: the shelter in Khanbogd first", target: "/directory?aimag=umnugovi&soum=khanbogd&type=shelter&lang=en", status: 200,
			first: "gobi-women-network-shelter", want: []string{"umnugovi-one-stop-centre-shelter"},
			text: map[string]string{".dir-active": "Khanbogd, Ömnögovi"}},
		{name: "soum alone implies its aimag", target: "/directory?soum=zamiin-uud&type=shelter&lang=en", status: 200,
			first: "zamiin-uud-border-centre-shelter", want: []string{"dornogovi-womens-centre-shelter"}, notWant: []string{"umnugovi-one-stop-centre-shelter"},
			text: map[string]string{`select[name=aimag] option[selected]`: "Dornogovi", `select[name=soum] option[selected]`: "Zamiin-Üüd"}},
		{name: "language", target: "/directory?language=ru&lang=en", status: 200,
			exactly: s.starterIDs(func(x *portal.Service) bool { return slices.Contains(x.Languages, "ru") }),
			text:    map[string]string{".dir-active": "Speaks Russian"}},
		{name: "open now at night: only 24-hour services", target: "/directory?aimag=dornogovi&open=1&lang=en", at: sundayNight, status: 200,
			exactly: alwaysInDornogovi},
		{name: "open now at Friday noon", target: "/directory?aimag=dornogovi&type=legal-aid&open=1&lang=en", at: friday, status: 200,
			want: []string{"dornogovi-legal-aid-centre-sainshand", "dornogovi-legal-aid-centre-zamiin-uud"}},
		{name: "open now at night: no legal aid", target: "/directory?aimag=dornogovi&type=legal-aid&open=1&lang=en", at: sundayNight, status: 200,
			exact: true, exactly: nil},
		{name: "24 hours", target: "/directory?aimag=dornogovi&always=1&lang=en", status: 200, exactly: alwaysInDornogovi,
			text: map[string]string{".dir-quick .chip.toggle.current": "24 hours"}},
		{name: "free of charge", target: "/directory?aimag=dornogovi&free=1&lang=en", status: 200,
			want: []string{"dornogovi-police-sainshand-reports"}, notWant: []string{"immigration-zamiin-uud-foreign-nationals-desk", "zamiin-uud-hospital-care"}},
		{name: "text", target: "/directory?q=safe+house&lang=en", status: 200,
			want: []string{"ub-safe-house-shelter", "ub-safe-house-reintegration"}, notWant: []string{"umnugovi-one-stop-centre-shelter"}},
		{name: "text in Mongolian", target: "/directory?q=%D0%B0%D1%8E%D1%83%D0%BB%D0%B3%D2%AF%D0%B9+%D0%B1%D0%B0%D0%B9%D1%80", status: 200,
			want: []string{"ub-safe-house-shelter"}},
		{name: "nothing found", target: "/directory?aimag=ulaanbaatar&type=police-border&lang=en", status: 200, exact: true,
			text: map[string]string{".dir-count": "No services match", ".dir-results p": "Child Helpline 108"}},
		{name: "paging: first page", target: "/directory?lang=en", status: 200,
			text: map[string]string{".dir-count": "Services 1–20 of 48", "a[rel=next]": "Next", ".pager": "Page 1 of 3"}},
		{name: "paging: last page", target: "/directory?page=3&lang=en", status: 200,
			text: map[string]string{".dir-count": "Services 41–48 of 48", "a[rel=prev]": "Previous"}},
		{name: "page past the end", target: "/directory?page=4&lang=en", status: 404,
			text: map[string]string{".form-error": "There is no page 4: the results fill 3 pages."}},
		{name: "unknown aimag", target: "/directory?aimag=mars&lang=en", status: 400, invalid: "aimag",
			text: map[string]string{"#err-aimag": `There is no aimag “mars”`, ".form-error": "not valid"}},
		{name: "unknown soum", target: "/directory?soum=atlantis&lang=en", status: 400, invalid: "soum",
			text: map[string]string{"#err-soum": `“atlantis”`}},
		{name: "soum of another aimag", target: "/directory?aimag=umnugovi&soum=sainshand&lang=en", status: 400, invalid: "soum",
			text: map[string]string{"#err-soum": `Ömnögovi has no soum or district “sainshand”`}},
		{name: "unknown type", target: "/directory?type=spa&lang=mn", status: 400, invalid: "type",
			text: map[string]string{"#err-type": `“spa” гэсэн тусламжийн төрөл байхгүй`}},
		{name: "unknown language", target: "/directory?language=xx&lang=en", status: 400, invalid: "language",
			text: map[string]string{"#err-language": `“xx”`}},
		{name: "bad checkbox", target: "/directory?open=yes&lang=en", status: 400, invalid: "open"},
		{name: "bad page", target: "/directory?page=abc&lang=en", status: 400,
			text: map[string]string{".error-summary li": `“abc” is not a page number`}},
		{name: "escaping: unknown values are echoed as text", target: "/directory?aimag=%3Cscript%3Ealert(1)%3C/script%3E&q=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&lang=en",
			status: 400, invalid: "aimag", text: map[string]string{"#err-aimag": "<script>alert(1)</script>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.at = friday
			if !tt.at.IsZero() {
				s.at = tt.at
			}
			r := get(t, s.Router, "GET", tt.target)
			if r.Code != tt.status || r.doc == nil {
				t.Fatalf("status %d, want %d\n%.800s", r.Code, tt.status, r.body)
			}
			got := listed(r)
			if tt.exactly != nil || tt.exact {
				sorted := slices.Sorted(slices.Values(got))
				if !slices.Equal(sorted, tt.exactly) {
					t.Errorf("listed %v\nwant     %v", sorted, tt.exactly)
				}
			}
			if tt.first != "" && (len(got) == 0 || got[0] != tt.first) {
				t.Errorf("listed %v, want %s first", got, tt.first)
			}
			for _, id := range tt.want {
				if !slices.Contains(got, id) {
					t.Errorf("%s is not listed: %v", id, got)
				}
			}
			for _, id := range tt.notWant {
				if slices.Contains(got, id) {
					t.Errorf("%s is listed", id)
				}
			}
			if tt.invalid != "" && len(unmarked(r, tt.invalid)) > 0 {
				t.Errorf("field %s is not marked invalid", tt.invalid)
			}
			for sel, want := range tt.text {
				if !contains(r, sel, want) {
					t.Errorf("no %s containing %q (first: %q)", sel, want, r.text(sel))
				}
			}
			assertNoInjection(t, r)
		})
	}
}

// contains reports whether an element that sel selects contains text.
func contains(r *response, sel, text string) bool {
	found := false
	if r.doc != nil {
		r.doc.Find(sel).EachWithBreak(func(_ int, x *goquery.Selection) bool {
			found = strings.Contains(x.Text(), text)
			return !found
		})
	}
	return found
}

// assertNoInjection checks that no markup from data or the request made it into the page.
func assertNoInjection(t *testing.T, r *response) {
	t.Helper()
	for _, s := range []string{"<script>alert", "<img"} {
		if strings.Contains(r.body, s) {
			t.Errorf("body contains %q", s)
		}
	}
	if r.doc != nil {
		// The portal's own scripts come from /static/; any other script is injected.
		for _, sel := range []string{`script:not([src^="/static/"])`, "img", "[onerror]"} {
			if n := r.doc.Find(sel).Length(); n > 0 {
				t.Errorf("%d × %s in the page", n, sel)
			}
		}
	}
}

func TestDirectoryFilterLinks(t *testing.T) {
	s := directorySite(t)
	// Two taps from the directory to the shelters of Ömnögovi: the aimag, then the type.
	r := get(t, s.Router, "GET", "/directory?lang=mn")
	place, ok := r.doc.Find(".dir-quick a.chip").FilterFunction(func(_ int, x *goquery.Selection) bool { return x.Text() == "Өмнөговь" }).Attr("href")
	if !ok {
		t.Fatalf("no Өмнөговь link:\n%.1500s", r.body)
	}
	r = get(t, s.Router, "GET", place)
	shelter, ok := r.doc.Find(".dir-quick a.chip").FilterFunction(func(_ int, x *goquery.Selection) bool { return x.Text() == "Хамгаалах байр" }).Attr("href")
	if !ok {
		t.Fatalf("no Хамгаалах байр link on %s", place)
	}
	r = get(t, s.Router, "GET", shelter)
	if got := listed(r); r.Code != 200 || !slices.Contains(got, "umnugovi-one-stop-centre-shelter") || slices.Contains(got, "dornogovi-womens-centre-shelter") {
		t.Fatalf("%s: %d %v", shelter, r.Code, got)
	}
	if got := r.doc.Find("html").AttrOr("lang", ""); got != "mn" {
		t.Errorf("lang %q", got)
	}
	// The form keeps the filters; the print form picks services and keeps the language.
	if v := r.doc.Find("select[name=type] option[selected]").AttrOr("value", ""); v != "shelter" {
		t.Errorf("type select shows %q", v)
	}
	if n := r.doc.Find(`form[action="/directory/print"] input[type=checkbox][name=s]`).Length(); n != len(listed(r)) {
		t.Errorf("%d checkboxes for %d services", n, len(listed(r)))
	}
	if v := r.doc.Find(`form[action="/directory/print"] input[name=lang]`).AttrOr("value", ""); v != "mn" {
		t.Errorf("print form lang %q", v)
	}
	// Phones dial; example numbers say so; the real short numbers do not.
	card := r.doc.Find(`.svc:has(a[href="/directory/services/umnugovi-one-stop-centre-shelter"])`)
	if href := card.Find("a.tel").First().AttrOr("href", ""); href != "tel:+97670530200" {
		t.Errorf("tel link %q", href)
	}
	if !strings.Contains(card.Find(".phones li").First().Text(), "жишээ") || strings.Contains(card.Find(`.phones li:has(a[href="tel:102"])`).Text(), "жишээ") {
		t.Errorf("example marks: %q", card.Find(".phones").Text())
	}
	// The nav marks the directory.
	if r.text(`.menu a[aria-current="page"]`) != "Лавлах" {
		t.Errorf("nav: %q", r.text(`.menu a[aria-current="page"]`))
	}
}

func TestDirectoryStale(t *testing.T) {
	s := directorySite(t)
	r := get(t, s.Router, "GET", "/directory?aimag=dornogovi&type=return-reintegration&lang=en")
	stale := r.doc.Find(`.svc:has(a[href="/directory/services/dornogovi-labour-welfare-return-home"]) .assured.stale`)
	if stale.Length() != 1 || !strings.Contains(stale.Text(), "10 December 2024") || !strings.Contains(stale.Text(), "Over 12 months ago") {
		t.Errorf("stale entry: %q", stale.Text())
	}
	fresh := r.doc.Find(`.svc:has(a[href="/directory/services/zamiin-uud-border-centre-shelter"]) .assured`)
	if fresh.Length() != 1 || fresh.HasClass("stale") {
		t.Errorf("a fresh entry is marked stale: %q", fresh.Text())
	}
	r = get(t, s.Router, "GET", "/directory/services/dornogovi-labour-welfare-return-home?lang=mn")
	if !strings.Contains(r.text(".notice.stale"), "Сүүлд баталгаажуулсан: 2024 оны 12-р сарын 10. Энэ нь 12 сараас илүү хугацааны өмнө") {
		t.Errorf("entry: %q", r.text(".notice.stale"))
	}
}

func TestDirectoryService(t *testing.T) {
	s := directorySite(t)
	tests := []struct {
		name, target string
		status       int
		text         map[string]string
		attr         map[string]string // selector → attribute=value
		none         []string
	}{
		{name: "24-hour shelter, en", target: "/directory/services/umnugovi-one-stop-centre-shelter?lang=en", status: 200,
			text: map[string]string{"h1": "Short-stay shelter (example)", ".org": "Ömnögovi One-Stop", ".example": "Example data.",
				".svc-facts": "Shelter, Medical care", ".location .hidden-address": "The address is confidential.",
				".location .public-contact": "Call the centre's duty desk or 102", "main": "Open 24 hours, every day.", ".badge.open": "Open now",
				".assured": "20 September 2026"},
			attr: map[string]string{"a.tel": "href=tel:+97670530200", `a[href^="/directory/print"]`: "href=/directory/print?lang=en&s=umnugovi-one-stop-centre-shelter"},
			none: []string{`a[href$="/suggest"]`, `a[href$="/edit"]`, `form[action$="/verify"]`, `a[href*="openstreetmap"]`}},
		{name: "office hours, mn", target: "/directory/services/umnugovi-one-stop-centre-counselling?lang=mn", status: 200,
			text: map[string]string{".hours": "Даваа–Баасан 08:30–17:30", ".badge.open": "Одоо нээлттэй", "main": "Улаанбаатарын цагаар: Баасан 12:00",
				".location .address": "Гэр бүлийн төвийн байр", ".svc-facts": "Монгол"},
			attr: map[string]string{`a[href*="openstreetmap"]`: "href=https://www.openstreetmap.org/?mlat=43.573&mlon=104.421#map=16/43.573/104.421"}},
		{name: "not found", target: "/directory/services/no-such-service?lang=en", status: 404,
			text: map[string]string{".error .detail": "There is no service “no-such-service” in the directory."}},
		{name: "escaping: hostile entry", target: "/directory/services/hostile-service?lang=en", status: 200,
			text: map[string]string{"h1": dirScript + " Hostile " + dirAttr, ".phones .meta": dirAttr, ".summary": dirScript},
			attr: map[string]string{".org-card a[rel]": `href=https://hostile.example.org/?q=%22%3E%3Cscript%3E`}},
		{name: "escaping: hostile id", target: "/directory/services/%3Cimg%20src=x%20onerror=alert(1)%3E?lang=en", status: 404,
			text: map[string]string{".error .detail": "<img src=x onerror=alert(1)>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s.Router, "GET", tt.target)
			if r.Code != tt.status || r.doc == nil {
				t.Fatalf("status %d, want %d\n%.800s", r.Code, tt.status, r.body)
			}
			for sel, want := range tt.text {
				if !contains(r, sel, want) {
					t.Errorf("no %s containing %q (first: %q)", sel, want, r.text(sel))
				}
			}
			for sel, kv := range tt.attr {
				k, v, _ := strings.Cut(kv, "=")
				if got := r.doc.Find(sel).First().AttrOr(k, ""); got != v {
					t.Errorf("%s %s = %q, want %q", sel, k, got, v)
				}
			}
			for _, sel := range tt.none {
				if r.doc.Find(sel).Length() > 0 {
					t.Errorf("%s is in the page", sel)
				}
			}
			assertNoInjection(t, r)
		})
	}
}

func TestDirectoryPrint(t *testing.T) {
	s := directorySite(t)
	tests := []struct {
		name, target string
		status       int
		items        int
		text         map[string]string
	}{
		{name: "two services, en", target: "/directory/print?s=umnugovi-one-stop-centre-counselling&s=dornogovi-police-sainshand-reports&lang=en", status: 200, items: 2,
			text: map[string]string{".sheet-head": "Printed on 27 November 2026", ".sheet .example": "Example data.",
				".sheet-item h2": "Counselling and case management (example)", ".sheet-item .sheet-place": "Family Centre building",
				".sheet-item .sheet-phones": "+976 7053 0201", "html": "Mon–Fri 08:30–17:30"}},
		{name: "two services, mn", target: "/directory/print?s=umnugovi-one-stop-centre-counselling&s=dornogovi-police-sainshand-reports&lang=mn", status: 200, items: 2,
			text: map[string]string{".sheet-head": "Хэвлэсэн огноо: 2026 оны 11-р сарын 27", ".sheet-item": "Өдөр бүр 24 цаг ажиллана.",
				".print-tools a[hreflang=en]": "English"}},
		{name: "a repeated id prints once", target: "/directory/print?s=ub-safe-house-shelter&s=ub-safe-house-shelter&lang=en", status: 200, items: 1},
		{name: "none chosen", target: "/directory/print?lang=en", status: 200, items: 0,
			text: map[string]string{".print-empty": "No services are chosen", ".print-empty a": "Go to the directory"}},
		{name: "unknown id", target: "/directory/print?s=ub-safe-house-shelter&s=nowhere&lang=en", status: 400,
			text: map[string]string{".error .detail": "These services are not in the directory: “nowhere”."}},
		{name: "too many", target: "/directory/print?lang=en" + strings.Repeat("&s=ub-safe-house-shelter", 31), status: 400,
			text: map[string]string{".error .detail": "31 services are chosen, but a sheet holds at most 30"}},
		{name: "escaping", target: "/directory/print?s=hostile-service&lang=en", status: 200, items: 1,
			text: map[string]string{".sheet-item h2": dirScript}},
		{name: "escaping: unknown id", target: "/directory/print?s=%3Cscript%3Ealert(1)%3C%2Fscript%3E&lang=en", status: 400,
			text: map[string]string{".error .detail": "“<script>alert(1)</script>”"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s.Router, "GET", tt.target)
			if r.Code != tt.status || r.doc == nil {
				t.Fatalf("status %d, want %d\n%.800s", r.Code, tt.status, r.body)
			}
			if n := r.doc.Find(".sheet-item").Length(); n != tt.items {
				t.Errorf("%d items, want %d", n, tt.items)
			}
			for sel, want := range tt.text {
				if got := r.doc.Find(sel).Text(); !strings.Contains(got, want) {
					t.Errorf("%s = %q, want %q", sel, got, want)
				}
			}
			assertNoInjection(t, r)
		})
	}
}

// secret is what a confidential location hides.
type secret struct {
	service  string // a service at the location
	location string
	texts    []string         // the address in both languages
	coords   []*regexp.Regexp // latitude and longitude as numbers on their own
}

func (s *dirSite) secrets() []secret {
	var out []secret
	for _, o := range s.orgs {
		for _, l := range o.Locations {
			if !l.Confidential {
				continue
			}
			sc := secret{location: l.ID, texts: []string{l.Address.MN, l.Address.EN}}
			for _, f := range []*float64{l.Latitude, l.Longitude} {
				if f != nil {
					n := regexp.QuoteMeta(strconv.FormatFloat(*f, 'f', -1, 64))
					sc.coords = append(sc.coords, regexp.MustCompile(`(^|[^0-9.])`+n+`([^0-9]|$)`))
				}
			}
			for _, sv := range o.Services {
				if slices.Contains(sv.LocationIDs, l.ID) {
					sc.service = sv.ID
				}
			}
			out = append(out, sc)
		}
	}
	return out
}

// leaks returns the parts of sc that the body shows.
func (sc secret) leaks(body string) []string {
	var out []string
	for _, x := range sc.texts {
		if strings.Contains(body, x) {
			out = append(out, x)
		}
	}
	for _, re := range sc.coords {
		if re.MatchString(body) {
			out = append(out, re.String())
		}
	}
	return out
}

func TestDirectoryConfidential(t *testing.T) {
	s := directorySite(t)
	ctx := context.Background()
	for _, o := range []*portal.Organisation{
		{ID: "verified-ngo", NameEN: "Verified NGO", Group: portal.GroupCivilSociety, Verified: true},
		{ID: "new-ngo", NameEN: "New NGO", Group: portal.GroupCivilSociety},
	} {
		if err := s.DB.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	_, verified := s.Person(t, "naraa@verified.example.org", "Нараа", portal.RoleMember, "verified-ngo")
	_, unverified := s.Person(t, "bold@new.example.org", "Болд", portal.RoleMember, "new-ngo")
	_, orgless := s.Person(t, "dulmaa@example.org", "Дулмаа", portal.RoleMember, "")
	_, moderator := s.Person(t, "mod@new.example.org", "Модератор", portal.RoleModerator, "new-ngo")
	_, secretariat := s.Person(t, "sec@council.example.org", "Нарийн", portal.RoleSecretariat, "")
	secrets := s.secrets()
	if len(secrets) < 5 {
		t.Fatalf("%d confidential locations in the starter directory, want at least 5", len(secrets))
	}
	var services []string
	for _, sc := range secrets {
		services = append(services, sc.service)
	}
	viewers := []struct {
		name, cookie string
		sees         bool
	}{
		{"visitor", "", false},
		{"member of an unverified organisation", unverified, false},
		{"member without an organisation", orgless, false},
		{"moderator of an unverified organisation", moderator, false},
		{"member of a verified organisation", verified, true},
		{"secretariat", secretariat, true},
	}
	for _, v := range viewers {
		t.Run(v.name, func(t *testing.T) {
			for _, lang := range []string{"mn", "en"} {
				for _, sc := range secrets {
					r := get(t, s.Router, "GET", "/directory/services/"+sc.service+"?lang="+lang, "Cookie", v.cookie)
					if r.Code != 200 {
						t.Fatalf("%s: %d", sc.service, r.Code)
					}
					leaks := sc.leaks(r.body)
					cache := r.Header().Get("Cache-Control")
					if !v.sees {
						if len(leaks) > 0 {
							t.Errorf("%s (%s) shows %v", sc.service, lang, leaks)
						}
						if r.doc.Find(".location .secret").Length() > 0 {
							t.Errorf("%s: marked as showing a confidential address", sc.service)
						}
						continue
					}
					if want := 1 + len(sc.coords); len(leaks) != want { // the address in the page's language
						t.Errorf("%s (%s) shows %v of its confidential address", sc.service, lang, leaks)
					}
					if !strings.Contains(r.text(".location.confidential .secret"), map[string]string{"mn": "Нууц хаяг", "en": "Confidential address"}[lang]) {
						t.Errorf("%s: the address is not marked confidential", sc.service)
					}
					if cache != "private, no-store" || r.Header().Get("ETag") != "" {
						t.Errorf("%s: Cache-Control %q, ETag %q", sc.service, cache, r.Header().Get("ETag"))
					}
				}
				pages := []string{
					"/directory/print?lang=" + lang + "&s=" + strings.Join(services, "&s="),
					"/directory?lang=" + lang,
					"/directory?type=shelter&lang=" + lang,
					"/directory?aimag=umnugovi&soum=dalanzadgad&lang=" + lang,
				}
				for _, target := range pages {
					r := get(t, s.Router, "GET", target, "Cookie", v.cookie)
					if r.Code != 200 {
						t.Fatalf("%s: %d", target, r.Code)
					}
					for _, sc := range secrets {
						if leaks := sc.leaks(r.body); len(leaks) > 0 {
							t.Errorf("%s shows %v", target, leaks)
						}
					}
				}
			}
		})
	}
	// The print sheet gives a confidential location's public contact instead.
	r := get(t, s.Router, "GET", "/directory/print?s=ub-safe-house-shelter&lang=en", "Cookie", verified)
	if !strings.Contains(r.text(".sheet-place"), "The address is confidential. Call the 24-hour line") {
		t.Errorf("sheet place: %q", r.text(".sheet-place"))
	}
}

func TestDirectoryMemberLinks(t *testing.T) {
	s := directorySite(t)
	_, member := s.Person(t, "saraa@example.org", "Сараа", portal.RoleMember, "")
	_, sec := s.Person(t, "sec@council.example.org", "Нарийн", portal.RoleSecretariat, "")
	const target = "/directory/services/ub-safe-house-reintegration?lang=en"
	for _, tt := range []struct {
		name, cookie          string
		suggest, edit, verify int
	}{
		{"visitor", "", 0, 0, 0},
		{"member", member, 1, 0, 0},
		{"secretariat", sec, 1, 1, 1},
	} {
		r := get(t, s.Router, "GET", target, "Cookie", tt.cookie)
		base := `[href="/directory/services/ub-safe-house-reintegration`
		got := [3]int{r.doc.Find("a" + base + `/suggest"]`).Length(), r.doc.Find("a" + base + `/edit"]`).Length(),
			r.doc.Find(`form[method=post][action="/directory/services/ub-safe-house-reintegration/verify"]`).Length()}
		if got != [3]int{tt.suggest, tt.edit, tt.verify} {
			t.Errorf("%s: suggest, edit, verify = %v", tt.name, got)
		}
	}
}

func TestDirectoryPageWeight(t *testing.T) {
	s := directorySite(t)
	for _, target := range []string{"/directory?lang=mn", "/directory/services/umnugovi-one-stop-centre-shelter?lang=mn"} {
		r := get(t, s.Router, "GET", target)
		if r.Code != 200 || len(r.body) > 100<<10 {
			t.Errorf("%s: %d, %d bytes", target, r.Code, len(r.body))
		}
		gz := get(t, s.Router, "GET", target, "Accept-Encoding", "gzip")
		if gz.Header().Get("Content-Encoding") != "gzip" || gz.Body.Len() > 20<<10 {
			t.Errorf("%s: %d bytes gzipped", target, gz.Body.Len())
		}
		t.Logf("%s: %d bytes, %d gzipped", target, len(r.body), gz.Body.Len())
	}
}

// TestDirectorySoumChoices checks the soum list of the filter form: with no aimag chosen
// every soum of the gazetteer, under its aimag, none selected, in the page's language
// (those options are rendered once per language and kept); once an aimag is chosen only
// its soums, with the chosen one selected; and the kept options never carry a choice.
func TestDirectorySoumChoices(t *testing.T) {
	s := directorySite(t)
	g, _, _ := portaltest.StarterDirectory(t)
	soums := 0
	for _, a := range g.Aimags {
		soums += len(a.Soums)
	}
	for _, tt := range []struct {
		target   string
		groups   []string // the optgroup labels, in order
		options  int
		selected string
	}{
		{"/directory?lang=en", []string{"Ulaanbaatar", "Ömnögovi", "Dornogovi"}, soums, ""},
		{"/directory?lang=mn", []string{"Улаанбаатар", "Өмнөговь", "Дорноговь"}, soums, ""},
		{"/directory?aimag=dornogovi&soum=zamiin-uud&lang=en", []string{"Dornogovi"}, len(g.FindAimag("dornogovi").Soums), "Zamiin-Üüd"},
		{"/directory?type=shelter&lang=en", []string{"Ulaanbaatar", "Ömnögovi", "Dornogovi"}, soums, ""},
		{"/directory?type=shelter", []string{"Улаанбаатар", "Өмнөговь", "Дорноговь"}, soums, ""},
	} {
		t.Run(tt.target, func(t *testing.T) {
			r := get(t, s.Router, "GET", tt.target)
			if r.Code != 200 || r.doc == nil {
				t.Fatalf("status %d", r.Code)
			}
			var groups []string
			r.doc.Find("select[name=soum] optgroup").Each(func(_ int, o *goquery.Selection) {
				groups = append(groups, o.AttrOr("label", ""))
			})
			if !slices.Equal(groups, tt.groups) {
				t.Errorf("soum groups %q, want %q", groups, tt.groups)
			}
			if n := r.doc.Find("select[name=soum] optgroup option").Length(); n != tt.options {
				t.Errorf("%d soums offered, want %d", n, tt.options)
			}
			if got := strings.TrimSpace(r.doc.Find("select[name=soum] option[selected]").Text()); got != tt.selected {
				t.Errorf("soum selected %q, want %q", got, tt.selected)
			}
		})
	}
}
