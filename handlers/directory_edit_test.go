package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/store"
)

// editServer returns the portal over a fresh database holding the starter directory,
// with the directory editor.
func editServer(t *testing.T) *portaltest.Portal {
	t.Helper()
	return editServerWith(t, portaltest.Options{})
}

// editServerWith is editServer with the rest of opts; opts.Orgs are saved after the
// starter organisations.
func editServerWith(t *testing.T, opts portaltest.Options) *portaltest.Portal {
	t.Helper()
	_, _, orgs := portaltest.StarterDirectory(t)
	opts.Directory, opts.BaseURL, opts.Orgs = true, baseURL, append(orgs, opts.Orgs...)
	return portaltest.New(t, opts)
}

// formValues returns what the browser would post from the form that sel finds: inputs,
// text areas and checked boxes, as the page filled them.
func formValues(r *response, sel string) url.Values {
	v := url.Values{}
	f := r.doc.Find(sel)
	f.Find("input, textarea").Each(func(_ int, s *goquery.Selection) {
		name, ok := s.Attr("name")
		if !ok {
			return
		}
		switch s.AttrOr("type", "") {
		case "checkbox":
			if _, checked := s.Attr("checked"); checked {
				v.Add(name, s.AttrOr("value", "on"))
			}
		default:
			if goquery.NodeName(s) == "textarea" {
				v.Add(name, s.Text())
			} else {
				v.Add(name, s.AttrOr("value", ""))
			}
		}
	})
	return v
}

// service returns the service with id as the store has it now.
func service(t *testing.T, db *store.DB, id string) *portal.Service {
	t.Helper()
	d, err := db.Directory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := d.Service(id)
	if s == nil {
		t.Fatalf("no service %s", id)
	}
	return s
}

const editedService = "ub-safe-house-reintegration"

func TestSuggestReviewAccept(t *testing.T) {
	p := editServer(t)
	p.Organisation(t, "gobi-ngo", "Говь ТББ", "Gobi NGO", portal.GroupCivilSociety, false)
	member, memberCookie := p.Person(t, "naraa@gobi-ngo.mn", "Нараа", portal.RoleMember, "gobi-ngo")
	_, otherCookie := p.Person(t, "bold@gobi-ngo.mn", "Болд", portal.RoleMember, "gobi-ngo")
	sec, secCookie := p.Person(t, "sec@council.mn", "Ажлын алба", portal.RoleSecretariat, "")
	path := "/directory/services/" + editedService

	r := get(t, p.Router, "GET", path+"/suggest?lang=en", "Cookie", memberCookie)
	if r.Code != 200 || !strings.HasPrefix(r.Header().Get("Cache-Control"), "private") {
		t.Fatalf("suggest form: %d %q", r.Code, r.Header().Get("Cache-Control"))
	}
	form := formValues(r, "form.service-form")
	if form.Get("name_en") != "Vocational training and job placement (example)" || len(form["types"]) != 2 || form.Get("hours") != "Mon–Fri 09:00–17:00" {
		t.Fatalf("form starts from %v", form)
	}
	form.Set("name_en", "Vocational training <script>alert(1)</script>")
	form.Set("phones", form.Get("phones")+"\n+976 7011 0399 | Шинэ | New")
	form.Set("note", "The new phone number is on their door.")
	r = post(t, p.Router, path+"/suggest?lang=en", form, "Cookie", memberCookie)
	loc := r.Header().Get("Location")
	if r.Code != 303 || !strings.HasPrefix(loc, "/directory/suggestions/") || !strings.HasSuffix(loc, "?notice=suggested") {
		t.Fatalf("suggest: %d %q\n%.2000s", r.Code, loc, r.body)
	}
	if s := service(t, p.DB, editedService); strings.Contains(s.Name.EN, "script") {
		t.Fatal("a suggestion changed the entry before review")
	}

	// The member sees it pending; another member does not see it at all.
	r = get(t, p.Router, "GET", loc+"&lang=en", "Cookie", memberCookie)
	loc = strings.TrimSuffix(loc, "?notice=suggested")
	if r.Code != 200 || r.text(".notice") == "" || r.text(".facts .status") != "Waiting for review" {
		t.Fatalf("member's view: %d %q %q", r.Code, r.text(".notice"), r.text(".facts .status"))
	}
	if r.doc.Find("button.accept").Length() != 0 {
		t.Error("the member is offered to accept their own suggestion")
	}
	if r := get(t, p.Router, "GET", loc, "Cookie", otherCookie); r.Code != 404 {
		t.Errorf("another member sees the suggestion: %d", r.Code)
	}
	if r := get(t, p.Router, "GET", "/directory/suggestions?lang=en", "Cookie", otherCookie); r.doc.Find(".suggestions li").Length() != 0 {
		t.Error("another member's list shows the suggestion")
	}

	// The secretariat's queue and the field-by-field diff, escaped.
	r = get(t, p.Router, "GET", "/directory/suggestions?lang=en", "Cookie", secCookie)
	if r.Code != 200 || r.doc.Find(".suggestions.pending li").Length() != 1 || !strings.Contains(r.text(".suggestions.pending .meta"), "Name (English), Phones") {
		t.Fatalf("queue: %d %q", r.Code, r.text(".suggestions.pending .meta"))
	}
	r = get(t, p.Router, "GET", loc+"?lang=en", "Cookie", secCookie)
	var diff []string
	r.doc.Find("table.field-diff tbody tr").Each(func(_ int, s *goquery.Selection) {
		diff = append(diff, strings.TrimSpace(s.Find("th").Text())+" → "+strings.TrimSpace(s.Find("td.after").Text()))
	})
	if len(diff) != 2 || diff[0] != "Name (English) → Vocational training <script>alert(1)</script>" || !strings.Contains(diff[1], "+976 7011 0399 | Шинэ | New") {
		t.Fatalf("diff rows %q", diff)
	}
	if strings.Contains(r.body, "<script>alert(1)") || r.text(".facts .note") != "The new phone number is on their door." {
		t.Errorf("review page: escaping or note wrong\n%.3000s", r.body)
	}
	if r := post(t, p.Router, loc+"/accept", nil, "Cookie", memberCookie); r.Code != 403 {
		t.Errorf("a member accepted a suggestion: %d", r.Code)
	}

	// Accepted: the entry changes, the member sees the outcome, the audit log has it.
	r = post(t, p.Router, loc+"/accept?lang=en", nil, "Cookie", secCookie)
	if r.Code != 303 {
		t.Fatalf("accept: %d\n%.1000s", r.Code, r.body)
	}
	s := service(t, p.DB, editedService)
	if s.Name.EN != "Vocational training <script>alert(1)</script>" || len(s.Phones) != 2 || s.Phones[1].Number != "+976 7011 0399" || s.Phones[0].Example != true {
		t.Errorf("after accepting: %q %+v", s.Name.EN, s.Phones)
	}
	r = get(t, p.Router, "GET", loc+"?lang=en", "Cookie", memberCookie)
	if !strings.HasPrefix(r.text(".facts .status"), "Accepted") || !strings.Contains(r.text(".facts .status"), "Ажлын алба") {
		t.Errorf("member sees %q", r.text(".facts .status"))
	}
	if r := post(t, p.Router, loc+"/accept", nil, "Cookie", secCookie); r.Code != 409 {
		t.Errorf("accepting twice: %d", r.Code)
	}
	entries, _ := p.DB.FindAudit(context.Background(), 10)
	if len(entries) == 0 || entries[0].Action != "directory.suggestion.accept" || entries[0].ActorID != sec.ID || !strings.Contains(entries[0].After, member.ID) {
		t.Errorf("audit: %+v", entries)
	}
}

func TestSuggestReject(t *testing.T) {
	p := editServer(t)
	p.Organisation(t, "gobi-ngo", "Говь ТББ", "Gobi NGO", portal.GroupCivilSociety, false)
	_, memberCookie := p.Person(t, "naraa@gobi-ngo.mn", "Нараа", portal.RoleMember, "gobi-ngo")
	_, secCookie := p.Person(t, "sec@council.mn", "Ажлын алба", portal.RoleSecretariat, "")
	path := "/directory/services/" + editedService
	form := formValues(get(t, p.Router, "GET", path+"/suggest", "Cookie", memberCookie), "form.service-form")

	// A suggestion that changes nothing is refused.
	if r := post(t, p.Router, path+"/suggest?lang=en", form, "Cookie", memberCookie); r.Code != 400 || !strings.Contains(r.text(".form-error"), "changes nothing") {
		t.Fatalf("empty suggestion: %d %q", r.Code, r.text(".form-error"))
	}
	form.Set("fees_en", "Free, but bring your ID")
	loc := strings.TrimSuffix(post(t, p.Router, path+"/suggest", form, "Cookie", memberCookie).Header().Get("Location"), "?notice=suggested")

	// No reason: the form comes back in the user's language, nothing decided.
	r := post(t, p.Router, loc+"/reject?lang=mn", url.Values{"reason": {"  "}}, "Cookie", secCookie)
	if r.Code != 400 || fieldError(r, "reason") != "Энэ талбарыг бөглөнө үү." {
		t.Fatalf("reject without reason: %d %q", r.Code, fieldError(r, "reason"))
	}
	if sg, _ := p.DB.FindSuggestions(context.Background(), portal.SuggestionFilter{Status: portal.SuggestionPending}); len(sg) != 1 {
		t.Fatalf("pending after a refused rejection: %d", len(sg))
	}
	reason := `Not confirmed by the centre <b>yet</b>`
	if r := post(t, p.Router, loc+"/reject", url.Values{"reason": {reason}}, "Cookie", secCookie); r.Code != 303 {
		t.Fatalf("reject: %d", r.Code)
	}
	r = get(t, p.Router, "GET", "/directory/suggestions?lang=en", "Cookie", memberCookie)
	if r.text(".suggestions.decided .status") != "Rejected" || r.text(".suggestions.decided .reason") != reason || strings.Contains(r.body, "<b>yet") {
		t.Errorf("member's list: %q %q", r.text(".suggestions.decided .status"), r.text(".suggestions.decided .reason"))
	}
	if s := service(t, p.DB, editedService); strings.Contains(s.Fees.EN, "bring your ID") {
		t.Error("a rejected suggestion changed the entry")
	}
}

func TestServiceFormBadInput(t *testing.T) {
	p := editServer(t)
	_, secCookie := p.Person(t, "sec@council.mn", "Ажлын алба", portal.RoleSecretariat, "")
	path := "/directory/services/" + editedService + "/edit"
	base := formValues(get(t, p.Router, "GET", path, "Cookie", secCookie), "form.service-form")
	before := directory.Fields(service(t, p.DB, editedService), portal.English)

	tests := []struct {
		name, lang string
		change     func(url.Values)
		field, msg string
	}{
		{"hours day", "en", func(v url.Values) { v.Set("hours", "Mon-Fri 09:00-17:00\nFunday 10:00-12:00") }, "hours",
			"Line 2: a day is not recognised. Use Mon, Tue … Sun or Даваа, Мягмар … Ням."},
		{"hours overlap in Mongolian", "mn", func(v url.Values) { v.Set("hours", "Даваа-Баасан 09:00-17:00\nЛхагва 16:00-18:00") }, "hours",
			"2-р мөр өмнөх мөртэй нэг өдөр давхцаж байна."},
		{"hours end before start", "en", func(v url.Values) { v.Set("hours", "sat 22:00-06:00") }, "hours",
			"Line 1: the closing time must come after the opening time, on the same day. Split a night into two lines."},
		{"hours empty", "en", func(v url.Values) { v.Set("hours", "") }, "hours", "Give the opening hours, or “24/7”."},
		{"phone", "en", func(v url.Values) { v.Set("phones", "+976 7011 0302\n12345") }, "phones",
			"Line 2: not a phone number. Use +976 and eight digits, or a short number such as 108."},
		{"no type", "en", func(v url.Values) { v.Del("types") }, "types", "Choose at least one service type."},
		{"unknown type", "en", func(v url.Values) { v.Add("types", "spa") }, "types", "This value is not valid."},
		{"unknown soum", "en", func(v url.Values) { v.Add("area", "umnugovi/atlantis") }, "area", "This value is not valid."},
		{"other org's location", "en", func(v url.Values) { v.Add("locations", "zamiin-uud-border-centre-office") }, "locations", "This value is not valid."},
		{"no name", "en", func(v url.Values) { v.Set("name_mn", ""); v.Set("name_en", "") }, "name_mn", "This field is required."},
		{"name too long", "en", func(v url.Values) { v.Set("name_en", strings.Repeat("а", 200)) }, "name_en", "This is too long."},
		{"escaping", "en", func(v url.Values) {
			v.Set("name_en", `"><img src=x onerror=alert(1)>`)
			v.Set("hours", `<script>alert(1)</script> 09:00-10:00`)
		}, "hours", "Line 1: a day is not recognised. Use Mon, Tue … Sun or Даваа, Мягмар … Ням."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{}
			for k, vs := range base {
				v[k] = append([]string(nil), vs...)
			}
			tt.change(v)
			r := post(t, p.Router, path+"?lang="+tt.lang, v, "Cookie", secCookie)
			if r.Code != 400 || fieldError(r, tt.field) != tt.msg {
				t.Fatalf("%d, %s: %q; want 400 and %q\n%.300s", r.Code, tt.field, fieldError(r, tt.field), tt.msg, r.body)
			}
			if r.doc.Find(`script:not([src^="/static/"])`).Length() != 0 || r.doc.Find("img").Length() != 0 || strings.Contains(r.body, "<script>alert") {
				t.Error("the form lets markup through")
			}
			if tt.name == "escaping" && r.doc.Find(`input[name="name_en"]`).AttrOr("value", "") != `"><img src=x onerror=alert(1)>` {
				t.Error("the form does not give back what was typed")
			}
			after := directory.Fields(service(t, p.DB, editedService), portal.English)
			for i := range before {
				if before[i] != after[i] {
					t.Fatalf("refused form changed %s", before[i].Key)
				}
			}
		})
	}
}

func TestServiceEditAndVerify(t *testing.T) {
	p := editServer(t)
	p.Organisation(t, "gobi-ngo", "Говь ТББ", "Gobi NGO", portal.GroupCivilSociety, false)
	_, memberCookie := p.Person(t, "naraa@gobi-ngo.mn", "Нараа", portal.RoleMember, "gobi-ngo")
	sec, secCookie := p.Person(t, "sec@council.mn", "Ажлын алба", portal.RoleSecretariat, "")
	path := "/directory/services/" + editedService

	for _, target := range []string{path + "/edit", path + "/verify"} {
		method := "GET"
		if strings.HasSuffix(target, "verify") {
			method = "POST"
		}
		if r := get(t, p.Router, method, target, "Cookie", memberCookie); r.Code != 403 {
			t.Errorf("member %s %s: %d, want 403", method, target, r.Code)
		}
	}
	if r := get(t, p.Router, "GET", path+"/suggest"); r.Code != 303 && r.Code != 403 {
		t.Errorf("visitor opens the suggest form: %d", r.Code)
	}
	if r := get(t, p.Router, "GET", "/directory/services/no-such-service/edit", "Cookie", secCookie); r.Code != 404 {
		t.Errorf("unknown service: %d", r.Code)
	}

	form := formValues(get(t, p.Router, "GET", path+"/edit", "Cookie", secCookie), "form.service-form")
	form.Set("hours", "Даваа–Баасан 09:00–13:00, 14:00–18:00\nБямба 10:00–14:00")
	form.Add("area", "umnugovi/khanbogd")
	form.Del("free")
	r := post(t, p.Router, path+"/edit", form, "Cookie", secCookie)
	if r.Code != 303 || r.Header().Get("Location") != path+"?notice=saved" {
		t.Fatalf("edit: %d %q\n%.1500s", r.Code, r.Header().Get("Location"), r.body)
	}
	s := service(t, p.DB, editedService)
	if len(s.Hours) != 3 || s.Free || len(s.Area) != 2 || s.Area[1] != (portal.Place{Aimag: "umnugovi", Soum: "khanbogd"}) {
		t.Errorf("after edit: hours %+v free %v area %+v", s.Hours, s.Free, s.Area)
	}

	if r := post(t, p.Router, path+"/verify", nil, "Cookie", secCookie); r.Code != 303 {
		t.Fatalf("verify: %d", r.Code)
	}
	s = service(t, p.DB, editedService)
	if time.Since(s.AssuredDate) > time.Minute || s.AssuredBy != sec.Name || s.AssuredByID != sec.ID {
		t.Errorf("after verify: %v %q %q", s.AssuredDate, s.AssuredBy, s.AssuredByID)
	}
	entries, _ := p.DB.FindAudit(context.Background(), 10)
	if len(entries) < 2 || entries[0].Action != "directory.service.verify" || entries[1].Action != "directory.service.edit" ||
		!strings.Contains(entries[1].Before, "Mon–Fri 09:00–17:00") {
		t.Errorf("audit: %+v", entries)
	}
}

func TestOrgAndLocationForms(t *testing.T) {
	p := editServer(t)
	_, secCookie := p.Person(t, "sec@council.mn", "Ажлын алба", portal.RoleSecretariat, "")
	orgPath := "/directory/organizations/ub-safe-house/edit"
	locPath := "/directory/organizations/ub-safe-house/locations/ub-safe-house-shelter/edit"
	_, _, orgs, _ := directory.LoadStarter()
	var shelter portal.Location
	for _, o := range orgs {
		if l := o.Location("ub-safe-house-shelter"); l != nil {
			shelter = *l
		}
	}

	// The secretariat's location form shows the confidential address, and is never stored.
	r := get(t, p.Router, "GET", locPath+"?lang=en", "Cookie", secCookie)
	if r.Code != 200 || r.Header().Get("Cache-Control") != "private, no-store" ||
		r.doc.Find(`textarea[name="address_en"]`).Text() != shelter.Address.EN {
		t.Fatalf("location form: %d %q %q", r.Code, r.Header().Get("Cache-Control"), r.doc.Find(`textarea[name="address_en"]`).Text())
	}
	locForm := formValues(r, "form.location-form")
	locForm.Set("place", r.doc.Find(`select[name="place"] option[selected]`).AttrOr("value", ""))
	orgForm := formValues(get(t, p.Router, "GET", orgPath, "Cookie", secCookie), "form.org-form")
	orgForm.Set("group", "civil_society")

	tests := []struct {
		name, path string
		form       url.Values
		change     func(url.Values)
		field, msg string
	}{
		{"email", orgPath, orgForm, func(v url.Values) { v.Set("email", "info@") }, "email", "Enter one e-mail address, such as name@example.mn."},
		{"website", orgPath, orgForm, func(v url.Values) { v.Set("website", "javascript:alert(1)") }, "website", "Not a web address: use http:// or https:// and a host."},
		{"phone", orgPath, orgForm, func(v url.Values) { v.Set("phones", "+976 123") }, "phones", "Line 1: not a phone number. Use +976 and eight digits, or a short number such as 108."},
		{"group", orgPath, orgForm, func(v url.Values) { v.Set("group", "cartel") }, "group", "This value is not valid."},
		{"org escaping", orgPath, orgForm, func(v url.Values) {
			v.Set("name_en", `<script>alert(1)</script>`)
			v.Set("email", `"><img src=x onerror=alert(1)>`)
		}, "email", "Enter one e-mail address, such as name@example.mn."},
		{"outside Mongolia", locPath, locForm, func(v url.Values) { v.Set("latitude", "39.9"); v.Set("longitude", "116.4") }, "latitude", "These coordinates are outside Mongolia."},
		{"one coordinate", locPath, locForm, func(v url.Values) { v.Set("longitude", "") }, "latitude", "Give both latitude and longitude, or neither."},
		{"not a number", locPath, locForm, func(v url.Values) { v.Set("latitude", "north") }, "latitude", "Write a decimal number, such as 43.57."},
		{"unknown soum", locPath, locForm, func(v url.Values) { v.Set("place", "umnugovi/atlantis") }, "place", "Choose an aimag or a soum from the list."},
		{"unknown aimag", locPath, locForm, func(v url.Values) { v.Set("place", "narnia") }, "place", "Choose an aimag or a soum from the list."},
		{"no public contact", locPath, locForm, func(v url.Values) { v.Set("public_contact_mn", ""); v.Set("public_contact_en", "") }, "public_contact_mn",
			"A confidential location needs a public contact point: how people are referred without the address."},
		{"location escaping", locPath, locForm, func(v url.Values) {
			v.Set("name_en", `</textarea><script>alert(1)</script>`)
			v.Set("latitude", `"><script>alert(1)</script>`)
		}, "latitude", "This is too long."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{}
			for k, vs := range tt.form {
				v[k] = append([]string(nil), vs...)
			}
			tt.change(v)
			r := post(t, p.Router, tt.path+"?lang=en", v, "Cookie", secCookie)
			if r.Code != 400 || fieldError(r, tt.field) != tt.msg {
				t.Fatalf("%d, %s: %q; want 400 and %q", r.Code, tt.field, fieldError(r, tt.field), tt.msg)
			}
			if r.doc.Find(`script:not([src^="/static/"]), img`).Length() != 0 {
				t.Error("the form lets markup through")
			}
		})
	}
	if entries := directoryAudit(t, p.DB); len(entries) != 0 {
		t.Fatalf("refused forms wrote %d audit entries: %+v", len(entries), entries[0])
	}

	// Saved: the shelter moved. The public directory still hides the address; the audit
	// log never has it.
	locForm.Set("address_en", "Moved: 12 Secret street")
	if r := post(t, p.Router, locPath, locForm, "Cookie", secCookie); r.Code != 303 {
		t.Fatalf("save location: %d\n%.1000s", r.Code, r.body)
	}
	hidden, _ := p.DB.ConfidentialPlaces(context.Background(), []string{"ub-safe-house-shelter"})
	if hidden["ub-safe-house-shelter"].Address.EN != "Moved: 12 Secret street" {
		t.Errorf("stored address %+v", hidden)
	}
	entries := directoryAudit(t, p.DB)
	if len(entries) != 1 || strings.Contains(entries[0].Before+entries[0].After, "Secret street") ||
		strings.Contains(entries[0].Before+entries[0].After, shelter.Address.EN) {
		t.Errorf("audit: %+v", entries)
	}
	orgForm.Set("website", "https://safe-house.example.mn/new")
	if r := post(t, p.Router, orgPath, orgForm, "Cookie", secCookie); r.Code != 303 {
		t.Fatalf("save org: %d\n%.1000s", r.Code, r.body)
	}
	d, _ := p.DB.Directory(context.Background())
	if o := d.Org("ub-safe-house"); o.Website != "https://safe-house.example.mn/new" || !o.Location("ub-safe-house-shelter").Address.Empty() {
		t.Errorf("org after save: %q %+v", o.Website, o.Location("ub-safe-house-shelter").Address)
	}
}

// directoryAudit returns the audit entries of directory edits, newest first.
func directoryAudit(t *testing.T, db *store.DB) []*portal.AuditEntry {
	t.Helper()
	all, err := db.FindAudit(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []*portal.AuditEntry
	for _, e := range all {
		if strings.HasPrefix(e.Action, "directory.") {
			out = append(out, e)
		}
	}
	return out
}
