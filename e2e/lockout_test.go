package e2e

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// TestOwnerPassesLockout: someone guesses a member's password until the account is locked.
// The member's own phone, which signed in before and keeps the device cookie, still signs
// in with the right password; a browser that never did waits, told for how long in
// Mongolian.
func TestOwnerPassesLockout(t *testing.T) {
	site := portaltest.New(t, portaltest.Options{})
	base := site.Serve(t)
	const email, password = "tuya@example.mn", "steppe-wind-2026"
	hash, err := accounts.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	u := &portal.User{Email: email, Name: "Туяа", Role: portal.RoleMember, PasswordHash: hash}
	if err := site.Accounts.CreateUser(context.Background(), "", u); err != nil {
		t.Fatal(err)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	signIn := func(pw string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/login"),
			chromedp.SendKeys(css("#email"), email),
			chromedp.SendKeys(css("#password"), pw),
			chromedp.Click(css(`form[action="/login"] button[type="submit"]`)),
			// signed in (the header offers to sign out) or refused (the form says why)
			chromedp.WaitVisible(css(`.form-error, form[action="/logout"]`)),
		}
	}
	signedIn := func(ctx context.Context) bool {
		return value(t, ctx, chromedp.Evaluate[bool](`document.querySelector('form[action="/logout"]') !== null`))
	}

	phone, problems := browser(t)
	step(t, phone, "phone size", chromedp.EmulateViewport(360, 740))
	step(t, phone, "the member signs in on her phone", signIn(password)...)
	if !signedIn(phone) {
		t.Fatal("the member is not signed in")
	}
	step(t, phone, "she signs out", chromedp.Click(css(`form[action="/logout"] button`)),
		chromedp.WaitNotPresent(css(`form[action="/logout"]`)))

	// Guesses from elsewhere lock the account; they go on for hours (each waits out its
	// block: recorded here as the limiter counts them), so the lock lasts minutes.
	for range accounts.FreeFailures + 2 {
		resp, err := http.PostForm(base+"/login", url.Values{"email": {email}, "password": {"guess"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for range 8 {
		if err := site.Accounts.Limiter.Fail(context.Background(), accounts.AccountKey(email)); err != nil {
			t.Fatal(err)
		}
	}

	// A browser that never signed in to the account waits, and is told so in Mongolian.
	other, _ := browser(t)
	step(t, other, "phone size", chromedp.EmulateViewport(360, 740))
	step(t, other, "the right password from another browser", signIn(password)...)
	if msg := text(t, other, ".form-error"); signedIn(other) || !regexp.MustCompile(`^Хэт олон удаа оролдлоо\. [1-9][0-9]? минут хүлээгээд`).MatchString(msg) {
		t.Errorf("another browser: signed in %v, message %q", signedIn(other), msg)
	}
	firstScreen(t, other, "lockout-other-browser-mn")

	// Her phone passes.
	step(t, phone, "the member signs in again on her phone", signIn(password)...)
	if !signedIn(phone) {
		t.Errorf("the member's phone is locked out too: %q", text(t, phone, "main"))
	}
	firstScreen(t, phone, "lockout-own-phone-mn")
	if p := problems(); len(p) > 0 {
		t.Errorf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}
