package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/directory"
)

// execute sets up (or finds) the portal, loads it, and returns the report; with
// -seed-only it stores the directory and returns no report.
func execute(ctx context.Context, cfg *config, out io.Writer) (*Report, error) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		return nil, err
	}
	var orgs []*portal.DirectoryOrg
	if cfg.services > 0 {
		orgs = generate(cfg.services, g, terms)
	}
	rep := &Report{Services: cfg.services, Workers: cfg.workers, Commit: gitCommit(ctx), Events: []Event{}, Failures: []string{}}
	tg, err := prepare(ctx, cfg, orgs, rep, out)
	if err != nil || tg == nil {
		return nil, err
	}
	defer tg.stop()
	rep.Target = tg.base

	client := newClient()
	slugs, err := guidelineSlugs(ctx, client, tg.base)
	if err != nil {
		return nil, err
	}
	if cfg.services > 0 {
		if _, err := fetch(ctx, client, tg.base+portal.ServicePath(ServiceID(0))); err != nil {
			return nil, fmt.Errorf("the portal does not hold the generated directory of -services %d: %w", cfg.services, err)
		}
	}
	mix := NewMix(g, terms, slugs, cfg.services)
	fmt.Fprintf(out, "guidelines in the mix: %s\n", strings.Join(slugs, ", "))

	other, sessions, err := openOtherProcess(ctx, cfg, tg, rep)
	if err != nil {
		return nil, err
	}
	if other != nil {
		other.orgs, other.base, other.client = orgs, tg.base, client
	}
	rep.SignedIn = len(sessions)

	fmt.Fprintf(out, "loading %s for %s with %d visitors ...\n", tg.base, cfg.duration, cfg.workers)
	samples, elapsed, start := runLoad(ctx, cfg, tg, mix, sessions, other, rep)
	rep.Interrupted = ctx.Err() != nil
	if other != nil {
		// Before the portal stops: its database would otherwise cut this client off.
		if err := other.db.Close(context.WithoutCancel(ctx)); err != nil {
			rep.Notes = append(rep.Notes, err.Error())
		}
	}
	if !tg.ready.IsZero() {
		rep.Events = append([]Event{{At: secs(tg.ready.Sub(start)), What: "the portal was ready (its directory loaded before this)"}}, rep.Events...)
		var writes []time.Duration
		for _, w := range rep.Writes {
			writes = append(writes, time.Duration(w.At*float64(time.Second)))
		}
		rep.Notes = append(rep.Notes, ageNote(tg.ready.Sub(start), writes))
	}
	slices.SortStableFunc(rep.Events, func(a, b Event) int { return cmpFloat(a.At, b.At) })

	if err := tg.stop(); err != nil {
		rep.Notes = append(rep.Notes, err.Error())
	}
	if tg.logPath != "" {
		rep.Server = readServerLog(tg.logPath, start, start.Add(elapsed), cfg.maxLatency)
	}
	rep.analyse(samples, elapsed, cfg.maxLatency, cfg.slowCount)
	rep.Growth = growth(rep.Memory, elapsed)
	rep.budgets(cfg)
	return rep, nil
}

// prepare returns the portal to load: the one at -url, or one started on a seeded data
// directory. With -seed-only it seeds and returns nil.
func prepare(ctx context.Context, cfg *config, orgs []*portal.DirectoryOrg, rep *Report, out io.Writer) (*target, error) {
	if cfg.url != "" {
		if cfg.data != "" {
			if err := checkSocketPath(cfg.data); err != nil {
				return nil, err
			}
		}
		return &target{base: cfg.url, pid: cfg.pid, dataDir: cfg.data, stop: func() error { return nil }}, nil
	}
	var cleanup []func() error
	undo := func() error {
		var errs []error
		for _, f := range slices.Backward(cleanup) {
			errs = append(errs, f())
		}
		cleanup = nil
		return errors.Join(errs...)
	}
	dataDir := cfg.data
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "portal-load-")
		if err != nil {
			return nil, err
		}
		dataDir = tmp
		if !cfg.keep {
			cleanup = append(cleanup, func() error { return os.RemoveAll(tmp) })
		}
		fmt.Fprintf(out, "data directory: %s (%s)\n", tmp, map[bool]string{true: "kept: -keep", false: "removed at the end; -keep keeps it"}[cfg.keep])
	}
	dataDir, err := filepath.Abs(dataDir)
	if err == nil {
		err = checkSocketPath(dataDir)
	}
	if err == nil {
		rep.Seed, err = seed(ctx, dataDir, cfg.dbName, orgs, cfg.services, out)
	}
	if err != nil || cfg.seedOnly {
		return nil, errors.Join(err, undo())
	}
	bin := cfg.portalBin
	if bin == "" {
		binDir, err := os.MkdirTemp("", "portal-load-bin-")
		if err != nil {
			return nil, errors.Join(err, undo())
		}
		cleanup = append(cleanup, func() error { return os.RemoveAll(binDir) })
		if bin, err = buildPortal(ctx, binDir, out); err != nil {
			return nil, errors.Join(err, undo())
		}
	}
	logPath := filepath.Join(os.TempDir(), fmt.Sprintf("portal-load-%s.log", time.Now().Format("20060102-150405")))
	c, base, err := startPortal(bin, dataDir, logPath, cfg.logLevel)
	if err != nil {
		return nil, errors.Join(err, undo())
	}
	cleanup = append(cleanup, c.stop)
	fmt.Fprintf(out, "started %s serve --data %s --addr %s (pid %d); its log: %s\n", bin, dataDir, strings.TrimPrefix(base, "http://"), c.cmd.Process.Pid, logPath)
	if err := waitReady(ctx, c, base, cfg.services, orgs, out); err != nil {
		return nil, errors.Join(err, undo())
	}
	tg := &target{base: base, pid: c.cmd.Process.Pid, dataDir: dataDir, logPath: logPath, ready: time.Now()}
	var once sync.Once
	var stopErr error
	tg.stop = func() error {
		once.Do(func() { stopErr = undo() })
		return stopErr
	}
	return tg, nil
}

// openOtherProcess connects this script to the running portal's embedded database, as a
// process other than the portal (a second portal or the CLI would write the same way), when
// a write or a signed-in visitor needs it, and signs the visitors in.
func openOtherProcess(ctx context.Context, cfg *config, tg *target, rep *Report) (*writer, []string, error) {
	signedIn := int(math.Round(cfg.signedIn * float64(cfg.workers)))
	if len(cfg.writeAt) == 0 && signedIn == 0 {
		return nil, nil, nil
	}
	if tg.dataDir == "" {
		if signedIn > 0 {
			return nil, nil, errors.New("-signed-in needs -data: the sessions are made in the portal's database")
		}
		rep.Notes = append(rep.Notes, "no write from another process: give -data with -url to have one")
		cfg.writeAt = nil
		return nil, nil, nil
	}
	db, err := openOther(ctx, tg.dataDir, cfg.dbName)
	if err != nil {
		return nil, nil, err
	}
	w := &writer{db: db, tag: time.Now().Format("150405")}
	var sessions []string
	if signedIn > 0 {
		if sessions, err = startSessions(ctx, db, signedIn); err != nil {
			db.Close(context.WithoutCancel(ctx))
			return nil, nil, err
		}
	}
	if len(cfg.writeAt) > 0 && cfg.services == 0 {
		rep.Notes = append(rep.Notes, "no write from another process: it renames a generated service, and -services is 0")
		cfg.writeAt = nil
	}
	return w, sessions, nil
}

// runLoad runs the visitors, the memory sampler and the writes for cfg.duration, and
// returns the requests, how long the load ran, and when it began.
func runLoad(ctx context.Context, cfg *config, tg *target, mix *Mix, sessions []string, w *writer, rep *Report) ([]sample, time.Duration, time.Time) {
	cpu0, pcpu0 := processCPU(tg.pid)
	start := time.Now()
	loadCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	mem := &memory{pid: tg.pid, base: tg.base, client: newClient()}
	var wg sync.WaitGroup
	wg.Go(func() { mem.follow(loadCtx, start, cfg.sample) })
	if w != nil {
		// Only this goroutine appends to rep.Writes and rep.Events until wg.Wait.
		wg.Go(func() {
			for i, at := range cfg.writeAt {
				select {
				case <-loadCtx.Done():
					return
				case <-time.After(time.Until(start.Add(at))):
				}
				r := w.write(loadCtx, i+1, start)
				rep.Writes = append(rep.Writes, r)
				rep.Events = append(rep.Events, Event{At: r.At, What: fmt.Sprintf("write %d stored by another process (%.1f ms)", r.N, r.StoreMS)})
				if r.Visible {
					rep.Events = append(rep.Events, Event{At: r.At + (r.StoreMS+r.VisibleMS)/1000, What: fmt.Sprintf("write %d visible on the service's page", r.N)})
				}
			}
		})
	}
	l := &loader{base: tg.base, mix: mix, workers: cfg.workers, sessions: sessions, seed: cfg.seed, rate: cfg.rate}
	samples := l.run(loadCtx, ctx, start)
	elapsed := time.Since(start)
	cpu1, pcpu1 := processCPU(tg.pid)
	rep.CPU = &CPU{ScriptSeconds: secs(cpu1 - cpu0), PortalSeconds: secs(pcpu1 - pcpu0), WallSeconds: secs(elapsed), Cores: runtime.NumCPU()}
	cancel()
	wg.Wait()
	rep.Memory = mem.Samples()
	rep.Events = append([]Event{{At: 0, What: "the load began"}}, rep.Events...)
	rep.Events = append(rep.Events, Event{At: secs(elapsed), What: "the load ended"})
	return samples, elapsed, start
}

// processCPU returns the CPU time this script and, when pid is known, the portal used so
// far (zero where it cannot be read).
func processCPU(pid int) (self, portal time.Duration) {
	self, _ = cpuTime("self")
	if pid > 0 {
		portal, _ = cpuTime(strconv.Itoa(pid))
	}
	return self, portal
}

// ageNote says when the portal's 5-minute-old directory copy falls due within the load,
// given when the portal became ready and when another process writes (each write makes
// the portal load the directory again, which starts its age anew).
func ageNote(ready time.Duration, writes []time.Duration) string {
	const maxAge = 5 * time.Minute // store/directory.go dirCacheMaxAge
	due := ready + maxAge
	for _, w := range writes {
		if w < due {
			return fmt.Sprintf("the write at %s reloaded the portal's directory before its copy reached 5 minutes of age (by %.0f s): the age-based reload then falls after %.0f s, beyond a load ending before it; use -write-at after %.0f s to span both",
				w, due.Seconds(), (w + maxAge).Seconds(), due.Seconds())
		}
	}
	return fmt.Sprintf("the portal's directory copy reaches its 5-minute age by %.0f s into the load (loaded before the portal was ready), and is read again then; the search indexer's 5-minute full reconcile falls near it", due.Seconds())
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// slugLink finds links to guidelines in a page.
var slugLink = regexp.MustCompile(`href="/guidelines/([a-z0-9-]+)"`)

// guidelineSlugs returns the guidelines a visitor can open: those /guidelines links to
// and the starter guidelines (content/starter), each checked to answer 200.
func guidelineSlugs(ctx context.Context, client *http.Client, base string) ([]string, error) {
	var cand []string
	if body, err := fetch(ctx, client, base+"/guidelines?lang=en"); err == nil {
		for _, m := range slugLink.FindAllStringSubmatch(body, -1) {
			cand = append(cand, m[1])
		}
	} else {
		return nil, fmt.Errorf("read /guidelines: %w", err)
	}
	if entries, err := fs.ReadDir(content.Starter(), "guidelines"); err == nil {
		for _, e := range entries {
			if e.IsDir() {
				cand = append(cand, e.Name())
			}
		}
	}
	slices.Sort(cand)
	var out []string
	for _, s := range slices.Compact(cand) {
		if _, err := fetch(ctx, client, base+portal.GuidelinePath(s)); err == nil {
			out = append(out, s)
		}
	}
	return out, nil
}

// gitCommit names the commit the portal was built from, and says when the working tree
// had changes on top of it (other work in progress is then measured too).
func gitCommit(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		c += " + uncommitted changes in the working tree"
	}
	return c
}
