package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/store"
)

// baseURL is the public address the account tests' portal believes it has.
const baseURL = "https://dialogue.example.mn"

// hostileName tries to inject markup wherever a name is shown.
const hostileName = `<script>alert("name")</script> Бат`

// accountsServer returns the portal over a fresh database without content: what the
// account pages need. configure, when not nil, changes the handlers first.
func accountsServer(t *testing.T, configure func(*handlers.Handlers)) *portaltest.Portal {
	t.Helper()
	return portaltest.New(t, portaltest.Options{BaseURL: baseURL, Configure: configure})
}

// unmarked reports which of fields are not marked aria-invalid in the page.
func unmarked(r *response, fields ...string) []string {
	var out []string
	for _, f := range fields {
		if r.doc == nil || r.doc.Find(`[name="`+f+`"][aria-invalid="true"]`).Length() == 0 {
			out = append(out, f)
		}
	}
	return out
}

// fieldError returns the message shown for field.
func fieldError(r *response, field string) string {
	if r.doc == nil {
		return ""
	}
	id, _ := r.doc.Find(`[name="` + field + `"][aria-invalid="true"]`).Attr("aria-describedby")
	for _, ref := range strings.Fields(id) {
		if strings.HasSuffix(ref, "-error") {
			return strings.TrimSpace(r.doc.Find("#" + ref).Text())
		}
	}
	return ""
}

// shownLink returns the path of the one-time link the page shows in its .once box.
func shownLink(t *testing.T, r *response) string {
	t.Helper()
	v, ok := r.doc.Find(".once input.link").Attr("value")
	if !ok || !strings.HasPrefix(v, baseURL+"/") {
		t.Fatalf("no link on %s base shown: %q\n%.600s", baseURL, v, r.body)
	}
	u, err := url.Parse(v)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

func TestAcceptInvitation(t *testing.T) {
	p := accountsServer(t, nil)
	ctx := context.Background()
	p.Organisation(t, "oyu-tolgoi", "Оюу толгой <script>alert(1)</script>", "Oyu Tolgoi <script>alert(1)</script>", portal.GroupMining, false)
	sec, _ := p.Person(t, "sec@council.mn", hostileName, portal.RoleSecretariat, "")
	token, _, err := p.Accounts.Invite(ctx, sec, "csr@oyutolgoi.mn", portal.RoleMember, "oyu-tolgoi")
	if err != nil {
		t.Fatal(err)
	}
	target := "/invitations/" + token + "?lang=en"

	r := get(t, p.Router, "GET", target)
	if r.Code != 200 || r.text(".facts .email") != "csr@oyutolgoi.mn" || r.text(".facts .role") != "Member" ||
		!strings.Contains(r.text(".facts .org"), "Oyu Tolgoi <script>alert(1)</script> · Mining company") ||
		!strings.Contains(r.text(".lead"), hostileName+" has invited you") {
		t.Fatalf("invitation page: %d\n%.1500s", r.Code, r.body)
	}
	if v, _ := r.doc.Find(`input[name="email"][readonly]`).Attr("value"); v != "csr@oyutolgoi.mn" {
		t.Errorf("e-mail field %q, want the invited address, read-only", v)
	}
	if strings.Contains(r.body, "<script>") {
		t.Errorf("the invitation page lets markup through")
	}

	const good = "camel caravan at dawn"
	form := func(kv ...string) url.Values {
		f := url.Values{"email": {"csr@oyutolgoi.mn"}, "name": {"Оюунчимэг Д."}, "password": {good}, "confirm": {good}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	tests := []struct {
		name    string
		form    url.Values
		status  int
		invalid []string
		message string // of the first invalid field, or of .form-error
	}{
		{"empty form", url.Values{}, 400, []string{"email", "name", "password"}, "This field is required."},
		{"short password", form("password", "short", "confirm", "short"), 400, []string{"password"}, "This password is too short."},
		{"common password", form("password", "qwertyuiop", "confirm", "qwertyuiop"), 400, []string{"password"}, "one of the most common passwords"},
		{"personal password", form("password", "Оюунчимэг-2026", "confirm", "Оюунчимэг-2026"), 400, []string{"password"}, "must not contain your name"},
		{"passwords differ", form("confirm", "camel caravan at dusk"), 400, []string{"confirm"}, "not the same"},
		{"another e-mail", form("email", "someone@else.mn"), 400, []string{"email"}, "for another e-mail address"},
		{"not an e-mail", form("email", "csr at oyutolgoi"), 400, []string{"email"}, "Enter one e-mail address"},
		{"oversize name", form("name", strings.Repeat("н", 101)), 400, []string{"name"}, "This is too long."},
		{"oversize password", form("password", strings.Repeat("x", 201)), 400, []string{"password"}, "This is too long."},
		{"malformed name", form("name", "Бат\x00"), 400, []string{"name"}, "not valid"},
		{"invalid UTF-8", form("name", "Бат\xff"), 400, []string{"name"}, "not valid"},
		{"escaping", form("name", `"><script>alert(2)</script>`, "password", "short", "confirm", "short"), 400, []string{"password"}, "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, target, tt.form)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d\n%.800s", r.Code, tt.status, r.body)
			}
			if miss := unmarked(r, tt.invalid...); len(miss) > 0 {
				t.Errorf("fields %v not marked invalid", miss)
			}
			if got := fieldError(r, tt.invalid[0]); !strings.Contains(got, tt.message) {
				t.Errorf("message %q, want %q", got, tt.message)
			}
			if strings.Contains(r.body, "<script>") || sessionCookie(r) != nil {
				t.Errorf("markup let through, or a session started")
			}
		})
	}

	// Accepting signs the person in, with the invited role and organisation.
	r = post(t, p.Router, target, form())
	c := sessionCookie(r)
	if r.Code != 303 || r.Header().Get("Location") != "/profile" || c == nil {
		t.Fatalf("accept: %d %q\n%.500s", r.Code, r.Header().Get("Location"), r.body)
	}
	r = get(t, p.Router, "GET", "/profile?lang=en", "Cookie", "portal_session="+c.Value)
	if r.Code != 200 || r.text(".role") != "Member" || !strings.Contains(r.body, "Oyu Tolgoi &lt;script&gt;") {
		t.Fatalf("profile after accepting: %d %q\n%.800s", r.Code, r.text(".role"), r.body)
	}
	// The link is spent.
	if r := post(t, p.Router, target, form()); r.Code != http.StatusGone || !strings.Contains(r.text(".reason"), "already been accepted") {
		t.Errorf("replay: %d %q", r.Code, r.text(".reason"))
	}
}

func TestInvitationAccountExists(t *testing.T) {
	p := accountsServer(t, nil)
	admin, _ := p.Person(t, "admin@council.mn", "Админ", portal.RoleAdmin, "")
	token, _, err := p.Accounts.Invite(context.Background(), admin, "late@example.mn", portal.RoleModerator, "")
	if err != nil {
		t.Fatal(err)
	}
	p.Person(t, "late@example.mn", "Already Here", portal.RoleMember, "") // an account made meanwhile
	f := url.Values{"email": {"late@example.mn"}, "name": {"Late"}, "password": {"wind over the dunes"}, "confirm": {"wind over the dunes"}}
	r := post(t, p.Router, "/invitations/"+token+"?lang=en", f)
	if r.Code != http.StatusConflict || !strings.Contains(r.text(".form-error"), "exists already") {
		t.Fatalf("accept for an address with an account: %d %q", r.Code, r.text(".form-error"))
	}
}

func TestInvitationLinkProblems(t *testing.T) {
	p := accountsServer(t, nil)
	ctx := context.Background()
	svc := p.Accounts
	admin, _ := p.Person(t, "admin@council.mn", "Админ", portal.RoleAdmin, "")
	invite := func(email string) string {
		t.Helper()
		token, _, err := svc.Invite(ctx, admin, email, portal.RoleModerator, "")
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	used, revoked := invite("used@example.mn"), invite("revoked@example.mn")
	if _, err := svc.AcceptInvitation(ctx, used, "used@example.mn", "Used", "wind over the dunes"); err != nil {
		t.Fatal(err)
	}
	if err := svc.RevokeInvitation(ctx, admin, accounts.TokenID(revoked)); err != nil {
		t.Fatal(err)
	}
	expired, id := accounts.NewToken()
	err := p.DB.CreateToken(ctx, &portal.Token{ID: id, Kind: portal.TokenInvitation, Email: "late@example.mn", Role: portal.RoleMember,
		CreatedBy: admin.ID, CreatedAt: time.Now().Add(-8 * 24 * time.Hour), ExpiresAt: time.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	reset, _, err := svc.IssueResetLink(ctx, admin, mustUser(t, p.DB, "used@example.mn").ID)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, token string
		status      int
		lang, text  string
	}{
		{"unknown", "no-such-invitation", 400, "en", "not valid"},
		{"a reset link", reset, 400, "en", "not valid"},
		{"expired", expired, 410, "en", "has expired"},
		{"used", used, 410, "en", "already been accepted"},
		{"revoked", revoked, 410, "en", "withdrawn"},
		{"revoked in Mongolian", revoked, 410, "mn", "цуцалсан"},
		{"escaping", "%3Cscript%3Ealert(1)%3C", 400, "en", "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "/invitations/" + tt.token + "?lang=" + tt.lang
			answers := map[string]*response{"GET": get(t, p.Router, "GET", target), "POST": post(t, p.Router, target, url.Values{"email": {"late@example.mn"}})}
			for method, r := range answers {
				if r.Code != tt.status || !strings.Contains(r.text(".reason"), tt.text) {
					t.Errorf("%s: %d %q, want %d %q", method, r.Code, r.text(".reason"), tt.status, tt.text)
				}
				if r.doc.Find("form.stack").Length() != 0 || strings.Contains(r.body, "<script>") {
					t.Errorf("a dead link shows a form, or lets markup through")
				}
			}
		})
	}
}

// mustUser returns the person with the local e-mail address.
func mustUser(t *testing.T, db *store.DB, email string) *portal.User {
	t.Helper()
	u, err := db.FindUserByIdentity(context.Background(), portal.ProviderLocal, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// rows returns each row of the body of the table sel, its cells' text joined by " | ".
func rows(r *response, sel string) []string {
	var out []string
	r.doc.Find(sel + " tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Find("td").Each(func(_ int, td *goquery.Selection) {
			cells = append(cells, strings.Join(strings.Fields(td.Text()), " "))
		})
		out = append(out, strings.Join(cells, " | "))
	})
	return out
}
