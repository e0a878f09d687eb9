package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/oauth2-proxy/mockoidc"
)

// oidcPortal serves the portal on a real port, with mockoidc as the OpenID Connect
// provider "oidc-gov", and returns the portal, its URL and the provider.
func oidcPortal(t *testing.T) (*portaltest.Portal, string, *mockoidc.MockOIDC) {
	t.Helper()
	p := portaltest.New(t, portaltest.Options{Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	base, m := p.ServeOIDC(t)
	return p, base, m
}

// browserClient follows redirects and keeps cookies, like a browser.
func browserClient(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second}
}

func fetch(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestOIDCSignIn(t *testing.T) {
	p, base, m := oidcPortal(t)
	ctx := context.Background()
	svc := p.Accounts
	admin := &portal.User{Email: "admin@example.org", Name: "Admin", Role: portal.RoleAdmin}
	if err := svc.CreateUser(ctx, "", admin); err != nil {
		t.Fatal(err)
	}
	org := &portal.Organisation{ID: "gobi-mining", NameEN: "Gobi Mining (example)", NameMN: "Говь майнинг (жишээ)", Group: portal.GroupMining}
	if err := svc.CreateOrganisation(ctx, admin, org); err != nil {
		t.Fatal(err)
	}

	// Nobody gets in without an invitation, whatever the provider says.
	m.QueueUser(&mockoidc.MockUser{Subject: "sub-1", Email: "oyuna@example.org", EmailVerified: true})
	c := browserClient(t)
	resp, body := fetch(t, c, base+"/auth/oidc-gov?lang=en")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "No account is linked") {
		t.Fatalf("uninvited sign-in: %d\n%.300s", resp.StatusCode, body)
	}

	// With an invitation for her address, she signs in and the account is made.
	token, _, err := svc.Invite(ctx, admin, "oyuna@example.org", portal.RoleMember, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "sub-1", Email: "oyuna@example.org", EmailVerified: true})
	resp, body = fetch(t, c, base+"/auth/oidc-gov?invitation="+url.QueryEscape(token)+"&return_to=%2Fprofile")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/profile" || !strings.Contains(body, "oyuna@example.org") {
		t.Fatalf("invited sign-in: %d at %s\n%.300s", resp.StatusCode, resp.Request.URL, body)
	}
	u, err := p.DB.FindUserByIdentity(ctx, "oidc-gov", "sub-1")
	if err != nil || u.Role != portal.RoleMember || u.OrgID != org.ID {
		t.Fatalf("the account: %v %+v", err, u)
	}

	// Later sign-ins are keyed by (provider, subject): a new browser signs straight in.
	m.QueueUser(&mockoidc.MockUser{Subject: "sub-1", Email: "changed@example.org", EmailVerified: true})
	c2 := browserClient(t)
	resp, _ = fetch(t, c2, base+"/auth/oidc-gov?return_to=%2Fprofile")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/profile" {
		t.Fatalf("second sign-in: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// The callback that signed her in cannot be used again.
	callback := resp.Request.Response.Request.URL.String()
	if !strings.Contains(callback, "/auth/oidc-gov/callback") {
		t.Fatalf("redirect chain: %s", callback)
	}
	if resp, _ := fetch(t, c2, callback); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("replayed callback: %d, want 400", resp.StatusCode)
	}
	// Another subject with her e-mail address is not her.
	m.QueueUser(&mockoidc.MockUser{Subject: "sub-2", Email: "oyuna@example.org", EmailVerified: true})
	resp, _ = fetch(t, browserClient(t), base+"/auth/oidc-gov")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("same e-mail, other subject: %d, want 403", resp.StatusCode)
	}
}

func TestOIDCBadCallbacks(t *testing.T) {
	_, base, _ := oidcPortal(t)
	noRedirect := browserClient(t)
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	tests := []struct {
		name   string
		target string
		status int
		text   string
	}{
		{"unknown provider", "/auth/evil?lang=en", 404, "There is no sign-in provider"},
		{"unknown provider callback", "/auth/evil/callback?code=x&state=y&lang=en", 404, "There is no sign-in provider"},
		{"forged state, no sign-in begun", "/auth/oidc-gov/callback?code=x&state=forged&lang=en", 400, "could not be completed"},
		{"provider refused", "/auth/oidc-gov/callback?error=access_denied&lang=en", 400, "cancelled or refused"},
		{"escaping", "/auth/%3Cscript%3E?lang=en", 404, "&#34;&lt;script&gt;&#34;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := fetch(t, noRedirect, base+tt.target)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.text) {
				t.Fatalf("%d, want %d with %q\n%.400s", resp.StatusCode, tt.status, tt.text, body)
			}
			if strings.Contains(body, "<script>") {
				t.Error("unescaped markup in the page")
			}
		})
	}
	// A state that does not match the one the sign-in began with is refused, and so is a
	// replay of a callback that has been used.
	resp, _ := fetch(t, noRedirect, base+"/auth/oidc-gov")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("begin: %d", resp.StatusCode)
	}
	auth, _ := url.Parse(resp.Header.Get("Location"))
	if auth.Query().Get("state") == "" || len(auth.Query().Get("state")) < 40 {
		t.Fatalf("state %q is not random enough", auth.Query().Get("state"))
	}
	resp, body := fetch(t, noRedirect, base+"/auth/oidc-gov/callback?code=x&state=not-the-state&lang=en")
	if resp.StatusCode != 400 || !strings.Contains(body, "could not be completed") {
		t.Fatalf("mismatched state: %d", resp.StatusCode)
	}
	// A ?provider= parameter cannot choose another provider than the route's.
	resp, _ = fetch(t, noRedirect, base+"/auth/evil?provider=oidc-gov")
	if resp.StatusCode != 404 {
		t.Fatalf("provider from the query: %d, want 404", resp.StatusCode)
	}
}

// testWriter sends log lines to the test's log, shown when it fails.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func TestLinkProviderToAccount(t *testing.T) {
	p, base, m := oidcPortal(t)
	member(t, p, "link-me@example.org")
	other := member(t, p, "other@example.org")
	ctx := context.Background()
	if _, err := p.Accounts.LinkIdentity(ctx, other.ID, portal.Identity{Provider: "oidc-gov", Subject: "taken"}); err != nil {
		t.Fatal(err)
	}
	c := browserClient(t)
	resp, err := c.PostForm(base+"/login", url.Values{"email": {"link-me@example.org"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The profile offers the provider; linking it brings the person back to the profile.
	_, body := fetch(t, c, base+"/profile?lang=en")
	if !strings.Contains(body, `href="/auth/oidc-gov?link=1"`) {
		t.Fatal("the profile does not offer to link the provider")
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "mine", Email: "someone@example.org"})
	resp, body = fetch(t, c, base+"/auth/oidc-gov?link=1&lang=en")
	if resp.Request.URL.Path != "/profile" || !strings.Contains(body, "is linked to your account") {
		t.Fatalf("link: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// A fresh browser now signs in with the provider as this person.
	m.QueueUser(&mockoidc.MockUser{Subject: "mine", Email: "someone@example.org"})
	resp, body = fetch(t, browserClient(t), base+"/auth/oidc-gov?return_to=%2Fprofile")
	if resp.Request.URL.Path != "/profile" || !strings.Contains(body, "link-me@example.org") {
		t.Fatalf("sign-in with the linked provider: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// An identity that is someone else's cannot be linked.
	m.QueueUser(&mockoidc.MockUser{Subject: "taken", Email: "x@example.org"})
	resp, _ = fetch(t, c, base+"/auth/oidc-gov?link=1")
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("linking someone else's identity: %d, want 409", resp.StatusCode)
	}
}
