package accounts

import (
	"context"
	"log/slog"
	"time"
)

// Sweep deletes the sessions and throttles that can no longer matter: sessions past their
// absolute or idle expiry, throttles forgotten after ForgetAfter. Authenticate refuses such
// sessions anyway; sweeping keeps the collections, which the embedded engine scans, small.
func (s *Service) Sweep(ctx context.Context) (sessions, throttles int, err error) {
	now := s.now()
	if sessions, err = s.Store.SweepSessions(ctx, now, now.Add(-orDefault(s.SessionIdle, DefaultSessionIdle))); err != nil {
		return 0, 0, err
	}
	throttles, err = s.Store.SweepThrottles(ctx, now.Add(-ForgetAfter))
	return sessions, throttles, err
}

// SweepEvery runs Sweep every interval until ctx ends, logging what it removed and any
// error. It is the portal's background worker; it returns when ctx is cancelled.
func (s *Service) SweepEvery(ctx context.Context, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, m, err := s.Sweep(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.ErrorContext(ctx, "sweep expired sessions", "err", err)
		case n+m > 0:
			logger.InfoContext(ctx, "swept expired sessions and throttles", "sessions", n, "throttles", m)
		}
	}
}
