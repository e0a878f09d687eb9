package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/internal/testkit/logtest"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/mail/mailtest"
)

// TestLogHoldsNoToken follows every one-time link from its creation to its use (and a
// replay, and mistyped addresses) through the real router, and reads the request log after
// each: it names the route, never the token. The pages of a link are kept out of caches
// and Referer headers.
func TestLogHoldsNoToken(t *testing.T) {
	var log logtest.Buffer
	smtp := mailtest.Start(t, mailtest.Options{})
	p := portaltest.New(t, portaltest.Options{BaseURL: baseURL, Logger: log.Logger(),
		Configure: func(h *handlers.Handlers) { h.Mailer = smtpMailer(t, smtp.Addr()) }})
	ctx := context.Background()
	admin, _ := p.Person(t, "admin@council.mn", hostileName, portal.RoleAdmin, "")
	u := member(t, p, "saraa@example.mn")

	// checkPage checks the headers of a page whose address carries a token.
	checkPage := func(t *testing.T, r *response, status int) {
		t.Helper()
		if r.Code != status {
			t.Fatalf("status %d, want %d\n%.600s", r.Code, status, r.body)
		}
		if cc, rp := r.Header().Get("Cache-Control"), r.Header().Get("Referrer-Policy"); cc != "no-store" || rp != "no-referrer" {
			t.Errorf("Cache-Control %q, Referrer-Policy %q; want no-store, no-referrer", cc, rp)
		}
	}
	// checkLog fails when the log holds token, and when it does not show the route.
	checkLog := func(t *testing.T, token, route string) {
		t.Helper()
		s := log.String()
		if strings.Contains(s, token) || strings.Contains(s, url.PathEscape(token)) {
			t.Errorf("the log holds the token:\n%s", s)
		}
		if !strings.Contains(s, "path="+route+" ") {
			t.Errorf("the log does not show %s:\n%s", route, s)
		}
	}

	t.Run("invitation", func(t *testing.T) {
		token, _, err := p.Accounts.Invite(ctx, admin, "csr@oyutolgoi.mn", portal.RoleModerator, "")
		if err != nil {
			t.Fatal(err)
		}
		checkPage(t, get(t, p.Router, "GET", "/invitations/"+token), http.StatusOK)
		const pw = "camel caravan at dawn"
		form := url.Values{"email": {"csr@oyutolgoi.mn"}, "name": {"Оюунчимэг"}, "password": {pw}, "confirm": {"not the same"}}
		checkPage(t, post(t, p.Router, "/invitations/"+token, form), http.StatusBadRequest)
		form.Set("confirm", pw)
		checkPage(t, post(t, p.Router, "/invitations/"+token, form), http.StatusSeeOther)
		checkPage(t, get(t, p.Router, "GET", "/invitations/"+token), http.StatusGone)
		checkLog(t, token, "/invitations/:token")
	})

	t.Run("reset", func(t *testing.T) {
		if r := post(t, p.Router, "/reset", url.Values{"email": {u.Email}}); r.Code != http.StatusSeeOther {
			t.Fatalf("reset request: %d", r.Code)
		}
		msgs := smtp.WaitMessages(1)
		if len(msgs) != 1 {
			t.Fatalf("%d messages", len(msgs))
		}
		link := mailedLink(t, msgs[0], "/reset/")
		token := strings.TrimPrefix(link, "/reset/")
		checkPage(t, get(t, p.Router, "GET", link), http.StatusOK)
		const pw = "long road to khanbogd"
		checkPage(t, post(t, p.Router, link, url.Values{"password": {pw}, "confirm": {pw}}), http.StatusSeeOther)
		checkPage(t, post(t, p.Router, link, url.Values{"password": {pw}, "confirm": {pw}}), http.StatusGone)
		checkLog(t, token, "/reset/:token")
	})

	t.Run("one-time sign-in link", func(t *testing.T) {
		token, err := p.Accounts.IssueSignInLink(ctx, "", u.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkPage(t, get(t, p.Router, "GET", "/login/link/"+token), http.StatusOK)
		checkPage(t, post(t, p.Router, "/login/link/"+token, nil), http.StatusSeeOther)
		checkLog(t, token, "/login/link/:token")
	})

	// Addresses no route answers: a link with something after it, a mistyped prefix, a
	// token alone. The 404 is logged without the token.
	t.Run("not found", func(t *testing.T) {
		token, err := p.Accounts.IssueSignInLink(ctx, "", u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{"/login/link/" + token + "/more", "/invitation/" + token, "/" + token, "/reset/" + token + "/x"} {
			if r := get(t, p.Router, "GET", target); r.Code != http.StatusNotFound {
				t.Errorf("%s: %d", target, r.Code)
			}
		}
		checkLog(t, token, "/login/link/:token/more")
		for _, want := range []string{"path=/invitation/:token ", "path=/:token ", "path=/reset/:token/x "} {
			if !strings.Contains(log.String(), want) {
				t.Errorf("the log has no %q", want)
			}
		}
	})

	// Escaping: a path with markup, one that tries to forge a log line and a long slug
	// are logged as text; only tokens are replaced.
	t.Run("other paths", func(t *testing.T) {
		for _, target := range []string{"/guidelines/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/guidelines/x%0Alevel=ERROR%20msg=forged",
			"/guidelines/supporting-truck-drivers-against-forced-labour"} {
			get(t, p.Router, "GET", target)
		}
		for _, want := range []string{"path=/guidelines/<script>alert(1)</script> ", `path="/guidelines/x\nlevel=ERROR msg=forged"`,
			"path=/guidelines/supporting-truck-drivers-against-forced-labour "} {
			if !strings.Contains(log.String(), want) {
				t.Errorf("the log has no %s:\n%s", want, log.String())
			}
		}
	})
}

func TestSecretRoute(t *testing.T) {
	for pattern, want := range map[string]bool{
		"/reset/:token": true, "/invitations/:token": true, "/login/link/:token": true, "/a//:token": true,
		"/login/link/:token/": true, ":token": true,
		"/guidelines/:slug": false, "/reset": false, "/tokens/:id": false, "/:tokens": false, "": false, "/": false,
	} {
		if got := handlers.SecretRoute(pattern); got != want {
			t.Errorf("SecretRoute(%q) = %v, want %v", pattern, got, want)
		}
	}
}
