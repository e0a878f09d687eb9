package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/mail"
	"github.com/gobidialogue/portal/search"
	"github.com/gobidialogue/portal/server"
	"github.com/gobidialogue/portal/store"
	"github.com/gobidialogue/portal/themes"
)

// runServe runs the portal until ctx is cancelled, then shuts down in order: the HTTP
// server, then the background workers, then the database client, then the embedded
// database.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, flags := newFlags("serve", stderr)
	addr := fs.String("addr", "", "listen on `HOST:PORT` (overrides server.addr and PORTAL_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := flags.load(getenv)
	if err != nil {
		return err
	}
	tuneGC(getenv)
	if *addr != "" {
		cfg.Server.Addr = *addr
	}
	theme, err := themes.Load(cfg.Theme.Dir)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, stderr, dataUse{serve: true, index: true})
	if err != nil {
		return err
	}
	defer a.close()
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("server.addr: %w", err)
	}
	defer ln.Close() // when serve fails before it serves; Serve closes it otherwise
	listening := listenURL(ln.Addr())
	if cfg.Site.BaseURL == "" {
		cfg.Site.BaseURL = listening
	}
	if a.lock != nil {
		// Deferred after a.close, so it runs before it: the record goes before the lock.
		defer removeServerRecord(cfg.DataDir)
		if err := a.recordServer(); err != nil {
			return err
		}
	}
	report, err := content.ImportStarter(ctx, a.importer, a.db)
	if err != nil {
		return err
	}
	if report.Revisions > 0 {
		a.logger.Info("imported starter content", "guidelines", report.Created, "revisions", report.Revisions)
	}
	services, err := directory.ImportStarter(ctx, a.db, a.db, clock)
	if err != nil {
		return err
	}
	if services > 0 {
		a.logger.Info("imported starter directory", "services", services)
	}
	gazetteer, taxonomy, _, err := directory.LoadStarter()
	if err != nil {
		return err
	}
	searcher, err := openSearcher(ctx, cfg, gazetteer, a.logger)
	if err != nil {
		return err
	}
	// Deferred after a.close, so it runs before it: the index closes after the workers
	// stopped and before the database.
	defer searcher.Close()
	providers, links, err := signInProviders(ctx, cfg)
	if err != nil {
		return err
	}
	h := &handlers.Handlers{Guidelines: a.db, Directory: a.db, Gazetteer: gazetteer, Taxonomy: taxonomy, Search: searcher, Accounts: a.accounts, DB: a.db, Theme: theme, Logger: a.logger, Now: clock,
		Secure: strings.HasPrefix(cfg.Site.BaseURL, "https://"), BaseURL: cfg.Site.BaseURL,
		DefaultLanguage: cfg.Site.DefaultLanguage, Providers: links,
		Finder: &directory.Finder{Store: a.db, Search: searcher, Logger: a.logger, Now: clock, Places: search.NewPlaceKinds(gazetteer)},
		Editor: &directory.Editor{Store: a.db, Audit: a.db, Gazetteer: gazetteer, Terms: taxonomy, Now: clock}}
	if cfg.Mail.SMTP != "" {
		m, err := newMailer(cfg, a.accounts)
		if err != nil {
			return err
		}
		h.Mailer = m
		a.logger.Info("sending e-mail", "smtp", cfg.Mail.SMTP)
	}
	indexer := &search.Indexer{Searcher: searcher, Sources: search.Sources(a.db, a.db, gazetteer, taxonomy),
		Logger: a.logger.With("component", "search")}
	srv, err := server.New(server.Config{
		TrustedProxies:  cfg.Server.TrustedProxies,
		DefaultLanguage: cfg.Site.DefaultLanguage,
		BodyLimit:       cfg.Server.BodyLimit,
		ShutdownTimeout: cfg.Server.ShutdownTimeout,
		Providers:       providers,
		SignInKey:       signInKey(cfg, a.logger, len(providers)),
		PageVersion:     pageVersion(cfg, a.db, indexer),
		PageCacheBytes:  cfg.Server.PageCacheMB << 20,
	}, h)
	if err != nil {
		return err
	}
	// Background workers stop after the server and before the database (deferred close).
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { a.accounts.SweepEvery(workers, time.Hour, a.logger) })
	// The pages most visitors ask for are rendered before the first request is taken;
	// connections made meanwhile wait in the listen queue (see warmPages). The indexer
	// starts after, so that its first pass does not compete with the warming.
	warm, stopWarm := context.WithTimeout(ctx, maxWarmBeforeServe)
	warmPages(warm, srv, a.db, a.logger)
	timedOut := warm.Err() != nil
	stopWarm()
	if ctx.Err() != nil {
		// Stopped while warming: nothing was served, nothing more is.
		stopWorkers()
		wg.Wait()
		return nil
	}
	if timedOut {
		// A slow database: serve now, and let the warming (and the directory's first
		// load, which it abandoned) finish in the background.
		wg.Go(func() { warmPages(workers, srv, a.db, a.logger) })
	}
	wg.Go(func() { indexer.Run(workers) })
	fmt.Fprintf(stdout, "Gobi Dialogue Portal listening on %s/\n", listening)
	if base := trimBase(cfg.Site.BaseURL); base != listening {
		fmt.Fprintf(stdout, "Links it prints and sends lead to %s/ (site.base_url).\n", base)
	}
	a.logger.Info("listening", "addr", ln.Addr().String(), "base_url", cfg.Site.BaseURL)
	err = srv.Serve(ctx, ln)
	stopWorkers()
	wg.Wait()
	return err
}

// recordServer writes data_dir/server.json, which tells the other commands where this
// server is and how they reach its database (running.go).
func (a *app) recordServer() error {
	rec := serverRecord{PID: os.Getpid(), URL: trimBase(a.cfg.Site.BaseURL)}
	if a.embedded != nil {
		rec.DB = a.embedded.URI()
	}
	return writeServerRecord(a.cfg.DataDir, rec)
}

// Garbage collection of portal serve, unless GOGC and GOMEMLIMIT say otherwise: most of
// its heap is long-lived (the directory, the guideline list, the page cache, the search
// index's caches), which the default GOGC of 100 marks again every time requests' garbage
// doubles it. With 300 a page under 200 connections had its 99th percentile go from 65 to
// 48 ms and its throughput from 13,400 to 16,100 requests a second on these machines. The
// memory limit keeps the heap from growing past 1 GiB whatever the percentage allows.
const (
	serveGCPercent   = 300
	serveMemoryLimit = 1 << 30
)

// tuneGC sets serve's garbage collection, leaving what GOGC and GOMEMLIMIT set alone.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
}

// pageVersion returns what the public page cache checks pages against: the versions of
// the guidelines and the directory this process holds and the search index's generation
// (search result pages are current while it stands still), and the writes made through
// this process; nil, no cache, when server.page_cache_mb is 0.
func pageVersion(cfg *Config, db *store.DB, indexer *search.Indexer) func(context.Context) (server.PageVersion, error) {
	if cfg.Server.PageCacheMB == 0 {
		return nil
	}
	return func(ctx context.Context) (server.PageVersion, error) {
		v, local, err := db.PagesVersion(ctx)
		return server.PageVersion{Shows: v + "/" + strconv.FormatInt(indexer.Generation(), 10), Local: local}, err
	}
}

// newMailer returns the mailer of mail.smtp, whose messages say as long a life for a reset
// link as the account service gives it.
func newMailer(cfg *Config, acc *accounts.Service) (*mail.Mailer, error) {
	m, err := mail.New(mail.Config{Addr: cfg.Mail.SMTP, From: cfg.Mail.From, Username: cfg.Mail.Username,
		Password: cfg.secrets.smtpPassword, ResetTTL: cmp.Or(acc.ResetTTL, accounts.DefaultResetTTL), Now: clock})
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return m, nil
}
