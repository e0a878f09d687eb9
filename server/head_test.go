package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// TestHEAD: every page answers HEAD as it answers GET, without the body: the same status
// and the same headers (Content-Length and Content-Encoding included, so a client that asks
// for gzip learns what its GET would get), over a real HTTP connection. A public page is
// answered from the same page cache entry as its GET.
func TestHEAD(t *testing.T) {
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Search: portaltest.IndexOnce, Now: fixedNow})
	_, member := p.Person(t, "naraa@example.org", "Нараа", portal.RoleMember, "")
	srv := httptest.NewServer(p.Router)
	t.Cleanup(srv.Close)
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true}, // the answer's encoding as sent
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	do := func(t *testing.T, method, path string, headers ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, b
	}
	tests := []struct {
		name, path string
		status     int
		headers    []string
	}{
		{"home", "/?lang=en", 200, nil},
		{"home gzip", "/?lang=en", 200, []string{"Accept-Encoding", "gzip"}},
		{"guideline", "/guidelines/truck-drivers?lang=mn", 200, []string{"Accept-Encoding", "gzip"}},
		{"guideline list", "/guidelines", 200, nil},
		{"directory", "/directory?aimag=umnugovi&type=shelter&lang=en", 200, []string{"Accept-Encoding", "gzip"}},
		{"service", "/directory/services/ub-safe-house-shelter?lang=en", 200, []string{"Accept-Encoding", "gzip"}},
		{"search", "/search?q=shelter&lang=en", 200, []string{"Accept-Encoding", "gzip"}},
		{"open data", "/api/hsds/services?lang=en", 200, []string{"Accept-Encoding", "gzip"}},
		{"sign-in page", "/login?lang=en", 200, []string{"Accept-Encoding", "gzip"}},
		{"signed in", "/profile?lang=en", 200, []string{"Accept-Encoding", "gzip", "Cookie", member}},
		{"signed out", "/profile?lang=en", 303, nil},
		{"no such page", "/nowhere?lang=en", 404, []string{"Accept-Encoding", "gzip"}},
		{"no such guideline", "/guidelines/no-such?lang=en", 404, nil},
		{"bad parameter", "/search?q=shelter&page=0&lang=en", 400, nil},
		{"escaping", "/search?q=" + url.QueryEscape(`<script>alert(1)</script>`) + "&lang=en", 200, []string{"Accept-Encoding", "gzip"}},
		{"metrics", "/metrics", 200, nil}, // operations: not pages, never cached
		{"health", "/healthz", 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			get, getBody := do(t, http.MethodGet, tt.path, tt.headers...)
			hits := p.Server.PageCacheHits()
			head, headBody := do(t, http.MethodHead, tt.path, tt.headers...)
			if get.StatusCode != tt.status || head.StatusCode != tt.status {
				t.Fatalf("GET %d, HEAD %d, want %d", get.StatusCode, head.StatusCode, tt.status)
			}
			if len(headBody) != 0 {
				t.Errorf("HEAD sent %d bytes of body", len(headBody))
			}
			for _, h := range []string{"Content-Type", "Content-Encoding", "Content-Language", "Vary", "Cache-Control",
				"Etag", "Location", "Content-Security-Policy"} {
				if g, hd := get.Header.Get(h), head.Header.Get(h); g != hd {
					t.Errorf("%s: GET %q, HEAD %q", h, g, hd)
				}
			}
			if cl := head.Header.Get("Content-Length"); cl != "" && cl != get.Header.Get("Content-Length") {
				t.Errorf("Content-Length: HEAD %s, GET %s (%d bytes sent)", cl, get.Header.Get("Content-Length"), len(getBody))
			}
			if tt.status == 200 && !slices.Contains([]string{"signed in", "sign-in page", "metrics", "health"}, tt.name) &&
				p.Server.PageCacheHits() == hits {
				t.Error("HEAD of a public page is not answered from the page cache")
			}
		})
	}
}
