package accounts_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

func TestIssueResetLink(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	sec := e.user("secretariat@example.mn", portal.RoleSecretariat)
	u := e.user("oyun@example.mn", portal.RoleMember)
	off := e.user("off@example.mn", portal.RoleMember)
	if err := e.svc.SetDisabled(e.ctx, admin, off.ID, true); err != nil {
		t.Fatal(err)
	}

	token, link, err := e.svc.IssueResetLink(e.ctx, admin, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if link.ID != accounts.TokenID(token) || link.Kind != portal.TokenReset || link.UserID != u.ID || link.CreatedBy != admin.ID ||
		!link.ExpiresAt.Equal(e.clock.Now().Add(accounts.DefaultResetTTL)) {
		t.Errorf("reset link %+v", link)
	}
	if a := e.wantAudit("reset_link.create", admin.ID, u.ID); strings.Contains(a.After, token) {
		t.Errorf("the audit log holds the secret: %s", a.After)
	}
	if got, err := e.svc.FindReset(e.ctx, token); err != nil || got.UserID != u.ID {
		t.Fatalf("FindReset = %+v, %v", got, err)
	}
	if _, err := e.svc.ResetPassword(e.ctx, token, "wind over the steppe"); err != nil {
		t.Fatalf("reset with the admin's link: %v", err)
	}
	_, err = e.svc.FindReset(e.ctx, token)
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkUsed)

	tests := []struct {
		name   string
		actor  *portal.User
		userID string
		code   string
		target error
	}{
		{"secretariat", sec, u.ID, portal.EFORBIDDEN, nil},
		{"visitor", nil, u.ID, portal.EFORBIDDEN, nil},
		{"own account", admin, admin.ID, portal.EFORBIDDEN, nil},
		{"disabled person", admin, off.ID, portal.EUNAUTHORIZED, accounts.ErrDisabled},
		{"no such person", admin, "nobody", portal.ENOTFOUND, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, link, err := e.svc.IssueResetLink(e.ctx, tt.actor, tt.userID)
			if token != "" || link != nil {
				t.Errorf("IssueResetLink returned a link")
			}
			wantErr(t, err, tt.code, tt.target)
		})
	}
	// An invitation's secret is no reset link.
	inv := e.invite(admin, "new@example.mn", portal.RoleModerator, "")
	_, err = e.svc.FindReset(e.ctx, inv)
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkInvalid)
}

func TestStateOf(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	pending := e.invite(admin, "a@example.mn", portal.RoleModerator, "")
	revoked := e.invite(admin, "b@example.mn", portal.RoleModerator, "")
	used := e.invite(admin, "c@example.mn", portal.RoleModerator, "")
	if err := e.svc.RevokeInvitation(e.ctx, admin, accounts.TokenID(revoked)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AcceptInvitation(e.ctx, used, "c@example.mn", "Цэцэг", "camel caravan at dusk"); err != nil {
		t.Fatal(err)
	}
	state := func(token string) accounts.LinkState {
		t.Helper()
		tk, err := e.db.FindToken(e.ctx, accounts.TokenID(token))
		if err != nil {
			t.Fatal(err)
		}
		return e.svc.StateOf(tk)
	}
	for token, want := range map[string]accounts.LinkState{pending: accounts.LinkPending, revoked: accounts.LinkRevoked, used: accounts.LinkUsed} {
		if got := state(token); got != want {
			t.Errorf("state %q, want %q", got, want)
		}
	}
	e.clock.Advance(accounts.DefaultInvitationTTL + time.Second)
	if got := state(pending); got != accounts.LinkExpired {
		t.Errorf("state after expiry %q, want expired", got)
	}
	if got := state(used); got != accounts.LinkUsed {
		t.Errorf("a used link became %q at its expiry", got)
	}
}

// TestResetEndsOtherResetLinks: using one reset link ends every other open reset link of
// the person (asked for by mail or made by an admin), and leaves other people's alone;
// EndResetLinks, which a password change calls, does the same.
func TestResetEndsOtherResetLinks(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	u := e.user("oyun@example.mn", portal.RoleMember)
	other := e.user("bat@example.mn", portal.RoleMember)
	request := func(email string) string {
		t.Helper()
		token, _, err := e.svc.RequestReset(e.ctx, email)
		if err != nil || token == "" {
			t.Fatalf("RequestReset(%s) = %q, %v", email, token, err)
		}
		return token
	}
	older, byAdmin := request(u.Email), ""
	var err error
	if byAdmin, _, err = e.svc.IssueResetLink(e.ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	used, others := request(u.Email), request(other.Email)

	if _, err := e.svc.ResetPassword(e.ctx, used, "wind over the steppe"); err != nil {
		t.Fatal(err)
	}
	for name, token := range map[string]string{"older": older, "by an admin": byAdmin} {
		_, err := e.svc.FindReset(e.ctx, token)
		wantErr(t, err, portal.EINVALID, accounts.ErrLinkRevoked)
		if _, err := e.svc.ResetPassword(e.ctx, token, "another password entirely"); !errors.Is(err, accounts.ErrLinkRevoked) {
			t.Errorf("the %s link still sets the password: %v", name, err)
		}
	}
	if a := e.wantAudit("user.password_reset", u.ID, u.ID); a.After != `{"reset_links_ended":2}` {
		t.Errorf("audit after %s", a.After)
	}
	if _, err := e.svc.FindReset(e.ctx, others); err != nil {
		t.Errorf("another person's link was ended: %v", err)
	}

	// A password change ends the links asked for before it.
	fresh := request(u.Email)
	if n, err := e.svc.EndResetLinks(e.ctx, u.ID); n != 1 || err != nil {
		t.Errorf("EndResetLinks = %d, %v; want 1", n, err)
	}
	_, err = e.svc.FindReset(e.ctx, fresh)
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkRevoked)
	if n, err := e.svc.EndResetLinks(e.ctx, u.ID); n != 0 || err != nil {
		t.Errorf("EndResetLinks again = %d, %v; want 0", n, err)
	}
}
