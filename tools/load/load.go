package main

import (
	"context"
	"errors"
	"io"
	"math/rand"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gobidialogue/portal/handlers"
)

// requestTimeout is how long a visitor waits for a page before giving up.
const requestTimeout = 5 * time.Second

// newClient returns a visitor's HTTP client: one keep-alive connection to the portal, no
// proxy (the target is this machine), no cookie jar (a visitor that never chose a
// language), redirects not followed (a redirect is an answer to count, not to chase), and
// no transparent decompression, so the gzip bytes are what is read and counted.
func newClient() *http.Client {
	return &http.Client{
		Timeout: requestTimeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        2,
			MaxIdleConnsPerHost: 2,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// loader runs the visitors.
type loader struct {
	base    string
	mix     *Mix
	workers int
	// sessions are the session tokens of the signed-in visitors: worker i is signed in
	// with sessions[i] when i < len(sessions).
	sessions []string
	seed     int64
	// rate is the requests per second of all visitors together; 0 sends each request as
	// soon as the last was answered (as many as the portal can serve).
	rate float64
}

// run sends requests from l.workers visitors, each one after the other, from start until
// ctx ends (the duration), and returns every request. Requests under way when ctx ends
// finish and count; when abort ends (an interrupt) they are cut off and left out.
func (l *loader) run(ctx, abort context.Context, start time.Time) []sample {
	results := make([][]sample, l.workers)
	var wg sync.WaitGroup
	for i := range l.workers {
		wg.Go(func() {
			session := ""
			if i < len(l.sessions) {
				session = l.sessions[i]
			}
			results[i] = l.visitor(ctx, abort, start, i, rand.New(rand.NewSource(l.seed+int64(i))), session)
		})
	}
	wg.Wait()
	var all []sample
	for _, r := range results {
		all = append(all, r...)
	}
	return all
}

// visitor is worker i's loop. With a rate, each worker sends one request every
// workers/rate seconds, the workers spread evenly over that interval; a worker that fell
// behind sends at once but does not catch up in a burst.
func (l *loader) visitor(ctx, abort context.Context, start time.Time, i int, r *rand.Rand, session string) []sample {
	client := newClient()
	defer client.CloseIdleConnections()
	var interval time.Duration
	if l.rate > 0 {
		interval = time.Duration(float64(l.workers) / l.rate * float64(time.Second))
	}
	next := start.Add(interval * time.Duration(i) / time.Duration(l.workers))
	var out []sample
	for ctx.Err() == nil {
		if interval > 0 {
			if !sleepUntil(ctx, next) {
				break
			}
			next = next.Add(interval)
			if now := time.Now(); next.Before(now) {
				next = now
			}
		}
		class, path := l.mix.Next(r)
		sent := time.Now()
		s := get(abort, client, l.base+path, session)
		if abort.Err() != nil {
			break
		}
		s.class, s.path, s.at = class, path, sent.Sub(start)
		out = append(out, s)
	}
	return out
}

// get requests url as a phone would (gzip accepted), reads the whole answer, and returns
// the status, the bytes and the time to the last byte.
func get(ctx context.Context, client *http.Client, url, session string) sample {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return sample{fail: transport, err: err.Error()}
	}
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("User-Agent", "portal-load/1")
	if session != "" {
		req.AddCookie(&http.Cookie{Name: handlers.SessionCookie, Value: session})
	}
	t0 := time.Now()
	var s sample
	resp, err := client.Do(req)
	if err == nil {
		s.status = resp.StatusCode
		s.bytes, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	s.latency = time.Since(t0)
	if err != nil {
		s.fail, s.err = failureOf(err), err.Error()
	}
	return s
}

// failureOf tells a time-out from another transport error.
func failureOf(err error) failure {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return timedOut
	}
	return transport
}

// sleepUntil waits until t, and reports false when ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
