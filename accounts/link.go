package accounts

import (
	"context"
	"time"

	"github.com/gobidialogue/portal"
)

// findToken returns the token of kind whose secret is token, if it can still be used, and
// otherwise one of the ErrLink errors, saying why not.
func (s *Service) findToken(ctx context.Context, kind portal.TokenKind, token string) (*portal.Token, error) {
	if token == "" {
		return nil, ErrLinkInvalid
	}
	t, err := s.Store.FindToken(ctx, TokenID(token))
	switch {
	case portal.ErrorCode(err) == portal.ENOTFOUND:
		return nil, ErrLinkInvalid
	case err != nil:
		return nil, err
	case t.Kind != kind:
		return nil, ErrLinkInvalid
	}
	if err := s.usable(t); err != nil {
		return nil, err
	}
	return t, nil
}

// usable returns nil when t can be used now, and otherwise the ErrLink error saying why not.
func (s *Service) usable(t *portal.Token) error {
	switch {
	case t.RevokedAt != nil:
		return ErrLinkRevoked
	case t.UsedAt != nil:
		return ErrLinkUsed
	case !s.now().Before(t.ExpiresAt):
		return ErrLinkExpired
	}
	return nil
}

// useToken marks t used. The store lets exactly one of two concurrent uses succeed, so a
// link replayed in a race does nothing twice; the loser is told why the link ended.
func (s *Service) useToken(ctx context.Context, t *portal.Token) error {
	err := s.Store.UseToken(ctx, t.ID, s.now())
	if portal.ErrorCode(err) != portal.ECONFLICT {
		return err
	}
	if cur, ferr := s.Store.FindToken(ctx, t.ID); ferr == nil {
		if why := s.usable(cur); why != nil {
			return why
		}
	}
	return ErrLinkUsed
}

// userOfToken returns the person a reset or sign-in link is for, who must still exist and
// be enabled.
func (s *Service) userOfToken(ctx context.Context, t *portal.Token) (*portal.User, error) {
	u, err := s.Store.FindUser(ctx, t.UserID)
	switch {
	case portal.ErrorCode(err) == portal.ENOTFOUND:
		return nil, ErrLinkInvalid
	case err != nil:
		return nil, err
	case u.Disabled:
		return nil, ErrDisabled
	}
	return u, nil
}

// IssueSignInLink returns the secret of a one-time link that signs the person with userID
// in, valid for SignInLinkTTL: how the first admin of a new install, or a person without a
// password, gets in. actorID is who asked ("" for the CLI); the caller checks that they
// may. A link issued for someone else is audited.
func (s *Service) IssueSignInLink(ctx context.Context, actorID, userID string) (string, error) {
	u, err := s.Store.FindUser(ctx, userID)
	if err != nil {
		return "", err
	}
	if u.Disabled {
		return "", ErrDisabled
	}
	token, t := s.newToken(portal.TokenSignIn, actorID, orDefault(s.SignInLinkTTL, DefaultSignInLinkTTL))
	t.UserID, t.Email = u.ID, u.Email
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return "", err
	}
	if actorID != userID {
		if err := s.audit(ctx, actorID, "signin_link.create", u.ID, nil, tokenAudit(t)); err != nil {
			return "", err
		}
	}
	return token, nil
}

// newToken returns a new secret and its token of kind, valid for ttl, not yet stored.
func (s *Service) newToken(kind portal.TokenKind, createdBy string, ttl time.Duration) (string, *portal.Token) {
	now := s.now()
	token, id := NewToken()
	return token, &portal.Token{ID: id, Kind: kind, CreatedBy: createdBy, CreatedAt: now, ExpiresAt: now.Add(ttl)}
}

// UseSignInLink signs in the person a sign-in link is for, and uses the link up.
func (s *Service) UseSignInLink(ctx context.Context, token string) (*portal.User, error) {
	t, err := s.findToken(ctx, portal.TokenSignIn, token)
	if err != nil {
		return nil, err
	}
	if err := s.useToken(ctx, t); err != nil {
		return nil, err
	}
	u, err := s.userOfToken(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := s.recordSignIn(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// RequestReset returns the secret of a password-reset link for the person with email,
// valid for ResetTTL, and the person to send it to. For an address without an account, or
// of a disabled account, it returns "", nil, nil: the caller says the same either way, so
// nobody learns which addresses have accounts. An address that is not one is EINVALID.
func (s *Service) RequestReset(ctx context.Context, email string) (string, *portal.User, error) {
	e, err := portal.NormalizeEmail(email)
	if err != nil {
		return "", nil, err
	}
	u, err := s.Store.FindUserByIdentity(ctx, portal.ProviderLocal, e)
	switch {
	case portal.ErrorCode(err) == portal.ENOTFOUND:
		return "", nil, nil
	case err != nil:
		return "", nil, err
	case u.Disabled:
		return "", nil, nil
	}
	token, t := s.newToken(portal.TokenReset, u.ID, orDefault(s.ResetTTL, DefaultResetTTL))
	t.UserID, t.Email = u.ID, u.Email
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return token, u, nil
}

// ResetPassword sets the password of the person a reset link is for and uses the link up.
// It ends the person's other sessions (whoever knew the old password is signed out) and
// their other open reset links (EndResetLinks), and forgets the failed sign-ins of the
// account. The password is checked before the link is used, so a refused password leaves
// the link usable.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*portal.User, error) {
	t, err := s.findToken(ctx, portal.TokenReset, token)
	if err != nil {
		return nil, err
	}
	u, err := s.userOfToken(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := ValidatePassword(password, u.Email, u.Name); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	if err := s.useToken(ctx, t); err != nil {
		return nil, err
	}
	now := s.now()
	u.PasswordHash = hash
	u.SessionEpoch++
	u.UpdatedAt = now
	addIdentity(u, localIdentity(u.Email, now))
	if err := s.saveUser(ctx, u); err != nil {
		return nil, err
	}
	ended, err := s.EndResetLinks(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if err := s.limiter().Reset(ctx, AccountKey(u.Email)); err != nil {
		return nil, err
	}
	after := map[string]int{"reset_links_ended": ended}
	if err := s.audit(ctx, u.ID, "user.password_reset", u.ID, nil, after); err != nil {
		return nil, err
	}
	return u, nil
}

// EndResetLinks ends (revokes) every open password-reset link of the person with userID
// and returns how many it ended. Every change of a password calls it once the new one is
// stored: a reset, a change on the profile, a password chosen after a one-time sign-in
// link. A reset link asked for before the change (perhaps by whoever read the person's
// mail) must not set the password again. The caller audits the change it made.
func (s *Service) EndResetLinks(ctx context.Context, userID string) (int, error) {
	links, err := s.Store.FindTokens(ctx, portal.TokenReset)
	if err != nil {
		return 0, err
	}
	now, ended := s.now(), 0
	for _, t := range links {
		if t.UserID != userID || s.usable(t) != nil {
			continue
		}
		err := s.Store.RevokeToken(ctx, t.ID, now)
		switch {
		case err == nil:
			ended++
		case portal.ErrorCode(err) != portal.ECONFLICT: // ECONFLICT: used meanwhile, so ended
			return ended, err
		}
	}
	return ended, nil
}

// tokenAuditEntry is what the audit log keeps of a one-time link: never its secret.
type tokenAuditEntry struct {
	Kind      portal.TokenKind `json:"kind"`
	Email     string           `json:"email,omitempty"`
	UserID    string           `json:"user_id,omitempty"`
	Role      portal.Role      `json:"role,omitempty"`
	OrgID     string           `json:"org,omitempty"`
	ExpiresAt time.Time        `json:"expires_at"`
}

func tokenAudit(t *portal.Token) tokenAuditEntry {
	return tokenAuditEntry{Kind: t.Kind, Email: t.Email, UserID: t.UserID, Role: t.Role, OrgID: t.OrgID, ExpiresAt: t.ExpiresAt}
}

// FindReset returns the reset link whose secret is token, if it can still be used, and
// otherwise ErrLinkInvalid, ErrLinkExpired, ErrLinkUsed or ErrLinkRevoked: the reset page
// asks before it shows its form, so that a dead link says so at once.
func (s *Service) FindReset(ctx context.Context, token string) (*portal.Token, error) {
	return s.findToken(ctx, portal.TokenReset, token)
}

// IssueResetLink returns the secret of a password-reset link for the person with userID,
// valid for ResetTTL, and its token. While the portal sends no e-mail, this is how a person
// who forgot their password gets back in: someone allowed to manage people (never for
// their own account) creates the link and passes it on. The person must be enabled
// (ErrDisabled). Audited as "reset_link.create", without the secret.
func (s *Service) IssueResetLink(ctx context.Context, actor *portal.User, userID string) (string, *portal.Token, error) {
	u, err := s.manageUser(ctx, actor, userID)
	if err != nil {
		return "", nil, err
	}
	if u.Disabled {
		return "", nil, ErrDisabled
	}
	token, t := s.newToken(portal.TokenReset, actor.ID, orDefault(s.ResetTTL, DefaultResetTTL))
	t.UserID, t.Email = u.ID, u.Email
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	if err := s.audit(ctx, actor.ID, "reset_link.create", u.ID, nil, tokenAudit(t)); err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// LinkState is what has become of a one-time link.
type LinkState string

const (
	LinkPending LinkState = "pending" // it can still be used
	LinkUsed    LinkState = "used"
	LinkExpired LinkState = "expired"
	LinkRevoked LinkState = "revoked"
)

// StateOf returns the state of t now, by the service's clock.
func (s *Service) StateOf(t *portal.Token) LinkState {
	switch s.usable(t) {
	case nil:
		return LinkPending
	case ErrLinkRevoked:
		return LinkRevoked
	case ErrLinkUsed:
		return LinkUsed
	}
	return LinkExpired
}
