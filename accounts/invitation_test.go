package accounts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// invite has actor invite email as role of org, and returns the link's secret.
func (e *env) invite(actor *portal.User, email string, role portal.Role, org string) string {
	e.t.Helper()
	token, _, err := e.svc.Invite(e.ctx, actor, email, role, org)
	if err != nil {
		e.t.Fatal(err)
	}
	return token
}

func TestInvite(t *testing.T) {
	e := newEnv(t)
	e.org("oyu-tolgoi")
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	sec := e.user("secretariat@example.mn", portal.RoleSecretariat)
	mod := e.user("moderator@example.mn", portal.RoleModerator)
	e.user("taken@example.mn", portal.RoleMember)

	token, inv, err := e.svc.Invite(e.ctx, sec, " New.Person@Example.MN", portal.RoleModerator, "oyu-tolgoi")
	if err != nil {
		t.Fatal(err)
	}
	if inv.ID != accounts.TokenID(token) || inv.Kind != portal.TokenInvitation || inv.Email != "new.person@example.mn" ||
		inv.Role != portal.RoleModerator || inv.OrgID != "oyu-tolgoi" || inv.CreatedBy != sec.ID ||
		!inv.ExpiresAt.Equal(e.clock.Now().Add(7*24*time.Hour)) {
		t.Errorf("invitation %+v", inv)
	}
	a := e.wantAudit("invitation.create", sec.ID, inv.ID)
	if !strings.Contains(a.After, `"new.person@example.mn"`) || strings.Contains(a.After, token) {
		t.Errorf("audit after = %s, want the e-mail and not the secret", a.After)
	}
	if _, _, err := e.svc.Invite(e.ctx, admin, "second.admin@example.mn", portal.RoleAdmin, ""); err != nil {
		t.Errorf("admin invites an admin: %v", err)
	}

	tests := []struct {
		name  string
		actor *portal.User
		email string
		role  portal.Role
		org   string
		code  string
	}{
		{"secretariat invites an admin", sec, "x@example.mn", portal.RoleAdmin, "", portal.EFORBIDDEN},
		{"moderator invites", mod, "x@example.mn", portal.RoleMember, "oyu-tolgoi", portal.EFORBIDDEN},
		{"visitor invites", nil, "x@example.mn", portal.RoleMember, "oyu-tolgoi", portal.EFORBIDDEN},
		{"unknown organisation", sec, "x@example.mn", portal.RoleMember, "no-such-org", portal.EINVALID},
		{"member without organisation", sec, "x@example.mn", portal.RoleMember, "", portal.EINVALID},
		{"unknown role", admin, "x@example.mn", portal.Role("owner"), "", portal.EINVALID},
		{"not an e-mail", sec, "x at example", portal.RoleMember, "oyu-tolgoi", portal.EINVALID},
		{"e-mail with an account", sec, "Taken@example.mn", portal.RoleMember, "oyu-tolgoi", portal.ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, inv, err := e.svc.Invite(e.ctx, tt.actor, tt.email, tt.role, tt.org)
			if token != "" || inv != nil {
				t.Errorf("Invite returned an invitation")
			}
			wantErr(t, err, tt.code, nil)
		})
	}
}

func TestAcceptInvitation(t *testing.T) {
	e := newEnv(t)
	e.org("gobi-ngo")
	sec := e.user("secretariat@example.mn", portal.RoleSecretariat)
	const name, newPassword = "Нарантуяа Бат", "three wells one road"

	token := e.invite(sec, "naran@example.mn", portal.RoleMember, "gobi-ngo")
	if inv, err := e.svc.FindInvitation(e.ctx, token); err != nil || inv.Email != "naran@example.mn" {
		t.Fatalf("FindInvitation = %+v, %v", inv, err)
	}

	// Refusals that leave the invitation usable.
	_, err := e.svc.AcceptInvitation(e.ctx, token, "someone.else@example.mn", name, newPassword)
	wantErr(t, err, portal.EFORBIDDEN, accounts.ErrOtherEmail)
	if portal.ErrorMessage(err) != "this invitation is for another e-mail address" {
		t.Errorf("message %q", portal.ErrorMessage(err))
	}
	_, err = e.svc.AcceptInvitation(e.ctx, token, "naran@example.mn", name, "qwertyuiop")
	wantErr(t, err, portal.EINVALID, accounts.PasswordCommon)
	_, err = e.svc.AcceptInvitation(e.ctx, token, "naran@example.mn", " ", newPassword)
	wantErr(t, err, portal.EINVALID, nil)

	u, err := e.svc.AcceptInvitation(e.ctx, token, "Naran@Example.mn", name, newPassword)
	if err != nil {
		t.Fatal(err)
	}
	stored := e.reload(u)
	if stored.Email != "naran@example.mn" || stored.Name != name || stored.Role != portal.RoleMember || stored.OrgID != "gobi-ngo" ||
		stored.Disabled || stored.Language != portal.Mongolian {
		t.Errorf("accepted user %+v", stored)
	}
	if len(stored.Identities) != 1 || stored.Identities[0].Provider != portal.ProviderLocal || stored.Identities[0].Subject != "naran@example.mn" {
		t.Errorf("identities %+v, want the local one", stored.Identities)
	}
	e.wantAudit("invitation.accept", u.ID, u.ID)
	if _, err := e.svc.SignInPassword(e.ctx, "naran@example.mn", newPassword, ""); err != nil {
		t.Errorf("sign in after accepting: %v", err)
	}

	// A replay creates nothing.
	_, err = e.svc.AcceptInvitation(e.ctx, token, "naran@example.mn", name, newPassword)
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkUsed)
	_, err = e.svc.FindInvitation(e.ctx, token)
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkUsed)
	err = e.svc.RevokeInvitation(e.ctx, sec, accounts.TokenID(token))
	wantErr(t, err, portal.ECONFLICT, nil)
}

func TestInvitationUnusable(t *testing.T) {
	e := newEnv(t)
	e.org("gobi-ngo")
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	sec := e.user("secretariat@example.mn", portal.RoleSecretariat)

	expired := e.invite(sec, "late@example.mn", portal.RoleMember, "gobi-ngo")
	revoked := e.invite(sec, "revoked@example.mn", portal.RoleMember, "gobi-ngo")
	if err := e.svc.RevokeInvitation(e.ctx, sec, accounts.TokenID(revoked)); err != nil {
		t.Fatal(err)
	}
	e.wantAudit("invitation.revoke", sec.ID, accounts.TokenID(revoked))
	reset, _, err := e.svc.RequestReset(e.ctx, sec.Email)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(7 * 24 * time.Hour)

	tests := []struct {
		name, token, email string
		want               error
	}{
		{"expired", expired, "late@example.mn", accounts.ErrLinkExpired},
		{"revoked", revoked, "revoked@example.mn", accounts.ErrLinkRevoked},
		{"unknown", "no-such-token", "x@example.mn", accounts.ErrLinkInvalid},
		{"empty", "", "x@example.mn", accounts.ErrLinkInvalid},
		{"a reset link", reset, sec.Email, accounts.ErrLinkInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.FindInvitation(e.ctx, tt.token)
			wantErr(t, err, portal.EINVALID, tt.want)
			_, err = e.svc.AcceptInvitation(e.ctx, tt.token, tt.email, "Some One", "three wells one road")
			wantErr(t, err, portal.EINVALID, tt.want)
			_, err = e.svc.AcceptInvitationExternal(e.ctx, tt.token, portal.Identity{Provider: "google", Subject: "1", Email: tt.email}, "Some One")
			wantErr(t, err, portal.EINVALID, tt.want)
		})
	}
	t.Run("distinct messages", func(t *testing.T) {
		seen := map[string]bool{}
		for _, err := range []error{accounts.ErrLinkExpired, accounts.ErrLinkRevoked, accounts.ErrLinkUsed, accounts.ErrLinkInvalid} {
			msg := portal.ErrorMessage(err)
			if msg == "" || seen[msg] {
				t.Errorf("message %q is empty or repeated", msg)
			}
			seen[msg] = true
		}
	})

	// The secretariat cannot withdraw an invitation it could not have sent.
	adminInvite := e.invite(admin, "new.admin@example.mn", portal.RoleAdmin, "")
	err = e.svc.RevokeInvitation(e.ctx, sec, accounts.TokenID(adminInvite))
	wantErr(t, err, portal.EFORBIDDEN, nil)
	err = e.svc.RevokeInvitation(e.ctx, sec, "no-such-id")
	wantErr(t, err, portal.ENOTFOUND, nil)
	err = e.svc.RevokeInvitation(e.ctx, sec, accounts.TokenID(reset))
	wantErr(t, err, portal.ENOTFOUND, nil)
}

func TestAcceptInvitationExternal(t *testing.T) {
	e := newEnv(t)
	e.org("gobi-ngo")
	sec := e.user("secretariat@example.mn", portal.RoleSecretariat)
	token := e.invite(sec, "tuya@example.mn", portal.RoleModerator, "gobi-ngo")
	google := portal.Identity{Provider: "google", Subject: "108", Email: "someone@gmail.com"}

	_, err := e.svc.AcceptInvitationExternal(e.ctx, token, google, "Tuya")
	wantErr(t, err, portal.EFORBIDDEN, accounts.ErrOtherEmail)
	_, err = e.svc.AcceptInvitationExternal(e.ctx, token, portal.Identity{Provider: portal.ProviderLocal, Subject: "tuya@example.mn", Email: "tuya@example.mn"}, "Tuya")
	wantErr(t, err, portal.EINVALID, nil)

	google.Email = "Tuya@Example.MN"
	u, err := e.svc.AcceptInvitationExternal(e.ctx, token, google, "Tuya")
	if err != nil {
		t.Fatal(err)
	}
	stored := e.reload(u)
	if stored.Email != "tuya@example.mn" || stored.Role != portal.RoleModerator || stored.OrgID != "gobi-ngo" || stored.PasswordHash != "" {
		t.Errorf("accepted user %+v", stored)
	}
	got, err := e.svc.SignInExternal(e.ctx, portal.Identity{Provider: "google", Subject: "108"})
	if err != nil || got.ID != u.ID {
		t.Fatalf("SignInExternal = %v, %v; want %s", got, err, u.ID)
	}
	_, err = e.svc.AcceptInvitationExternal(e.ctx, token, google, "Tuya")
	wantErr(t, err, portal.EINVALID, accounts.ErrLinkUsed)

	// The person has no password, so the same generic refusal as anyone else.
	_, err = e.svc.SignInPassword(e.ctx, "tuya@example.mn", "", "")
	wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrWrongCredentials)
}

func TestSignInExternal(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	u := e.user("bayar@example.mn", portal.RoleMember)
	ms := portal.Identity{Provider: "microsoft", Subject: "abc", Email: "bayar@example.mn"}
	u.Identities = append(u.Identities, ms)
	if err := e.db.UpdateUser(e.ctx, u); err != nil {
		t.Fatal(err)
	}

	got, err := e.svc.SignInExternal(e.ctx, ms)
	if err != nil || got.ID != u.ID || !e.reload(u).LastSignIn.Equal(e.clock.Now()) {
		t.Fatalf("SignInExternal = %v, %v", got, err)
	}
	// Nobody is created without an invitation.
	_, err = e.svc.SignInExternal(e.ctx, portal.Identity{Provider: "microsoft", Subject: "unknown", Email: "new@example.mn"})
	wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrNoAccount)
	_, err = e.svc.SignInExternal(e.ctx, portal.Identity{Provider: portal.ProviderLocal, Subject: u.Email})
	wantErr(t, err, portal.EINVALID, nil)

	if err := e.svc.SetDisabled(e.ctx, admin, u.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SignInExternal(e.ctx, ms)
	wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrDisabled)
}

// TestAcceptInvitationRace checks that of two people accepting one invitation at once,
// exactly one gets an account.
func TestAcceptInvitationRace(t *testing.T) {
	e := newEnv(t)
	e.org("gobi-ngo")
	sec := e.user("secretariat@example.mn", portal.RoleSecretariat)
	token := e.invite(sec, "twice@example.mn", portal.RoleMember, "gobi-ngo")

	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := e.svc.AcceptInvitation(e.ctx, token, "twice@example.mn", "Twice", "three wells one road")
			errs <- err
		}()
	}
	var failed []error
	for range 2 {
		if err := <-errs; err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("errors %v, want exactly one", failed)
	}
	// The loser lost either at the link or, if it got there first, at the account check.
	if code := portal.ErrorCode(failed[0]); code != portal.EINVALID && code != portal.ECONFLICT {
		t.Errorf("loser's error %v, want EINVALID (link used) or ECONFLICT (account exists)", failed[0])
	}
	if users, err := e.db.FindUsers(e.ctx, portal.UserFilter{Query: "twice@example.mn"}); err != nil || len(users) != 1 {
		t.Errorf("users with the e-mail: %d, %v; want 1", len(users), err)
	}
}
