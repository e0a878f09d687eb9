package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("percentile(1..100 ms, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(none) = %v", got)
	}
	one := []time.Duration{7 * time.Millisecond}
	if percentile(one, 50) != one[0] || percentile(one, 99) != one[0] {
		t.Error("percentile of one sample is not that sample")
	}
	// Nearest rank: of 3 samples the median is the 2nd, p95 and p99 the 3rd.
	three := []time.Duration{1, 2, 3}
	if percentile(three, 50) != 2 || percentile(three, 95) != 3 {
		t.Errorf("percentile(1,2,3): p50 %v p95 %v", percentile(three, 50), percentile(three, 95))
	}
}

func TestSummarize(t *testing.T) {
	samples := []sample{
		{latency: 10 * time.Millisecond, bytes: 100},
		{latency: 30 * time.Millisecond, bytes: 300},
		{latency: 150 * time.Millisecond, bytes: 200},
		{latency: 5 * time.Second, fail: timedOut}, // not an answer: left out of the latencies
	}
	s := summarize(samples, 100*time.Millisecond)
	if s.Count != 3 || s.P50 != 30 || s.Max != 150 || s.OverLimit != 1 || s.Mean != 63.33 || s.MeanBytes != 200 {
		t.Errorf("summarize = %+v", s)
	}
}

func TestAnalyseAndBudgets(t *testing.T) {
	samples := []sample{
		{at: time.Second, latency: 5 * time.Millisecond, class: ClassHome, status: 200, path: "/"},
		{at: 2 * time.Second, latency: 8 * time.Millisecond, class: ClassService, status: 404, path: "/directory/services/x"},
		{at: 12 * time.Second, latency: 250 * time.Millisecond, class: ClassDirectory, status: 200, path: "/directory?aimag=umnugovi"},
		{at: 13 * time.Second, latency: 5 * time.Second, class: ClassSearch, fail: timedOut, path: "/search?q=x", err: "Client.Timeout exceeded"},
		{at: 14 * time.Second, latency: time.Millisecond, class: ClassSearch, fail: transport, path: "/search?q=y", err: "connection refused"},
	}
	r := &Report{}
	r.analyse(samples, 25*time.Second, 100*time.Millisecond, 2)
	if r.Requests != 5 || r.PerSecond != 0.2 || r.NonOK["404"] != 1 || r.Timeouts != 1 || r.Errors != 1 || len(r.ErrorTexts) != 2 {
		t.Errorf("counts: %+v", r)
	}
	if len(r.Slowest) != 2 || r.Slowest[0].Class != "directory" || r.Slowest[0].At != 12 || r.Slowest[0].Latency != 250 {
		t.Errorf("slowest: %+v", r.Slowest)
	}
	if len(r.Timeline) != 2 || r.Timeline[1].From != 10 || r.Timeline[1].Max != 250 || r.Timeline[1].Failures != 2 ||
		r.Timeline[0].Over != 0 || r.Timeline[1].Over != 1 {
		t.Errorf("timeline: %+v", r.Timeline)
	}
	if r.ByClass["search"].Count != 0 || r.ByClass["home"].Count != 1 {
		t.Errorf("by class: %+v", r.ByClass)
	}
	cfg := &config{maxLatency: 100 * time.Millisecond, maxFailures: 0}
	r.budgets(cfg)
	if len(r.Failures) != 2 || !strings.HasPrefix(r.Failures[0], "latency: 1 requests over 100ms") || !strings.HasPrefix(r.Failures[1], "failures: 3 ") {
		t.Errorf("failures: %q", r.Failures)
	}
	var out bytes.Buffer
	r.print(&out)
	for _, want := range []string{"RESULT: FAIL", "latency: 1 requests", "12.0 s     250.0 ms", "directory", "over    1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the printed report lacks %q:\n%s", want, out.String())
		}
	}

	r = &Report{}
	r.analyse(samples[:1], 10*time.Second, 100*time.Millisecond, 20)
	r.budgets(cfg)
	if len(r.Failures) != 0 {
		t.Errorf("a clean run failed: %q", r.Failures)
	}
}
