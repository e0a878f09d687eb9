package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

func newSession(id, userID string) *portal.Session {
	return &portal.Session{
		ID:         id,
		UserID:     userID,
		Epoch:      4,
		Provider:   "google",
		CreatedAt:  base,
		LastSeenAt: base.Add(time.Minute),
		ExpiresAt:  base.Add(30 * 24 * time.Hour),
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	s := newSession("5e55", "u1")
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, newSession("5e55", "u2")); portal.ErrorCode(err) != portal.ECONFLICT {
		t.Errorf("CreateSession with a taken ID = %v, want ECONFLICT", err)
	}
	got, err := db.FindSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "session", got, s)

	seen := base.Add(time.Hour).In(portal.MongoliaTime)
	if err := db.TouchSession(ctx, s.ID, seen); err != nil {
		t.Fatal(err)
	}
	got, err = db.FindSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *s
	want.LastSeenAt = base.Add(time.Hour)
	assertEqual(t, "touched session", got, &want)

	for range 2 { // the second time, there is nothing to delete
		if err := db.DeleteSession(ctx, s.ID); err != nil {
			t.Fatalf("DeleteSession: %v", err)
		}
	}
	if _, err := db.FindSession(ctx, s.ID); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("FindSession after DeleteSession = %v, want ENOTFOUND", err)
	}
}

// newToken returns an invitation with every field set but UsedAt and RevokedAt, created at
// created and usable for a day.
func newToken(id string, kind portal.TokenKind, created time.Time) *portal.Token {
	return &portal.Token{
		ID:        id,
		Kind:      kind,
		Email:     "шинэ.гишүүн@gobi.mn",
		UserID:    "u1",
		Role:      portal.RoleModerator,
		OrgID:     "oyu-tolgoi",
		CreatedBy: "admin",
		CreatedAt: created,
		ExpiresAt: created.Add(24 * time.Hour),
	}
}

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	used, revoked := base.Add(time.Hour), base.Add(2*time.Hour)
	tests := []struct {
		name string
		edit func(tok *portal.Token)
	}{
		{"unused", func(*portal.Token) {}},
		{"used and revoked", func(tok *portal.Token) { tok.UsedAt, tok.RevokedAt = &used, &revoked }},
		{"reset link", func(tok *portal.Token) { tok.Kind, tok.Email, tok.Role, tok.OrgID = portal.TokenReset, "", "", "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, db := context.Background(), storetest.Open(t)
			tok := newToken("70ce", portal.TokenInvitation, base)
			tt.edit(tok)
			if err := db.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindToken(ctx, tok.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "token", got, tok)
		})
	}
}

func TestFindTokens(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	for _, tok := range []*portal.Token{
		newToken("i1", portal.TokenInvitation, base),
		newToken("i2", portal.TokenInvitation, base.Add(2*time.Hour)),
		newToken("r1", portal.TokenReset, base.Add(time.Hour)),
		newToken("i3", portal.TokenInvitation, base.Add(time.Hour)),
		newToken("i0", portal.TokenInvitation, base.Add(time.Hour)), // ties with i3: ID decides
	} {
		if err := db.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	for kind, want := range map[portal.TokenKind][]string{
		portal.TokenInvitation: {"i2", "i0", "i3", "i1"},
		portal.TokenReset:      {"r1"},
		portal.TokenSignIn:     nil,
	} {
		toks, err := db.FindTokens(ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tok := range toks {
			ids = append(ids, tok.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("FindTokens(%s) = %q, want %q", kind, ids, want)
		}
	}
}

// TestTokenEnds checks that a link ends once, by its use or its revocation, whichever comes
// first, and that the store then says which.
func TestTokenEnds(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	use := func(tok *portal.Token, at time.Duration) error { return db.UseToken(ctx, tok.ID, base.Add(at)) }
	revoke := func(tok *portal.Token, at time.Duration) error { return db.RevokeToken(ctx, tok.ID, base.Add(at)) }
	type step struct {
		do   func(*portal.Token, time.Duration) error
		at   time.Duration
		code string
		msg  string
	}
	tests := []struct {
		name          string
		steps         []step
		used, revoked time.Duration // when the link says it ended; -1 for never
	}{
		{"use", []step{{use, time.Hour, "", ""}}, time.Hour, -1},
		{"use twice", []step{{use, time.Hour, "", ""}, {use, 2 * time.Hour, portal.ECONFLICT, "the link was already used"}}, time.Hour, -1},
		{"revoke, then use", []step{{revoke, time.Hour, "", ""}, {use, 2 * time.Hour, portal.ECONFLICT, "the link was revoked"}}, -1, time.Hour},
		{"use, then revoke", []step{{use, time.Hour, "", ""}, {revoke, 2 * time.Hour, portal.ECONFLICT, "the link was already used"}}, time.Hour, -1},
		{"revoke twice keeps the first time", []step{{revoke, time.Hour, "", ""}, {revoke, 2 * time.Hour, "", ""}}, -1, time.Hour},
		{"use when expired", []step{{use, 24 * time.Hour, portal.ECONFLICT, "the link has expired"}}, -1, -1},
		{"revoke when expired", []step{{revoke, 25 * time.Hour, "", ""}}, -1, 25 * time.Hour},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := newToken(fmt.Sprintf("t%d", i), portal.TokenSignIn, base)
			if err := db.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			for j, s := range tt.steps {
				err := s.do(tok, s.at)
				if code := portal.ErrorCode(err); code != s.code {
					t.Fatalf("step %d: %v, code %q; want %q", j, err, code, s.code)
				}
				if msg := portal.ErrorMessage(err); msg != s.msg {
					t.Errorf("step %d: message %q, want %q", j, msg, s.msg)
				}
			}
			got, err := db.FindToken(ctx, tok.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkEnd(t, "UsedAt", got.UsedAt, tt.used)
			checkEnd(t, "RevokedAt", got.RevokedAt, tt.revoked)
		})
	}
}

func checkEnd(t *testing.T, field string, got *time.Time, want time.Duration) {
	t.Helper()
	switch {
	case want < 0 && got != nil:
		t.Errorf("%s = %v, want nil", field, got)
	case want >= 0 && (got == nil || !got.Equal(base.Add(want))):
		t.Errorf("%s = %v, want %v", field, got, base.Add(want))
	}
}

// ender is UseToken or RevokeToken.
type ender = func(db *store.DB, ctx context.Context, id string, at time.Time) error

// TestTokenRaces checks that of two concurrent calls ending a link exactly one succeeds, many
// times over to give the race a chance, and that the link records the winner's end.
func TestTokenRaces(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	use, revoke := (*store.DB).UseToken, (*store.DB).RevokeToken
	tests := []struct {
		name    string
		callers [2]ender
		revokes [2]bool // whether each caller revokes rather than uses
	}{
		{"use and use", [2]ender{use, use}, [2]bool{false, false}},
		{"use and revoke", [2]ender{use, revoke}, [2]bool{false, true}},
	}
	const rounds = 10 // a non-atomic end loses nearly every round on the embedded engine
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range rounds {
				tok := newToken(fmt.Sprintf("%s-%d", tt.name, i), portal.TokenReset, base)
				if err := db.CreateToken(ctx, tok); err != nil {
					t.Fatal(err)
				}
				// Caller k ends the link at k+1 minutes, so the stored time names the winner.
				var errs [2]error
				var wg sync.WaitGroup
				start := make(chan struct{})
				for k, end := range tt.callers {
					wg.Go(func() {
						<-start
						errs[k] = end(db, ctx, tok.ID, base.Add(time.Duration(k+1)*time.Minute))
					})
				}
				close(start)
				wg.Wait()
				won := slices.IndexFunc(errs[:], func(err error) bool { return err == nil })
				if won < 0 || portal.ErrorCode(errs[1-won]) != portal.ECONFLICT {
					t.Fatalf("round %d: errors %v; want one nil and one ECONFLICT", i, errs)
				}
				got, err := db.FindToken(ctx, tok.ID)
				if err != nil {
					t.Fatal(err)
				}
				used, revoked := time.Duration(-1), time.Duration(-1)
				if tt.revokes[won] {
					revoked = time.Duration(won+1) * time.Minute
				} else {
					used = time.Duration(won+1) * time.Minute
				}
				checkEnd(t, "UsedAt", got.UsedAt, used)
				checkEnd(t, "RevokedAt", got.RevokedAt, revoked)
			}
		})
	}
}

func TestThrottles(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	const key = "account:bat@gobi.mn"
	find := func() *portal.Throttle {
		t.Helper()
		th, err := db.FindThrottle(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	assertEqual(t, "unknown throttle", find(), &portal.Throttle{Key: key})

	for i := 1; i <= 2; i++ { // insert, then replace
		th := &portal.Throttle{Key: key, Failures: i, LastFailure: base.Add(time.Duration(i) * time.Minute), BlockedUntil: base.Add(time.Hour)}
		if err := db.SaveThrottle(ctx, th); err != nil {
			t.Fatal(err)
		}
		assertEqual(t, "throttle", find(), th)
	}
	for range 2 { // the second time, there is nothing to delete
		if err := db.DeleteThrottle(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	assertEqual(t, "deleted throttle", find(), &portal.Throttle{Key: key})
}

// TestSaveThrottleConcurrently checks that two first failures of one key at once both save:
// a sign-in page must not fail because two attempts raced.
func TestSaveThrottleConcurrently(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	for i := range 10 {
		key := fmt.Sprintf("ip:203.0.113.%d", i)
		var wg sync.WaitGroup
		var errs [2]error
		for k := range errs {
			wg.Go(func() {
				errs[k] = db.SaveThrottle(ctx, &portal.Throttle{Key: key, Failures: 1, LastFailure: base})
			})
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("concurrent SaveThrottle(%s) = %v", key, errs)
		}
	}
}
