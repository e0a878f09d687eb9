package accounts

import (
	"context"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/gobidialogue/portal"
)

// Throttling of failed sign-ins: the first FreeFailures failures of a key cost nothing;
// each one after that blocks the key for twice as long as the one before, starting at one
// second and capped at MaxBlock. A key whose last failure is older than ForgetAfter starts
// again from zero.
const (
	FreeFailures = 5
	MaxBlock     = 15 * time.Minute
	ForgetAfter  = 24 * time.Hour
)

// AccountKey returns the throttle key of the account with email.
func AccountKey(email string) string {
	if e, err := portal.NormalizeEmail(email); err == nil {
		return "account:" + e
	}
	// No account has such an address, but the attempt still counts against what was typed.
	e := strings.ToLower(strings.TrimSpace(email))
	if len(e) > 254 {
		e = e[:254]
	}
	return "account:" + e
}

// ClientKey returns the throttle key of the client at ip.
func ClientKey(ip string) string { return "client:" + ip }

// BlockFor returns how long a key is blocked after its n-th failure in a row.
func BlockFor(failures int) time.Duration {
	n := failures - FreeFailures - 1
	switch {
	case n < 0:
		return 0
	case n >= 10: // 2^10 s is past the cap already; no need to shift further
		return MaxBlock
	}
	return min(time.Duration(1<<n)*time.Second, MaxBlock)
}

// Limiter throttles failed sign-ins per key. Its state lives in the store, so every portal
// process sees the same counts. Two failures recorded at the same instant by two processes
// may count once: the limiter slows guessing down, it does not count exactly.
type Limiter struct {
	Store portal.AccountStore
	Now   portal.Clock // nil means time.Now

	// locks serialise the read-count-write of one key within this process. The embedded
	// engine has no atomic increment (FerretDB reads, changes and writes the document in
	// Go) and allows one process per data directory, so this makes the count exact there;
	// between processes sharing a MongoDB, parallel guesses may still be undercounted.
	locks [64]sync.Mutex
}

func (l *Limiter) lock(key string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &l.locks[h.Sum32()%uint32(len(l.locks))]
}

func (l *Limiter) now() time.Time {
	if l.Now == nil {
		return time.Now()
	}
	return l.Now()
}

// Wait returns how long the longest-blocked of keys stays blocked; 0 means go ahead.
func (l *Limiter) Wait(ctx context.Context, keys ...string) (time.Duration, error) {
	now := l.now()
	var wait time.Duration
	for _, k := range keys {
		t, err := l.Store.FindThrottle(ctx, k)
		if err != nil {
			return 0, err
		}
		if !forgotten(t, now) {
			wait = max(wait, t.BlockedUntil.Sub(now))
		}
	}
	return wait, nil
}

// Fail records a failed sign-in against each of keys.
func (l *Limiter) Fail(ctx context.Context, keys ...string) error {
	now := l.now()
	for _, k := range keys {
		if err := l.fail(ctx, k, now); err != nil {
			return err
		}
	}
	return nil
}

func (l *Limiter) fail(ctx context.Context, key string, now time.Time) error {
	mu := l.lock(key)
	mu.Lock()
	defer mu.Unlock()
	t, err := l.Store.FindThrottle(ctx, key)
	if err != nil {
		return err
	}
	if forgotten(t, now) {
		*t = portal.Throttle{}
	}
	t.Key = key
	t.Failures++
	t.LastFailure = now
	t.BlockedUntil = now.Add(BlockFor(t.Failures))
	return l.Store.SaveThrottle(ctx, t)
}

// Reset forgets the failures of key.
func (l *Limiter) Reset(ctx context.Context, key string) error {
	if err := l.Store.DeleteThrottle(ctx, key); err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
		return err
	}
	return nil
}

// forgotten reports whether t's failures are too old to count at now.
func forgotten(t *portal.Throttle, now time.Time) bool {
	return t.Failures == 0 || now.Sub(t.LastFailure) > ForgetAfter
}
