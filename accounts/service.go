// Package accounts is the account operations of the portal, written once for the HTTP
// handlers and the CLI: password hashing and rules, sign-in with throttling, sessions,
// one-time links (invitations, password resets, sign-in links), and the administration of
// people and organisations, each checked against the policy and written to the audit log.
// It persists through portal.AccountStore and knows nothing of HTTP.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gobidialogue/portal"
)

// Defaults of the Service durations.
const (
	DefaultSessionIdle     = 7 * 24 * time.Hour
	DefaultSessionAbsolute = 30 * 24 * time.Hour
	DefaultInvitationTTL   = 7 * 24 * time.Hour
	DefaultResetTTL        = time.Hour
	DefaultSignInLinkTTL   = 24 * time.Hour
)

// touchEvery is how stale a session's LastSeenAt may get before Authenticate writes it:
// most requests write nothing, and idle expiry is off by at most this much.
const touchEvery = 5 * time.Minute

// Service is the account operations. Zero durations take the defaults above.
type Service struct {
	Store portal.AccountStore
	Now   portal.Clock // nil means time.Now
	// Limiter throttles password sign-ins; nil means a limiter on Store with the same clock.
	Limiter *Limiter

	SessionIdle     time.Duration // a session ends after this long without use
	SessionAbsolute time.Duration // and this long after sign-in, whatever the use
	InvitationTTL   time.Duration
	ResetTTL        time.Duration
	SignInLinkTTL   time.Duration
	DeviceTTL       time.Duration // a browser stays trusted this long after a sign-in (device.go)

	limiterOnce sync.Once
	auth        authCache // who is signed in, as Authenticate last read it (authcache.go)
}

// now returns the current time in UTC, to the millisecond that the database keeps, so that
// a value read back compares equal to the one written.
func (s *Service) now() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().UTC().Truncate(time.Millisecond)
}

func (s *Service) limiter() *Limiter {
	s.limiterOnce.Do(func() {
		if s.Limiter == nil {
			s.Limiter = &Limiter{Store: s.Store, Now: s.Now}
		}
	})
	return s.Limiter
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// audit records a change in the audit log (portal.Audit), at the service's time.
func (s *Service) audit(ctx context.Context, actorID, action, target string, before, after any) error {
	if err := portal.Audit(ctx, s.Store, s.now(), actorID, action, target, before, after); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	return nil
}

// SignInPassword signs a person in with e-mail and password, from the client at clientIP
// ("" when there is none, as in the CLI). An unknown e-mail, a wrong password, a disabled
// account and an account without a password all return ErrWrongCredentials, take the time
// of one password check, and count as a failure against both the account and the client.
// While either is throttled it returns a *ThrottledError without checking anything.
// Success forgets the account's failures and records the sign-in.
func (s *Service) SignInPassword(ctx context.Context, email, password, clientIP string) (*portal.User, error) {
	keys := []string{AccountKey(email)}
	if clientIP != "" {
		keys = append(keys, ClientKey(clientIP))
	}
	return s.signIn(ctx, email, password, keys)
}

// signIn checks email and password under the throttle of keys: none may be blocked, a
// failure counts against each, and success forgets the failures of the first.
func (s *Service) signIn(ctx context.Context, email, password string, keys []string) (*portal.User, error) {
	lim := s.limiter()
	wait, err := lim.Wait(ctx, keys...)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		return nil, &ThrottledError{Wait: wait}
	}
	u, err := s.checkPassword(ctx, email, password)
	if err != nil {
		if errors.Is(err, ErrWrongCredentials) {
			if ferr := lim.Fail(ctx, keys...); ferr != nil {
				return nil, ferr
			}
		}
		return nil, err
	}
	if err := lim.Reset(ctx, keys[0]); err != nil {
		return nil, err
	}
	checked := u.PasswordHash
	if NeedsRehash(u.PasswordHash) {
		if u.PasswordHash, err = HashPassword(password); err != nil {
			return nil, err
		}
	}
	fresh, err := s.refresh(ctx, u, checked)
	if err != nil {
		return nil, err
	}
	if err := s.recordSignIn(ctx, fresh); err != nil {
		return nil, err
	}
	return fresh, nil
}

// refresh reads u again after the slow password check, so that recording the sign-in never
// writes back a stale copy: an admin who disabled the person, or changed their role, in
// the meantime keeps the last word. The rehashed password is kept only when the stored
// hash is still the one that was checked.
func (s *Service) refresh(ctx context.Context, u *portal.User, checked string) (*portal.User, error) {
	fresh, err := s.Store.FindUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if fresh.Disabled || fresh.PasswordHash != checked {
		return nil, ErrWrongCredentials
	}
	fresh.PasswordHash = u.PasswordHash
	return fresh, nil
}

// checkPassword returns the person with email if password is theirs and their account is
// enabled, and ErrWrongCredentials otherwise; every path checks one argon2 hash.
func (s *Service) checkPassword(ctx context.Context, email, password string) (*portal.User, error) {
	var u *portal.User
	if e, err := portal.NormalizeEmail(email); err == nil {
		u, err = s.Store.FindUserByIdentity(ctx, portal.ProviderLocal, e)
		if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
			return nil, err
		}
	}
	hash := dummyHash
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok := CheckPassword(hash, password)
	if !ok || u == nil || u.PasswordHash == "" || u.Disabled {
		return nil, ErrWrongCredentials
	}
	return u, nil
}

// recordSignIn stores u with LastSignIn now (and whatever else the caller changed in u).
func (s *Service) recordSignIn(ctx context.Context, u *portal.User) error {
	u.LastSignIn = s.now()
	return s.saveUser(ctx, u)
}

// saveUser stores u and forgets who this process knows to be signed in: a change to a
// person (disabled, signed out everywhere, another role) holds from the next request.
func (s *Service) saveUser(ctx context.Context, u *portal.User) error {
	err := s.Store.UpdateUser(ctx, u)
	s.auth.clear()
	return err
}
