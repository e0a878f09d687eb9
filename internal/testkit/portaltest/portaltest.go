// Package portaltest builds the real portal for tests: the handlers and the router over a
// real database of the test's own (storetest.Open), wired as portal serve wires them, with
// the starter content, the referral directory and a search engine when a test asks for
// them. Handler, end-to-end and server tests share it, so that they test one portal.
//
// It is for tests only: it imports the store, the embedded database and the search
// engines, and fails tests rather than returning errors. Code outside _test.go files must
// not import it (TestImportRules, in the root package, checks). A package whose tests use it calls
// storetest.Main from its TestMain, which stops the embedded database.
package portaltest

import (
	"cmp"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/search"
	"github.com/gobidialogue/portal/search/bleve"
	"github.com/gobidialogue/portal/server"
	"github.com/gobidialogue/portal/store"
	"github.com/gobidialogue/portal/themes"
)

// Search says whether a portal has a search engine, and how its index is kept.
type Search int

const (
	// NoSearch leaves the portal without an engine: /search says so, and the directory
	// matches its text box in memory.
	NoSearch Search = iota
	// IndexOnce is an in-memory bleve index reconciled once, in New, with what New stored:
	// every record is found from the first request, and later changes are not indexed.
	IndexOnce
	// Indexer is a bleve index on disk kept up to date by a search.Indexer running until
	// the test ends, as under portal serve. Its first pass runs in the background, so a
	// test waits for the records it looks for.
	Indexer
)

// Options says what New puts in the portal. The zero value is the portal of the account
// tests: an empty database, no directory, no search engine, the real clock.
type Options struct {
	// DB is the database to build on; nil means a fresh one, storetest.Open(tb).
	DB *store.DB
	// StarterGuidelines imports the starter guidelines (content.Starter()).
	StarterGuidelines bool
	// Directory wires the referral directory: the store, the starter gazetteer and
	// taxonomy, and the editor. Without it the portal has no directory, and the admin home
	// offers no review queue. StarterDirectory and Orgs imply it.
	Directory bool
	// StarterDirectory imports the starter directory as portal serve does on a first
	// start: every entry is stamped with Now.
	StarterDirectory bool
	// Orgs are saved as they are, after the starter directory: tests that need the starter
	// entries' own dates, or entries of their own, pass them here.
	Orgs []*portal.DirectoryOrg
	// Search is the search engine, indexing what the options above stored.
	Search Search
	// Now is the clock of the handlers, the editor and the imports; nil means time.Now.
	// The account service always runs on the real clock: sessions and tokens expire by it.
	Now portal.Clock
	// BaseURL is the portal's public URL; Serve sets it to the served address when empty.
	BaseURL string
	// Logger is the handlers' and the indexer's logger; nil discards.
	Logger *slog.Logger
	// Configure, when not nil, changes the handlers last, before the router is built.
	Configure func(*handlers.Handlers)
}

// Portal is a portal built by New: the database, the handlers and the router over them,
// and the services they share, for a test to set up more and to look behind the pages.
type Portal struct {
	DB       *store.DB
	Handlers *handlers.Handlers
	Server   *server.Server
	Router   http.Handler
	Accounts *accounts.Service
	// Search is the engine New made, before Configure (which may wrap it); nil with
	// NoSearch.
	Search portal.Searcher
	// Gazetteer and Terms are the starter directory's places and service types; nil
	// without the directory or a search engine.
	Gazetteer *portal.Gazetteer
	Terms     []portal.TaxonomyTerm

	now     portal.Clock
	indexer *search.Indexer // with the Indexer option
}

// New builds the portal that opts describe, over opts.DB or a database of tb's own, and
// fails tb if it cannot. What it starts stops when tb ends.
func New(tb testing.TB, opts Options) *Portal {
	tb.Helper()
	p := &Portal{DB: opts.DB, now: opts.Now}
	if p.DB == nil {
		p.DB = storetest.Open(tb)
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.Accounts = &accounts.Service{Store: p.DB, Now: time.Now, Limiter: &accounts.Limiter{Store: p.DB, Now: time.Now}}
	withDirectory := opts.Directory || opts.StarterDirectory || len(opts.Orgs) > 0
	if withDirectory || opts.Search != NoSearch {
		p.Gazetteer, p.Terms, _ = StarterDirectory(tb)
	}
	p.fill(tb, opts)
	logger := cmp.Or(opts.Logger, slog.New(slog.NewTextHandler(io.Discard, nil)))
	p.Search = p.startSearch(tb, opts.Search, logger)

	theme, err := themes.Load("")
	if err != nil {
		tb.Fatal(err)
	}
	p.Handlers = &handlers.Handlers{Guidelines: p.DB, Accounts: p.Accounts, DB: p.DB, Theme: theme, Logger: logger,
		Now: p.now, BaseURL: opts.BaseURL, Search: p.Search}
	if withDirectory {
		h := p.Handlers
		h.Directory, h.Gazetteer, h.Taxonomy = p.DB, p.Gazetteer, p.Terms
		h.Editor = &directory.Editor{Store: p.DB, Audit: p.DB, Gazetteer: p.Gazetteer, Terms: p.Terms, Now: p.now}
	}
	if opts.Configure != nil {
		opts.Configure(p.Handlers)
	}
	if h := p.Handlers; withDirectory && h.Finder == nil {
		// After Configure, so that the directory searches with the engine a test put in.
		h.Finder = &directory.Finder{Store: h.Directory, Search: h.Search, Logger: logger, Now: h.Now,
			Places: search.NewPlaceKinds(h.Gazetteer)}
	}
	p.route(tb, server.Config{})
	return p
}

// fill stores the content that opts ask for.
func (p *Portal) fill(tb testing.TB, opts Options) {
	tb.Helper()
	ctx := context.Background()
	if opts.StarterGuidelines {
		p.ImportGuidelines(tb, content.Starter())
	}
	if opts.StarterDirectory {
		if _, err := directory.ImportStarter(ctx, p.DB, p.DB, p.now); err != nil {
			tb.Fatal(err)
		}
	}
	for _, o := range opts.Orgs {
		if err := p.DB.SaveDirectoryOrg(ctx, o); err != nil {
			tb.Fatal(err)
		}
	}
}

// route builds the router over p.Handlers with cfg and, as portal serve has it, the public
// page cache: every test of a public page goes through it.
func (p *Portal) route(tb testing.TB, cfg server.Config) {
	tb.Helper()
	cfg.PageVersion = p.pageVersion
	srv, err := server.New(cfg, p.Handlers)
	if err != nil {
		tb.Fatal(err)
	}
	p.Server, p.Router = srv, srv.Handler()
}

// pageVersion is what the page cache checks pages against, as portal serve wires it.
func (p *Portal) pageVersion(ctx context.Context) (server.PageVersion, error) {
	v, local, err := p.DB.PagesVersion(ctx)
	if p.indexer != nil {
		v += "/" + strconv.FormatInt(p.indexer.Generation(), 10)
	}
	return server.PageVersion{Shows: v, Local: local}, err
}

// startSearch opens the engine that mode asks for, indexes what the store holds, and
// returns it; nil with NoSearch.
func (p *Portal) startSearch(tb testing.TB, mode Search, logger *slog.Logger) portal.Searcher {
	tb.Helper()
	ctx := context.Background()
	switch mode {
	case IndexOnce:
		idx, err := bleve.OpenMemory()
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { idx.Close() })
		want, err := search.Desired(ctx, search.Sources(p.DB, p.DB, p.Gazetteer, p.Terms)...)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := search.Reconcile(ctx, idx, want, nil); err != nil {
			tb.Fatal(err)
		}
		return idx
	case Indexer:
		idx, err := bleve.Open(tb.TempDir())
		if err != nil {
			tb.Fatal(err)
		}
		indexer := &search.Indexer{Searcher: idx, Sources: search.Sources(p.DB, p.DB, p.Gazetteer, p.Terms), Logger: logger}
		p.indexer = indexer
		workers, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { indexer.Run(workers); close(done) }()
		tb.Cleanup(func() { stop(); <-done; idx.Close() })
		return idx
	}
	return nil
}

// ImportGuidelines imports the guidelines under guidelines/ in fsys, laid out as in the
// starter content, on the portal's clock. An IndexOnce index does not see them.
func (p *Portal) ImportGuidelines(tb testing.TB, fsys fs.FS) {
	tb.Helper()
	im := &content.Importer{Store: p.DB, Renderer: content.NewRenderer(), Now: p.now}
	if _, err := im.ImportFS(context.Background(), fsys, "guidelines"); err != nil {
		tb.Fatalf("import guidelines: %v", err)
	}
}

// StarterDirectory returns the starter directory's gazetteer, taxonomy and organisations,
// as directory.LoadStarter reads them, or fails tb.
func StarterDirectory(tb testing.TB) (*portal.Gazetteer, []portal.TaxonomyTerm, []*portal.DirectoryOrg) {
	tb.Helper()
	g, terms, orgs, err := directory.LoadStarter()
	if err != nil {
		tb.Fatal(err)
	}
	return g, terms, orgs
}
