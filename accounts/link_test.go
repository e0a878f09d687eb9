package accounts_test

import (
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

func TestSignInLink(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	u := e.user("dulmaa@example.mn", portal.RoleSecretariat)

	token, err := e.svc.IssueSignInLink(e.ctx, admin.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.wantAudit("signin_link.create", admin.ID, u.ID)
	e.clock.Advance(23 * time.Hour)
	got, err := e.svc.UseSignInLink(e.ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || !e.reload(u).LastSignIn.Equal(e.clock.Now()) {
		t.Errorf("UseSignInLink = %s (last sign-in %v), want %s now", got.ID, e.reload(u).LastSignIn, u.ID)
	}
	_, err = e.svc.UseSignInLink(e.ctx, token)
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkUsed)

	expired, err := e.svc.IssueSignInLink(e.ctx, "", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(24 * time.Hour)
	_, err = e.svc.UseSignInLink(e.ctx, expired)
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkExpired)

	_, err = e.svc.UseSignInLink(e.ctx, "made-up")
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkInvalid)
	reset, _, err := e.svc.RequestReset(e.ctx, u.Email)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.UseSignInLink(e.ctx, reset)
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkInvalid)

	// A link issued before the person was disabled signs nobody in.
	late, err := e.svc.IssueSignInLink(e.ctx, admin.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetDisabled(e.ctx, admin, u.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.UseSignInLink(e.ctx, late)
	wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrDisabled)
	_, err = e.svc.IssueSignInLink(e.ctx, admin.ID, u.ID)
	wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrDisabled)
}

func TestRequestReset(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	u := e.user("khulan@example.mn", portal.RoleMember)
	off := e.user("off@example.mn", portal.RoleMember)
	if err := e.svc.SetDisabled(e.ctx, admin, off.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"nobody@example.mn", off.Email} {
		token, got, err := e.svc.RequestReset(e.ctx, email)
		if token != "" || got != nil || err != nil {
			t.Errorf("RequestReset(%s) = %q, %v, %v; want nothing", email, token, got, err)
		}
	}
	_, _, err := e.svc.RequestReset(e.ctx, "not an address")
	wantErr(t, err, portal.EINVALID, nil)

	token, got, err := e.svc.RequestReset(e.ctx, "KHULAN@example.mn")
	if err != nil || token == "" || got == nil || got.ID != u.ID {
		t.Fatalf("RequestReset = %q, %v, %v; want a token for %s", token, got, err, u.ID)
	}
	stored, err := e.db.FindToken(e.ctx, accounts.TokenID(token))
	if err != nil || stored.Kind != portal.TokenReset || stored.UserID != u.ID || !stored.ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
		t.Fatalf("stored token %+v, %v; want a reset for %s valid for an hour", stored, err, u.ID)
	}
}

func TestResetPassword(t *testing.T) {
	e := newEnv(t)
	u := e.user("solongo@example.mn", portal.RoleMember)
	session := e.startSession(u)
	for range 6 {
		_, err := e.svc.SignInPassword(e.ctx, u.Email, "forgotten password", "192.0.2.10")
		wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrWrongCredentials)
	}
	token, _, err := e.svc.RequestReset(e.ctx, u.Email)
	if err != nil {
		t.Fatal(err)
	}

	// A refused password leaves the link usable.
	_, err = e.svc.ResetPassword(e.ctx, token, "solongo@example.mn!")
	wantErr(t, err, portal.EINVALID, accounts.PasswordPersonal)
	_, err = e.svc.ResetPassword(e.ctx, token, "short")
	wantErr(t, err, portal.EINVALID, accounts.PasswordTooShort)

	const newPassword = "sand dunes at khongor"
	got, err := e.svc.ResetPassword(e.ctx, token, newPassword)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || got.SessionEpoch != u.SessionEpoch+1 {
		t.Errorf("ResetPassword = %+v, want %s with the next session epoch", got, u.ID)
	}
	e.wantSignedOut(session)
	if n := e.throttle(accounts.AccountKey(u.Email)); n != 0 {
		t.Errorf("account failures after a reset = %d, want 0", n)
	}
	e.wantAudit("user.password_reset", u.ID, u.ID)
	if _, err := e.svc.SignInPassword(e.ctx, u.Email, newPassword, "192.0.2.11"); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	_, err = e.svc.SignInPassword(e.ctx, u.Email, password, "192.0.2.11")
	wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrWrongCredentials)

	_, err = e.svc.ResetPassword(e.ctx, token, "another long password")
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkUsed)

	late, _, err := e.svc.RequestReset(e.ctx, u.Email)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	_, err = e.svc.ResetPassword(e.ctx, late, "another long password")
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkExpired)
}
