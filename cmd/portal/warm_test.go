package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gobidialogue/portal/internal/testkit/logtest"
)

// TestServeWarmsPageCache checks that serve renders the pages most visitors ask for into
// the page cache before it takes requests: the first request for a guideline page, made
// as soon as serve says it listens, is a hit, in either language and however it is asked
// for.
func TestServeWarmsPageCache(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr logtest.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, noEnv, &stdout, &stderr)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	}()
	addr := regexp.MustCompile(`listening on (http://\S+)/`)
	var base string
	deadline := time.Now().Add(60 * time.Second)
	for base == "" {
		if m := addr.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen within 60 s:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Served from the cache: a hit, or the page of the minute before while the minute
	// turned since it was warmed.
	served := regexp.MustCompile(`(?m)^portal_page_cache_(?:hits|stale)_total (\d+)$`)
	count := func() int {
		t.Helper()
		b := fetchBody(t, base+"/metrics")
		n := 0
		for _, m := range served.FindAllStringSubmatch(b, -1) {
			v, _ := strconv.Atoi(m[1])
			n += v
		}
		return n
	}
	for _, path := range []string{"/guidelines/truck-drivers?lang=en", "/guidelines/truck-drivers", "/?lang=en", "/directory"} {
		before := count()
		fetchBody(t, base+path)
		if got := count() - before; got != 1 {
			t.Errorf("%s: the first request was not answered from the page cache (%d answers from it)", path, got)
		}
	}
	// The log says so (its lines are written out within a moment).
	warmed := regexp.MustCompile(`msg="page cache warmed" pages=(\d+)`)
	for m := warmed.FindStringSubmatch(stderr.String()); m == nil || m[1] == "0"; m = warmed.FindStringSubmatch(stderr.String()) {
		if m != nil || time.Now().After(deadline) {
			t.Fatalf("no page warmed:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fetchBody returns the body of a GET of url, which must answer 200.
func fetchBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}
