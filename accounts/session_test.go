package accounts_test

import (
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// startSession signs u in and returns the session's token.
func (e *env) startSession(u *portal.User) string {
	e.t.Helper()
	token, sess, err := e.svc.StartSession(e.ctx, u, portal.ProviderLocal)
	if err != nil {
		e.t.Fatal(err)
	}
	if sess.ID != accounts.TokenID(token) || sess.UserID != u.ID || sess.Epoch != u.SessionEpoch {
		e.t.Fatalf("session %+v does not match token and user", sess)
	}
	return token
}

// wantSignedIn checks that token authenticates u.
func (e *env) wantSignedIn(token string, u *portal.User) *portal.Session {
	e.t.Helper()
	got, sess, err := e.svc.Authenticate(e.ctx, token)
	if err != nil {
		e.t.Fatalf("Authenticate: %v", err)
	}
	if got.ID != u.ID {
		e.t.Fatalf("Authenticate = %s, want %s", got.ID, u.ID)
	}
	return sess
}

// wantSignedOut checks that token authenticates nobody and that its session is gone.
func (e *env) wantSignedOut(token string) {
	e.t.Helper()
	u, sess, err := e.svc.Authenticate(e.ctx, token)
	if u != nil || sess != nil || err != accounts.ErrSessionEnded {
		e.t.Fatalf("Authenticate = %v, %v, %v; want ErrSessionEnded", u, sess, err)
	}
	wantErr(e.t, err, portal.EUNAUTHORIZED, nil)
	if _, err := e.db.FindSession(e.ctx, accounts.TokenID(token)); portal.ErrorCode(err) != portal.ENOTFOUND {
		e.t.Errorf("ended session still stored: %v", err)
	}
}

func TestSessionLifetime(t *testing.T) {
	e := newEnv(t)
	u := e.user("saraa@example.mn", portal.RoleMember)
	start := e.clock.Now()
	token := e.startSession(u)
	if sess := e.wantSignedIn(token, u); !sess.ExpiresAt.Equal(start.Add(30 * 24 * time.Hour)) {
		t.Errorf("ExpiresAt = %v, want 30 days after sign-in", sess.ExpiresAt)
	}

	// Within five minutes of the last write, use writes nothing.
	e.clock.Advance(4 * time.Minute)
	e.wantSignedIn(token, u)
	stored, err := e.db.FindSession(e.ctx, accounts.TokenID(token))
	if err != nil || !stored.LastSeenAt.Equal(start) {
		t.Fatalf("LastSeenAt = %v, %v; want %v (untouched)", stored.LastSeenAt, err, start)
	}
	e.clock.Advance(2 * time.Minute)
	e.wantSignedIn(token, u)
	stored, err = e.db.FindSession(e.ctx, accounts.TokenID(token))
	if err != nil || !stored.LastSeenAt.Equal(e.clock.Now()) {
		t.Fatalf("LastSeenAt = %v, %v; want %v (touched)", stored.LastSeenAt, err, e.clock.Now())
	}

	// Used every six days, it lasts until 30 days after sign-in and no longer.
	for e.clock.Now().Add(6 * 24 * time.Hour).Before(start.Add(30 * 24 * time.Hour)) {
		e.clock.Advance(6 * 24 * time.Hour)
		e.wantSignedIn(token, u)
	}
	e.clock.Advance(6 * 24 * time.Hour)
	e.wantSignedOut(token)
}

func TestSessionIdle(t *testing.T) {
	e := newEnv(t)
	u := e.user("enkh@example.mn", portal.RoleMember)
	token := e.startSession(u)
	e.clock.Advance(7*24*time.Hour - time.Second)
	e.wantSignedIn(token, u)
	e.clock.Advance(7 * 24 * time.Hour)
	e.wantSignedOut(token)

	e.svc.SessionIdle = time.Hour
	token = e.startSession(u)
	e.clock.Advance(time.Hour)
	e.wantSignedOut(token)
}

func TestSessionEnds(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	u := e.user("ganaa@example.mn", portal.RoleMember)

	t.Run("unknown token", func(t *testing.T) {
		e := e.sub(t)
		for _, token := range []string{"", "no such token"} {
			if _, _, err := e.svc.Authenticate(e.ctx, token); err != accounts.ErrSessionEnded {
				t.Errorf("Authenticate(%q) = %v, want ErrSessionEnded", token, err)
			}
		}
	})
	t.Run("sign out", func(t *testing.T) {
		e := e.sub(t)
		token, other := e.startSession(u), e.startSession(u)
		if err := e.svc.EndSession(e.ctx, token); err != nil {
			t.Fatal(err)
		}
		e.wantSignedOut(token)
		e.wantSignedIn(other, u)
		if err := e.svc.EndSession(e.ctx, token); err != nil {
			t.Errorf("second EndSession: %v, want nil", err)
		}
	})
	t.Run("sign out everywhere", func(t *testing.T) {
		e := e.sub(t)
		a, b := e.startSession(u), e.startSession(u)
		if err := e.svc.EndAllSessions(e.ctx, u.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		e.wantSignedOut(a)
		e.wantSignedOut(b)
		if len(e.audit("user.sessions_end")) != 0 {
			t.Error("signing oneself out everywhere was audited")
		}
		u = e.reload(u)
		e.wantSignedIn(e.startSession(u), u)
	})
	t.Run("signed out everywhere by an admin", func(t *testing.T) {
		e := e.sub(t)
		token := e.startSession(u)
		if err := e.svc.EndAllSessions(e.ctx, admin.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		e.wantSignedOut(token)
		e.wantAudit("user.sessions_end", admin.ID, u.ID)
		u = e.reload(u)
	})
	t.Run("disabled", func(t *testing.T) {
		e := e.sub(t)
		token := e.startSession(u)
		if err := e.svc.SetDisabled(e.ctx, admin, u.ID, true); err != nil {
			t.Fatal(err)
		}
		e.wantSignedOut(token)
		u = e.reload(u)
		if _, _, err := e.svc.StartSession(e.ctx, u, portal.ProviderLocal); err != accounts.ErrDisabled {
			t.Errorf("StartSession for a disabled person = %v, want ErrDisabled", err)
		}
	})
}
