package accounts_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

// fakeClock is a portal.Clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 8, 9, 30, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// throttleMemory keeps throttles in memory, for the limiter's arithmetic; every other
// method of the embedded nil AccountStore panics. The service tests use the real store.
type throttleMemory struct {
	portal.AccountStore
	mu sync.Mutex
	m  map[string]portal.Throttle
}

func (s *throttleMemory) FindThrottle(_ context.Context, key string) (*portal.Throttle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.m[key]
	return &t, nil
}

func (s *throttleMemory) SaveThrottle(_ context.Context, t *portal.Throttle) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[t.Key] = *t
	return nil
}

func (s *throttleMemory) DeleteThrottle(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func TestBlockFor(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {1, 0}, {5, 0},
		{6, time.Second}, {7, 2 * time.Second}, {8, 4 * time.Second},
		{15, 512 * time.Second}, {16, 15 * time.Minute}, {17, 15 * time.Minute},
		{100, 15 * time.Minute}, {1 << 30, 15 * time.Minute},
	}
	for _, tt := range tests {
		if got := accounts.BlockFor(tt.failures); got != tt.want {
			t.Errorf("BlockFor(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
}

func TestLimiterArithmetic(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	l := &accounts.Limiter{Store: &throttleMemory{m: map[string]portal.Throttle{}}, Now: clock.Now}
	wait := func(keys ...string) time.Duration {
		t.Helper()
		d, err := l.Wait(ctx, keys...)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	fail := func(keys ...string) {
		t.Helper()
		if err := l.Fail(ctx, keys...); err != nil {
			t.Fatal(err)
		}
	}

	for i := 1; i <= 5; i++ {
		fail("a")
		if d := wait("a"); d != 0 {
			t.Fatalf("after %d failures Wait = %v, want 0", i, d)
		}
	}
	fail("a")
	if d := wait("a"); d != time.Second {
		t.Fatalf("after 6 failures Wait = %v, want 1s", d)
	}
	clock.Advance(400 * time.Millisecond)
	if d := wait("a"); d != 600*time.Millisecond {
		t.Fatalf("0.4 s later Wait = %v, want 0.6s", d)
	}
	fail("a") // the 7th
	if d := wait("a", "b"); d != 2*time.Second {
		t.Fatalf("after 7 failures Wait(a, b) = %v, want 2s", d)
	}
	if d := wait("b"); d != 0 {
		t.Fatalf("Wait(b) = %v, want 0: keys are separate", d)
	}
	for range 20 {
		fail("a")
	}
	if d := wait("a"); d != 15*time.Minute {
		t.Fatalf("after 27 failures Wait = %v, want the 15 min cap", d)
	}
	clock.Advance(15 * time.Minute)
	if d := wait("a"); d != 0 {
		t.Fatalf("15 min later Wait = %v, want 0", d)
	}

	// Over a day after the last failure, the count starts again.
	clock.Advance(24*time.Hour + time.Second)
	fail("a")
	if d := wait("a"); d != 0 {
		t.Fatalf("first failure after a day: Wait = %v, want 0", d)
	}

	// Reset forgets a key's failures, and only that key's.
	for range 6 {
		fail("a", "c")
	}
	if err := l.Reset(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if d := wait("a"); d != 0 {
		t.Fatalf("after Reset Wait(a) = %v, want 0", d)
	}
	if d := wait("a", "c"); d != time.Second {
		t.Fatalf("after Reset of a, Wait(a, c) = %v, want 1s", d)
	}
	if err := l.Reset(ctx, "never seen"); err != nil {
		t.Fatalf("Reset of an unknown key: %v", err)
	}
}

// TestLimiterCountsParallelFailures: guesses made at the same moment each count, even on
// the embedded engine, which has no atomic increment.
func TestLimiterCountsParallelFailures(t *testing.T) {
	db := storetest.Open(t)
	l := &accounts.Limiter{Store: db}
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := l.Fail(ctx, "account:guess@example.org"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	th, err := db.FindThrottle(ctx, "account:guess@example.org")
	if err != nil || th.Failures != 20 {
		t.Fatalf("%d failures counted of 20 (%v)", th.Failures, err)
	}
}
