package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/oauth2-proxy/mockoidc"
)

// TestOIDCSignInInBrowser: a person invited by the secretariat signs in with their
// organisation's single sign-on (mockoidc) in Chromium, lands on their profile, signs out,
// and signs in again with the button on the sign-in page.
func TestOIDCSignInInBrowser(t *testing.T) {
	chromium(t)
	site := portaltest.New(t, portaltest.Options{})
	base, m := site.ServeOIDC(t)
	ctx := context.Background()
	svc := site.Accounts

	secretariat := &portal.User{Email: "secretariat@example.org", Name: "Нарийн бичиг", Role: portal.RoleSecretariat}
	if err := svc.CreateUser(ctx, "", secretariat); err != nil {
		t.Fatal(err)
	}
	org := &portal.Organisation{ID: "ministry-labour", NameMN: "Хөдөлмөрийн яам (жишээ)", NameEN: "Ministry of Labour (example)", Group: portal.GroupGovernment}
	admin := &portal.User{ID: "root", Role: portal.RoleAdmin}
	if err := svc.CreateOrganisation(ctx, admin, org); err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.Invite(ctx, secretariat, "enkh@example.org", portal.RoleMember, org.ID)
	if err != nil {
		t.Fatal(err)
	}

	ctxB, problems := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	m.QueueUser(&mockoidc.MockUser{Subject: "gov-4711", Email: "enkh@example.org", EmailVerified: true})
	step(t, ctxB, "accept the invitation with single sign-on",
		chromedp.Navigate(base+"/auth/oidc-gov?invitation="+url.QueryEscape(token)+"&return_to=%2Fprofile"),
		chromedp.WaitVisible(css(".profile")),
	)
	if got := text(t, ctxB, ".facts"); !strings.Contains(got, "Хөдөлмөрийн яам") || !strings.Contains(got, "Гишүүн") {
		t.Fatalf("profile after sign-in: %q", got)
	}
	step(t, ctxB, "sign out", chromedp.Click(css(`form[action="/logout"] button`)), chromedp.WaitVisible(css(`a[href="/login"]`)))

	m.QueueUser(&mockoidc.MockUser{Subject: "gov-4711", Email: "enkh@example.org", EmailVerified: true})
	step(t, ctxB, "sign in with the button",
		chromedp.Navigate(base+"/login?lang=en&return_to=%2Fprofile"),
		chromedp.Click(css(`.providers a[href^="/auth/oidc-gov"]`)),
		chromedp.WaitVisible(css(".profile")),
	)
	if got := text(t, ctxB, ".facts"); !strings.Contains(got, "Ministry of Labour") || !strings.Contains(got, "Member") {
		t.Fatalf("profile after the second sign-in: %q", got)
	}
	if p := problems(); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}
