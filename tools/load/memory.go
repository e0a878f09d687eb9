package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MemSample is the portal's memory at a time since the load began: its resident set, and
// the page cache's own figures when the portal publishes them at /metrics.
type MemSample struct {
	At    float64  `json:"at_s"`
	RSSKB int64    `json:"rss_kb,omitempty"`
	Cache []string `json:"page_cache_metrics,omitempty"`
	Err   string   `json:"error,omitempty"`
}

func (m MemSample) text() string {
	s := fmt.Sprintf("%7.1f s  ", m.At)
	if m.RSSKB > 0 {
		s += fmt.Sprintf("RSS %6.1f MB", float64(m.RSSKB)/1024)
	} else {
		s += "RSS ?"
	}
	for _, l := range m.Cache {
		name, value, _ := strings.Cut(l, " ")
		s += "  " + strings.TrimPrefix(name, "portal_page_cache_") + "=" + value
	}
	if m.Err != "" {
		s += "  (" + m.Err + ")"
	}
	return s
}

// memory follows the portal's memory.
type memory struct {
	pid    int    // 0: not followed
	base   string // the portal, for /metrics
	client *http.Client

	mu        sync.Mutex
	samples   []MemSample
	noMetrics bool // /metrics answered 404 once: the portal has none
}

// follow samples every interval from start until ctx ends, and once more at the end
// (unless a sample was just taken). A sample is not cut short by the end of the load: each
// is bounded by its own time-out.
func (m *memory) follow(ctx context.Context, start time.Time, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	sctx := context.WithoutCancel(ctx)
	var last time.Time
	for {
		m.take(sctx, start)
		last = time.Now()
		select {
		case <-ctx.Done():
		case <-t.C:
			if ctx.Err() == nil {
				continue
			}
		}
		if time.Since(last) > time.Second {
			m.take(sctx, start)
		}
		return
	}
}

// take reads one sample.
func (m *memory) take(ctx context.Context, start time.Time) {
	s := MemSample{At: secs(time.Since(start))}
	var errs []string
	if m.pid > 0 {
		kb, err := readRSS(m.pid)
		if err != nil {
			errs = append(errs, err.Error())
		}
		s.RSSKB = kb
	}
	lines, err := m.cacheMetrics(ctx)
	if err != nil {
		errs = append(errs, "/metrics: "+oneLine(err.Error()))
	}
	s.Cache, s.Err = lines, strings.Join(errs, "; ")
	m.mu.Lock()
	m.samples = append(m.samples, s)
	m.mu.Unlock()
}

// Samples returns the samples taken.
func (m *memory) Samples() []MemSample {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]MemSample(nil), m.samples...)
}

// readRSS returns the resident set of process pid in kB, from /proc (Linux).
func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(string(b))
}

// parseVmRSS reads the VmRSS line of a /proc/PID/status.
func parseVmRSS(status string) (int64, error) {
	for line := range strings.Lines(status) {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			break
		}
		return strconv.ParseInt(f[0], 10, 64)
	}
	return 0, fmt.Errorf("no VmRSS in the process status")
}

// cacheMetrics returns the lines of /metrics that start with portal_page_cache, or none
// when the portal has no /metrics (a portal before it had one: no error).
func (m *memory) cacheMetrics(ctx context.Context) ([]string, error) {
	if m.base == "" || m.noMetrics {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return cacheLines(bufio.NewScanner(resp.Body)), nil
	case http.StatusNotFound:
		m.noMetrics = true
		return nil, nil
	}
	return nil, fmt.Errorf("%s", resp.Status)
}

// cacheLines returns the metric lines (not comments) that start with portal_page_cache.
func cacheLines(sc *bufio.Scanner) []string {
	var out []string
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "portal_page_cache") {
			out = append(out, l)
		}
	}
	return out
}

// Growth compares the portal's memory at the end of the load with its memory after the
// warm-up.
type Growth struct {
	FirstMB float64 `json:"first_mb"`
	LastMB  float64 `json:"last_mb"`
	Ratio   float64 `json:"ratio"`
	Judged  bool    `json:"judged"` // the load ran 3m or more after its warm-up
	// WarmS is when the warm-up ended, in seconds into the load: a minute, or when the page
	// cache filled to its bound if that was later.
	WarmS float64 `json:"warm_s"`
	Text  string  `json:"text"`
}

// judgeAfter is the shortest load after the warm-up whose memory growth is held against a
// budget: the "no growth over a 3-minute load".
const judgeAfter = 3 * time.Minute

// cacheFull is the share of its bound at which the page cache counts as full.
const cacheFull = 0.95

// growth compares the mean RSS of the last window of the load with that of the first
// window after the warm-up, both window long (a minute, or a quarter of a shorter load).
// The warm-up lasts until the page cache is full: memory that grows while a bounded cache
// fills is the bound at work (the collector's target grows with the heap it holds), and
// growth after that is what a leak would show.
func growth(samples []MemSample, elapsed time.Duration) *Growth {
	window := min(time.Minute, elapsed/4).Round(time.Second)
	warmup := window
	if full, ok := cacheFilled(samples); ok && full > warmup {
		warmup = full
	}
	first := meanRSS(samples, warmup, warmup+window)
	last := meanRSS(samples, elapsed-window, elapsed+time.Hour)
	if first == 0 || last == 0 || warmup+window > elapsed-window {
		return nil
	}
	g := &Growth{FirstMB: round1(first / 1024), LastMB: round1(last / 1024), Ratio: math2(last / first),
		Judged: elapsed-warmup >= judgeAfter, WarmS: warmup.Seconds()}
	g.Text = fmt.Sprintf("%.1f MB (from %s to %s) → %.1f MB (last %s): %+.1f%%",
		g.FirstMB, warmup, warmup+window, g.LastMB, window, (g.Ratio-1)*100)
	if warmup > window {
		g.Text += fmt.Sprintf("; the page cache was full at %s", warmup)
	}
	if !g.Judged {
		g.Text += fmt.Sprintf(" (not judged: the load ran under %s after its warm-up)", judgeAfter)
	}
	return g
}

// cacheFilled returns when the page cache's bytes first reached cacheFull of its bound,
// as the portal's /metrics reported them.
func cacheFilled(samples []MemSample) (time.Duration, bool) {
	for _, s := range samples {
		var bytes, limit float64
		for _, l := range s.Cache {
			name, value, ok := strings.Cut(l, " ")
			if !ok {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				continue
			}
			switch name {
			case "portal_page_cache_bytes":
				bytes = v
			case "portal_page_cache_max_bytes":
				limit = v
			}
		}
		if limit > 0 && bytes >= cacheFull*limit {
			return time.Duration(s.At * float64(time.Second)), true
		}
	}
	return 0, false
}

func meanRSS(samples []MemSample, from, to time.Duration) float64 {
	var sum, n float64
	for _, s := range samples {
		at := time.Duration(s.At * float64(time.Second))
		if s.RSSKB > 0 && at >= from && at < to {
			sum += float64(s.RSSKB)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

func math2(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// CPU is the processor time the portal and this script used during the load: on a small
// machine the script's own share is time the portal did not have.
type CPU struct {
	PortalSeconds float64 `json:"portal_s,omitempty"`
	ScriptSeconds float64 `json:"script_s"`
	WallSeconds   float64 `json:"wall_s"`
	Cores         int     `json:"cores"`
}

func (c *CPU) text() string {
	share := func(s float64) float64 { return s / (c.WallSeconds * float64(c.Cores)) * 100 }
	s := fmt.Sprintf("this script %.1f s (%.0f%% of the machine)", c.ScriptSeconds, share(c.ScriptSeconds))
	if c.PortalSeconds > 0 {
		s = fmt.Sprintf("portal %.1f s (%.0f%% of the machine), ", c.PortalSeconds, share(c.PortalSeconds)) + s
	}
	return s + fmt.Sprintf(", over %.1f s on %d cores", c.WallSeconds, c.Cores)
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every Linux platform Go
// runs on.
const clockTicks = 100

// cpuTime returns the user and system CPU time process proc ("self" or a pid) has used.
func cpuTime(proc string) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + proc + "/stat")
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime and stime, the 14th and 15th fields of a /proc/PID/stat line;
// the command name, 2nd, is in parentheses and may hold spaces.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("unreadable process stat")
	}
	f := strings.Fields(stat[i+1:]) // from the 3rd field on
	if len(f) < 13 {
		return 0, fmt.Errorf("unreadable process stat")
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unreadable process stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
