package main

import (
	"bufio"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tportal\nVmPeak:\t  900000 kB\nVmRSS:\t  123456 kB\nRssAnon:\t  100000 kB\n"
	if kb, err := parseVmRSS(status); err != nil || kb != 123456 {
		t.Errorf("parseVmRSS = %d, %v", kb, err)
	}
	if _, err := parseVmRSS("Name:\tportal\n"); err == nil {
		t.Error("no VmRSS: no error")
	}
}

func TestCacheLines(t *testing.T) {
	metrics := "# HELP portal_page_cache_bytes Bytes held.\n# TYPE portal_page_cache_bytes gauge\nportal_page_cache_bytes 1.2e+07\nportal_page_cache_limit_bytes 6.7108864e+07\ngo_goroutines 12\n"
	got := cacheLines(bufio.NewScanner(strings.NewReader(metrics)))
	if len(got) != 2 || got[0] != "portal_page_cache_bytes 1.2e+07" {
		t.Errorf("cacheLines = %q", got)
	}
}

func TestGrowth(t *testing.T) {
	var flat, rising []MemSample
	for s := 0; s <= 360; s += 10 {
		flat = append(flat, MemSample{At: float64(s), RSSKB: 100 * 1024})
		rising = append(rising, MemSample{At: float64(s), RSSKB: int64(100+s/6) * 1024})
	}
	g := growth(flat, 6*time.Minute)
	if g == nil || !g.Judged || g.Ratio != 1 {
		t.Fatalf("flat: %+v", g)
	}
	g = growth(rising, 6*time.Minute)
	if g == nil || g.Ratio < 1.3 || g.FirstMB < 110 || g.FirstMB > 120 {
		t.Fatalf("rising: %+v", g)
	}
	cfg := &config{maxRSSGrowth: 0.1, maxFailures: -1}
	r := &Report{Growth: g}
	r.budgets(cfg)
	if len(r.Failures) != 1 || !strings.HasPrefix(r.Failures[0], "memory:") {
		t.Errorf("failures: %q", r.Failures)
	}
	if g := growth(rising[:5], 40*time.Second); g == nil || g.Judged {
		t.Errorf("a 40 s load is judged: %+v", g)
	}
	if g := growth(nil, time.Minute); g != nil {
		t.Errorf("no samples: %+v", g)
	}
	// Memory that grows while the page cache fills, flat after: the warm-up ends when the
	// cache is full, and the load after it is judged, flat; a rise after it still fails.
	var filling, leaking []MemSample
	for s := 0; s <= 480; s += 10 {
		fill := min(s, 240)
		cache := []string{fmt.Sprintf("portal_page_cache_bytes %d", fill*1000), "portal_page_cache_max_bytes 240000"}
		filling = append(filling, MemSample{At: float64(s), RSSKB: int64(300+fill) * 1024, Cache: cache})
		leaking = append(leaking, MemSample{At: float64(s), RSSKB: int64(300+s) * 1024, Cache: cache})
	}
	g = growth(filling, 8*time.Minute)
	if g == nil || !g.Judged || g.Ratio > 1.01 || g.WarmS != 230 {
		t.Errorf("filling, then flat: %+v", g)
	}
	if g := growth(leaking, 8*time.Minute); g == nil || !g.Judged || g.Ratio < 1.2 {
		t.Errorf("growing after the cache is full: %+v", g)
	}
	if g := growth(filling, 6*time.Minute); g == nil || g.Judged {
		t.Errorf("6 minutes, full at 230 s: judged %+v", g)
	}
}

func TestParseStatCPU(t *testing.T) {
	stat := "4242 (portal serve) S 1 4242 4242 0 -1 4194304 1000 0 0 0 1234 566 0 0 20 0 12 0 100 0 0\n"
	if d, err := parseStatCPU(stat); err != nil || d != 18*time.Second {
		t.Errorf("parseStatCPU = %v, %v, want 18s", d, err)
	}
	if _, err := parseStatCPU("4242 (x) S 1"); err == nil {
		t.Error("a short stat: no error")
	}
}
