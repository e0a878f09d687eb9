package accounts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

func TestSignInPassword(t *testing.T) {
	e := newEnv(t)
	u := e.user("oyuna@example.mn", portal.RoleMember)
	if err := e.svc.Limiter.Fail(e.ctx, accounts.AccountKey(u.Email)); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)

	got, err := e.svc.SignInPassword(e.ctx, "  Oyuna@Example.MN ", password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID {
		t.Errorf("signed in %s, want %s", got.ID, u.ID)
	}
	if stored := e.reload(u); !stored.LastSignIn.Equal(e.clock.Now()) {
		t.Errorf("LastSignIn = %v, want %v", stored.LastSignIn, e.clock.Now())
	}
	if n := e.throttle(accounts.AccountKey(u.Email)); n != 0 {
		t.Errorf("account failures after a sign-in = %d, want 0", n)
	}
}

// TestSignInRefusals checks that every refused sign-in looks the same from outside and
// counts against both the account and the client.
func TestSignInRefusals(t *testing.T) {
	e := newEnv(t)
	e.user("tsetseg@example.mn", portal.RoleMember)
	disabled := e.user("disabled@example.mn", portal.RoleMember)
	disabled.Disabled = true
	if err := e.db.UpdateUser(e.ctx, disabled); err != nil {
		t.Fatal(err)
	}
	nopw := &portal.User{Email: "nopassword@example.mn", Name: "No Password", Role: portal.RoleMember}
	if err := e.svc.CreateUser(e.ctx, "", nopw); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, email, password, ip string
	}{
		{"unknown e-mail", "nobody@example.mn", password, "192.0.2.1"},
		{"wrong password", "tsetseg@example.mn", password + "!", "192.0.2.2"},
		{"disabled account", "disabled@example.mn", password, "192.0.2.3"},
		{"account without password", "nopassword@example.mn", "", "192.0.2.4"},
		{"not an e-mail address", "tsetseg", password, "192.0.2.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.sub(t)
			u, err := e.svc.SignInPassword(e.ctx, tt.email, tt.password, tt.ip)
			if u != nil || err != accounts.ErrWrongCredentials {
				t.Fatalf("SignInPassword = %v, %v; want nil, ErrWrongCredentials", u, err)
			}
			if code, msg := portal.ErrorCode(err), portal.ErrorMessage(err); code != portal.EUNAUTHORIZED || msg != "wrong e-mail or password" {
				t.Errorf("error %q %q, want unauthorized \"wrong e-mail or password\"", code, msg)
			}
			for _, key := range []string{accounts.AccountKey(tt.email), accounts.ClientKey(tt.ip)} {
				if n := e.throttle(key); n != 1 {
					t.Errorf("failures of %s = %d, want 1", key, n)
				}
			}
		})
	}
}

func TestSignInThrottledPerAccount(t *testing.T) {
	e := newEnv(t)
	u := e.user("bold@example.mn", portal.RoleMember)
	signIn := func(pw string, ip string) error {
		t.Helper()
		_, err := e.svc.SignInPassword(e.ctx, u.Email, pw, ip)
		return err
	}
	// Five failures, each from another address, cost nothing; the sixth blocks the account
	// for a second, even for the right password and from a new address.
	for i := range 6 {
		wantErr(t, signIn("wrong password", "198.51.100."+string(rune('1'+i))), portal.EUNAUTHORIZED, accounts.ErrWrongCredentials)
	}
	err := signIn(password, "203.0.113.9")
	var throttled *accounts.ThrottledError
	if !errors.As(err, &throttled) || throttled.Wait != time.Second {
		t.Fatalf("7th attempt: %v, want a ThrottledError of 1s", err)
	}
	wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrThrottled)
	if n := e.throttle(accounts.AccountKey(u.Email)); n != 6 {
		t.Errorf("failures = %d, want 6: a refused attempt does not count", n)
	}

	// Each further failure doubles the block.
	for _, want := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second} {
		e.clock.Advance(want / 2)
		wantErr(t, signIn("wrong password", "203.0.113.9"), portal.EUNAUTHORIZED, accounts.ErrWrongCredentials)
		wait, err := e.svc.Limiter.Wait(e.ctx, accounts.AccountKey(u.Email))
		if err != nil || wait != want {
			t.Fatalf("Wait = %v, %v; want %v", wait, err, want)
		}
	}

	// Once the block is over, the right password signs in and the count starts again.
	e.clock.Advance(8 * time.Second)
	if err := signIn(password, "203.0.113.9"); err != nil {
		t.Fatalf("after the block: %v", err)
	}
	if n := e.throttle(accounts.AccountKey(u.Email)); n != 0 {
		t.Errorf("failures after a sign-in = %d, want 0", n)
	}
}

func TestSignInThrottledPerClient(t *testing.T) {
	e := newEnv(t)
	u := e.user("naraa@example.mn", portal.RoleMember)
	const ip = "192.0.2.77"
	// One client guessing at six accounts.
	for i := range 6 {
		_, err := e.svc.SignInPassword(e.ctx, "guess"+string(rune('a'+i))+"@example.mn", password, ip)
		wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrWrongCredentials)
	}
	_, err := e.svc.SignInPassword(e.ctx, u.Email, password, ip)
	wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrThrottled)
	if _, err := e.svc.SignInPassword(e.ctx, u.Email, password, "192.0.2.78"); err != nil {
		t.Fatalf("from another client: %v", err)
	}
	e.clock.Advance(time.Second)
	if _, err := e.svc.SignInPassword(e.ctx, u.Email, password, ip); err != nil {
		t.Fatalf("after the block: %v", err)
	}
	// A success resets the account, not the client: the client's guesses still count.
	if n := e.throttle(accounts.ClientKey(ip)); n != 6 {
		t.Errorf("client failures = %d, want 6", n)
	}
}

// TestSignInRehash checks that a hash made with older parameters is replaced by one with
// the current parameters when the person signs in.
func TestSignInRehash(t *testing.T) {
	e := newEnv(t)
	u := e.user("altai@example.mn", portal.RoleMember)
	weak := weakHash(password)
	u.PasswordHash = weak
	if err := e.db.UpdateUser(e.ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SignInPassword(e.ctx, u.Email, password, ""); err != nil {
		t.Fatal(err)
	}
	stored := e.reload(u)
	if stored.PasswordHash == weak || accounts.NeedsRehash(stored.PasswordHash) || !accounts.CheckPassword(stored.PasswordHash, password) {
		t.Errorf("hash after sign-in = %q, want a current hash of the password", stored.PasswordHash)
	}
}
