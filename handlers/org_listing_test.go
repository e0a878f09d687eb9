package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

// confidentialAddresses returns the addresses of the starter directory's confidential
// locations, in both languages.
func confidentialAddresses(t *testing.T) []string {
	t.Helper()
	_, _, orgs := portaltest.StarterDirectory(t)
	var out []string
	for _, o := range orgs {
		for _, l := range o.Locations {
			if l.Confidential {
				out = append(out, l.Address.MN, l.Address.EN)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("the starter directory has no confidential location")
	}
	return out
}

// listingLinks returns the hrefs of the change links of the profile's listing.
func listingLinks(r *response) []string {
	var out []string
	r.doc.Find(".org-listing a.change").Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("href", "")) })
	return out
}

// TestProfileShowsOwnListing: a member of a verified organisation sees their organisation's
// directory entry on their profile, each service with a way to suggest an edit; the
// suggestion goes to the secretariat's queue. Members of other organisations, of an
// unverified one, and people without one do not see it.
func TestProfileShowsOwnListing(t *testing.T) {
	p := editServerWith(t, portaltest.Options{Orgs: []*portal.DirectoryOrg{hostileDirectoryOrg()}})
	ctx := context.Background()
	// ub-safe-house: an organisation of the listing's own id, stored as older versions did.
	storeOldOrganisation(t, p.DB, "ub-safe-house", "Аюулгүй байр ТББ", "Safe House NGO", true)
	// gwn: made apart from its listing, then linked.
	p.Organisation(t, "gwn", "Говийн эмэгтэйчүүд", "Gobi Women", portal.GroupCivilSociety, true)
	sec, secCookie := p.Person(t, "sec@council.mn", "Нарийн бичгийн газар", portal.RoleSecretariat, "")
	if err := p.Accounts.LinkListing(ctx, sec, "gwn", "gobi-women-network"); err != nil {
		t.Fatal(err)
	}
	p.Organisation(t, "umnugovi-police", "Цагдаа", "Police", portal.GroupGovernment, false)
	p.Organisation(t, "oyu-tolgoi", "Оюу толгой", "Oyu Tolgoi", portal.GroupMining, true)
	p.Organisation(t, "hostile-org", dirScript, dirAttr, portal.GroupCivilSociety, true)

	_, safeHouse := p.Person(t, "naraa@safe-house.mn", "Нараа", portal.RoleMember, "ub-safe-house")
	_, gwn := p.Person(t, "tuya@gwn.mn", "Туяа", portal.RoleMember, "gwn")
	_, police := p.Person(t, "bat@police.mn", "Бат", portal.RoleMember, "umnugovi-police")
	_, mining := p.Person(t, "csr@ot.mn", "Сараа", portal.RoleMember, "oyu-tolgoi")
	_, hostile := p.Person(t, "x@hostile.example.org", hostileName, portal.RoleMember, "hostile-org")
	_, loner := p.Person(t, "solo@example.mn", "Ганц", portal.RoleMember, "")
	_, secWithOrg := p.Person(t, "sec2@safe-house.mn", "Туслах", portal.RoleSecretariat, "ub-safe-house")

	tests := []struct {
		name, cookie string
		state        string   // the listing section's class of text, "" for no section
		links        []string // the change links, in order
		contains     []string
	}{
		{"member, organisation of the listing's id, stored before the link", safeHouse, "shown", []string{
			"/directory/services/ub-safe-house-shelter/suggest", "/directory/services/ub-safe-house-reintegration/suggest"},
			[]string{"Survivors' Safe House (example)"}},
		{"member, organisation linked to a listing of another id", gwn, "shown", nil, []string{"Gobi Women"}},
		{"member of an unverified organisation", police, "unverified", nil, []string{"once the council secretariat has verified"}},
		{"member of an organisation without a listing", mining, "none", nil, []string{"no entry in the referral directory"}},
		{"escaping: hostile names", hostile, "shown", []string{"/directory/services/hostile-service/suggest"}, []string{dirScript}},
		{"person without an organisation", loner, "", nil, nil},
		{"secretariat with an organisation: edit links", secWithOrg, "shown", []string{
			"/directory/services/ub-safe-house-shelter/edit", "/directory/services/ub-safe-house-reintegration/edit"}, nil},
	}
	secret := confidentialAddresses(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, p.Router, "GET", "/profile?lang=en", "Cookie", tt.cookie)
			if r.Code != 200 {
				t.Fatalf("%d", r.Code)
			}
			section := r.doc.Find(".org-listing")
			switch {
			case tt.state == "" && section.Length() != 0:
				t.Errorf("a listing section: %q", section.Text())
			case tt.state == "shown" && section.Find(".listing-services").Length() != 1:
				t.Errorf("no services shown: %q", section.Text())
			case tt.state != "shown" && section.Find(".listing-services, a.change").Length() != 0:
				t.Errorf("services shown: %q", section.Text())
			}
			links := listingLinks(r)
			if tt.links != nil && strings.Join(links, " ") != strings.Join(tt.links, " ") {
				t.Errorf("links %q, want %q", links, tt.links)
			}
			for _, s := range tt.contains {
				if !strings.Contains(section.Text(), s) {
					t.Errorf("the section does not say %q: %q", s, section.Text())
				}
			}
			// Only the safe house's own and gwn's: no one sees another organisation's entry.
			for _, l := range links {
				if tt.cookie == gwn && !strings.Contains(l, "gobi-women-network") || tt.cookie == safeHouse && !strings.Contains(l, "ub-safe-house") {
					t.Errorf("a link to another organisation's service: %s", l)
				}
			}
			for _, a := range secret {
				if strings.Contains(r.body, a) {
					t.Errorf("the profile shows a confidential address: %q", a)
				}
			}
			if r.doc.Find(`script:not([src^="/static/"]), img`).Length() != 0 || strings.Contains(r.body, "<script>alert") {
				t.Error("markup let through")
			}
		})
	}

	// The safe house's member follows a link and suggests an edit; it waits in the
	// secretariat's queue. The mining company's member sees nothing of it.
	link := listingLinks(get(t, p.Router, "GET", "/profile", "Cookie", safeHouse))[0]
	form := formValues(get(t, p.Router, "GET", link+"?lang=en", "Cookie", safeHouse), "form.service-form")
	form.Set("fees_en", "Free of charge; bring an identity card if you have one")
	form.Set("note", "Checked with our office.")
	r := post(t, p.Router, link, form, "Cookie", safeHouse)
	if r.Code != 303 || !strings.Contains(r.Header().Get("Location"), "notice=suggested") {
		t.Fatalf("suggest: %d %q\n%.800s", r.Code, r.Header().Get("Location"), r.body)
	}
	queue := get(t, p.Router, "GET", "/directory/suggestions?lang=en", "Cookie", secCookie)
	if pending := queue.doc.Find(".suggestions.pending li"); pending.Length() != 1 || !strings.Contains(pending.Text(), "Нараа") {
		t.Errorf("the secretariat's queue: %q", pending.Text())
	}
	if mine := get(t, p.Router, "GET", "/directory/suggestions?lang=en", "Cookie", mining); mine.doc.Find(".suggestions li").Length() != 0 {
		t.Errorf("another organisation's member sees the suggestion: %q", mine.doc.Find(".suggestions").Text())
	}

	// Another process, or the portal after a restart, shows the same entries.
	again := portaltest.New(t, portaltest.Options{DB: storetest.OpenElsewhere(t, p.DB), Directory: true})
	for cookie, want := range map[string]string{gwn: "gobi-women-network", safeHouse: "ub-safe-house-shelter"} {
		r := get(t, again.Router, "GET", "/profile", "Cookie", cookie)
		if links := listingLinks(r); !strings.Contains(strings.Join(links, " "), want) {
			t.Errorf("after a restart: %q, want a link to %s", links, want)
		}
	}
}
