package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/store"
)

// Set-up time limits: each step fails with a message rather than hanging the script.
const (
	seedTimeout   = 20 * time.Minute
	buildTimeout  = 10 * time.Minute
	healthTimeout = 3 * time.Minute
	searchTimeout = 5 * time.Minute
	stopGrace     = 15 * time.Second
)

// target is the portal under load.
type target struct {
	base    string // http://127.0.0.1:PORT
	pid     int    // 0 when unknown
	dataDir string // "" when unknown
	logPath string // the portal's log, when this script started it
	ready   time.Time
	stop    func() error // stops what the script started and removes its temporary files; safe to call twice
}

// SeedResult is how long storing the generated directory took.
type SeedResult struct {
	Services    int                `json:"services"`
	Orgs        int                `json:"organisations"`
	Reused      bool               `json:"reused"`
	Seconds     float64            `json:"seconds"`
	Checkpoints map[string]float64 `json:"seconds_at_organisations,omitempty"`
	Text        string             `json:"text"`
}

// seed makes sure dataDir holds the generated directory of n services: it starts the
// embedded database itself (no portal may be running on dataDir), stores the directory
// organisation by organisation with SaveDirectoryOrg, timing it, and closes the database.
// A directory that holds it already is reused.
func seed(ctx context.Context, dataDir, dbName string, orgs []*portal.DirectoryOrg, n int, out io.Writer) (*SeedResult, error) {
	ctx, cancel := context.WithTimeout(ctx, seedTimeout)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := store.StartEmbedded(ctx, filepath.Join(dataDir, "db"), logger)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	db, err := store.Open(ctx, e.URI(), dbName)
	if err != nil {
		return nil, err
	}
	defer db.Close(context.WithoutCancel(ctx))
	d, err := db.Directory(ctx)
	if err != nil {
		return nil, err
	}
	res := &SeedResult{Services: n, Orgs: len(orgs)}
	switch have := len(d.Services()); {
	case have == n && isGenerated(d, n):
		res.Reused = true
		res.Text = fmt.Sprintf("reused the %d services already in %s", n, dataDir)
		fmt.Fprintln(out, res.Text)
		return res, nil
	case have > 0 && !isGenerated(d, have):
		return nil, fmt.Errorf("%s holds a directory of %d services that is not the generated one: give another -data", dataDir, have)
	case have > n:
		return nil, fmt.Errorf("%s holds %d generated services, more than -services %d: give the same -services or another -data", dataDir, have, n)
	}
	fmt.Fprintf(out, "storing %d services (%d organisations) in %s ...\n", n, len(orgs), dataDir)
	res.Checkpoints = map[string]float64{}
	start := time.Now()
	next := 500
	for i, o := range orgs {
		if err := db.SaveDirectoryOrg(ctx, o); err != nil {
			return nil, fmt.Errorf("store organisation %s: %w", o.ID, err)
		}
		if i+1 == next {
			el := time.Since(start)
			res.Checkpoints[strconv.Itoa(next)] = secs(el)
			fmt.Fprintf(out, "  first %d organisations in %.1f s (%.1f ms each on average)\n", next, el.Seconds(), float64(el.Milliseconds())/float64(next))
			next *= 2
		}
	}
	el := time.Since(start)
	res.Seconds = math1(el.Seconds())
	res.Text = fmt.Sprintf("stored %d services (%d organisations) in %.1f s (%.1f ms per organisation)", n, len(orgs), el.Seconds(), float64(el.Milliseconds())/float64(len(orgs)))
	for _, k := range []string{"500", "1000", "2000", "4000"} {
		if v, ok := res.Checkpoints[k]; ok {
			res.Text += fmt.Sprintf("; first %s organisations %.1f s", k, v)
		}
	}
	fmt.Fprintln(out, res.Text)
	return res, nil
}

func math1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// isGenerated reports whether d is the generated directory's first n services or a part of
// it: every service has a generated id below n.
func isGenerated(d *portal.Directory, n int) bool {
	for _, s := range d.Services() {
		i, ok := strings.CutPrefix(s.ID, "gen-svc-")
		k, err := strconv.Atoi(i)
		if !ok || err != nil || k >= n {
			return false
		}
	}
	return true
}

// generate returns the directory the seed stores: directorytest.Generate with seed 1 over
// the starter gazetteer and taxonomy, as the benchmarks use.
func generate(n int, g *portal.Gazetteer, terms []portal.TaxonomyTerm) []*portal.DirectoryOrg {
	return directorytest.Generate(n, 1, g, terms)
}

// buildPortal builds cmd/portal into dir and returns the binary's path.
func buildPortal(ctx context.Context, dir string, out io.Writer) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	bin := filepath.Join(dir, "portal")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/gobidialogue/portal/cmd/portal")
	cmd.Stdout, cmd.Stderr = out, out
	fmt.Fprintf(out, "building the portal: %s\n", strings.Join(cmd.Args, " "))
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/portal: %w", err)
	}
	return bin, nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// portalEnv is this process's environment without the PORTAL_* variables, which could
// point the portal at another database or address, plus the log level asked for.
func portalEnv(environ []string, logLevel string) []string {
	var env []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "PORTAL_") {
			env = append(env, kv)
		}
	}
	if logLevel != "" {
		env = append(env, "PORTAL_LOG_LEVEL="+logLevel)
	}
	return env
}

// child is the `portal serve` this script started.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when it has exited
	err    error         // its exit, once exited is closed
	log    *os.File
}

// startPortal starts `bin serve --data dataDir --addr 127.0.0.1:PORT`, writing its output
// to logPath, in dataDir (so that no config.yaml of the working directory applies) and in a
// process group of its own (so that Ctrl-C reaches this script, which stops it in order).
func startPortal(bin, dataDir, logPath, logLevel string) (*child, string, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	f, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(bin, "serve", "--data", dataDir, "--addr", addr)
	cmd.Dir, cmd.Env = dataDir, portalEnv(os.Environ(), logLevel)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, "", fmt.Errorf("start %s: %w", bin, err)
	}
	c := &child{cmd: cmd, exited: make(chan struct{}), log: f}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	return c, "http://" + addr, nil
}

// stop asks the portal to shut down (SIGTERM: it finishes requests, closes the database)
// and kills it when it has not after stopGrace.
func (c *child) stop() error {
	defer c.log.Close()
	select {
	case <-c.exited:
		return nil
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
		return nil
	case <-time.After(stopGrace):
	}
	_ = c.cmd.Process.Kill()
	<-c.exited
	return fmt.Errorf("the portal did not stop within %s of SIGTERM and was killed", stopGrace)
}

// waitReady waits until the portal answers /healthz, then until its search finds the last
// generated service, which the indexer's first pass adds after the guidelines.
func waitReady(ctx context.Context, c *child, base string, n int, orgs []*portal.DirectoryOrg, out io.Writer) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	if err := poll(ctx, c, healthTimeout, "answer /healthz", func() bool {
		_, err := fetch(ctx, client, base+"/healthz")
		return err == nil
	}); err != nil {
		return err
	}
	fmt.Fprintln(out, "the portal answers /healthz; waiting for its search index to hold the directory ...")
	last := lastService(orgs, n)
	if last == nil {
		return nil
	}
	q := base + "/search?lang=en&q=" + url.QueryEscape(last.Name.EN)
	return poll(ctx, c, searchTimeout, "find the last generated service by search", func() bool {
		body, err := fetch(ctx, client, q)
		return err == nil && strings.Contains(body, portal.ServicePath(last.ID))
	})
}

// lastService returns the generated service n-1.
func lastService(orgs []*portal.DirectoryOrg, n int) *portal.Service {
	id := ServiceID(n - 1)
	for _, o := range orgs {
		for i := range o.Services {
			if o.Services[i].ID == id {
				return &o.Services[i]
			}
		}
	}
	return nil
}

// poll calls ok every 200 ms until it reports true, the portal exits, or within passes.
func poll(ctx context.Context, c *child, within time.Duration, what string, ok func() bool) error {
	deadline := time.Now().Add(within)
	for {
		if ok() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.exited:
			return fmt.Errorf("the portal exited before it could %s: %v (see its log)", what, c.err)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the portal did not %s within %s (see its log)", what, within)
		}
	}
}

// errNoSocket says why the write needs the embedded database's socket.
var errNoSocket = errors.New("the data directory's database socket path is too long for a Unix socket (108 bytes): give a shorter -data")

// checkSocketPath refuses a data directory whose socket path the embedded database could
// not use: it would listen on TCP instead, and another process could not find it.
func checkSocketPath(dataDir string) error {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	if len(socketPath(abs)) >= 108 {
		return errNoSocket
	}
	return nil
}
