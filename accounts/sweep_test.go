package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

func TestSweep(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	svc := &accounts.Service{Store: db, Now: func() time.Time { return now }}
	sessions := []*portal.Session{
		{ID: "live", UserID: "u", CreatedAt: now.Add(-time.Hour), LastSeenAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)},
		{ID: "absolute", UserID: "u", CreatedAt: now.Add(-31 * 24 * time.Hour), LastSeenAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)},
		{ID: "idle", UserID: "u", CreatedAt: now.Add(-9 * 24 * time.Hour), LastSeenAt: now.Add(-8 * 24 * time.Hour), ExpiresAt: now.Add(time.Hour)},
	}
	for _, s := range sessions {
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for key, last := range map[string]time.Time{"recent": now.Add(-time.Hour), "old": now.Add(-25 * time.Hour)} {
		if err := db.SaveThrottle(ctx, &portal.Throttle{Key: key, Failures: 3, LastFailure: last}); err != nil {
			t.Fatal(err)
		}
	}
	n, m, err := svc.Sweep(ctx)
	if err != nil || n != 2 || m != 1 {
		t.Fatalf("Sweep = %d sessions, %d throttles, %v; want 2, 1", n, m, err)
	}
	if _, err := db.FindSession(ctx, "live"); err != nil {
		t.Errorf("the live session was swept: %v", err)
	}
	for _, id := range []string{"absolute", "idle"} {
		if _, err := db.FindSession(ctx, id); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Errorf("session %s survived: %v", id, err)
		}
	}
	if th, _ := db.FindThrottle(ctx, "recent"); th.Failures != 3 {
		t.Error("the recent throttle was swept")
	}
	if th, _ := db.FindThrottle(ctx, "old"); th.Failures != 0 {
		t.Error("the old throttle survived")
	}
}
