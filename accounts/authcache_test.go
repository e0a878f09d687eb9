package accounts_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

// countingStore counts the reads of sessions and people that reach the store.
type countingStore struct {
	portal.AccountStore
	reads atomic.Int32
}

func (c *countingStore) FindSession(ctx context.Context, id string) (*portal.Session, error) {
	c.reads.Add(1)
	return c.AccountStore.FindSession(ctx, id)
}

func (c *countingStore) FindUser(ctx context.Context, id string) (*portal.User, error) {
	c.reads.Add(1)
	return c.AccountStore.FindUser(ctx, id)
}

// TestAuthenticateRemembers checks that Authenticate reads a session and its person once,
// not on every request, and that every change that ends a session holds from the next
// request: signing out, signing out everywhere and disabling, made through this service, through
// another service of this process, and through another process (within the store's claim
// check).
func TestAuthenticateRemembers(t *testing.T) {
	e := newEnv(t)
	counted := &countingStore{AccountStore: e.db}
	svc := &accounts.Service{Store: counted, Now: e.clock.Now}
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	u := e.user("saraa@example.mn", portal.RoleMember)
	signIn := func() string {
		t.Helper()
		token, _, err := svc.StartSession(e.ctx, u, portal.ProviderLocal)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	signedIn := func(token string) bool {
		t.Helper()
		got, _, err := svc.Authenticate(e.ctx, token)
		if err != nil && err != accounts.ErrSessionEnded {
			t.Fatal(err)
		}
		return got != nil
	}

	token := signIn()
	signedIn(token)
	before := counted.reads.Load()
	for range 10 {
		if !signedIn(token) {
			t.Fatal("signed out by reading again")
		}
	}
	if n := counted.reads.Load() - before; n != 0 {
		t.Errorf("ten requests read the session or the person %d times, want none", n)
	}
	// Past the cache's bound the session is read again.
	e.clock.Advance(2 * time.Minute)
	signedIn(token)
	if counted.reads.Load() == before {
		t.Error("a session held for two minutes was not read again")
	}

	// Signing out through this service.
	if err := svc.EndSession(e.ctx, token); err != nil {
		t.Fatal(err)
	}
	if signedIn(token) {
		t.Error("a signed-out session still signs in")
	}

	// Signing out everywhere through another service of this process (no shared memory).
	token = signIn()
	signedIn(token)
	if err := e.svc.EndAllSessions(e.ctx, u.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if signedIn(token) {
		t.Error("a session ended everywhere through another service still signs in")
	}

	// Disabling through another process: within the claim check.
	u = e.reload(u)
	token = signIn()
	signedIn(token)
	other := &accounts.Service{Store: storetest.OpenElsewhere(t, e.db), Now: e.clock.Now}
	if err := other.SetDisabled(e.ctx, admin, u.ID, true); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for signedIn(token) {
		if time.Now().After(deadline) {
			t.Fatal("a person disabled by another process still signs in after 2 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
