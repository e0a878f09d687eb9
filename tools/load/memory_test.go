package main

import (
	"bufio"
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
