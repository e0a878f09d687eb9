package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// failure is how a request failed to get an answer.
type failure uint8

const (
	answered  failure = iota
	timedOut          // the 5 s client deadline passed
	transport         // the connection failed
)

// sample is one request as a visitor saw it: from sending to the last byte of the body.
type sample struct {
	at      time.Duration // since the load began, when it was sent
	latency time.Duration
	class   Class
	status  int
	fail    failure
	bytes   int64 // on the wire (gzip)
	path    string
	err     string // what failed, for time-outs and transport errors
}

// Stats are the latencies of a set of requests, in milliseconds.
type Stats struct {
	Count     int     `json:"count"`
	P50       float64 `json:"p50_ms"`
	P95       float64 `json:"p95_ms"`
	P99       float64 `json:"p99_ms"`
	Max       float64 `json:"max_ms"`
	Mean      float64 `json:"mean_ms"`
	OverLimit int     `json:"over_limit"`
	MeanBytes int64   `json:"mean_bytes,omitempty"`
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// summarize returns the statistics of the answered samples; limit counts those slower
// than it (none when 0).
func summarize(samples []sample, limit time.Duration) Stats {
	var lat []time.Duration
	var sum time.Duration
	var bytes int64
	for _, s := range samples {
		if s.fail != answered {
			continue
		}
		lat = append(lat, s.latency)
		sum += s.latency
		bytes += s.bytes
	}
	st := Stats{Count: len(lat)}
	if len(lat) == 0 {
		return st
	}
	slices.Sort(lat)
	st.P50, st.P95, st.P99 = ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99))
	st.Max, st.Mean = ms(lat[len(lat)-1]), ms(sum/time.Duration(len(lat)))
	st.MeanBytes = bytes / int64(len(lat))
	if limit > 0 {
		st.OverLimit = len(lat) - sort.Search(len(lat), func(i int) bool { return lat[i] > limit })
	}
	return st
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

func secs(d time.Duration) float64 { return math.Round(d.Seconds()*10) / 10 }

// Slow is one of the slowest requests.
type Slow struct {
	At      float64 `json:"at_s"`
	Class   string  `json:"class"`
	Path    string  `json:"path"`
	Latency float64 `json:"latency_ms"`
	Status  int     `json:"status"`
}

// Bucket is a stretch of the load (10 s): a stall shows as a high max here, and how many
// requests it slowed as Over.
type Bucket struct {
	From     float64 `json:"from_s"`
	Requests int     `json:"requests"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
	Over     int     `json:"over_limit"`
	Failures int     `json:"failures"`
}

// Event is something that happened during the run, at a time since the load began.
type Event struct {
	At   float64 `json:"at_s"`
	What string  `json:"what"`
}

// Report is what a run found; -json writes it as it is.
type Report struct {
	Commit      string           `json:"commit,omitempty"`
	Target      string           `json:"target"`
	Services    int              `json:"services"`
	Workers     int              `json:"workers"`
	SignedIn    int              `json:"signed_in_workers"`
	Seed        *SeedResult      `json:"seed,omitempty"`
	Seconds     float64          `json:"seconds"`
	Requests    int              `json:"requests"`
	PerSecond   float64          `json:"requests_per_second"`
	NonOK       map[string]int   `json:"non_2xx_by_status"`
	Timeouts    int              `json:"timeouts"`
	Errors      int              `json:"transport_errors"`
	ErrorTexts  []string         `json:"error_examples,omitempty"`
	Limit       float64          `json:"limit_ms"`
	Overall     Stats            `json:"overall"`
	ByClass     map[string]Stats `json:"by_class"`
	Slowest     []Slow           `json:"slowest"`
	Timeline    []Bucket         `json:"timeline"`
	Writes      []WriteResult    `json:"writes"`
	CPU         *CPU             `json:"cpu,omitempty"`
	Memory      []MemSample      `json:"memory"`
	Growth      *Growth          `json:"memory_growth,omitempty"`
	Server      *ServerLog       `json:"server_log,omitempty"`
	Events      []Event          `json:"events"`
	Failures    []string         `json:"failures"`
	Interrupted bool             `json:"interrupted,omitempty"`
	Notes       []string         `json:"notes,omitempty"`
}

// bucketWidth is the stretch of the timeline.
const bucketWidth = 10 * time.Second

// analyse fills r's request numbers from the samples of a load that ran for elapsed.
func (r *Report) analyse(samples []sample, elapsed, limit time.Duration, slowest int) {
	r.Seconds, r.Requests = secs(elapsed), len(samples)
	if elapsed > 0 {
		r.PerSecond = math.Round(float64(len(samples))/elapsed.Seconds()*10) / 10
	}
	r.Limit = ms(limit)
	r.NonOK = map[string]int{}
	seen := map[string]bool{}
	byClass := make([][]sample, numClasses)
	for _, s := range samples {
		switch {
		case s.fail == timedOut:
			r.Timeouts++
		case s.fail == transport:
			r.Errors++
		case s.status < 200 || s.status > 299:
			r.NonOK[strconv.Itoa(s.status)]++
		}
		if s.fail != answered && len(r.ErrorTexts) < 5 && !seen[s.err] {
			seen[s.err] = true
			r.ErrorTexts = append(r.ErrorTexts, oneLine(s.err))
		}
		byClass[s.class] = append(byClass[s.class], s)
	}
	r.Overall = summarize(samples, limit)
	r.ByClass = map[string]Stats{}
	for c, ss := range byClass {
		if len(ss) > 0 {
			r.ByClass[Class(c).String()] = summarize(ss, limit)
		}
	}
	r.Slowest = slowestOf(samples, slowest)
	r.Timeline = timeline(samples, elapsed, limit)
}

// slowestOf returns the n slowest answered requests, slowest first.
func slowestOf(samples []sample, n int) []Slow {
	answered := slices.DeleteFunc(slices.Clone(samples), func(s sample) bool { return s.fail != answered })
	slices.SortFunc(answered, func(a, b sample) int { return cmp.Compare(b.latency, a.latency) })
	out := []Slow{}
	for _, s := range answered[:min(n, len(answered))] {
		out = append(out, Slow{At: secs(s.at), Class: s.class.String(), Path: s.path, Latency: ms(s.latency), Status: s.status})
	}
	return out
}

// timeline returns the load in stretches of bucketWidth, by when the requests were sent;
// limit counts the requests slower than it (none when 0).
func timeline(samples []sample, elapsed, limit time.Duration) []Bucket {
	n := int(elapsed/bucketWidth) + 1
	lat := make([][]time.Duration, n)
	fails := make([]int, n)
	for _, s := range samples {
		i := min(int(s.at/bucketWidth), n-1)
		if s.fail != answered {
			fails[i]++
			continue
		}
		lat[i] = append(lat[i], s.latency)
	}
	var out []Bucket
	for i := range n {
		b := Bucket{From: secs(time.Duration(i) * bucketWidth), Requests: len(lat[i]) + fails[i], Failures: fails[i]}
		if len(lat[i]) > 0 {
			slices.Sort(lat[i])
			b.P99, b.Max = ms(percentile(lat[i], 99)), ms(lat[i][len(lat[i])-1])
			if limit > 0 {
				b.Over = len(lat[i]) - sort.Search(len(lat[i]), func(j int) bool { return lat[i][j] > limit })
			}
		}
		if b.Requests > 0 {
			out = append(out, b)
		}
	}
	return out
}

// budgets records in r.Failures every budget the run exceeded.
func (r *Report) budgets(cfg *config) {
	if cfg.maxLatency > 0 && r.Overall.OverLimit > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("latency: %d requests over %s (max %.1f ms)", r.Overall.OverLimit, cfg.maxLatency, r.Overall.Max))
	}
	failed := r.Timeouts + r.Errors
	for _, n := range r.NonOK {
		failed += n
	}
	if cfg.maxFailures >= 0 && failed > cfg.maxFailures {
		r.Failures = append(r.Failures, fmt.Sprintf("failures: %d non-2xx answers, errors and time-outs, over the budget of %d", failed, cfg.maxFailures))
	}
	if cfg.maxRSSGrowth > 0 && r.Growth != nil && r.Growth.Judged && r.Growth.Ratio-1 > cfg.maxRSSGrowth {
		r.Failures = append(r.Failures, fmt.Sprintf("memory: the portal grew %.0f%% (%s), over the budget of %.0f%%", (r.Growth.Ratio-1)*100, r.Growth.Text, cfg.maxRSSGrowth*100))
	}
	for _, w := range r.Writes {
		if w.Err != "" {
			r.Failures = append(r.Failures, fmt.Sprintf("write %d: %s", w.N, w.Err))
		}
	}
}

// print writes the report as text.
func (r *Report) print(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("\n==== load report ====")
	if r.Commit != "" {
		p("commit        %s", r.Commit)
	}
	p("target        %s (%d generated services, %d visitors, %d signed in)", r.Target, r.Services, r.Workers, r.SignedIn)
	if r.Seed != nil {
		p("seeding       %s", r.Seed.Text)
	}
	p("load          %.1f s, %d requests, %.1f req/s", r.Seconds, r.Requests, r.PerSecond)
	p("failures      non-2xx %v, time-outs %d, transport errors %d", r.NonOK, r.Timeouts, r.Errors)
	for _, e := range r.ErrorTexts {
		p("              %s", e)
	}
	if r.CPU != nil {
		p("CPU time      %s", r.CPU.text())
	}
	p("")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "class\trequests\tp50 ms\tp95 ms\tp99 ms\tmax ms\tmean ms\tover %.0f ms\tmean bytes\t\n", r.Limit)
	row := func(name string, s Stats) {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t\n", name, s.Count, s.P50, s.P95, s.P99, s.Max, s.Mean, s.OverLimit, s.MeanBytes)
	}
	for _, c := range classNames {
		if s, ok := r.ByClass[c]; ok {
			row(c, s)
		}
	}
	row("all", r.Overall)
	tw.Flush()
	p("\nslowest requests (time since the load began):")
	for _, s := range r.Slowest {
		p("  %7.1f s  %8.1f ms  %3d  %-11s  %s", s.At, s.Latency, s.Status, s.Class, s.Path)
	}
	p("\ntimeline (%s stretches; * marks a max over the limit):", bucketWidth)
	for _, b := range r.Timeline {
		mark := ""
		if r.Limit > 0 && b.Max > r.Limit {
			mark = " *"
		}
		p("  %6.0f s  %6d req  p99 %7.1f ms  max %7.1f ms  over %4d  failures %d%s", b.From, b.Requests, b.P99, b.Max, b.Over, b.Failures, mark)
	}
	p("\nwrites from another process:")
	if len(r.Writes) == 0 {
		p("  none")
	}
	for _, wr := range r.Writes {
		p("  %s", wr.text())
	}
	p("\nportal memory (VmRSS):")
	if len(r.Memory) == 0 {
		p("  not followed")
	}
	for _, m := range r.Memory {
		p("  %s", m.text())
	}
	switch {
	case r.Growth != nil:
		p("  growth: %s", r.Growth.Text)
	case len(r.Memory) > 0:
		p("  growth: not judged (too few samples after the warm-up)")
	}
	if r.Server != nil {
		p("\nportal log %s:", r.Server.Path)
		p("  %s", r.Server.summary())
		for _, l := range r.Server.Lines {
			p("    %s", l)
		}
	}
	p("\nevents:")
	for _, e := range r.Events {
		p("  %7.1f s  %s", e.At, e.What)
	}
	for _, n := range r.Notes {
		p("note: %s", n)
	}
	p("")
	switch {
	case r.Interrupted:
		p("RESULT: INTERRUPTED (the numbers cover the part that ran)")
	case len(r.Failures) == 0:
		p("RESULT: PASS (every budget held)")
	default:
		p("RESULT: FAIL")
		for _, f := range r.Failures {
			p("  - %s", f)
		}
	}
}

// writeJSON writes the report to path.
func (r *Report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// oneLine shortens an error message for the report.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
