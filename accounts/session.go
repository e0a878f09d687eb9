package accounts

import (
	"context"

	"github.com/gobidialogue/portal"
)

// StartSession begins a session for u, who signed in with provider, and returns the token
// for the cookie. Only the token's hash is stored. A session begun with a one-time sign-in
// link (SessionLink) lasts at most LinkSessionLife.
func (s *Service) StartSession(ctx context.Context, u *portal.User, provider string) (string, *portal.Session, error) {
	if u.Disabled {
		return "", nil, ErrDisabled
	}
	life := orDefault(s.SessionAbsolute, DefaultSessionAbsolute)
	if provider == SessionLink {
		life = min(life, LinkSessionLife)
	}
	now := s.now()
	token, id := NewToken()
	sess := &portal.Session{
		ID:         id,
		UserID:     u.ID,
		Epoch:      u.SessionEpoch,
		Provider:   provider,
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(life),
	}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", nil, err
	}
	return token, sess, nil
}

// Authenticate returns the person and session that token signs in. Any session that signs
// nobody in (unknown, idle too long, past its absolute expiry, older than the person's
// last "sign out everywhere", or of a disabled or deleted account) gives ErrSessionEnded,
// and an ended session that still exists is deleted. LastSeenAt is written at most once
// every few minutes, so most requests write nothing.
func (s *Service) Authenticate(ctx context.Context, token string) (*portal.User, *portal.Session, error) {
	if token == "" {
		return nil, nil, ErrSessionEnded
	}
	id := TokenID(token)
	now := s.now()
	// The version is read before the session and the person, so that a change racing
	// their reading moves it and the next request reads them again.
	version, err := s.Store.AuthVersion(ctx)
	if err != nil {
		return nil, nil, err
	}
	u, sess, held := s.auth.get(id, version, now)
	if !held {
		if sess, err = s.Store.FindSession(ctx, id); portal.ErrorCode(err) == portal.ENOTFOUND {
			return nil, nil, ErrSessionEnded
		} else if err != nil {
			return nil, nil, err
		}
	}
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeenAt.Add(orDefault(s.SessionIdle, DefaultSessionIdle))) {
		return nil, nil, s.endSession(ctx, sess.ID)
	}
	if !held {
		if u, err = s.Store.FindUser(ctx, sess.UserID); portal.ErrorCode(err) == portal.ENOTFOUND {
			return nil, nil, s.endSession(ctx, sess.ID)
		} else if err != nil {
			return nil, nil, err
		}
	}
	if u.Disabled || u.SessionEpoch != sess.Epoch {
		return nil, nil, s.endSession(ctx, sess.ID)
	}
	if !held {
		s.auth.put(version, u, sess, now)
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.Store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, nil, err
		}
		sess.LastSeenAt = now
		s.auth.touched(sess.ID, now)
	}
	return u, sess, nil
}

// endSession deletes a session found to have ended and returns ErrSessionEnded. The
// deletion is only tidying: if it fails, the session is refused all the same and found to
// have ended again next time, so its error is not the caller's concern.
func (s *Service) endSession(ctx context.Context, id string) error {
	s.auth.forget(id)
	_ = s.Store.DeleteSession(ctx, id)
	return ErrSessionEnded
}

// EndSession signs out the session of token; a session that does not exist is no error.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	s.auth.forget(TokenID(token))
	if err := s.Store.DeleteSession(ctx, TokenID(token)); err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
		return err
	}
	return nil
}

// EndAllSessions ends every session of the person with userID at once, by moving their
// session epoch on. The caller checks that actorID may do so (the person themselves, or
// someone allowed to manage users); when someone else does it, it is audited.
func (s *Service) EndAllSessions(ctx context.Context, actorID, userID string) error {
	u, err := s.Store.FindUser(ctx, userID)
	if err != nil {
		return err
	}
	u.SessionEpoch++
	u.UpdatedAt = s.now()
	if err := s.saveUser(ctx, u); err != nil {
		return err
	}
	if actorID == userID {
		return nil
	}
	return s.audit(ctx, actorID, "user.sessions_end", u.ID, nil, nil)
}
