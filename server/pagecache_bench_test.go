package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// BenchmarkKeepPage renders public pages that the page cache does not hold (a query of its
// own each time), as a visitor's miss or a background rendering does: the handler, then
// the page kept, compressed once; gzip-bytes is the size of what the visitor receives.
func BenchmarkKeepPage(b *testing.B) {
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	p := portaltest.New(b, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Search: portaltest.IndexOnce,
		Now: fixedNow, Logger: logger})
	pages := []struct{ name, path string }{
		{"guideline", "/guidelines/truck-drivers?lang=en"},
		{"directory", "/directory?lang=en"},
		{"search", "/search?q=shelter&lang=en"},
		{"home", "/?lang=en"},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			b.ReportAllocs()
			n, size := 0, 0
			for b.Loop() {
				n++
				req := httptest.NewRequest(http.MethodGet, pg.path+"&n="+strconv.Itoa(n), nil)
				req.Header.Set("Accept-Encoding", "gzip")
				rec := httptest.NewRecorder()
				p.Router.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", pg.path, rec.Code)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "gzip-bytes")
		})
	}
}
