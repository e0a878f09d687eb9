package main

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/server"
)

// maxWarmGuidelines bounds the guideline pages warmed at start: the most recently updated.
const maxWarmGuidelines = 20

// warmPages renders into the public page cache, in both languages, the pages most visitors
// ask for: the home page, the guideline list, the guidelines (the most recently updated
// maxWarmGuidelines), the directory's first page (whose first rendering waits for the
// directory to load), then the directory of each aimag and of each type of service, the
// pages a phone user narrows the directory to first. serve runs it in the background as
// it starts to listen: it delays nothing, and the first visitors find these pages rendered
// instead of all waiting together, on a process with nothing rendered yet, for the same
// renderings (see server.Warm). At 10,000 services the directory pages of a cold process
// took 10-30 ms each to render, and the first second of visitors asking for different ones
// queued for the processors.
func warmPages(ctx context.Context, srv *server.Server, guidelines portal.GuidelineStore, places *portal.Gazetteer,
	types []portal.TaxonomyTerm, logger *slog.Logger) {
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
	if places != nil {
		for _, a := range places.Aimags {
			paths = append(paths, "/directory?aimag="+url.QueryEscape(a.ID))
		}
	}
	for _, t := range types {
		paths = append(paths, "/directory?type="+url.QueryEscape(t.ID))
	}
	n := srv.Warm(ctx, paths)
	logger.Info("page cache warmed", "pages", n, "took", time.Since(start).Round(time.Millisecond))
}
