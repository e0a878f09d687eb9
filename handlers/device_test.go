package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gobidialogue/portal/handlers"
)

// deviceCookie returns the device cookie a response sets, or nil.
func deviceCookie(r *response) *http.Cookie {
	for _, c := range r.Result().Cookies() {
		if c.Name == handlers.DeviceCookie {
			return c
		}
	}
	return nil
}

// TestLoginDeviceCookie: guesses lock an account for every browser but the one its owner
// signed in with before, which keeps a device cookie; the wait is worded right in both
// languages.
func TestLoginDeviceCookie(t *testing.T) {
	p := newServer(t)
	u := member(t, p, "tuya@example.org")
	r := post(t, p.Router, "/login", url.Values{"email": {u.Email}, "password": {password}})
	dc := deviceCookie(r)
	if r.Code != 303 || dc == nil || dc.Value == "" || dc.Path != "/login" || !dc.HttpOnly || dc.SameSite != http.SameSiteStrictMode || dc.MaxAge <= 0 {
		t.Fatalf("sign-in: %d, device cookie %+v", r.Code, dc)
	}
	device := handlers.DeviceCookie + "=" + dc.Value
	for range 7 {
		post(t, p.Router, "/login", url.Values{"email": {u.Email}, "password": {"not-the-password"}})
	}
	tests := []struct {
		name, email, password, cookie string
		status                        int
		message                       string
	}{
		{"new browser, English", u.Email, password, "lang=en", 429, "Please wait 1 minute and try again."},
		{"new browser, Mongolian", u.Email, password, "lang=mn", 429, "1 минут хүлээгээд"},
		{"another account's device cookie", u.Email, password, handlers.DeviceCookie + "=bm90LWEtdG9rZW4tb2YtdGhlLXBvcnRhbC1hdC1hbGwtYWJj; lang=en", 429, "Too many attempts"},
		{"the owner's browser, wrong password", u.Email, "still-not-it", device + "; lang=en", 401, ""},
		{"escaping", `"><script>alert(1)</script>`, password, device + "; lang=en", 429, "Too many attempts"},
		{"the owner's browser", u.Email, password, device, 303, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, "/login", url.Values{"email": {tt.email}, "password": {tt.password}}, "Cookie", tt.cookie)
			if r.Code != tt.status || !strings.Contains(r.text(".form-error"), tt.message) {
				t.Fatalf("%d %q, want %d %q", r.Code, r.text(".form-error"), tt.status, tt.message)
			}
			if strings.Contains(r.body, "<script>") {
				t.Error("markup let through")
			}
			if tt.status == 303 && (sessionCookie(r) == nil || deviceCookie(r) == nil || deviceCookie(r).Value != dc.Value) {
				t.Errorf("the owner's browser is not signed in, or lost its device cookie")
			}
		})
	}
}
