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

// warmPages renders into the public page cache, in both languages, the pages most visitors
// ask for: the home page, the guideline list, the guidelines (the most recently updated
// maxWarmGuidelines) and the directory's first page, last, since its first rendering waits
// for the directory to load. serve runs it in the background as it starts to listen: it
// delays nothing, and the first visitors find these pages rendered instead of all waiting
// together, on a process with nothing rendered yet, for the same renderings (see
// server.Warm).
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
