package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gobidialogue/portal"
)

func TestAdminHome(t *testing.T) {
	p := accountsServer(t, nil)
	_, admin := p.Person(t, "admin@council.mn", "Админ", portal.RoleAdmin, "")
	_, sec := p.Person(t, "sec@council.mn", "Нарийн", portal.RoleSecretariat, "")
	_, mod := p.Person(t, "mod@council.mn", "Модератор", portal.RoleModerator, "")
	tests := []struct {
		name, cookie string
		status       int
		links        []string
	}{
		{"admin", admin, 200, []string{"/admin/invitations", "/admin/organisations", "/admin/people", "/admin/audit"}},
		{"secretariat", sec, 200, []string{"/admin/invitations", "/admin/organisations"}},
		{"moderator", mod, 403, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, p.Router, "GET", "/admin?lang=en", "Cookie", tt.cookie)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d", r.Code, tt.status)
			}
			var got []string
			r.doc.Find(".sections a").Each(func(_ int, s *goquery.Selection) { got = append(got, s.AttrOr("href", "")) })
			if tt.status == 200 && strings.Join(got, " ") != strings.Join(tt.links, " ") {
				t.Errorf("sections %v, want %v", got, tt.links)
			}
		})
	}
}

func TestAdminChangesPerson(t *testing.T) {
	p := accountsServer(t, nil)
	p.Organisation(t, "gobi-ngo", "Говь ТББ <script>alert(1)</script>", "Gobi NGO <script>alert(1)</script>", portal.GroupCivilSociety, false)
	_, admin := p.Person(t, "admin@council.mn", hostileName, portal.RoleAdmin, "")
	u, session := p.Person(t, "naraa@gobi-ngo.mn", `Нараа <img src=x onerror=alert(1)>`, portal.RoleMember, "")

	// The list, searched, escaped.
	r := get(t, p.Router, "GET", "/admin/people?lang=en&q=NARAA", "Cookie", admin)
	if got := rows(r, "table.people"); r.Code != 200 || len(got) != 1 || got[0] != "Нараа <img src=x onerror=alert(1)> | naraa@gobi-ngo.mn |  | Member | Active" {
		t.Fatalf("people search: %d %v", r.Code, got)
	}
	if strings.Contains(r.body, "<img") || strings.Contains(r.body, "<script>") {
		t.Errorf("the people list lets markup through")
	}
	change := url.Values{"role": {"moderator"}, "org": {"gobi-ngo"}}
	if r := post(t, p.Router, "/admin/people/"+u.ID, change, "Cookie", admin); r.Code != 303 || r.Header().Get("Location") != "/admin/people/"+u.ID {
		t.Fatalf("change: %d %q\n%.500s", r.Code, r.Header().Get("Location"), r.body)
	}
	r = get(t, p.Router, "GET", "/admin/people/"+u.ID+"?lang=en", "Cookie", admin)
	if r.text(".facts .role") != "Moderator" || !strings.Contains(r.text(".facts .org"), "Gobi NGO <script>") || strings.Contains(r.body, "<script>") {
		t.Errorf("person page after the change: role %q, org %q", r.text(".facts .role"), r.text(".facts .org"))
	}
	// The person's own session follows the new role at once.
	if r := get(t, p.Router, "GET", "/profile?lang=en", "Cookie", session); r.text(".role") != "Moderator" {
		t.Errorf("the person's profile shows %q", r.text(".role"))
	}

	// The audit page shows who did it, what, before and after, all escaped; the records are
	// code (JSON, its names English on a Mongolian page too), marked as such.
	r = get(t, p.Router, "GET", "/admin/audit?lang=en", "Cookie", admin)
	entry := r.doc.Find(".log .entry").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.TrimSpace(s.Find(".action").Text()) == "Changed the role"
	})
	if r.Code != 200 || entry.Length() != 1 || strings.TrimSpace(entry.Find(".who").Text()) != hostileName ||
		!strings.Contains(entry.Find(".target").Text(), "Нараа <img") ||
		!strings.Contains(entry.Find("pre.before > code").Text(), `"role": "member"`) || !strings.Contains(entry.Find("pre.after > code").Text(), `"role": "moderator"`) {
		t.Fatalf("audit page: %d, %d entries for the role change\n%.3000s", r.Code, entry.Length(), r.body)
	}
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, "<img") {
		t.Errorf("the audit page lets markup through")
	}
	if !strings.Contains(r.body, "Changed the organisation") {
		t.Errorf("the organisation change is not in the audit log")
	}
}

func TestDisablingEndsSessions(t *testing.T) {
	p := accountsServer(t, nil)
	_, admin := p.Person(t, "admin@council.mn", "Админ", portal.RoleAdmin, "")
	u, session := p.Person(t, "bold@example.mn", "Болд", portal.RoleModerator, "")
	if r := get(t, p.Router, "GET", "/profile", "Cookie", session); r.Code != 200 {
		t.Fatalf("profile before: %d", r.Code)
	}
	r := post(t, p.Router, "/admin/people/"+u.ID, url.Values{"role": {"moderator"}, "disabled": {"1"}}, "Cookie", admin)
	if r.Code != 303 {
		t.Fatalf("disable: %d\n%.500s", r.Code, r.body)
	}
	if r := get(t, p.Router, "GET", "/profile", "Cookie", session); r.Code != 303 {
		t.Errorf("a disabled person's session still works: %d", r.Code)
	}
	r = get(t, p.Router, "GET", "/admin/people?lang=en", "Cookie", admin)
	if got := rows(r, "table.people"); len(got) != 2 || !strings.HasSuffix(got[1], "| Moderator | Disabled") {
		t.Errorf("people list: %v", got)
	}
	// Enabling lets them sign in again, but ended sessions stay ended.
	if r := post(t, p.Router, "/admin/people/"+u.ID, url.Values{"role": {"moderator"}}, "Cookie", admin); r.Code != 303 {
		t.Fatalf("enable: %d", r.Code)
	}
	if r := get(t, p.Router, "GET", "/profile", "Cookie", session); r.Code != 303 {
		t.Errorf("an ended session came back: %d", r.Code)
	}
}

func TestPersonForm(t *testing.T) {
	p := accountsServer(t, nil)
	p.Organisation(t, "gobi-ngo", "Говь ТББ", "Gobi NGO", portal.GroupCivilSociety, false)
	me, admin := p.Person(t, "admin@council.mn", "Админ", portal.RoleAdmin, "")
	u, _ := p.Person(t, "naraa@gobi-ngo.mn", "Нараа", portal.RoleMember, "gobi-ngo")
	tests := []struct {
		name    string
		form    url.Values
		invalid string
		message string
	}{
		{"no role", url.Values{"org": {"gobi-ngo"}}, "role", "required"},
		{"unknown role", url.Values{"role": {"owner"}}, "role", "not valid"},
		{"visitor is no role", url.Values{"role": {"visitor"}}, "role", "not valid"},
		{"oversize role", url.Values{"role": {strings.Repeat("a", 100)}}, "role", "too long"},
		{"unknown organisation", url.Values{"role": {"member"}, "org": {"no-such-org"}}, "org", "no such organisation"},
		{"malformed organisation", url.Values{"role": {"member"}, "org": {"gobi\x00ngo"}}, "org", "not valid"},
		{"malformed disabled", url.Values{"role": {"member"}, "disabled": {"maybe"}}, "disabled", "not valid"},
		{"escaping", url.Values{"role": {`"><script>alert(1)</script>`}}, "role", "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, "/admin/people/"+u.ID+"?lang=en", tt.form, "Cookie", admin)
			if r.Code != 400 || len(unmarked(r, tt.invalid)) > 0 || !strings.Contains(fieldError(r, tt.invalid), tt.message) {
				t.Fatalf("%d, %s: %q\n%.600s", r.Code, tt.invalid, fieldError(r, tt.invalid), r.body)
			}
			if strings.Contains(r.body, "<script>") {
				t.Errorf("markup let through")
			}
		})
	}
	// Nothing was half-written: the person is as before, and nothing was audited.
	if got := mustUser(t, p.DB, u.Email); got.Role != portal.RoleMember || got.OrgID != "gobi-ngo" || got.Disabled {
		t.Errorf("person after refused forms: %+v", got)
	}
	entries, _ := p.DB.FindAudit(context.Background(), 100)
	for _, e := range entries {
		if e.ActorID == me.ID {
			t.Errorf("a refused form was audited: %+v", e)
		}
	}
	// Their own account shows no form, and posting one is refused.
	if r := get(t, p.Router, "GET", "/admin/people/"+me.ID+"?lang=en", "Cookie", admin); r.Code != 200 || r.doc.Find(`select[name="role"]`).Length() != 0 {
		t.Errorf("own person page: %d with a role form", r.Code)
	}
	if r := post(t, p.Router, "/admin/people/"+me.ID, url.Values{"role": {"member"}}, "Cookie", admin); r.Code != http.StatusForbidden {
		t.Errorf("demoting oneself: %d, want 403", r.Code)
	}
	if r := get(t, p.Router, "GET", "/admin/people/nobody", "Cookie", admin); r.Code != http.StatusNotFound {
		t.Errorf("unknown person: %d, want 404", r.Code)
	}
	if r := get(t, p.Router, "GET", "/admin/people?lang=en&q="+strings.Repeat("q", 201), "Cookie", admin); r.Code != 400 || len(unmarked(r, "q")) > 0 {
		t.Errorf("oversize search: %d", r.Code)
	}
}

func TestOrganisations(t *testing.T) {
	p := accountsServer(t, nil)
	_, sec := p.Person(t, "sec@council.mn", "Нарийн", portal.RoleSecretariat, "")
	create := url.Values{"id": {"oyu-tolgoi"}, "name_mn": {"Оюу толгой <script>alert(1)</script>"}, "name_en": {"Oyu Tolgoi"}, "group": {"mining_company"}}
	if r := post(t, p.Router, "/admin/organisations", create, "Cookie", sec); r.Code != 303 || r.Header().Get("Location") != "/admin/organisations#org-oyu-tolgoi" {
		t.Fatalf("create: %d %q\n%.500s", r.Code, r.Header().Get("Location"), r.body)
	}
	r := get(t, p.Router, "GET", "/admin/organisations?lang=mn", "Cookie", sec)
	org := r.doc.Find("#org-oyu-tolgoi")
	if r.Code != 200 || strings.TrimSpace(org.Find(".name").Text()) != "Оюу толгой <script>alert(1)</script>" ||
		org.Find(".group").Text() != "Уул уурхайн компани" || org.Find(".unverified").Length() != 1 || strings.Contains(r.body, "<script>") {
		t.Fatalf("list: %d\n%.2000s", r.Code, r.body)
	}

	tests := []struct {
		name, target string
		form         url.Values
		status       int
		invalid      string
		message      string
	}{
		{"bad id", "/admin/organisations", url.Values{"id": {"Oyu Tolgoi!"}, "name_en": {"X"}, "group": {"government"}}, 400, "id", "lower-case Latin"},
		{"id taken", "/admin/organisations", url.Values{"id": {"oyu-tolgoi"}, "name_en": {"X"}, "group": {"government"}}, 409, "id", "already has this ID"},
		{"no name", "/admin/organisations", url.Values{"id": {"x"}, "group": {"government"}}, 400, "name_mn", "required"},
		{"oversize name", "/admin/organisations", url.Values{"id": {"x"}, "name_mn": {strings.Repeat("н", 151)}, "group": {"government"}}, 400, "name_mn", "too long"},
		{"malformed name", "/admin/organisations", url.Values{"id": {"x"}, "name_en": {"X\xff"}, "group": {"government"}}, 400, "name_en", "not valid"},
		{"unknown group", "/admin/organisations", url.Values{"id": {"x"}, "name_en": {"X"}, "group": {"aliens"}}, 400, "group", "not valid"},
		{"escaping", "/admin/organisations", url.Values{"id": {`"><script>alert(1)</script>`}, "name_en": {"<script>alert(2)</script>"}}, 400, "id", "lower-case Latin"},
		{"edit: no group", "/admin/organisations/oyu-tolgoi", url.Values{"name_en": {"Oyu Tolgoi LLC"}}, 400, "group", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, tt.target+"?lang=en", tt.form, "Cookie", sec)
			if r.Code != tt.status || len(unmarked(r, tt.invalid)) > 0 || !strings.Contains(fieldError(r, tt.invalid), tt.message) {
				t.Fatalf("%d, %s: %q, want %d %q\n%.800s", r.Code, tt.invalid, fieldError(r, tt.invalid), tt.status, tt.message, r.body)
			}
			if strings.Contains(r.body, "<script>") {
				t.Errorf("markup let through")
			}
		})
	}
	if r := post(t, p.Router, "/admin/organisations/oyu-tolgoi?lang=en", url.Values{"name_en": {"x"}}, "Cookie", sec); r.doc.Find("#org-oyu-tolgoi details[open]").Length() != 1 {
		t.Errorf("a refused edit does not open the organisation's form")
	}

	edit := url.Values{"name_mn": {"Оюу толгой ХХК"}, "name_en": {"Oyu Tolgoi LLC"}, "group": {"mining_company"}}
	if r := post(t, p.Router, "/admin/organisations/oyu-tolgoi", edit, "Cookie", sec); r.Code != 303 {
		t.Fatalf("edit: %d", r.Code)
	}
	if r := post(t, p.Router, "/admin/organisations/oyu-tolgoi/verify", url.Values{"verified": {"1"}}, "Cookie", sec); r.Code != 303 {
		t.Fatalf("verify: %d", r.Code)
	}
	r = get(t, p.Router, "GET", "/admin/organisations?lang=en", "Cookie", sec)
	if org := r.doc.Find("#org-oyu-tolgoi"); strings.TrimSpace(org.Find(".name").Text()) != "Oyu Tolgoi LLC" || org.Find(".verified").Length() != 1 {
		t.Errorf("after edit and verify: %q\n%.1500s", org.Text(), r.body)
	}
	for target, want := range map[string]int{
		"/admin/organisations/oyu-tolgoi/verify": 400, // verified=maybe
		"/admin/organisations/no-such/verify":    404,
		"/admin/organisations/no-such":           404,
	} {
		form := url.Values{"verified": {"maybe"}, "name_en": {"X"}, "group": {"government"}}
		if target != "/admin/organisations/oyu-tolgoi/verify" {
			form.Set("verified", "1")
		}
		if r := post(t, p.Router, target, form, "Cookie", sec); r.Code != want {
			t.Errorf("POST %s: %d, want %d", target, r.Code, want)
		}
	}
}

func TestSecretariatInvites(t *testing.T) {
	p := accountsServer(t, nil)
	p.Organisation(t, "oyu-tolgoi", "Оюу толгой", "Oyu Tolgoi <script>alert(1)</script>", portal.GroupMining, false)
	_, sec := p.Person(t, "sec@council.mn", hostileName, portal.RoleSecretariat, "")
	p.Person(t, "taken@example.mn", "Taken", portal.RoleMember, "")

	// The secretariat invites but does not manage people or read the audit log.
	for _, target := range []string{"/admin/people", "/admin/audit"} {
		if r := get(t, p.Router, "GET", target, "Cookie", sec); r.Code != http.StatusForbidden {
			t.Errorf("GET %s as secretariat: %d, want 403", target, r.Code)
		}
	}
	r := get(t, p.Router, "GET", "/admin/invitations?lang=en", "Cookie", sec)
	var roles []string
	r.doc.Find(`select[name="role"] option`).Each(func(_ int, s *goquery.Selection) { roles = append(roles, s.AttrOr("value", "")) })
	if r.Code != 200 || strings.Join(roles, " ") != "member moderator secretariat" {
		t.Fatalf("invitations page: %d, roles %v", r.Code, roles)
	}

	tests := []struct {
		name    string
		form    url.Values
		status  int
		invalid string
		message string
	}{
		{"empty", url.Values{}, 400, "email", "required"},
		{"not an e-mail", url.Values{"email": {"csr at oyutolgoi"}, "role": {"member"}, "org": {"oyu-tolgoi"}}, 400, "email", "Enter one e-mail address"},
		{"oversize e-mail", url.Values{"email": {strings.Repeat("a", 250) + "@x.mn"}, "role": {"member"}, "org": {"oyu-tolgoi"}}, 400, "email", "too long"},
		{"an admin", url.Values{"email": {"a@x.mn"}, "role": {"admin"}}, 400, "role", "may not give this role"},
		{"unknown role", url.Values{"email": {"a@x.mn"}, "role": {"owner"}}, 400, "role", "not valid"},
		{"member without organisation", url.Values{"email": {"a@x.mn"}, "role": {"member"}}, 400, "org", "must belong to an organisation"},
		{"unknown organisation", url.Values{"email": {"a@x.mn"}, "role": {"moderator"}, "org": {"nope"}}, 400, "org", "no such organisation"},
		{"address with an account", url.Values{"email": {"Taken@example.mn"}, "role": {"member"}, "org": {"oyu-tolgoi"}}, 409, "email", "already has an account"},
		{"escaping", url.Values{"email": {`"><script>alert(1)</script>@x.mn`}, "role": {"member"}, "org": {"oyu-tolgoi"}}, 400, "email", "Enter one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, "/admin/invitations?lang=en", tt.form, "Cookie", sec)
			if r.Code != tt.status || len(unmarked(r, tt.invalid)) > 0 || !strings.Contains(fieldError(r, tt.invalid), tt.message) {
				t.Fatalf("%d, %s: %q, want %d %q\n%.800s", r.Code, tt.invalid, fieldError(r, tt.invalid), tt.status, tt.message, r.body)
			}
			if strings.Contains(r.body, "<script>") || r.doc.Find(".once").Length() != 0 {
				t.Errorf("markup let through, or a link shown")
			}
		})
	}
	if r := post(t, p.Router, "/admin/invitations", url.Values{"email": {strings.Repeat("a", 3<<20)}}, "Cookie", sec); r.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 3 MB form: %d, want 413", r.Code)
	}

	r = post(t, p.Router, "/admin/invitations?lang=en", url.Values{"email": {"CSR@oyutolgoi.mn"}, "role": {"member"}, "org": {"oyu-tolgoi"}}, "Cookie", sec)
	if r.Code != http.StatusCreated || r.Header().Get("Cache-Control") != "no-store" || !strings.Contains(r.text(".once"), "csr@oyutolgoi.mn") {
		t.Fatalf("invite: %d\n%.800s", r.Code, r.body)
	}
	link := shownLink(t, r)
	if got := rows(r, "table.invitations"); len(got) != 1 || !strings.HasPrefix(got[0], "csr@oyutolgoi.mn | Member | Oyu Tolgoi <script>alert(1)</script> | "+hostileName) ||
		!strings.Contains(got[0], "| Pending") {
		t.Errorf("invitations: %v", got)
	}
	if strings.Contains(r.body, "<script>") {
		t.Errorf("the invitations page lets markup through")
	}
	// The list shows the link no more; withdrawing it ends it.
	r = get(t, p.Router, "GET", "/admin/invitations?lang=en", "Cookie", sec)
	revoke, _ := r.doc.Find("table.invitations form").Attr("action")
	if r.doc.Find(".once").Length() != 0 || strings.Contains(r.body, strings.TrimPrefix(link, "/invitations/")) || revoke == "" {
		t.Fatalf("the list shows the secret, or no way to withdraw")
	}
	if r := post(t, p.Router, revoke, nil, "Cookie", sec); r.Code != 303 {
		t.Fatalf("revoke: %d", r.Code)
	}
	if got := rows(get(t, p.Router, "GET", "/admin/invitations?lang=en", "Cookie", sec), "table.invitations"); len(got) != 1 || !strings.Contains(got[0], "| Withdrawn |") {
		t.Errorf("after withdrawing: %v", got)
	}
	if r := get(t, p.Router, "GET", link+"?lang=en"); r.Code != http.StatusGone {
		t.Errorf("a withdrawn invitation opens: %d", r.Code)
	}
	if r := post(t, p.Router, "/admin/invitations/no-such/revoke", nil, "Cookie", sec); r.Code != http.StatusNotFound {
		t.Errorf("withdrawing nothing: %d, want 404", r.Code)
	}
}
