package accounts

import (
	"context"
	"strings"

	"github.com/gobidialogue/portal"
)

// Invite creates an invitation for email to join with role (and organisation orgID, which
// must exist; members need one) and returns the secret of its link, valid for
// InvitationTTL. The actor must be allowed to invite and to give role: the secretariat
// cannot invite an admin. It is ECONFLICT when the e-mail already has an account.
func (s *Service) Invite(ctx context.Context, actor *portal.User, email string, role portal.Role, orgID string) (string, *portal.Token, error) {
	if !portal.Can(actor, portal.ActionInvite) {
		return "", nil, portal.Errorf(portal.EFORBIDDEN, "you may not send invitations")
	}
	e, err := portal.NormalizeEmail(email)
	if err != nil {
		return "", nil, err
	}
	switch {
	case role.Rank() < 1:
		return "", nil, portal.FieldError("role", "unknown role %q", role)
	case !portal.CanAssign(actor, role):
		return "", nil, portal.Errorf(portal.EFORBIDDEN, "you may not invite someone as %s", role)
	case role == portal.RoleMember && orgID == "":
		return "", nil, portal.FieldError("org", "a member must belong to an organisation")
	}
	if err := s.checkOrganisation(ctx, orgID); err != nil {
		return "", nil, err
	}
	if err := s.checkNoAccount(ctx, e); err != nil {
		return "", nil, err
	}
	token, t := s.newToken(portal.TokenInvitation, actor.ID, orDefault(s.InvitationTTL, DefaultInvitationTTL))
	t.Email, t.Role, t.OrgID = e, role, orgID
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	if err := s.audit(ctx, actor.ID, "invitation.create", t.ID, nil, tokenAudit(t)); err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// RevokeInvitation withdraws the invitation with id (the stored ID, not the secret), which
// the actor must be allowed to send. It is ENOTFOUND for no such invitation and ECONFLICT
// for one already accepted.
func (s *Service) RevokeInvitation(ctx context.Context, actor *portal.User, id string) error {
	if !portal.Can(actor, portal.ActionInvite) {
		return portal.Errorf(portal.EFORBIDDEN, "you may not withdraw invitations")
	}
	t, err := s.Store.FindToken(ctx, id)
	switch {
	case err != nil && portal.ErrorCode(err) != portal.ENOTFOUND:
		return err
	case err != nil || t.Kind != portal.TokenInvitation:
		return portal.Errorf(portal.ENOTFOUND, "there is no such invitation")
	case !portal.CanAssign(actor, t.Role):
		return portal.Errorf(portal.EFORBIDDEN, "you may not withdraw an invitation as %s", t.Role)
	}
	if err := s.Store.RevokeToken(ctx, id, s.now()); err != nil {
		return err
	}
	return s.audit(ctx, actor.ID, "invitation.revoke", t.ID, tokenAudit(t), nil)
}

// FindInvitation returns the invitation whose secret is token, if it can still be
// accepted; otherwise ErrLinkInvalid, ErrLinkExpired, ErrLinkUsed or ErrLinkRevoked.
func (s *Service) FindInvitation(ctx context.Context, token string) (*portal.Token, error) {
	return s.findToken(ctx, portal.TokenInvitation, token)
}

// AcceptInvitation creates the account of the person invited by token, with e-mail and
// password, in the invited role and organisation, and uses the invitation up. The e-mail
// must be the invited one (ErrOtherEmail). The person's language is the request's.
func (s *Service) AcceptInvitation(ctx context.Context, token, email, name, password string) (*portal.User, error) {
	t, err := s.FindInvitation(ctx, token)
	if err != nil {
		return nil, err
	}
	e, err := portal.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if e != t.Email {
		return nil, ErrOtherEmail
	}
	if err := ValidatePassword(password, e, name); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	u := invitedUser(ctx, t, name)
	u.PasswordHash = hash
	return s.accept(ctx, t, u)
}

// AcceptInvitationExternal is AcceptInvitation for a person who signs in with a provider:
// the provider's e-mail must be the invited one, ignoring case, and the account is
// created with the provider identity.
func (s *Service) AcceptInvitationExternal(ctx context.Context, token string, id portal.Identity, name string) (*portal.User, error) {
	if err := checkExternal(id); err != nil {
		return nil, err
	}
	t, err := s.FindInvitation(ctx, token)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(strings.TrimSpace(id.Email), t.Email) {
		return nil, ErrOtherEmail
	}
	u := invitedUser(ctx, t, name)
	id.LinkedAt = s.now()
	u.Identities = []portal.Identity{id}
	return s.accept(ctx, t, u)
}

func invitedUser(ctx context.Context, t *portal.Token, name string) *portal.User {
	return &portal.User{Email: t.Email, Name: name, Role: t.Role, OrgID: t.OrgID, Language: portal.LanguageFromContext(ctx)}
}

// accept stores the person invited by t. Everything that can be refused is checked before
// the invitation is used up, and it is used up before the account is created, so that a
// replayed or concurrent acceptance creates nothing.
func (s *Service) accept(ctx context.Context, t *portal.Token, u *portal.User) (*portal.User, error) {
	if err := s.prepareUser(ctx, u); err != nil {
		return nil, err
	}
	if err := s.useToken(ctx, t); err != nil {
		return nil, err
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	after := struct {
		userAuditEntry
		Invitation string `json:"invitation"`
		InvitedBy  string `json:"invited_by"`
	}{userAudit(u), t.ID, t.CreatedBy}
	if err := s.audit(ctx, u.ID, "invitation.accept", u.ID, nil, after); err != nil {
		return nil, err
	}
	return u, nil
}
