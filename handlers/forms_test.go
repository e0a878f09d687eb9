package handlers_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// summaryWords are the error summary's heading and the title's prefix in each language.
var summaryWords = map[string][2]string{
	"en": {"There is a problem", "Error: "},
	"mn": {"Асуудал гарлаа", "Алдаа: "},
}

// checkErrorSummary checks the error summary of a refused form's page r, in lang: one box
// at the top of the page's content (before its heading and its forms), an alert with the
// heading of lang that takes the focus (tabindex -1, and the script that moves it there),
// the title prefixed; then one entry per id of ids, in that order, each a link to the
// one element with the id, a field (or a group of boxes) marked aria-invalid whose
// aria-describedby names its own message, which is the link's text; "" is an entry
// without a link, a problem that is no field's. It returns the box.
func checkErrorSummary(t *testing.T, r *response, lang string, ids ...string) *goquery.Selection {
	t.Helper()
	if r.doc == nil {
		t.Fatalf("no HTML page: %d", r.Code)
	}
	words := summaryWords[lang]
	box := r.doc.Find("main .error-summary")
	if box.Length() != 1 {
		t.Fatalf("%d error summaries in the page\n%.1500s", box.Length(), r.body)
	}
	if box.AttrOr("role", "") != "alert" || box.AttrOr("tabindex", "") != "-1" || box.AttrOr("id", "") != "error-summary" {
		t.Errorf("summary role %q tabindex %q id %q", box.AttrOr("role", ""), box.AttrOr("tabindex", ""), box.AttrOr("id", ""))
	}
	if h := strings.TrimSpace(box.Find("h2").Text()); h != words[0] {
		t.Errorf("summary heading %q, want %q", h, words[0])
	}
	if title := r.doc.Find("title").Text(); !strings.HasPrefix(title, words[1]) {
		t.Errorf("title %q does not start with %q", title, words[1])
	}
	if r.doc.Find(`script[src^="/static/forms."]`).Length() != 1 {
		t.Error("the page does not load forms.js, which focuses the summary")
	}
	// First in the content: before the <h1> and before every form.
	order := map[string]int{}
	r.doc.Find("main *").Each(func(i int, s *goquery.Selection) {
		for _, sel := range []string{".error-summary", "h1", "form"} {
			if _, seen := order[sel]; !seen && s.Is(sel) {
				order[sel] = i
			}
		}
	})
	if order[".error-summary"] > order["h1"] || (order["form"] > 0 && order[".error-summary"] > order["form"]) {
		t.Errorf("the summary is not at the top of the content: %v", order)
	}

	var got []string
	box.Find("li").Each(func(_ int, li *goquery.Selection) {
		a := li.Find("a")
		href := a.AttrOr("href", "")
		got = append(got, strings.TrimPrefix(href, "#"))
		if a.Length() == 0 {
			return // compared with ids below
		}
		if a.Length() != 1 || !strings.HasPrefix(href, "#") || len(href) < 2 {
			t.Errorf("summary entry %q: links %d, href %q", strings.TrimSpace(li.Text()), a.Length(), href)
			return
		}
		checkSummaryLink(t, r, strings.TrimPrefix(href, "#"), strings.TrimSpace(a.Text()))
	})
	if !slices.Equal(got, ids) {
		t.Errorf("summary links to %q, want %q", got, ids)
	}
	return box
}

// checkSummaryLink checks that id names one field (or the first box of a group) that is
// marked invalid and described by the message of its summary entry, whose text is the
// message, or the field's label as the page shows it, ": " and the message.
func checkSummaryLink(t *testing.T, r *response, id, text string) {
	t.Helper()
	target := r.doc.Find(`[id="` + id + `"]`)
	if target.Length() != 1 || !target.Is("input, select, textarea, fieldset") {
		t.Errorf("#%s: %d elements, not one field", id, target.Length())
		return
	}
	marked := target
	if marked.AttrOr("aria-invalid", "") != "true" {
		marked = target.Closest(`fieldset[aria-invalid="true"]`)
	}
	if marked.Length() == 0 {
		t.Errorf("#%s is not marked aria-invalid", id)
		return
	}
	var described []string
	for _, ref := range strings.Fields(marked.AttrOr("aria-describedby", "")) {
		described = append(described, squash(r.doc.Find(`[id="`+ref+`"]`).Text()))
	}
	message := squash(text)
	if label := fieldLabel(r, id); label != "" {
		message = strings.TrimPrefix(message, label+": ")
	}
	if !slices.Contains(described, message) {
		t.Errorf("#%s is described by %q, not by its summary entry %q", id, described, text)
	}
}

// checkSummaryLabelled checks that every entry of r's error summary that links to a field
// starts with the field's label, as the page shows it.
func checkSummaryLabelled(t *testing.T, r *response) {
	t.Helper()
	r.doc.Find(".error-summary li a").Each(func(_ int, a *goquery.Selection) {
		id := strings.TrimPrefix(a.AttrOr("href", ""), "#")
		label, text := fieldLabel(r, id), squash(a.Text())
		if label == "" || !strings.HasPrefix(text, label+": ") {
			t.Errorf("summary entry %q does not name its field %q", text, label)
		}
	})
}

// fieldLabel returns the label of the field with id as the page shows it: its group's
// legend, its <label for>, or the label around it.
func fieldLabel(r *response, id string) string {
	target := r.doc.Find(`[id="` + id + `"]`)
	var label string
	switch {
	case target.AttrOr("aria-invalid", "") != "true" && target.Closest(`fieldset[aria-invalid="true"]`).Length() > 0:
		label = target.Closest(`fieldset[aria-invalid="true"]`).Find("legend").First().Text()
	case r.doc.Find(`label[for="`+id+`"]`).Length() > 0:
		label = r.doc.Find(`label[for="` + id + `"]`).Text()
	default:
		label = target.Closest("label").Text()
	}
	return squash(label)
}

// squash collapses the white space of s.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestErrorSummaries refuses every form of the portal, in both languages, and checks its
// error summary: at the top, in the page's language, each problem a link to its field in
// the order of the page, the title prefixed, hostile values given back as text.
func TestErrorSummaries(t *testing.T) {
	const hostileValue = `"><script>alert(1)</script>`
	p := editServerWith(t, portaltest.Options{Configure: func(h *handlers.Handlers) {
		// The reset page offers its form only when the portal sends mail; nothing is sent
		// here, every request is refused first.
		h.Mailer = smtpMailer(t, "127.0.0.1:1")
	}})
	ctx := context.Background()
	p.Organisation(t, "gobi-ngo", "Говь ТББ", "Gobi NGO", portal.GroupCivilSociety, true)
	admin, adminCookie := p.Person(t, "admin@council.mn", "Админ", portal.RoleAdmin, "")
	sec, secCookie := p.Person(t, "sec@council.mn", "Нарийн бичгийн газар", portal.RoleSecretariat, "")
	_, memberCookie := p.Person(t, "naraa@gobi-ngo.mn", "Нараа", portal.RoleMember, "gobi-ngo")
	someone := member(t, p, "saraa@example.mn")

	servicePath := "/directory/services/" + editedService
	serviceForm := formValues(get(t, p.Router, "GET", servicePath+"/edit", "Cookie", secCookie), "form.service-form")
	suggested := clone(serviceForm)
	suggested.Set("fees_en", "Free for everyone")
	r := post(t, p.Router, servicePath+"/suggest", suggested, "Cookie", memberCookie)
	suggestion := strings.TrimSuffix(r.Header().Get("Location"), "?notice=suggested")
	if r.Code != 303 || suggestion == "" {
		t.Fatalf("suggest: %d %q", r.Code, suggestion)
	}
	orgPath := "/directory/organizations/ub-safe-house/edit"
	orgForm := formValues(get(t, p.Router, "GET", orgPath, "Cookie", secCookie), "form.org-form")
	orgForm.Set("group", "civil_society")
	locPath := "/directory/organizations/ub-safe-house/locations/ub-safe-house-shelter/edit"
	locPage := get(t, p.Router, "GET", locPath, "Cookie", secCookie)
	locForm := formValues(locPage, "form.location-form")
	locForm.Set("place", locPage.doc.Find(`select[name="place"] option[selected]`).AttrOr("value", ""))
	resetToken, _, err := p.Accounts.IssueResetLink(ctx, admin, someone.ID)
	if err != nil {
		t.Fatal(err)
	}
	inviteToken, _, err := p.Accounts.Invite(ctx, sec, "csr@gobi-ngo.mn", portal.RoleMember, "gobi-ngo")
	if err != nil {
		t.Fatal(err)
	}
	with := func(v url.Values, kv ...string) url.Values {
		v = clone(v)
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}

	tests := []struct {
		name   string
		method string // GET or POST
		target string
		form   url.Values
		cookie string
		status int
		ids    []string // the summary's links, in order
		text   string   // a message about the whole form, in English, when there is one
		echo   string   // the field that gives back a hostile value, as its value: a selector
	}{
		{name: "service edit", method: "POST", target: servicePath + "/edit", cookie: secCookie, status: 400,
			form: with(serviceForm, "name_en", hostileValue, "fees_mn", strings.Repeat("ж", 3000),
				"hours", "Funday 09:00-17:00", "phones", "12345", "types", ""),
			ids: []string{"fees_mn", "types", "hours", "phones"}, text: "The entry was not saved", echo: `[name="name_en"]`},
		{name: "service edit: groups of boxes", method: "POST", target: servicePath + "/edit", cookie: secCookie, status: 400,
			form: func() url.Values {
				v := with(serviceForm, "free", "maybe")
				v.Add("types", "spa")
				v.Add("area", "umnugovi/atlantis")
				v.Add("locations", "zamiin-uud-border-centre-office")
				return v
			}(),
			ids: []string{"free", "types", "area", "locations"}},
		{name: "service suggestion", method: "POST", target: servicePath + "/suggest", cookie: memberCookie, status: 400,
			form: with(serviceForm, "name_mn", "", "name_en", "", "note", strings.Repeat("ж", 2000)),
			ids:  []string{"name_mn", "note"}},
		{name: "organisation edit", method: "POST", target: orgPath, cookie: secCookie, status: 400,
			form: with(orgForm, "name_en", hostileValue, "group", "aliens", "email", "not an address", "website", "javascript:alert(1)"),
			ids:  []string{"group", "email", "website"}, echo: `[name="name_en"]`},
		{name: "location edit", method: "POST", target: locPath, cookie: secCookie, status: 400,
			form: with(locForm, "name_en", hostileValue, "confidential", "yes", "latitude", "north", "place", "mars"),
			ids:  []string{"confidential", "place", "latitude"}, echo: `[name="name_en"]`},
		{name: "suggestion rejected without a reason", method: "POST", target: suggestion + "/reject", cookie: secCookie, status: 400,
			form: url.Values{"reason": {" "}}, ids: []string{"reason"}},
		{name: "sign in", method: "POST", target: "/login", status: 400,
			form: url.Values{"email": {hostileValue}, "password": {""}}, ids: []string{"password"}, echo: `[name="email"]`},
		{name: "sign in refused", method: "POST", target: "/login", status: 401,
			form: url.Values{"email": {someone.Email}, "password": {"wrong password"}}, text: "Wrong e-mail or password."},
		{name: "reset request", method: "POST", target: "/reset", status: 400,
			form: url.Values{"email": {hostileValue}}, ids: []string{"email"}, echo: `[name="email"]`},
		{name: "reset", method: "POST", target: "/reset/" + resetToken, status: 400,
			form: url.Values{"password": {""}, "confirm": {"other"}}, ids: []string{"password", "confirm"}},
		{name: "invitation", method: "POST", target: "/invitations/" + inviteToken, status: 400,
			form: url.Values{"email": {"csr@gobi-ngo.mn"}, "name": {hostileValue + "\x07"}, "password": {""}},
			ids:  []string{"name", "password"}, echo: `[name="name"]`},
		{name: "admin people search", method: "GET", target: "/admin/people?q=" + url.QueryEscape(hostileValue+"\x01"),
			cookie: adminCookie, status: 400, ids: []string{"q"}, echo: `[name="q"]`},
		{name: "admin person", method: "POST", target: "/admin/people/" + someone.ID, cookie: adminCookie, status: 400,
			form: url.Values{"role": {"emperor"}, "org": {"nowhere"}}, ids: []string{"role", "org"}},
		{name: "admin person: access box", method: "POST", target: "/admin/people/" + someone.ID, cookie: adminCookie, status: 400,
			form: url.Values{"role": {"member"}, "disabled": {"2"}}, ids: []string{"disabled"}},
		{name: "admin new organisation", method: "POST", target: "/admin/organisations", cookie: adminCookie, status: 400,
			form: url.Values{"id": {"Not A Slug"}, "name_en": {hostileValue}, "group": {""}},
			ids:  []string{"new-id", "new-group"}, echo: `[name="name_en"]`},
		{name: "admin organisation", method: "POST", target: "/admin/organisations/gobi-ngo", cookie: adminCookie, status: 400,
			form: url.Values{"name_mn": {""}, "name_en": {""}, "group": {"aliens"}}, ids: []string{"gobi-ngo-name_mn", "gobi-ngo-group"}},
		{name: "admin invitation", method: "POST", target: "/admin/invitations", cookie: adminCookie, status: 400,
			form: url.Values{"email": {hostileValue}, "role": {"emperor"}, "language": {"fr"}},
			ids:  []string{"email", "role", "language"}, echo: `[name="email"]`},
		{name: "profile", method: "POST", target: "/profile", cookie: memberCookie, status: 400,
			form: url.Values{"name": {""}, "language": {"fr"}}, ids: []string{"name", "language"}},
		{name: "directory filters", method: "GET", status: 400,
			target: "/directory?q=" + url.QueryEscape(hostileValue) + "&aimag=" + url.QueryEscape("<script>alert(2)</script>") + "&free=2&page=x",
			ids:    []string{"dir-aimag", "dir-free", ""}, text: "Some filters are not valid", echo: "#dir-q"},
	}
	for _, tt := range tests {
		for _, lang := range []string{"en", "mn"} {
			t.Run(tt.name+" "+lang, func(t *testing.T) {
				sep := "?"
				if strings.Contains(tt.target, "?") {
					sep = "&"
				}
				target := tt.target + sep + "lang=" + lang
				var r *response
				if tt.method == "GET" {
					r = get(t, p.Router, "GET", target, "Cookie", tt.cookie)
				} else {
					r = post(t, p.Router, target, tt.form, "Cookie", tt.cookie)
				}
				if r.Code != tt.status {
					t.Fatalf("status %d, want %d\n%.1500s", r.Code, tt.status, r.body)
				}
				box := checkErrorSummary(t, r, lang, tt.ids...)
				checkSummaryLabelled(t, r)
				if n := box.Find("li").Length(); n != len(tt.ids) {
					t.Errorf("%d entries in the summary, want %d", n, len(tt.ids))
				}
				if tt.text != "" && lang == "en" && !strings.Contains(box.Find(".form-error").Text(), tt.text) {
					t.Errorf("summary says %q, want %q", box.Find(".form-error").Text(), tt.text)
				}
				if tt.echo != "" {
					got := r.doc.Find(tt.echo).AttrOr("value", "")
					if !strings.HasPrefix(got, `"><script>`) {
						t.Errorf("the %s field gives back %q", tt.echo, got)
					}
				}
				assertNoInjection(t, r)
			})
		}
	}

	// The directory's summary quotes the unknown aimag, as text.
	r = get(t, p.Router, "GET", "/directory?aimag="+url.QueryEscape("<script>alert(2)</script>")+"&lang=en")
	if got := r.text(".error-summary li a"); got != "Aimag: There is no aimag “<script>alert(2)</script>” in the directory: choose one from the list." {
		t.Errorf("summary entry %q", got)
	}
	// A page that refused nothing has no summary, and its title no prefix.
	r = get(t, p.Router, "GET", servicePath+"/edit?lang=en", "Cookie", secCookie)
	if r.doc.Find(".error-summary").Length() != 0 || strings.HasPrefix(r.doc.Find("title").Text(), "Error") ||
		r.doc.Find(`script[src^="/static/forms."]`).Length() != 0 {
		t.Error("a form not yet sent shows an error summary")
	}
}

// clone returns a copy of v that can be changed without changing v.
func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
