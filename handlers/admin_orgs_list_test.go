package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/PuerkitoBio/goquery"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// storeOldOrganisation stores an organisation as versions before the link between
// organisations and directory listings did: no directory_id, no claim on a listing.
func storeOldOrganisation(t *testing.T, db *store.DB, id, nameMN, nameEN string, verified bool) {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(storetest.URI(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	doc := bson.M{"_id": id, "name_mn": nameMN, "name_en": nameEN, "group": "civil_society", "verified": verified,
		"verified_at": nil, "verified_by": "", "created_at": at, "updated_at": at}
	if _, err := client.Database(db.Name()).Collection("organisations").InsertOne(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
}

// rowIDs returns the ids of the organisations page's rows, in order.
func rowIDs(r *response) []string {
	var ids []string
	r.doc.Find(".orgs > li").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("id", "")) })
	return ids
}

// listingGroup returns the stakeholder group of the directory listing id.
func listingGroup(t *testing.T, p *portaltest.Portal, id string) portal.StakeholderGroup {
	t.Helper()
	d, err := p.DB.Directory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if o := d.Org(id); o != nil {
		return o.Group
	}
	t.Fatalf("no listing %s", id)
	return ""
}

// TestOrganisationsOneList: /admin/organisations shows every organisation once: member
// records, directory listings, and the two joined when they are one organisation (by their
// id, an organisation stored before the link included, or by an explicit link).
func TestOrganisationsOneList(t *testing.T) {
	p := editServer(t)
	storeOldOrganisation(t, p.DB, "ub-safe-house", "Аюулгүй байр ТББ", "Safe House NGO", true)
	p.Organisation(t, "gwn", "Говийн эмэгтэйчүүд", "Gobi Women", portal.GroupCivilSociety, true)
	p.Organisation(t, "oyu-tolgoi", "Оюу толгой", "Oyu Tolgoi", portal.GroupMining, false)
	p.Organisation(t, "hostile", dirScript, dirAttr, portal.GroupCivilSociety, false)
	p.Person(t, "naraa@safe-house.mn", "Нараа", portal.RoleMember, "ub-safe-house")
	_, sec := p.Person(t, "sec@council.mn", "Нарийн бичгийн газар", portal.RoleSecretariat, "")

	r := get(t, p.Router, "GET", "/admin/organisations?lang=en", "Cookie", sec)
	if r.Code != 200 {
		t.Fatalf("%d\n%.500s", r.Code, r.body)
	}
	ids := rowIDs(r)
	if len(ids) != 25 { // 22 listings, one of them with its record, and three records alone
		t.Errorf("%d rows, want 25: %q", len(ids), ids)
	}
	safe := r.doc.Find("#org-ub-safe-house")
	if safe.Find(".verified").Length() != 1 || !strings.Contains(safe.Find(".listing").Text(), "“Survivors' Safe House (example)”, with 2 services") ||
		strings.TrimSpace(safe.Find(".people").Text()) != "1 person signs in for it." || safe.Find(`select[name="listing"]`).Length() != 0 {
		t.Errorf("the safe house, record and listing: %q", safe.Text())
	}
	if r.doc.Find("#listing-ub-safe-house").Length() != 0 {
		t.Error("the safe house's listing is shown apart from its record")
	}
	police := r.doc.Find("#listing-umnugovi-police")
	if police.Find(".group").Text() != "Government" || !strings.Contains(police.Find(".listing").Text(), "Only in the referral directory") ||
		police.Find(`a[href="/directory/organizations/umnugovi-police/edit"]`).Length() != 1 || police.Find("button").Text() != "Let its people sign in" {
		t.Errorf("a listing alone: %q", police.Text())
	}
	if ot := r.doc.Find("#org-oyu-tolgoi"); ot.Find(".listing.none").Length() != 1 || ot.Find(".unverified").Length() != 1 {
		t.Errorf("a record alone: %q", ot.Text())
	}
	var choices []string
	r.doc.Find(`#org-gwn select[name="listing"] option`).Each(func(_ int, s *goquery.Selection) { choices = append(choices, s.AttrOr("value", "")) })
	if len(choices) != 22 || choices[0] != "" || !strings.Contains(strings.Join(choices, " "), "gobi-women-network") || strings.Contains(strings.Join(choices, " "), "ub-safe-house") {
		t.Errorf("gwn's listing choices: %q", choices)
	}
	var filters []string
	r.doc.Find(".org-filters a").Each(func(_ int, s *goquery.Selection) { filters = append(filters, s.Text()) })
	if strings.Join(filters, "|") != "All (25)|Member organisations (4)|Only in the directory (21)" {
		t.Errorf("filters %q", filters)
	}
	if h := r.doc.Find("#org-hostile .name").Text(); h != dirAttr || strings.Contains(r.body, "<script>alert") || r.doc.Find("img").Length() != 0 {
		t.Errorf("escaping: the hostile name shows as %q", h)
	}
	for show, want := range map[string]int{"members": 4, "directory": 21} {
		if ids := rowIDs(get(t, p.Router, "GET", "/admin/organisations?show="+show, "Cookie", sec)); len(ids) != want {
			t.Errorf("show=%s: %d rows, want %d", show, len(ids), want)
		}
	}
	if r := get(t, p.Router, "GET", "/admin/organisations?lang=en&show=%3Cscript%3E", "Cookie", sec); r.Code != 400 || !strings.Contains(r.body, "Choose one of the lists") || strings.Contains(r.body, "<script>") {
		t.Errorf("an unknown list: %d", r.Code)
	}

	// gwn is linked to its listing, made under another id; the listing takes its group.
	link := url.Values{"name_mn": {"Говийн эмэгтэйчүүд"}, "name_en": {"Gobi Women"}, "group": {"international_organisation"}, "listing": {"gobi-women-network"}}
	if r := post(t, p.Router, "/admin/organisations/gwn", link, "Cookie", sec); r.Code != 303 {
		t.Fatalf("link: %d\n%.800s", r.Code, r.body)
	}
	if g := listingGroup(t, p, "gobi-women-network"); g != portal.GroupInternational {
		t.Errorf("the listing's group after the link: %s", g)
	}
	// A listing alone becomes a member organisation, with the names and group of its entry.
	adopt := formValues(get(t, p.Router, "GET", "/admin/organisations", "Cookie", sec), "#listing-umnugovi-police form")
	if r := post(t, p.Router, "/admin/organisations", adopt, "Cookie", sec); r.Code != 303 || r.Header().Get("Location") != "/admin/organisations#org-umnugovi-police" {
		t.Fatalf("adopt: %d %q\n%.800s", r.Code, r.Header().Get("Location"), r.body)
	}
	if o, err := p.DB.FindOrganisation(context.Background(), "umnugovi-police"); err != nil || o.Group != portal.GroupGovernment ||
		o.NameEN != "Ömnögovi Police Department (example)" || o.Verified {
		t.Errorf("the adopted organisation: %+v, %v", o, err)
	}
	r = get(t, p.Router, "GET", "/admin/organisations?lang=en", "Cookie", sec)
	if ids := rowIDs(r); len(ids) != 24 || r.doc.Find("#listing-gobi-women-network, #listing-umnugovi-police").Length() != 0 {
		t.Errorf("after the link and the adoption: %q", ids)
	}
	if l := r.doc.Find("#org-gwn .listing").Text(); !strings.Contains(l, "Gobi Women's Network (example)") {
		t.Errorf("gwn's listing: %q", l)
	}
	// The group is set with the organisation: the directory's form shows it, changes nothing.
	form := get(t, p.Router, "GET", "/directory/organizations/gobi-women-network/edit?lang=en", "Cookie", sec)
	if form.doc.Find(`select[name="group"]`).Length() != 0 || !strings.Contains(form.doc.Find(".group-managed").Text(), "International organisation") ||
		form.doc.Find(`.group-managed a[href="/admin/organisations#org-gwn"]`).Length() != 1 {
		t.Errorf("the directory's form of a linked listing: %q", form.doc.Find("form").Text())
	}
	values := formValues(form, "form.org-form")
	values.Set("group", "government")
	if r := post(t, p.Router, "/directory/organizations/gobi-women-network/edit", values, "Cookie", sec); r.Code != 303 {
		t.Errorf("the directory's form: %d", r.Code)
	}
	if g := listingGroup(t, p, "gobi-women-network"); g != portal.GroupInternational {
		t.Errorf("the directory's form changed the group of a linked listing: %s", g)
	}

	tests := []struct {
		name, target string
		form         url.Values
		status       int
		field, msg   string
	}{
		{"another organisation's listing", "/admin/organisations/oyu-tolgoi", url.Values{"name_en": {"X"}, "group": {"mining_company"}, "listing": {"gobi-women-network"}}, 400, "listing", "not valid"},
		{"a record with a listing of its own id", "/admin/organisations/ub-safe-house", url.Values{"name_en": {"X"}, "group": {"civil_society"}, "listing": {"gobi-drivers-association"}}, 400, "listing", "not valid"},
		{"an organisation under a linked listing's id", "/admin/organisations", url.Values{"id": {"gobi-women-network"}, "name_en": {"X"}, "group": {"civil_society"}}, 409, "id", "another organisation's"},
		{"escaping", "/admin/organisations/oyu-tolgoi", url.Values{"name_en": {dirScript}, "group": {"mining_company"}, "listing": {dirAttr}}, 400, "listing", "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, tt.target+"?lang=en", tt.form, "Cookie", sec)
			// The message is beside the field, or where the field would be for a record
			// that is offered no choice, and in the summary, which links to it.
			msg := fieldError(r, tt.field)
			if msg == "" {
				msg = r.doc.Find(".orgs .field-error").Text()
			}
			if r.Code != tt.status || !strings.Contains(msg, tt.msg) || !strings.Contains(r.doc.Find(".error-summary").Text(), tt.msg) {
				t.Fatalf("%d, %s: %q; want %d %q\n%.800s", r.Code, tt.field, msg, tt.status, tt.msg, r.body)
			}
			if id := r.doc.Find(".error-summary a").AttrOr("href", ""); id == "" || r.doc.Find(id).Length() != 1 {
				t.Errorf("the summary links to %q, which is not on the page", id)
			}
			if strings.Contains(r.body, "<script>alert") || r.doc.Find("img").Length() != 0 {
				t.Error("markup let through")
			}
		})
	}
	if o, _ := p.DB.FindOrganisation(context.Background(), "oyu-tolgoi"); o.ListingID() != "oyu-tolgoi" || o.NameEN != "Oyu Tolgoi" {
		t.Errorf("a refused form changed the organisation: %+v", o)
	}

	// Another process, or the portal after a restart, shows the same one list.
	again := portaltest.New(t, portaltest.Options{DB: storetest.OpenElsewhere(t, p.DB), Directory: true})
	r = get(t, again.Router, "GET", "/admin/organisations?lang=en", "Cookie", sec)
	if ids := rowIDs(r); len(ids) != 24 || !strings.Contains(r.doc.Find("#org-gwn .listing").Text(), "Gobi Women's Network") ||
		!strings.Contains(r.doc.Find("#org-ub-safe-house .listing").Text(), "Survivors' Safe House") {
		t.Errorf("after a restart: %q", ids)
	}
}
