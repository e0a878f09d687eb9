package accounts_test

import (
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
