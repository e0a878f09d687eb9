package handlers_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
)

// TestResetByAdmin is the reset without e-mail: an admin creates the link, the person
// chooses a new password with it, and whoever was signed in as them is signed out.
func TestResetByAdmin(t *testing.T) {
	p := accountsServer(t, nil)
	_, adminCookie := p.Person(t, "admin@council.mn", hostileName, portal.RoleAdmin, "")
	u := member(t, p, "saraa@example.mn")
	login := post(t, p.Router, "/login", url.Values{"email": {u.Email}, "password": {password}})
	if login.Code != 303 || sessionCookie(login) == nil {
		t.Fatalf("login: %d", login.Code)
	}
	old := "portal_session=" + sessionCookie(login).Value

	r := post(t, p.Router, "/admin/people/"+u.ID+"/reset-link?lang=en", nil, "Cookie", adminCookie)
	if r.Code != http.StatusCreated || r.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("create reset link: %d, Cache-Control %q\n%.600s", r.Code, r.Header().Get("Cache-Control"), r.body)
	}
	link := shownLink(t, r)
	if !strings.HasPrefix(link, "/reset/") || !strings.Contains(r.text(".once"), "It works once") {
		t.Fatalf("link %q, box %q", link, r.text(".once"))
	}
	// Looking at the link uses nothing up, and shows whose password it is.
	if r := get(t, p.Router, "GET", link+"?lang=en"); r.Code != 200 || r.doc.Find(`input[type=email][value="saraa@example.mn"]`).Length() != 1 {
		t.Fatalf("reset page: %d\n%.600s", r.Code, r.body)
	}

	tests := []struct {
		name              string
		password, confirm string
		field, message    string
	}{
		{"empty", "", "", "password", "This field is required."},
		{"too short", "short", "short", "password", "too short"},
		{"common", "1234567890", "1234567890", "password", "most common"},
		{"personal", "saraa-forever-2026", "saraa-forever-2026", "password", "must not contain"},
		{"differ", "a long new password", "a long new passwort", "confirm", "not the same"},
		{"oversize", strings.Repeat("ж", 101), strings.Repeat("ж", 101), "password", "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, link+"?lang=en", url.Values{"password": {tt.password}, "confirm": {tt.confirm}})
			if r.Code != 400 || len(unmarked(r, tt.field)) > 0 || !strings.Contains(fieldError(r, tt.field), tt.message) {
				t.Fatalf("%d, %s message %q, want 400 and %q\n%.600s", r.Code, tt.field, fieldError(r, tt.field), tt.message, r.body)
			}
		})
	}

	const newPassword = "three wells on the road"
	r = post(t, p.Router, link, url.Values{"password": {newPassword}, "confirm": {newPassword}})
	if r.Code != 303 || r.Header().Get("Location") != "/profile" || sessionCookie(r) == nil {
		t.Fatalf("reset: %d %q", r.Code, r.Header().Get("Location"))
	}
	if r := get(t, p.Router, "GET", "/profile", "Cookie", "portal_session="+sessionCookie(r).Value); r.Code != 200 {
		t.Errorf("the new session does not work: %d", r.Code)
	}
	if r := get(t, p.Router, "GET", "/profile", "Cookie", old); r.Code != 303 {
		t.Errorf("the session from before the reset still works: %d", r.Code)
	}
	if r := post(t, p.Router, "/login", url.Values{"email": {u.Email}, "password": {newPassword}}); r.Code != 303 {
		t.Errorf("sign in with the new password: %d", r.Code)
	}
	if r := post(t, p.Router, link+"?lang=en", url.Values{"password": {newPassword}, "confirm": {newPassword}}); r.Code != http.StatusGone ||
		!strings.Contains(r.text(".reason"), "already been used") {
		t.Errorf("replayed link: %d %q", r.Code, r.text(".reason"))
	}
	// The audit log says who made the link, and never holds it.
	r = get(t, p.Router, "GET", "/admin/audit?lang=en", "Cookie", adminCookie)
	if !strings.Contains(r.body, "Created a password reset link") || strings.Contains(r.body, strings.TrimPrefix(link, "/reset/")) ||
		strings.Contains(r.body, "<script>") {
		t.Errorf("audit page after a reset link\n%.2000s", r.body)
	}
}

func TestResetLinkRefused(t *testing.T) {
	p := accountsServer(t, nil)
	admin, adminCookie := p.Person(t, "admin@council.mn", "Админ", portal.RoleAdmin, "")
	off, _ := p.Person(t, "off@example.mn", "Off", portal.RoleMember, "")
	if err := p.Accounts.SetDisabled(context.Background(), admin, off.ID, true); err != nil {
		t.Fatal(err)
	}
	if r := post(t, p.Router, "/admin/people/"+off.ID+"/reset-link?lang=en", nil, "Cookie", adminCookie); r.Code != http.StatusConflict ||
		!strings.Contains(r.text(".form-error"), "disabled") || r.doc.Find(".once").Length() != 0 {
		t.Errorf("reset link for a disabled person: %d %q", r.Code, r.text(".form-error"))
	}
	if r := post(t, p.Router, "/admin/people/"+admin.ID+"/reset-link", nil, "Cookie", adminCookie); r.Code != http.StatusForbidden {
		t.Errorf("reset link for oneself: %d, want 403", r.Code)
	}
	if r := post(t, p.Router, "/admin/people/nobody/reset-link", nil, "Cookie", adminCookie); r.Code != http.StatusNotFound {
		t.Errorf("reset link for nobody: %d, want 404", r.Code)
	}
	if r := get(t, p.Router, "GET", "/reset/no-such-link?lang=en"); r.Code != 400 || !strings.Contains(r.text(".reason"), "not valid") {
		t.Errorf("unknown reset link: %d %q", r.Code, r.text(".reason"))
	}
}

// TestResetRequestWithoutMail: with nothing to send a link with, the reset page sends
// people to an admin, answers every address alike, and creates no link.
func TestResetRequestWithoutMail(t *testing.T) {
	p := accountsServer(t, nil)
	p.Person(t, "saraa@example.mn", "Сараа", portal.RoleMember, "")
	if r := get(t, p.Router, "GET", "/reset?lang=en"); r.Code != 200 || !strings.Contains(r.text(".notice"), "ask an admin") {
		t.Fatalf("reset page: %d %q", r.Code, r.text(".notice"))
	}
	for _, email := range []string{"saraa@example.mn", "nobody@example.mn"} {
		if r := post(t, p.Router, "/reset", url.Values{"email": {email}}); r.Code != 303 || r.Header().Get("Location") != "/reset?sent=1" {
			t.Errorf("%s: %d %q", email, r.Code, r.Header().Get("Location"))
		}
	}
	if ts, err := p.DB.FindTokens(context.Background(), portal.TokenReset); err != nil || len(ts) != 0 {
		t.Errorf("%d reset links created without a mailer (%v)", len(ts), err)
	}
	if r := get(t, p.Router, "GET", "/reset?sent=1&lang=en"); !strings.Contains(r.text(".sent"), "no link was sent") {
		t.Errorf("answer %q", r.text(".sent"))
	}
	if r := get(t, p.Router, "GET", "/reset?lang=en"); r.doc.Find("form.stack").Length() != 0 {
		t.Errorf("the reset page offers a form that can send nothing")
	}
}

// fakeMailer keeps the links it is asked to send.
type fakeMailer struct {
	mu    sync.Mutex
	links map[string]string // e-mail → link
	fail  bool
}

func (m *fakeMailer) SendInvitation(_ context.Context, email string, _ portal.Language, _, _, link string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("smtp: connection refused")
	}
	m.links[email] = link
	return nil
}

func (m *fakeMailer) SendResetLink(_ context.Context, to *portal.User, link string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("smtp: connection refused")
	}
	m.links[to.Email] = link
	return nil
}

// wait returns a copy of the links sent once there are n of them, or after five seconds:
// reset links are sent after the answer.
func (m *fakeMailer) wait(n int) map[string]string {
	deadline := time.Now().Add(5 * time.Second)
	for {
		m.mu.Lock()
		links := maps.Clone(m.links)
		m.mu.Unlock()
		if len(links) >= n || time.Now().After(deadline) {
			return links
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestResetRequestByMail(t *testing.T) {
	mailer := &fakeMailer{links: map[string]string{}}
	p := accountsServer(t, func(h *handlers.Handlers) { h.Mailer = mailer })
	member(t, p, "saraa@example.mn")
	for _, email := range []string{"Saraa@Example.mn", "nobody@example.mn"} {
		if r := post(t, p.Router, "/reset", url.Values{"email": {email}}); r.Code != 303 || r.Header().Get("Location") != "/reset?sent=1" {
			t.Errorf("%s: %d %q", email, r.Code, r.Header().Get("Location"))
		}
	}
	if links := mailer.wait(1); len(links) != 1 || !strings.HasPrefix(links["saraa@example.mn"], baseURL+"/reset/") {
		t.Fatalf("links sent: %v", links)
	}
	if r := get(t, p.Router, "GET", "/reset?lang=en"); r.Code != 200 || r.doc.Find(`form.stack input[name="email"]`).Length() != 1 {
		t.Fatalf("reset page with mail: %d", r.Code)
	}
	tests := []struct{ name, email, message string }{
		{"empty", "", "required"},
		{"not an address", "saraa at example", "Enter one e-mail address"},
		{"oversize", strings.Repeat("a", 250) + "@example.mn", "too long"},
		{"escaping", `"><script>alert(1)</script>`, "Enter one e-mail address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, "/reset?lang=en", url.Values{"email": {tt.email}})
			if r.Code != 400 || !strings.Contains(fieldError(r, "email"), tt.message) || strings.Contains(r.body, "<script>") {
				t.Errorf("%d %q\n%.500s", r.Code, fieldError(r, "email"), r.body)
			}
		})
	}
	link := strings.TrimPrefix(mailer.links["saraa@example.mn"], baseURL)
	const newPassword = "long road to khanbogd"
	if r := post(t, p.Router, link, url.Values{"password": {newPassword}, "confirm": {newPassword}}); r.Code != 303 || sessionCookie(r) == nil {
		t.Fatalf("reset with the mailed link: %d", r.Code)
	}
	// A mail that fails reads the same to the person.
	mailer.fail = true
	if r := post(t, p.Router, "/reset", url.Values{"email": {"saraa@example.mn"}}); r.Code != 303 || r.Header().Get("Location") != "/reset?sent=1" {
		t.Errorf("failed mail: %d %q", r.Code, r.Header().Get("Location"))
	}
}
