package accounts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// TestDeviceCookie: guesses from anywhere lock the account, but not the browser its owner
// signed in with before; that browser's own failures block it alone, and then it shares
// the account's lockout. A device token is for one account, and for DeviceTTL.
func TestDeviceCookie(t *testing.T) {
	e := newEnv(t)
	owner := e.user("oyun@example.mn", portal.RoleMember)
	other := e.user("bat@example.mn", portal.RoleMember)
	signIn := func(email, pw, ip string, devices ...string) ([]string, error) {
		t.Helper()
		_, kept, err := e.svc.SignInWithDevice(e.ctx, accounts.PasswordSignIn{Email: email, Password: pw, ClientIP: ip, Devices: devices})
		return kept, err
	}
	throttled := func(err error) bool { var te *accounts.ThrottledError; return errors.As(err, &te) }

	// The owner signs in at home: the browser gets a token of the account.
	home, err := signIn(owner.Email, password, "192.0.2.1")
	if err != nil || len(home) != 1 {
		t.Fatalf("first sign-in: %v, %q", err, home)
	}
	// Another person signs in on the same browser: it keeps both, theirs first.
	shared, err := signIn(other.Email, password, "192.0.2.1", home...)
	if err != nil || len(shared) != 2 || shared[1] != home[0] {
		t.Fatalf("second account on the browser: %v, %q", err, shared)
	}
	// Guesses from many addresses lock the account.
	for i := range accounts.FreeFailures + 2 {
		if _, err := signIn(owner.Email, "guess-"+string(rune('a'+i)), "203.0.113."+string(rune('1'+i))); err == nil {
			t.Fatal("a guess signed in")
		}
	}
	if _, err := signIn(owner.Email, password, "192.0.2.99"); !throttled(err) {
		t.Fatalf("the right password from a new browser: %v, want throttled", err)
	}
	// The owner's browser passes, even from the attacker's address, and keeps its token.
	kept, err := signIn(owner.Email, password, "203.0.113.1", shared...)
	if err != nil || len(kept) != 2 || kept[0] != home[0] || kept[1] != shared[0] {
		t.Fatalf("the owner's browser: %v, %q", err, kept)
	}
	// ... without forgetting the guesses of the others.
	if _, err := signIn(owner.Email, password, "192.0.2.99"); !throttled(err) {
		t.Errorf("a trusted sign-in unlocked the account for everyone: %v", err)
	}
	// Another account's token, a forged one and an expired one are no help.
	for name, devices := range map[string][]string{"another account's": {shared[0]}, "forged": {"bm90LWEtdG9rZW4tb2YtdGhlLXBvcnRhbC1hdC1hbGwtYWJj"}} {
		if _, err := signIn(owner.Email, password, "192.0.2.7", devices...); !throttled(err) {
			t.Errorf("%s token: %v, want throttled", name, err)
		}
	}
	// The browser's own failures block it alone, and then it is no better than any.
	for range accounts.FreeFailures + 1 {
		if _, err := signIn(owner.Email, "my own typo", "192.0.2.1", home...); err == nil || throttled(err) {
			t.Fatalf("a typo on the trusted browser: %v, want wrong credentials", err)
		}
	}
	if n := e.throttle(accounts.DeviceKey(accounts.TokenID(home[0]))); n != accounts.FreeFailures+1 {
		t.Errorf("the browser's failures = %d, want %d", n, accounts.FreeFailures+1)
	}
	if _, err := signIn(owner.Email, password, "192.0.2.1", home...); !throttled(err) {
		t.Errorf("a blocked browser passed the account's lockout: %v", err)
	}
	// Once every block has passed, the token works again; it ends DeviceTTL after it was made.
	e.clock.Advance(accounts.MaxBlock + time.Second)
	if _, err := signIn(owner.Email, password, "192.0.2.1", home...); err != nil {
		t.Errorf("after the blocks: %v", err)
	}
	e.clock.Advance(accounts.DefaultDeviceTTL)
	for range accounts.FreeFailures + 2 {
		signIn(owner.Email, "guess", "203.0.113.50")
	}
	if _, err := signIn(owner.Email, password, "192.0.2.1", home...); !throttled(err) {
		t.Errorf("an expired token passed the lockout: %v", err)
	}
	// No token is ever a secret the store keeps.
	tokens, err := e.db.FindTokens(e.ctx, portal.TokenDevice)
	if err != nil || len(tokens) != 2 {
		t.Fatalf("%d device tokens, %v; want 2", len(tokens), err)
	}
	for _, tk := range tokens {
		if tk.ID == home[0] || tk.ID == shared[0] {
			t.Error("a device token is stored as it is, not hashed")
		}
	}
}
