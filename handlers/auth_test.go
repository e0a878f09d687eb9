package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

const password = "steppe-wind-2026"

// member creates a member with a password and returns them.
func member(t *testing.T, p *portaltest.Portal, email string) *portal.User {
	t.Helper()
	hash, err := accounts.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	u := &portal.User{Email: email, Name: "Сарангэрэл <b>Б.</b>", Role: portal.RoleMember, PasswordHash: hash,
		Identities: []portal.Identity{{Provider: portal.ProviderLocal, Subject: email}}}
	if err := p.Accounts.CreateUser(context.Background(), "", u); err != nil {
		t.Fatal(err)
	}
	return u
}

// post submits a form through the router; header pairs follow.
func post(t *testing.T, h http.Handler, target string, form url.Values, header ...string) *response {
	t.Helper()
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := &response{ResponseRecorder: rec, body: rec.Body.String()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		r.doc, _ = goquery.NewDocumentFromReader(strings.NewReader(r.body))
	}
	return r
}

func sessionCookie(r *response) *http.Cookie {
	for _, c := range r.Result().Cookies() {
		if c.Name == "portal_session" {
			return c
		}
	}
	return nil
}

func TestLogin(t *testing.T) {
	p := newServer(t)
	member(t, p, "saraa@example.org")
	tests := []struct {
		name      string
		form      url.Values
		status    int
		location  string
		message   string // in .form-error
		invalid   []string
		absent    []string
		signedIn  bool
		cookieSet bool
	}{
		{name: "empty form", form: url.Values{"lang": {"en"}}, status: 400, invalid: []string{"email", "password"}},
		{name: "wrong password", form: url.Values{"email": {"saraa@example.org"}, "password": {"wrong-password-1"}}, status: 401,
			message: "И-мэйл эсвэл нууц үг буруу байна."},
		{name: "unknown e-mail reads the same", form: url.Values{"email": {"nobody@example.org"}, "password": {"wrong-password-1"}}, status: 401,
			message: "И-мэйл эсвэл нууц үг буруу байна."},
		{name: "oversize password", form: url.Values{"email": {"saraa@example.org"}, "password": {strings.Repeat("x", 201)}}, status: 400,
			invalid: []string{"password"}},
		{name: "success", form: url.Values{"email": {"Saraa@Example.org"}, "password": {password}, "return_to": {"/guidelines?status=open"}},
			status: 303, location: "/guidelines?status=open", cookieSet: true},
		{name: "open redirect", form: url.Values{"email": {"saraa@example.org"}, "password": {password}, "return_to": {"https://evil.example/"}},
			status: 303, location: "/", cookieSet: true},
		{name: "protocol-relative redirect", form: url.Values{"email": {"saraa@example.org"}, "password": {password}, "return_to": {"//evil.example"}},
			status: 303, location: "/", cookieSet: true},
		{name: "backslash redirect", form: url.Values{"email": {"saraa@example.org"}, "password": {password}, "return_to": {"/\\evil.example"}},
			status: 303, location: "/", cookieSet: true},
		{name: "escaping", form: url.Values{"email": {`"><script>alert(1)</script>`}, "password": {"x"}}, status: 401,
			absent: []string{"<script>alert(1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, "/login", tt.form)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d\n%.500s", r.Code, tt.status, r.body)
			}
			if tt.location != "" && r.Header().Get("Location") != tt.location {
				t.Errorf("Location %q, want %q", r.Header().Get("Location"), tt.location)
			}
			if tt.message != "" && !strings.Contains(r.text(".form-error"), tt.message) {
				t.Errorf("message %q, want %q", r.text(".form-error"), tt.message)
			}
			for _, f := range tt.invalid {
				if r.doc == nil || r.doc.Find(`input[name="`+f+`"][aria-invalid="true"]`).Length() != 1 {
					t.Errorf("field %s is not marked invalid", f)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(r.body, s) {
					t.Errorf("body contains %q", s)
				}
			}
			c := sessionCookie(r)
			if tt.cookieSet != (c != nil && c.Value != "") {
				t.Fatalf("session cookie %+v, want set: %v", c, tt.cookieSet)
			}
			if c != nil && (!c.HttpOnly || c.SameSite != http.SameSiteLaxMode) {
				t.Errorf("session cookie not HttpOnly/Lax: %+v", c)
			}
		})
	}
}

func TestSessionLifecycle(t *testing.T) {
	p := newServer(t)
	u := member(t, p, "bold@example.org")
	login := func() string {
		t.Helper()
		r := post(t, p.Router, "/login", url.Values{"email": {"bold@example.org"}, "password": {password}})
		c := sessionCookie(r)
		if r.Code != 303 || c == nil {
			t.Fatalf("login: %d", r.Code)
		}
		return "portal_session=" + c.Value
	}
	// A visitor is sent to sign in, and back.
	if r := get(t, p.Router, "GET", "/profile"); r.Code != 303 || r.Header().Get("Location") != "/login?return_to=%2Fprofile" {
		t.Fatalf("visitor profile: %d %q", r.Code, r.Header().Get("Location"))
	}
	first, second := login(), login()
	r := get(t, p.Router, "GET", "/profile?lang=en", "Cookie", first)
	if r.Code != 200 || r.text(".role") != "Member" || !strings.Contains(r.body, "Сарангэрэл &lt;b&gt;Б.&lt;/b&gt;") {
		t.Fatalf("profile: %d role %q\n%.400s", r.Code, r.text(".role"), r.body)
	}
	// Signing out ends this session only.
	post(t, p.Router, "/logout", nil, "Cookie", first)
	if r := get(t, p.Router, "GET", "/profile", "Cookie", first); r.Code != 303 {
		t.Errorf("profile after sign-out: %d, want a redirect to sign in", r.Code)
	}
	if r := get(t, p.Router, "GET", "/profile", "Cookie", second); r.Code != 200 {
		t.Fatalf("the other session ended too: %d", r.Code)
	}
	// Sign out everywhere ends every session.
	third := login()
	if r := post(t, p.Router, "/profile/sessions/end", nil, "Cookie", second); r.Code != 303 {
		t.Fatalf("sign out everywhere: %d", r.Code)
	}
	for _, c := range []string{second, third} {
		if r := get(t, p.Router, "GET", "/profile", "Cookie", c); r.Code != 303 {
			t.Errorf("a session survived sign out everywhere: %d", r.Code)
		}
	}
	// Disabling the person ends their sessions at once.
	fourth := login()
	admin := &portal.User{ID: "admin", Role: portal.RoleAdmin}
	if err := p.Accounts.SetDisabled(context.Background(), admin, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if r := get(t, p.Router, "GET", "/profile", "Cookie", fourth); r.Code != 303 {
		t.Errorf("a disabled person's session still works: %d", r.Code)
	}
	if r := post(t, p.Router, "/login", url.Values{"email": {"bold@example.org"}, "password": {password}}); r.Code != 401 {
		t.Errorf("a disabled person signed in: %d", r.Code)
	}
}

func TestLoginThrottled(t *testing.T) {
	p := newServer(t)
	member(t, p, "tuya@example.org")
	var r *response
	for range 7 {
		r = post(t, p.Router, "/login?lang=en", url.Values{"email": {"tuya@example.org"}, "password": {"not-the-password"}})
	}
	if r.Code != http.StatusTooManyRequests || !strings.Contains(r.text(".form-error"), "Too many attempts") {
		t.Fatalf("after 7 failures: %d %q", r.Code, r.text(".form-error"))
	}
	// Even the right password waits now.
	if r := post(t, p.Router, "/login", url.Values{"email": {"tuya@example.org"}, "password": {password}}); r.Code != http.StatusTooManyRequests {
		t.Errorf("right password while throttled: %d, want 429", r.Code)
	}
}

func TestSignInLinkIsSingleUse(t *testing.T) {
	p := newServer(t)
	u := member(t, p, "link@example.org")
	token, err := p.Accounts.IssueSignInLink(context.Background(), "", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Following the link shows a button; only pressing it signs in.
	if r := get(t, p.Router, "GET", "/login/link/"+token); r.Code != 200 || sessionCookie(r) != nil {
		t.Fatalf("GET link: %d", r.Code)
	}
	r := post(t, p.Router, "/login/link/"+token, nil)
	if r.Code != 303 || sessionCookie(r) == nil {
		t.Fatalf("POST link: %d", r.Code)
	}
	if r := post(t, p.Router, "/login/link/"+token+"?lang=en", nil); r.Code != 400 || !strings.Contains(r.body, "not valid") {
		t.Fatalf("replayed link: %d", r.Code)
	}
}

// TestSignInLinkKeepsTheLanguage: a newcomer reads the link's page in the browser's language
// (here English, while the account's default is Mongolian); signing in keeps it for the next
// page, choosing a password, instead of switching to the account's language.
func TestSignInLinkKeepsTheLanguage(t *testing.T) {
	p := newServer(t)
	u := member(t, p, "newcomer@example.org")
	u, err := p.Accounts.UpdateProfile(context.Background(), u.ID, u.Name, portal.Mongolian)
	if err != nil {
		t.Fatal(err)
	}
	token, err := p.Accounts.IssueSignInLink(context.Background(), "", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := get(t, p.Router, "GET", "/login/link/"+token, "Accept-Language", "en-US,en;q=0.9")
	action := r.doc.Find(`form[method="post"][action^="/login/link/"]`).AttrOr("action", "")
	if r.Code != 200 || r.text("h1") == "" || !strings.HasSuffix(action, "?lang=en") {
		t.Fatalf("link page: %d, form action %q, want the page's language in it", r.Code, action)
	}
	r = post(t, p.Router, action, nil, "Accept-Language", "en-US,en;q=0.9")
	var langs []string
	for _, c := range r.Result().Cookies() {
		if c.Name == "lang" {
			langs = append(langs, c.Value)
		}
	}
	if r.Code != 303 || sessionCookie(r) == nil || len(langs) != 1 || langs[0] != "en" {
		t.Fatalf("POST link: %d, lang cookies %q, want one, en", r.Code, langs)
	}
	// An escaping case: a token that is markup is only ever a path segment.
	r = get(t, p.Router, "GET", "/login/link/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
	if strings.Contains(r.body, "<script>alert(1)") {
		t.Error("a token's markup reached the page")
	}
}

func TestCrossSiteLoginRefused(t *testing.T) {
	p := newServer(t)
	member(t, p, "x@example.org")
	r := post(t, p.Router, "/login", url.Values{"email": {"x@example.org"}, "password": {password}},
		"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if r.Code != http.StatusForbidden || sessionCookie(r) != nil {
		t.Fatalf("cross-site login: %d", r.Code)
	}
}

func TestProfileEdit(t *testing.T) {
	p := newServer(t)
	member(t, p, "edit@example.org")
	r := post(t, p.Router, "/login", url.Values{"email": {"edit@example.org"}, "password": {password}})
	cookie := "portal_session=" + sessionCookie(r).Value
	tests := []struct {
		name    string
		form    url.Values
		status  int
		invalid string
	}{
		{"empty name", url.Values{"name": {" "}, "language": {"en"}}, 400, "name"},
		{"oversize name", url.Values{"name": {strings.Repeat("н", 201)}, "language": {"en"}}, 400, "name"},
		{"unknown language", url.Values{"name": {"Saraa"}, "language": {"fr"}}, 400, "language"},
		{"NUL in the name", url.Values{"name": {"Сараа\x00"}, "language": {"en"}}, 400, "name"},
		{"terminal escape in the name", url.Values{"name": {"Saraa\x1b]0;owned\x07"}, "language": {"en"}}, 400, "name"},
		{"bidi control in the name", url.Values{"name": {"Сараа \u202eнимда"}, "language": {"en"}}, 400, "name"},
		{"escaping", url.Values{"name": {"<script>alert(1)</script>"}, "language": {"en"}}, 303, ""},
		{"saved", url.Values{"name": {"Сараа Б."}, "language": {"en"}}, 303, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, "/profile", tt.form, "Cookie", cookie)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d\n%.400s", r.Code, tt.status, r.body)
			}
			if tt.invalid != "" && r.doc.Find(`[name="`+tt.invalid+`"][aria-invalid="true"]`).Length() != 1 {
				t.Errorf("field %s not marked", tt.invalid)
			}
		})
	}
	// A bidi control is refused with its own message, in the person's language.
	r = post(t, p.Router, "/profile?lang=mn", url.Values{"name": {"\u2067Сараа"}, "language": {"mn"}}, "Cookie", cookie)
	if msg := fieldError(r, "name"); r.Code != 400 || !strings.Contains(msg, "бичвэрийн чиглэлийг өөрчилдөг") {
		t.Errorf("bidi control in the name: %d %q", r.Code, msg)
	}
	// The page now speaks English (the preferred language) and shows the new name, escaped.
	r = get(t, p.Router, "GET", "/profile", "Cookie", cookie+"; lang=en")
	if r.Code != 200 || !strings.Contains(r.body, `value="Сараа Б."`) || r.text("h1") != "Your profile" {
		t.Fatalf("profile after saving: %d %q", r.Code, r.text("h1"))
	}
	if strings.Contains(r.body, "<script>alert(1)") {
		t.Error("unescaped name")
	}
	// Signing in again sets the preferred language for the browser.
	r = post(t, p.Router, "/login", url.Values{"email": {"edit@example.org"}, "password": {password}})
	found := false
	for _, c := range r.Result().Cookies() {
		found = found || (c.Name == "lang" && c.Value == "en")
	}
	if !found {
		t.Error("sign-in did not set the preferred language")
	}
	// Unless the request chooses a language itself: the choice stands, with one lang cookie.
	r = post(t, p.Router, "/login?lang=mn", url.Values{"email": {"edit@example.org"}, "password": {password}})
	var langs []string
	for _, c := range r.Result().Cookies() {
		if c.Name == "lang" {
			langs = append(langs, c.Value)
		}
	}
	if len(langs) != 1 || langs[0] != "mn" {
		t.Errorf("sign-in with ?lang=mn sets the lang cookies %q, want only mn", langs)
	}
}
