package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// useSignInLink presses the button of a one-time sign-in link and returns the Cookie
// header value of the session it begins, checking that it leads to choosing a password.
func useSignInLink(t *testing.T, p *portaltest.Portal, link string) string {
	t.Helper()
	r := post(t, p.Router, link, nil)
	if r.Code != http.StatusSeeOther || r.Header().Get("Location") != "/profile/password" || sessionCookie(r) == nil {
		t.Fatalf("sign-in link: %d %q", r.Code, r.Header().Get("Location"))
	}
	return "portal_session=" + sessionCookie(r).Value
}

// TestChoosePasswordAfterLink is the first admin's way in: the link from portal user create
// signs them in and leads to "choose your password", which nothing else gets past; the
// rules are the reset's, each refusal summarised at the top in the user's language; once
// chosen, this browser gets a new session, the link's session ends, and the password signs
// in.
func TestChoosePasswordAfterLink(t *testing.T) {
	p := accountsServer(t, nil)
	admin := &portal.User{Email: "first@council.mn", Name: hostileName, Role: portal.RoleAdmin}
	cookie := useSignInLink(t, p, p.SignInLink(t, admin))

	// Nothing but the password page, signing out and a provider opens first.
	for _, path := range []string{"/profile", "/admin", "/guidelines", "/no-such-page"} {
		if r := get(t, p.Router, "GET", path, "Cookie", cookie); r.Code != http.StatusSeeOther || r.Header().Get("Location") != "/profile/password" {
			t.Errorf("GET %s before choosing a password: %d %q", path, r.Code, r.Header().Get("Location"))
		}
	}
	if r := post(t, p.Router, "/profile", url.Values{"name": {"Changed"}, "language": {"en"}}, "Cookie", cookie); r.Code != http.StatusSeeOther ||
		r.Header().Get("Location") != "/profile/password" {
		t.Errorf("POST /profile before choosing a password: %d %q", r.Code, r.Header().Get("Location"))
	}

	r := get(t, p.Router, "GET", "/profile/password?lang=en", "Cookie", cookie)
	if r.Code != 200 || r.text("main h1") != "Choose your password" || r.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("choose-password page: %d %q %q", r.Code, r.text("main h1"), r.Header().Get("Cache-Control"))
	}
	if r.doc.Find(`input[name="current"]`).Length() != 0 || r.doc.Find(`input[type=email][autocomplete=username][value="first@council.mn"]`).Length() != 1 {
		t.Error("the page asks for a current password, or does not name the account for a password manager")
	}
	if r.doc.Find(`.password-later a[href="/profile"]`).Length() != 0 || r.doc.Find(`main form.password-later[action="/logout"] button`).Length() != 1 {
		t.Error("a person without a provider may skip the page, or cannot sign out")
	}
	if strings.Contains(r.body, "<script>alert(") || !strings.Contains(r.body, "&lt;script&gt;alert(") {
		t.Error("the hostile name is not shown as text")
	}

	const hostileValue = `"><script>alert(1)</script>`
	tests := []struct {
		name, lang, password, confirm string
		ids                           []string // the summary's links, in order
		message                       string   // the first field's message
	}{
		{"empty", "en", "", "", []string{"password"}, "This field is required."},
		{"too short", "mn", "богино", "богино", []string{"password"}, "Нууц үг хэт богино байна."},
		{"common", "en", "1234567890", "1234567890", []string{"password"}, "most common"},
		{"personal", "en", "first-council-2026", "first-council-2026", []string{"password"}, "must not contain"},
		{"differ", "mn", "говийн салхи 2026", "говийн салхи 2027", []string{"confirm"}, "Хоёр нууц үг ижил биш"},
		{"oversize", "en", strings.Repeat("ж", 101), strings.Repeat("ж", 101), []string{"password", "confirm"}, "too long"},
		{"escaping", "en", hostileValue, "x" + hostileValue, []string{"confirm"}, "not the same"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, "/profile/password?lang="+tt.lang, url.Values{"password": {tt.password}, "confirm": {tt.confirm}},
				"Cookie", cookie)
			if r.Code != http.StatusBadRequest {
				t.Fatalf("status %d\n%.600s", r.Code, r.body)
			}
			checkErrorSummary(t, r, tt.lang, tt.ids...)
			checkSummaryLabelled(t, r)
			if msg := fieldError(r, tt.ids[0]); !strings.Contains(msg, tt.message) {
				t.Errorf("%s says %q, want %q", tt.ids[0], msg, tt.message)
			}
			if r.text("main h1") == "" || strings.Contains(r.body, "<script>alert(1)") || strings.Contains(r.body, "alert(1)") {
				t.Error("the page gives a password back, or runs it")
			}
		})
	}
	if u, err := p.DB.FindUser(context.Background(), admin.ID); err != nil || u.PasswordHash != "" {
		t.Fatalf("a refused password was stored (%v)", err)
	}

	const chosen = "говийн салхи 2026 он"
	r = post(t, p.Router, "/profile/password", url.Values{"password": {chosen}, "confirm": {chosen}}, "Cookie", cookie)
	if r.Code != http.StatusSeeOther || r.Header().Get("Location") != "/profile?password=1" || sessionCookie(r) == nil {
		t.Fatalf("choose a password: %d %q", r.Code, r.Header().Get("Location"))
	}
	fresh := "portal_session=" + sessionCookie(r).Value
	if r := get(t, p.Router, "GET", "/profile?password=1&lang=en", "Cookie", fresh); r.Code != 200 ||
		!strings.Contains(r.text(".notice"), "Your password is saved") || r.doc.Find(`input[name="current"]`).Length() != 1 {
		t.Errorf("profile after choosing: %d %q", r.Code, r.text(".notice"))
	}
	if r := get(t, p.Router, "GET", "/profile", "Cookie", cookie); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header().Get("Location"), "/login") {
		t.Errorf("the link's session outlived the password: %d %q", r.Code, r.Header().Get("Location"))
	}
	post(t, p.Router, "/logout", nil, "Cookie", fresh)
	if r := post(t, p.Router, "/login", url.Values{"email": {"first@council.mn"}, "password": {chosen}}); r.Code != http.StatusSeeOther {
		t.Errorf("sign in with the chosen password: %d", r.Code)
	}
	_, adminCookie := p.Person(t, "second@council.mn", "Second", portal.RoleAdmin, "")
	if r := get(t, p.Router, "GET", "/admin/audit?lang=en", "Cookie", adminCookie); !strings.Contains(r.body, "Set their first password") {
		t.Error("the audit log does not show the first password")
	}
}

// TestChoosePasswordSkippable: a person who signs in with a provider may skip choosing a
// password after a one-time link.
func TestChoosePasswordSkippable(t *testing.T) {
	p := accountsServer(t, nil)
	u := &portal.User{Email: "sso@gobi.mn", Name: "Provider Person", Role: portal.RoleMember,
		Identities: []portal.Identity{{Provider: "oidc-gov", Subject: "sub-1", Email: "sso@gobi.mn"}}}
	cookie := useSignInLink(t, p, p.SignInLink(t, u))
	r := get(t, p.Router, "GET", "/profile/password?lang=en", "Cookie", cookie)
	if r.Code != 200 || r.doc.Find(`.password-later a[href="/profile"]`).Length() != 1 || !strings.Contains(r.body, "oidc-gov") {
		t.Fatalf("choose-password page for a provider's person: %d\n%.800s", r.Code, r.body)
	}
	if r := get(t, p.Router, "GET", "/profile", "Cookie", cookie); r.Code != 200 {
		t.Errorf("skipping: %d", r.Code)
	}
}

// TestProfilePasswordChange: every signed-in person changes their password on the profile,
// giving the current one when they have one; a refusal shows the profile again with the
// problems summarised at the top in the user's language; a change signs out every other
// session and keeps this browser signed in.
func TestProfilePasswordChange(t *testing.T) {
	p := accountsServer(t, nil)
	u := member(t, p, "saraa@example.mn")
	login := func() string {
		t.Helper()
		r := post(t, p.Router, "/login", url.Values{"email": {u.Email}, "password": {password}})
		if r.Code != http.StatusSeeOther || sessionCookie(r) == nil {
			t.Fatalf("login: %d", r.Code)
		}
		return "portal_session=" + sessionCookie(r).Value
	}
	cookie, elsewhere := login(), login()
	r := get(t, p.Router, "GET", "/profile?lang=en", "Cookie", cookie)
	form := r.doc.Find(`form[action="/profile/password"]`)
	if r.Code != 200 || form.Find(`input[name="current"][autocomplete="current-password"]`).Length() != 1 ||
		form.Find(`input[name="password"][autocomplete="new-password"]`).Length() != 1 || form.Find(`input[name="on"][value="profile"]`).Length() != 1 {
		t.Fatalf("profile: %d, password form %q", r.Code, form.Text())
	}

	const next, hostileValue = "a new moon over the dunes", `"><script>alert(1)</script>`
	tests := []struct {
		name, lang                 string
		current, password, confirm string
		ids                        []string
		message                    string
	}{
		{"all empty", "en", "", "", "", []string{"current", "password"}, "This field is required."},
		{"no current", "mn", "", next, next, []string{"current"}, "Энэ талбарыг бөглөнө үү."},
		{"wrong current", "en", "not my password", next, next, []string{"current"}, "This is not your current password."},
		{"wrong current in Mongolian", "mn", "нууц үг биш", next, next, []string{"current"}, "Энэ таны одоогийн нууц үг биш байна."},
		{"too short", "en", password, "short", "short", []string{"password"}, "too short"},
		{"differ", "en", password, next, next + "!", []string{"confirm"}, "not the same"},
		{"escaping", "en", hostileValue, hostileValue + "x", hostileValue + "x", []string{"current"}, "not your current password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, "/profile/password?lang="+tt.lang,
				url.Values{"on": {"profile"}, "current": {tt.current}, "password": {tt.password}, "confirm": {tt.confirm}}, "Cookie", cookie)
			if r.Code != http.StatusBadRequest || r.doc.Find(".profile .facts").Length() != 1 {
				t.Fatalf("status %d, not the profile\n%.600s", r.Code, r.body)
			}
			checkErrorSummary(t, r, tt.lang, tt.ids...)
			checkSummaryLabelled(t, r)
			if msg := fieldError(r, tt.ids[0]); !strings.Contains(msg, tt.message) {
				t.Errorf("%s says %q, want %q", tt.ids[0], msg, tt.message)
			}
			if strings.Contains(r.body, "alert(1)") {
				t.Error("a password was given back")
			}
		})
	}
	// Guessing the current password is throttled as signing in is (two wrong ones above).
	for range accounts.FreeFailures {
		r = post(t, p.Router, "/profile/password?lang=en", url.Values{"on": {"profile"}, "current": {"a guess"}, "password": {next}, "confirm": {next}},
			"Cookie", cookie)
	}
	if r.Code != http.StatusTooManyRequests || !strings.Contains(r.text(".error-summary"), "Too many attempts") {
		t.Fatalf("after seven wrong guesses: %d %q", r.Code, r.text(".error-summary"))
	}
	if got, _ := p.DB.FindUser(context.Background(), u.ID); got.PasswordHash != u.PasswordHash {
		t.Fatal("a refused change was stored")
	}
	if r := get(t, p.Router, "GET", "/profile", "Cookie", elsewhere); r.Code != 200 {
		t.Errorf("a refused change ended another session: %d", r.Code)
	}
}

// TestProfilePasswordChanged: the change itself, and a first password for someone who has
// none.
func TestProfilePasswordChanged(t *testing.T) {
	p := accountsServer(t, nil)
	u := member(t, p, "oyun@example.mn")
	var cookies []string
	for range 2 {
		r := post(t, p.Router, "/login", url.Values{"email": {u.Email}, "password": {password}})
		cookies = append(cookies, "portal_session="+sessionCookie(r).Value)
	}
	const next = "a new moon over the dunes"
	r := post(t, p.Router, "/profile/password", url.Values{"on": {"profile"}, "current": {password}, "password": {next}, "confirm": {next}},
		"Cookie", cookies[0])
	if r.Code != http.StatusSeeOther || r.Header().Get("Location") != "/profile?password=1" || sessionCookie(r) == nil {
		t.Fatalf("change: %d %q", r.Code, r.Header().Get("Location"))
	}
	if r := get(t, p.Router, "GET", "/profile", "Cookie", "portal_session="+sessionCookie(r).Value); r.Code != 200 {
		t.Errorf("this browser was signed out: %d", r.Code)
	}
	for i, c := range cookies {
		if r := get(t, p.Router, "GET", "/profile", "Cookie", c); r.Code != http.StatusSeeOther {
			t.Errorf("session %d outlived the change: %d", i, r.Code)
		}
	}
	if r := post(t, p.Router, "/login", url.Values{"email": {u.Email}, "password": {password}}); r.Code != http.StatusUnauthorized {
		t.Errorf("the old password still signs in: %d", r.Code)
	}
	if r := post(t, p.Router, "/login", url.Values{"email": {u.Email}, "password": {next}}); r.Code != http.StatusSeeOther {
		t.Errorf("the new password does not sign in: %d", r.Code)
	}

	// Someone without a password sets one without a current one.
	none, cookie := p.Person(t, "nopass@example.mn", "Nopass", portal.RoleMember, "")
	r = get(t, p.Router, "GET", "/profile?lang=en", "Cookie", cookie)
	if !strings.Contains(r.body, "You have no password yet") || r.doc.Find(`input[name="current"]`).Length() != 0 {
		t.Fatalf("profile of someone without a password\n%.800s", r.body)
	}
	r = post(t, p.Router, "/profile/password", url.Values{"on": {"profile"}, "password": {next}, "confirm": {next}}, "Cookie", cookie)
	if r.Code != http.StatusSeeOther {
		t.Fatalf("first password: %d\n%.600s", r.Code, r.body)
	}
	if r := post(t, p.Router, "/login", url.Values{"email": {none.Email}, "password": {next}}); r.Code != http.StatusSeeOther {
		t.Errorf("the first password does not sign in: %d", r.Code)
	}
}
