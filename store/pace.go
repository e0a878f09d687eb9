package store

import (
	"context"
	"time"
)

// backgroundLoad marks the context of a snapshot's reload in the background, which no
// request waits for: a load may then go slower to leave the processors to requests.
type backgroundLoad struct{}

func inBackground(ctx context.Context) bool { return ctx.Value(backgroundLoad{}) != nil }

// maxRest bounds one rest of a paced load, so that a slow stretch (the machine was busy)
// does not stall the load for long.
const maxRest = 50 * time.Millisecond

// pace spreads work over time: each call to rest waits as long as the work since the
// previous call (or since newPace) took, up to maxRest, so the work runs at most about
// half the time.
type pace struct{ since time.Time }

func newPace() *pace { return &pace{since: time.Now()} }

// rest waits after a stretch of work; it returns ctx's error if ctx ends first.
func (p *pace) rest(ctx context.Context) error {
	d := min(time.Since(p.since), maxRest)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	p.since = time.Now()
	return nil
}
