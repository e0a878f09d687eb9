package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/server"
)

// maxWarmGuidelines bounds the guideline pages warmed at start: the most recently updated.
const maxWarmGuidelines = 20

// maxWarmBeforeServe bounds the time serve spends warming before it takes requests: past
// it (a database that answers slowly) it serves, and the warming goes on in the background.
// Warming takes 0.2 s with the starter content and under 2 s with 10,000 services, most of
// it the directory's first load, which the first directory page would wait for anyway.
const maxWarmBeforeServe = 10 * time.Second

// warmPages renders into the public page cache, in both languages, the pages most visitors
// ask for: the home page, the guideline list, the guidelines (the most recently updated
// maxWarmGuidelines) and the directory's first page, last, since its first rendering waits
// for the directory to load. serve runs it before it takes the first request: the first
// visitors find these pages rendered instead of all waiting together for the same
// renderings on a process with nothing rendered yet, and their own pages no longer compete
// with the warming for the processor (on two cores that put requests of the first seconds
// of issue 10's load over 100 ms). See server.Warm.
func warmPages(ctx context.Context, srv *server.Server, guidelines portal.GuidelineStore, logger *slog.Logger) {
	start := time.Now()
	paths := []string{"/", "/guidelines"}
	gs, err := guidelines.FindGuidelines(ctx, portal.GuidelineFilter{})
	if err != nil && ctx.Err() == nil {
		logger.Warn("page cache not warmed with the guidelines", "err", err)
	}
	for i, g := range gs {
		if i == maxWarmGuidelines {
			break
		}
		paths = append(paths, portal.GuidelinePath(g.Slug))
	}
	paths = append(paths, "/directory")
	n := srv.Warm(ctx, paths)
	logger.Info("page cache warmed", "pages", n, "took", time.Since(start).Round(time.Millisecond))
}
