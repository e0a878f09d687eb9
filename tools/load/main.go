// Command load is the load script of issue 10 ("Fast under load"): it puts a generated
// referral directory into a data directory, starts `portal serve` on it at 127.0.0.1, and
// reads it with many anonymous visitors for a bounded time, while another process (this
// one) writes to the portal's embedded database through its Unix socket. It reports every
// request's latency by kind of page, the slowest requests and when they happened, how long
// the write took to show, and the portal's memory, and exits non-zero when a budget is
// exceeded, so that it can be used as a check.
//
//	go run ./tools/load                                   # 10,000 services, 6 minutes
//	go run ./tools/load -services 2000 -duration 40s -write-at 15s
//	go run ./tools/load -url http://127.0.0.1:8080 -data ./data   # a portal already running
//
// It is a development tool: it is not shipped, and it talks only to loopback addresses.
// README.md in this folder says what it measures and what the targets are.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// maxDuration caps -duration: the script is bounded in time whatever it is asked.
const maxDuration = 15 * time.Minute

// config is what the flags ask for.
type config struct {
	url       string // a running portal; empty: set one up
	data      string // the data directory; empty: a new temporary one
	keep      bool   // keep a temporary data directory
	services  int
	dbName    string
	portalBin string
	pid       int // with url: the portal's process, for its memory
	logLevel  string
	seedOnly  bool

	duration  time.Duration
	workers   int
	signedIn  float64
	rate      float64
	writeAt   []time.Duration
	sample    time.Duration
	seed      int64
	jsonPath  string
	slowCount int

	maxLatency   time.Duration
	maxFailures  int
	maxRSSGrowth float64
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process. It returns the exit status: 0 when every budget
// held, 1 when one was exceeded or the run failed, 2 for bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 2
	}
	rep, err := execute(ctx, cfg, stdout)
	if rep != nil {
		rep.print(stdout)
		if cfg.jsonPath != "" {
			if werr := rep.writeJSON(cfg.jsonPath); werr != nil {
				fmt.Fprintln(stderr, "load:", werr)
				return 1
			}
			fmt.Fprintf(stdout, "numbers written to %s\n", cfg.jsonPath)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 1
	}
	if rep != nil && (len(rep.Failures) > 0 || rep.Interrupted) {
		return 1
	}
	return 0
}

// parseFlags reads and checks the flags.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{}
	var writeAt string
	fs.StringVar(&cfg.url, "url", "", "load the portal already running at `URL` (loopback only) instead of starting one")
	fs.StringVar(&cfg.data, "data", "", "data `DIR` to seed and serve (reused when it holds the generated directory); with -url, the running portal's, for the write (default a new temporary directory)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary data directory")
	fs.IntVar(&cfg.services, "services", 10000, "generated services in the directory (about one organisation per five)")
	fs.StringVar(&cfg.dbName, "db", "portal", "database `NAME` (cmd/portal's mongo.database)")
	fs.StringVar(&cfg.portalBin, "portal", "", "portal `BINARY` to run (default: go build ./cmd/portal)")
	fs.IntVar(&cfg.pid, "pid", 0, "with -url: the portal's process `ID`, to follow its memory")
	fs.StringVar(&cfg.logLevel, "log-level", "", "the portal's log level (PORTAL_LOG_LEVEL; default its own, info)")
	fs.BoolVar(&cfg.seedOnly, "seed-only", false, "store the generated directory in -data and stop")
	fs.DurationVar(&cfg.duration, "duration", 6*time.Minute, "how long the load runs (at most 15m)")
	fs.IntVar(&cfg.workers, "workers", 32, "concurrent visitors, each with its own keep-alive connection")
	fs.Float64Var(&cfg.rate, "rate", 0, "requests per `SECOND` of all visitors together (0: each visitor asks again as soon as it is answered, as fast as the portal serves)")
	fs.Float64Var(&cfg.signedIn, "signed-in", 0, "`FRACTION` of the visitors that are signed in (a member's session)")
	fs.StringVar(&writeAt, "write-at", "2m", "`TIMES` into the load, comma-separated, at which another process changes a service's name (\"\" for none)")
	fs.DurationVar(&cfg.sample, "sample", 10*time.Second, "how often the portal's memory is read")
	fs.Int64Var(&cfg.seed, "seed", 1, "seed of the visitors' choices")
	fs.StringVar(&cfg.jsonPath, "json", "", "also write the numbers to `FILE` as JSON")
	fs.IntVar(&cfg.slowCount, "slowest", 20, "how many of the slowest requests to list")
	fs.DurationVar(&cfg.maxLatency, "max-latency", 100*time.Millisecond, "budget: no request slower than this (0: no budget)")
	fs.IntVar(&cfg.maxFailures, "max-failures", 0, "budget: non-2xx answers, errors and time-outs allowed (-1: no budget)")
	fs.Float64Var(&cfg.maxRSSGrowth, "max-rss-growth", 0.10, "budget: growth of the portal's memory, last minute over first after the warm-up (a minute, or until the page cache is full), judged when the load ran 3m or more after it (0: no budget)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if cfg.writeAt, err = parseTimes(writeAt); err != nil {
		return nil, fmt.Errorf("-write-at: %w", err)
	}
	return cfg, cfg.check()
}

// check refuses what the script must not do: a target beyond this machine, an unbounded or
// empty run.
func (c *config) check() error {
	switch {
	case c.url != "" && c.seedOnly:
		return errors.New("-seed-only seeds a data directory: it takes no -url")
	case c.seedOnly && c.data == "":
		return errors.New("-seed-only needs -data: a temporary directory would be thrown away")
	case c.services < 0:
		return errors.New("-services must not be negative")
	case c.url == "" && c.services == 0:
		return errors.New("-services must be positive when the script sets up the portal")
	case c.duration <= 0 || c.duration > maxDuration:
		return fmt.Errorf("-duration must be above 0 and at most %s", maxDuration)
	case c.workers < 1 || c.workers > 1024:
		return errors.New("-workers must be between 1 and 1024")
	case c.signedIn < 0 || c.signedIn > 1:
		return errors.New("-signed-in is a fraction between 0 and 1")
	case c.rate < 0:
		return errors.New("-rate must not be negative")
	case c.sample < time.Second:
		return errors.New("-sample must be at least 1s")
	case c.pid != 0 && c.url == "":
		return errors.New("-pid goes with -url: the script knows the portal it starts")
	}
	for _, at := range c.writeAt {
		if at >= c.duration {
			return fmt.Errorf("-write-at %s is not within -duration %s", at, c.duration)
		}
	}
	if c.url != "" {
		u, err := loopbackURL(c.url)
		if err != nil {
			return fmt.Errorf("-url: %w", err)
		}
		c.url = u
	}
	return nil
}

// parseTimes reads a comma-separated list of durations; "", "0" and "off" are none.
func parseTimes(s string) ([]time.Duration, error) {
	var out []time.Duration
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" || f == "0" || f == "off" {
			continue
		}
		d, err := time.ParseDuration(f)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%q is not a time into the load (such as 2m or 90s)", f)
		}
		out = append(out, d)
	}
	return out, nil
}

// loopbackURL checks that raw is an http(s) URL on this machine (localhost, 127.0.0.0/8 or
// ::1) and returns it without a trailing slash; anything else is refused, so the script can
// never be pointed at someone else's server.
func loopbackURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("%q: only http:// and https:// URLs", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("%q: give the portal's root, such as http://127.0.0.1:8080", raw)
	}
	if !isLoopbackHost(u.Hostname()) {
		return "", fmt.Errorf("%q is not a loopback address: the script loads only this machine (localhost, 127.0.0.0/8, ::1)", raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// isLoopbackHost reports whether host names this machine: localhost, or an address in
// 127.0.0.0/8 or ::1. Other names are refused without asking a resolver.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
