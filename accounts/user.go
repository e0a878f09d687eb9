package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

// CreateUser validates u, normalises its e-mail, gives it a random ID when it has none and
// a local identity (so the person can be found by e-mail for a password reset), stores it
// and audits "user.create". actorID is who created it ("" for the CLI); the caller checks
// that they may. It is ECONFLICT when the e-mail already has an account.
func (s *Service) CreateUser(ctx context.Context, actorID string, u *portal.User) error {
	if err := s.insertUser(ctx, u); err != nil {
		return err
	}
	return s.audit(ctx, actorID, "user.create", u.ID, nil, userAudit(u))
}

// prepareUser normalises and validates a new user and fills in what the service assigns,
// without storing anything.
func (s *Service) prepareUser(ctx context.Context, u *portal.User) error {
	email, err := portal.NormalizeEmail(u.Email)
	if err != nil {
		return err
	}
	u.Email = email
	u.Name = strings.TrimSpace(u.Name)
	if err := u.Validate(); err != nil {
		return err
	}
	if err := s.checkOrganisation(ctx, u.OrgID); err != nil {
		return err
	}
	if err := s.checkNoAccount(ctx, email); err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = newUserID()
	}
	now := s.now()
	u.CreatedAt, u.UpdatedAt = now, now
	addIdentity(u, localIdentity(email, now))
	return nil
}

func (s *Service) insertUser(ctx context.Context, u *portal.User) error {
	if err := s.prepareUser(ctx, u); err != nil {
		return err
	}
	return s.Store.CreateUser(ctx, u)
}

// checkNoAccount returns ECONFLICT when someone already has an account with email, and
// ErrLookAlike (ECONFLICT too) when an account's address looks the same (EmailKey). The
// store refuses a duplicate too; asking first gives the form a clear message, and lets an
// invitation refuse before its link is used up.
func (s *Service) checkNoAccount(ctx context.Context, email string) error {
	_, err := s.Store.FindUserByIdentity(ctx, portal.ProviderLocal, email)
	switch portal.ErrorCode(err) {
	case portal.ENOTFOUND:
		return s.checkNoLookAlike(ctx, email)
	case "":
		msg := "someone with this e-mail address already has an account"
		return &portal.Error{Code: portal.ECONFLICT, Message: msg, Fields: map[string]string{"email": msg}}
	}
	return err
}

// checkOrganisation returns EINVALID, marking the "org" field, when id is set and no
// organisation has it.
func (s *Service) checkOrganisation(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	_, err := s.Store.FindOrganisation(ctx, id)
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return portal.FieldError("org", "there is no organisation %q", id)
	}
	return err
}

// localIdentity is the identity of e-mail and password accounts: its subject is the
// normalised e-mail.
func localIdentity(email string, now time.Time) portal.Identity {
	return portal.Identity{Provider: portal.ProviderLocal, Subject: email, Email: email, LinkedAt: now}
}

// addIdentity gives u the identity id unless it has it already.
func addIdentity(u *portal.User, id portal.Identity) {
	for _, x := range u.Identities {
		if x.Provider == id.Provider && x.Subject == id.Subject {
			return
		}
	}
	u.Identities = append(u.Identities, id)
}

// SignInExternal returns the person who signs in with the provider identity id. Nobody is
// created here: a person without an account needs an invitation (ErrNoAccount), and a
// disabled account is refused (ErrDisabled). The caller has verified id with the provider.
func (s *Service) SignInExternal(ctx context.Context, id portal.Identity) (*portal.User, error) {
	if err := checkExternal(id); err != nil {
		return nil, err
	}
	u, err := s.Store.FindUserByIdentity(ctx, id.Provider, id.Subject)
	switch {
	case portal.ErrorCode(err) == portal.ENOTFOUND:
		return nil, ErrNoAccount
	case err != nil:
		return nil, err
	case u.Disabled:
		return nil, ErrDisabled
	}
	if err := s.recordSignIn(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkExternal refuses an identity that is not from an external provider: the local one
// is proved by a password, never by a caller's say-so.
func checkExternal(id portal.Identity) error {
	if id.Provider == "" || id.Provider == portal.ProviderLocal || id.Subject == "" {
		return portal.Errorf(portal.EINVALID, "not an identity from a sign-in provider")
	}
	return nil
}

// userAuditEntry is what the audit log keeps of a person: never a password hash.
type userAuditEntry struct {
	Email    string      `json:"email"`
	Name     string      `json:"name"`
	Role     portal.Role `json:"role"`
	OrgID    string      `json:"org,omitempty"`
	Disabled bool        `json:"disabled,omitempty"`
}

func userAudit(u *portal.User) userAuditEntry {
	return userAuditEntry{Email: u.Email, Name: u.Name, Role: u.Role, OrgID: u.OrgID, Disabled: u.Disabled}
}

// UpdateProfile changes what a person may change about themselves: their name and the
// language the portal speaks to them in. It reads the person afresh, so nothing an admin
// changed meanwhile is written back.
func (s *Service) UpdateProfile(ctx context.Context, userID, name string, lang portal.Language) (*portal.User, error) {
	u, err := s.Store.FindUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	u.Name, u.Language = strings.TrimSpace(name), lang
	if !lang.Valid() {
		return nil, portal.FieldError("language", "unknown language %q", lang)
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	u.UpdatedAt = s.now()
	if err := s.saveUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// LinkIdentity adds a provider identity to the signed-in person userID, so they can sign
// in with it from now on. ECONFLICT when the identity belongs to someone else.
func (s *Service) LinkIdentity(ctx context.Context, userID string, id portal.Identity) (*portal.User, error) {
	if id.Provider == "" || id.Provider == portal.ProviderLocal || id.Subject == "" {
		return nil, portal.Errorf(portal.EINVALID, "a provider identity needs a provider and a subject")
	}
	u, err := s.Store.FindUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, have := range u.Identities {
		if have.Provider == id.Provider && have.Subject == id.Subject {
			return u, nil
		}
	}
	id.LinkedAt = s.now()
	u.Identities = append(u.Identities, id)
	u.UpdatedAt = id.LinkedAt
	if err := s.saveUser(ctx, u); err != nil {
		return nil, err
	}
	return u, s.audit(ctx, u.ID, "user.link", u.ID, nil, map[string]string{"provider": id.Provider})
}
