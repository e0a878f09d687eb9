package accounts

import (
	"context"
	"slices"
	"time"

	"github.com/gobidialogue/portal"
)

// SessionLink is the Provider of a session begun with a one-time sign-in link (portal user
// create, portal user link): the link proved who the person is, as a reset link does, and
// such a session exists to choose a password.
const SessionLink = "link"

// LinkSessionLife is the longest a session begun with a one-time sign-in link lasts.
// Choosing a password replaces it with an ordinary session, and until then it may set the
// password without the current one; so it is short, whatever SessionAbsolute says.
const LinkSessionLife = time.Hour

// ErrWrongCurrentPassword refuses a password change whose current password is wrong. It
// marks the "current" field; it counts as a failed sign-in of the account, so that a
// session left open on a shared computer cannot be used to guess the password.
var ErrWrongCurrentPassword = &portal.Error{Code: portal.EINVALID, Message: "your current password is not this one",
	Fields: map[string]string{"current": "your current password is not this one"}}

// MustChoosePassword reports whether the person u, signed in with sess, must choose a
// password before anything else: the session began with a one-time sign-in link, and they
// have no provider to sign in with next time. A person who signs in with a provider may
// skip it.
func MustChoosePassword(u *portal.User, sess *portal.Session) bool {
	return sess != nil && sess.Provider == SessionLink && !HasProvider(u)
}

// HasProvider reports whether u can sign in with a provider (an identity other than the
// e-mail and password one).
func HasProvider(u *portal.User) bool {
	return slices.ContainsFunc(u.Identities, func(id portal.Identity) bool { return id.Provider != portal.ProviderLocal })
}

// AsksCurrentPassword reports whether a password change made in sess must give the
// current password: when the person has one, unless the session began with a one-time
// sign-in link (which proved who they are, as a reset link does).
func AsksCurrentPassword(u *portal.User, sess *portal.Session) bool {
	return u.PasswordHash != "" && (sess == nil || sess.Provider != SessionLink)
}

// ChangePassword sets the password of the person signed in with the session token: the
// profile's change of password, and the password chosen after a one-time sign-in link.
// current must be their password when AsksCurrentPassword says so (a wrong one is
// ErrWrongCurrentPassword, and counts against the account as a failed sign-in; while the
// account is throttled it is a *ThrottledError); the new one must pass ValidatePassword.
//
// A changed password ends every session of the person, this one too (the caller starts a
// new one for this browser): whoever had signed in elsewhere, perhaps with the old password,
// is signed out, as after a reset. It also ends their open reset links (EndResetLinks),
// forgets the account's failed sign-ins, and is audited ("user.password_change", or
// "user.password_set" for a first password).
func (s *Service) ChangePassword(ctx context.Context, token, current, password string) (*portal.User, error) {
	u, sess, err := s.Authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	if AsksCurrentPassword(u, sess) {
		if err := s.checkCurrent(ctx, u, current); err != nil {
			return nil, err
		}
	}
	if err := ValidatePassword(password, u.Email, u.Name); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	// Authenticate's person may be the copy it remembers: change one read afresh, unless
	// the password changed meanwhile (another session's change ended this one).
	fresh, err := s.Store.FindUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if fresh.PasswordHash != u.PasswordHash || fresh.SessionEpoch != sess.Epoch || fresh.Disabled {
		return nil, ErrSessionEnded
	}
	first := fresh.PasswordHash == ""
	now := s.now()
	fresh.PasswordHash = hash
	fresh.SessionEpoch++
	fresh.UpdatedAt = now
	addIdentity(fresh, localIdentity(fresh.Email, now))
	if err := s.saveUser(ctx, fresh); err != nil {
		return nil, err
	}
	ended, err := s.EndResetLinks(ctx, fresh.ID)
	if err != nil {
		return nil, err
	}
	if err := s.limiter().Reset(ctx, AccountKey(fresh.Email)); err != nil {
		return nil, err
	}
	action := "user.password_change"
	if first {
		action = "user.password_set"
	}
	if err := s.audit(ctx, fresh.ID, action, fresh.ID, nil, map[string]int{"reset_links_ended": ended}); err != nil {
		return nil, err
	}
	return fresh, nil
}

// checkCurrent checks that current is u's password, under the account's sign-in throttle.
func (s *Service) checkCurrent(ctx context.Context, u *portal.User, current string) error {
	lim, key := s.limiter(), AccountKey(u.Email)
	wait, err := lim.Wait(ctx, key)
	if err != nil {
		return err
	}
	if wait > 0 {
		return &ThrottledError{Wait: wait}
	}
	if len(current) <= MaxPasswordBytes && CheckPassword(u.PasswordHash, current) {
		return nil
	}
	if err := lim.Fail(ctx, key); err != nil {
		return err
	}
	return ErrWrongCurrentPassword
}
