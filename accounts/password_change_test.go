package accounts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// TestLinkSession: a session begun with a one-time sign-in link lasts an hour, and it
// must choose a password first unless the person can sign in with a provider.
func TestLinkSession(t *testing.T) {
	e := newEnv(t)
	u := &portal.User{Email: "first@council.mn", Name: "Батбаяр", Role: portal.RoleAdmin}
	if err := e.svc.CreateUser(e.ctx, "", u); err != nil {
		t.Fatal(err)
	}
	link, err := e.svc.IssueSignInLink(e.ctx, "", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	signedIn, err := e.svc.UseSignInLink(e.ctx, link)
	if err != nil {
		t.Fatal(err)
	}
	start := e.clock.Now()
	token, sess, err := e.svc.StartSession(e.ctx, signedIn, accounts.SessionLink)
	if err != nil {
		t.Fatal(err)
	}
	if !sess.ExpiresAt.Equal(start.Add(accounts.LinkSessionLife)) {
		t.Errorf("a link session ends at %v, want an hour after it began", sess.ExpiresAt)
	}
	if !accounts.MustChoosePassword(signedIn, sess) || accounts.AsksCurrentPassword(signedIn, sess) {
		t.Errorf("a link session of a person without a provider: must choose %v, asks current %v",
			accounts.MustChoosePassword(signedIn, sess), accounts.AsksCurrentPassword(signedIn, sess))
	}
	withProvider := *signedIn
	withProvider.Identities = append(withProvider.Identities, portal.Identity{Provider: "google", Subject: "1"})
	if accounts.MustChoosePassword(&withProvider, sess) {
		t.Error("a person who signs in with a provider may not skip choosing a password")
	}
	if _, ordinary, _ := e.svc.StartSession(e.ctx, signedIn, portal.ProviderLocal); accounts.MustChoosePassword(signedIn, ordinary) {
		t.Error("an ordinary session must choose a password")
	}
	e.clock.Advance(accounts.LinkSessionLife)
	e.wantSignedOut(token)
}

// TestChangePassword: a password chosen in a link session needs no current password, one
// changed in an ordinary session needs it; either ends every session of the person and
// their open reset links, and the new password signs in.
func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	u := e.user("oyun@example.mn", portal.RoleMember)
	elsewhere := e.startSession(u)
	token := e.startSession(u)
	reset, _, err := e.svc.RequestReset(e.ctx, u.Email)
	if err != nil {
		t.Fatal(err)
	}
	const next = "a new moon over the dunes"

	// Refused: nothing changes, and a wrong current password counts as a failed sign-in.
	tests := []struct {
		name, current, password string
		want                    error
		problem                 accounts.PasswordProblem
	}{
		{"no current password", "", next, accounts.ErrWrongCurrentPassword, ""},
		{"wrong current password", "not the password at all", next, accounts.ErrWrongCurrentPassword, ""},
		{"too short", password, "short", nil, accounts.PasswordTooShort},
		{"common", password, "1234567890", nil, accounts.PasswordCommon},
		{"personal", password, "oyun-forever-2026", nil, accounts.PasswordPersonal},
	}
	for _, tt := range tests {
		_, err := e.svc.ChangePassword(e.ctx, token, tt.current, tt.password)
		if tt.want != nil && !errors.Is(err, tt.want) || tt.problem != "" && accounts.PasswordProblemOf(err) != tt.problem {
			t.Errorf("%s: %v", tt.name, err)
		}
		if got := e.reload(u); got.PasswordHash != u.PasswordHash || got.SessionEpoch != u.SessionEpoch {
			t.Fatalf("%s changed the person", tt.name)
		}
	}
	if n := e.throttle(accounts.AccountKey(u.Email)); n != 2 {
		t.Errorf("%d failures counted for two wrong current passwords", n)
	}

	changed, err := e.svc.ChangePassword(e.ctx, token, password, next)
	if err != nil {
		t.Fatal(err)
	}
	if !accounts.CheckPassword(changed.PasswordHash, next) || changed.SessionEpoch != u.SessionEpoch+1 {
		t.Fatalf("changed %+v", changed)
	}
	e.wantSignedOut(token)
	e.wantSignedOut(elsewhere)
	if _, err := e.svc.FindReset(e.ctx, reset); !errors.Is(err, accounts.ErrLinkRevoked) {
		t.Errorf("a reset link asked for before the change: %v", err)
	}
	if e.throttle(accounts.AccountKey(u.Email)) != 0 {
		t.Error("the failures were not forgotten")
	}
	if a := e.wantAudit("user.password_change", u.ID, u.ID); a.After != `{"reset_links_ended":1}` {
		t.Errorf("audit after %s", a.After)
	}
	if _, err := e.svc.SignInPassword(e.ctx, u.Email, next, ""); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	if _, err := e.svc.ChangePassword(e.ctx, token, next, "yet another long password"); !errors.Is(err, accounts.ErrSessionEnded) {
		t.Errorf("a change in an ended session: %v", err)
	}
}

// TestChoosePasswordAfterLink: the person a sign-in link signed in chooses a first
// password without a current one, and one who forgot theirs a new one.
func TestChoosePasswordAfterLink(t *testing.T) {
	e := newEnv(t)
	first := &portal.User{Email: "first@council.mn", Name: "Батбаяр", Role: portal.RoleAdmin}
	if err := e.svc.CreateUser(e.ctx, "", first); err != nil {
		t.Fatal(err)
	}
	forgot := e.user("forgot@council.mn", portal.RoleSecretariat)
	for _, tc := range []struct {
		u      *portal.User
		action string
	}{{first, "user.password_set"}, {forgot, "user.password_change"}} {
		link, err := e.svc.IssueSignInLink(e.ctx, "", tc.u.ID)
		if err != nil {
			t.Fatal(err)
		}
		u, err := e.svc.UseSignInLink(e.ctx, link)
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := e.svc.StartSession(e.ctx, u, accounts.SessionLink)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ChangePassword(e.ctx, token, "", "camels know the way home"); err != nil {
			t.Fatalf("%s: %v", tc.u.Email, err)
		}
		e.wantAudit(tc.action, tc.u.ID, tc.u.ID)
		if _, err := e.svc.SignInPassword(e.ctx, tc.u.Email, "camels know the way home", ""); err != nil {
			t.Errorf("%s signs in with the chosen password: %v", tc.u.Email, err)
		}
	}
}

// TestChangePasswordThrottled: guessing the current password from an open session is
// throttled like guessing it at the sign-in page.
func TestChangePasswordThrottled(t *testing.T) {
	e := newEnv(t)
	u := e.user("bat@example.mn", portal.RoleMember)
	token := e.startSession(u)
	var err error
	for range accounts.FreeFailures + 2 {
		_, err = e.svc.ChangePassword(e.ctx, token, "a wrong guess", "a new moon over the dunes")
	}
	var throttled *accounts.ThrottledError
	if !errors.As(err, &throttled) || throttled.Wait <= 0 {
		t.Fatalf("after %d wrong guesses: %v", accounts.FreeFailures+2, err)
	}
	// Even the right password waits now.
	if _, err := e.svc.ChangePassword(e.ctx, token, password, "a new moon over the dunes"); !errors.As(err, &throttled) {
		t.Errorf("the right password while throttled: %v", err)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.svc.ChangePassword(e.ctx, token, password, "a new moon over the dunes"); err != nil {
		t.Errorf("after the wait: %v", err)
	}
}
