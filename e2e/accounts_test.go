package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// TestInviteMiningCSROfficer is the newcomer's path of the accounts issue: the first
// admin, signed in with the link the CLI prints, invites a CSR officer of a mining
// company; the officer opens the invitation in a browser of their own, sets a password
// and sees their role and organisation. (Refused passwords are the handler tests' part: a
// 400 page is a console error to Chromium.)
func TestInviteMiningCSROfficer(t *testing.T) {
	site := portaltest.New(t, portaltest.Options{})
	base, svc := site.Serve(t), site.Accounts
	ctx := context.Background()
	admin := &portal.User{Email: "admin@council.mn", Name: "Админ Батбаяр", Role: portal.RoleAdmin}
	if err := svc.CreateUser(ctx, "", admin); err != nil {
		t.Fatal(err)
	}
	org := &portal.Organisation{ID: "oyu-tolgoi", NameMN: "Оюу толгой ХХК", NameEN: "Oyu Tolgoi LLC", Group: portal.GroupMining, Verified: true}
	if err := svc.CreateOrganisation(ctx, admin, org); err != nil {
		t.Fatal(err)
	}
	signIn, err := svc.IssueSignInLink(ctx, "", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// The admin signs in with the one-time link, chooses a password and opens the
	// invitations.
	adminTab, problems := browser(t)
	step(t, adminTab, "admin signs in", append(linkSignIn(base+"/login/link/"+signIn, "говийн шөнийн тэнгэр 2026"),
		chromedp.Click(css(`nav.menu a[href="/admin"]`)),
		chromedp.Click(css(`.sections a[href="/admin/invitations"]`)),
		chromedp.WaitVisible(css("form.invite")),
	)...)
	step(t, adminTab, "admin invites the officer",
		chromedp.SendKeys(css(`form.invite input[name="email"]`), "csr.officer@oyutolgoi.mn"),
		chromedp.SetValue(css(`form.invite select[name="role"]`), "member"),
		chromedp.SetValue(css(`form.invite select[name="org"]`), "oyu-tolgoi"),
		chromedp.Click(css(`form.invite button[type="submit"]`)),
		chromedp.WaitVisible(css("#invitation-link")),
	)
	link := value(t, adminTab, chromedp.Value(css("#invitation-link")))
	if !strings.HasPrefix(link, base+"/invitations/") {
		t.Fatalf("invitation link %q, want one on %s", link, base)
	}
	if state := text(t, adminTab, "table.invitations .state"); state != "Хүлээгдэж буй" {
		t.Errorf("invitation state %q, want pending", state)
	}

	// The officer opens it in a browser context of their own: no admin cookie.
	officer, cancel := chromedp.NewContext(adminTab, chromedp.WithNewBrowserContext())
	defer cancel()
	officerProblems := watchConsole(officer)
	step(t, officer, "officer opens the invitation", chromedp.Navigate(link), chromedp.WaitVisible(css("form.stack")))
	if role, o := text(t, officer, ".facts .role"), text(t, officer, ".facts .org"); role != "Гишүүн" ||
		o != "Оюу толгой ХХК · Уул уурхайн компани" {
		t.Fatalf("invitation shows role %q, organisation %q", role, o)
	}
	if who := text(t, officer, "main .lead"); !strings.Contains(who, "Админ Батбаяр") {
		t.Errorf("the invitation does not say who invited: %q", who)
	}

	const pw = "говийн салхи 2026 он"
	step(t, officer, "officer sets a password",
		chromedp.SendKeys(css(`input[name="name"]`), "Оюунчимэг Дорж"),
		chromedp.SendKeys(css(`input[name="password"]`), pw),
		chromedp.SendKeys(css(`input[name="confirm"]`), pw),
		chromedp.Click(css(`form.stack button[type="submit"]`)),
		chromedp.WaitVisible(css(".profile .role")),
	)
	if loc := value(t, officer, chromedp.Location()); loc != base+"/profile" {
		t.Errorf("after accepting: %s, want the profile", loc)
	}
	if role := text(t, officer, ".profile .role"); role != "Гишүүн" {
		t.Errorf("profile role %q, want Гишүүн (member)", role)
	}
	if o := text(t, officer, ".profile .facts dd:nth-of-type(4)"); !strings.Contains(o, "Оюу толгой ХХК · Уул уурхайн компани") {
		t.Errorf("profile organisation %q", o)
	}
	if name := text(t, officer, "nav.menu .who"); name != "Оюунчимэг Дорж" {
		t.Errorf("signed in as %q", name)
	}
	if p := append(problems(), officerProblems()...); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// linkSignIn are the steps of a person who opens a one-time sign-in link (the one portal
// user create prints): they press its button, choose their password and land on their
// profile.
func linkSignIn(link, password string) []chromedp.Action[chromedp.Void] {
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(link),
		chromedp.Click(css("main form button")),
		chromedp.WaitVisible(css("form.password-form")),
		chromedp.SendKeys(css(`form.password-form input[name="password"]`), password),
		chromedp.SendKeys(css(`form.password-form input[name="confirm"]`), password),
		chromedp.Click(css(`form.password-form button[type="submit"]`)),
		chromedp.WaitVisible(css(".profile .role")),
	}
}

// TestFirstAdminChoosesPassword is the first admin's path of the README, in a phone-sized
// browser: the one-time link signs them in and leads to "choose your password", which
// nothing else gets past; the password chosen, they sign out and back in with it, and
// reach the admin pages.
func TestFirstAdminChoosesPassword(t *testing.T) {
	site := portaltest.New(t, portaltest.Options{StarterGuidelines: true})
	base := site.Serve(t)
	link := site.SignInLink(t, &portal.User{Email: "admin@council.mn", Name: "Админ Батбаяр", Role: portal.RoleAdmin})
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab, problems := browser(t)

	step(t, tab, "the admin opens the link and signs in",
		chromedp.Navigate(base+link),
		chromedp.Click(css("main form button")),
		chromedp.WaitVisible(css("form.password-form")),
	)
	if loc, h1 := value(t, tab, chromedp.Location()), text(t, tab, "main h1"); loc != base+"/profile/password" || h1 != "Нууц үгээ сонгох" {
		t.Fatalf("the link leads to %s %q, want the choose-password page", loc, h1)
	}
	screenshot(t, tab, "choose-password")
	if n := value(t, tab, chromedp.Nodes(css(`main a[href="/profile"], input[name="current"]`), chromedp.AtLeast(0))); len(n) != 0 {
		t.Errorf("the page can be skipped, or asks for a current password: %d", len(n))
	}
	step(t, tab, "the admin tries the admin pages first",
		chromedp.Navigate(base+"/admin"),
		chromedp.WaitVisible(css("form.password-form")),
	)
	if loc := value(t, tab, chromedp.Location()); loc != base+"/profile/password" {
		t.Errorf("the admin pages opened before a password was chosen: %s", loc)
	}

	const password = "говийн шөнийн тэнгэр 2026"
	step(t, tab, "the admin chooses a password",
		chromedp.SendKeys(css(`form.password-form input[name="password"]`), password),
		chromedp.SendKeys(css(`form.password-form input[name="confirm"]`), password),
		chromedp.Click(css(`form.password-form button[type="submit"]`)),
		chromedp.WaitVisible(css(".profile .role")),
	)
	if notice := text(t, tab, ".profile .notice"); !strings.Contains(notice, "Таны нууц үг хадгалагдлаа") {
		t.Errorf("profile notice %q", notice)
	}
	screenshot(t, tab, "profile-password-saved")

	step(t, tab, "the admin signs out",
		chromedp.Click(css(`header form[action="/logout"] button`)),
		chromedp.WaitVisible(css(`nav.menu a[href="/login"]`)),
	)
	step(t, tab, "the admin signs in with the password",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(css(`main input[name="email"]`), "admin@council.mn"),
		chromedp.SendKeys(css(`main input[name="password"]`), password),
		chromedp.Click(css(`main form button[type="submit"]`)),
		chromedp.WaitVisible(css("nav.menu .who")),
		chromedp.Navigate(base+"/admin"),
		chromedp.WaitVisible(css(".sections")),
	)
	if who := text(t, tab, "nav.menu .who"); who != "Админ Батбаяр" {
		t.Errorf("signed in as %q", who)
	}
	if p := problems(); len(p) > 0 {
		t.Fatalf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}
