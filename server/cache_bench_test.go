package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// BenchmarkPublicPages serves the pages issue 10 sets targets for through the real router
// and its middleware, gzipped, as a visitor (from the page cache after the first request)
// and, for the guideline page, as a signed-in member (rendered every time), with the
// request log at info as portal serve has it. The figures under load, against bare
// net/http, come from ../shared/tools/perf/perf-page.sh; this one shows the cost inside
// the process and its allocations.
func BenchmarkPublicPages(b *testing.B) {
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	p := portaltest.New(b, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Search: portaltest.IndexOnce,
		Now: fixedNow, Logger: logger})
	_, cookie := p.Person(b, "saraa@example.org", "Saraa", portal.RoleMember, "")
	pages := []struct{ name, path, cookie string }{
		{"guideline", "/guidelines/truck-drivers?lang=en", ""},
		{"directory", "/directory?aimag=umnugovi&type=shelter", ""},
		{"search", "/search?q=shelter&lang=en", ""},
		{"home", "/", ""},
		{"guideline-signed-in", "/guidelines/truck-drivers?lang=en", cookie},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, pg.path, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			if pg.cookie != "" {
				req.Header.Set("Cookie", pg.cookie)
			}
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				p.Router.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", pg.path, rec.Code)
				}
			}
		})
	}
}
