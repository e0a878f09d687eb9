package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/search"
	"github.com/gobidialogue/portal/search/bleve"
	"github.com/gobidialogue/portal/search/meili"
)

// openSearcher opens the configured search engine: the embedded bleve index in
// data_dir/search, or the Meilisearch server at search.meili_url, which must answer (its
// error names the URL). g gives Meilisearch its place-name synonyms.
func openSearcher(ctx context.Context, cfg *Config, g *portal.Gazetteer, logger *slog.Logger) (portal.Searcher, error) {
	if cfg.Search.Engine == engineMeilisearch {
		ix, err := meili.Open(ctx, meili.Config{URL: cfg.Search.MeiliURL, Key: cfg.secrets.meiliKey,
			Index: cfg.Search.MeiliIndex, Synonyms: search.Synonyms(g)})
		if err != nil {
			return nil, fmt.Errorf("search.engine meilisearch: %w", err)
		}
		return ix, nil
	}
	ix, err := bleve.Open(filepath.Join(cfg.DataDir, "search"))
	if err != nil {
		return nil, fmt.Errorf("search.engine embedded: %w", err)
	}
	if ix.Rebuilt() {
		logger.Info("the search index was made by another version of the portal: rebuilt empty, reindexing", "dir", ix.Dir())
	}
	return ix, nil
}

// searchApp is an app with its search engine and the directory's places and types.
type searchApp struct {
	*app
	searcher  portal.Searcher
	gazetteer *portal.Gazetteer
	terms     []portal.TaxonomyTerm
}

// openSearch opens the database and the search engine, for reindex, search check and
// directory find. When a running portal serve holds the embedded index (indexHeld), it
// opens no engine: searcher is nil.
func (c *common) openSearch(ctx context.Context, getenv func(string) string, stderr io.Writer) (*searchApp, error) {
	a, err := c.open(ctx, getenv, stderr, dataUse{index: true})
	if err != nil {
		return nil, err
	}
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		a.close()
		return nil, err
	}
	sa := &searchApp{app: a, gazetteer: g, terms: terms}
	if a.indexHeld() {
		return sa, nil
	}
	if sa.searcher, err = openSearcher(ctx, a.cfg, g, a.logger); err != nil {
		a.close()
		return nil, err
	}
	return sa, nil
}

// indexHeld reports whether the embedded search index is a running server's: bleve lets
// one process open it.
func (a *app) indexHeld() bool {
	return a.server != nil && a.cfg.Search.Engine == engineEmbedded
}

// close closes the search engine, then the database.
func (a *searchApp) close() error {
	var err error
	if a.searcher != nil {
		err = a.searcher.Close()
	}
	if cerr := a.app.close(); err == nil {
		err = cerr
	}
	return err
}

// openRecords opens the database and the search engine, for reindex and search check, with
// every record the index should hold. While a server holds the embedded index, these
// commands do not run: the server's indexer already reconciles the index with the database
// (every record, by content hash, within seconds of a change), so a second process has
// nothing to add, and a way into the running server to do it would be one more door to
// guard. errIndexHeld says so in one line.
func (c *common) openRecords(ctx context.Context, getenv func(string) string, stderr io.Writer, command string) (*searchApp, []portal.SearchDoc, error) {
	a, err := c.openSearch(ctx, getenv, stderr)
	if err != nil {
		return nil, nil, err
	}
	if a.searcher == nil {
		a.close()
		return nil, nil, errIndexHeld(command, a.server)
	}
	want, err := search.Desired(ctx, search.Sources(a.db, a.db, a.gazetteer, a.terms)...)
	if err != nil {
		a.close()
		return nil, nil, err
	}
	return a, want, nil
}

// errIndexHeld is the one line of reindex and search check while a server holds the index.
func errIndexHeld(command string, server *serverRecord) error {
	return fmt.Errorf("%s: the portal serve running at %s holds the search index and keeps it in step with the database itself; stop it first to %s by hand",
		command, server.URL, map[string]string{"reindex": "rebuild the index", "search check": "check the index"}[command])
}

// runReindex serves `portal reindex`: every record is written again from the database and
// every record the database no longer has is deleted, with a progress bar on stderr.
// Searches keep working meanwhile.
func runReindex(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, flags := newFlags("reindex", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: portal reindex [--config FILE] [--data DIR]")
		return errUsage
	}
	a, want, err := flags.openRecords(ctx, getenv, stderr, "reindex")
	if err != nil {
		return err
	}
	defer a.close()
	bar := progressbar.NewOptions(len(want),
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("Indexing"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
	)
	r, err := search.Rebuild(ctx, a.searcher, want, func(done, total int) {
		bar.ChangeMax(max(total, 1))
		_ = bar.Set(done)
	})
	if err != nil {
		_ = bar.Exit()
		fmt.Fprintln(stderr)
		return fmt.Errorf("reindex: %w (run it again to finish)", err)
	}
	_ = bar.Finish()
	fmt.Fprintf(stdout, "Reindexed %d records (%s): %d added, %d updated, %d deleted.\n",
		len(want), a.cfg.Search.Engine, r.Added, r.Updated, r.Deleted)
	return nil
}

// runSearch serves `portal search check`.
func runSearch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: portal search check [--config FILE] [--data DIR]")
		return errUsage
	}
	fs, flags := newFlags("search check", stderr)
	verbose := fs.Bool("v", false, "list the ids of the records out of step")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: portal search check [--config FILE] [--data DIR] [-v]")
		return errUsage
	}
	a, want, err := flags.openRecords(ctx, getenv, stderr, "search check")
	if err != nil {
		return err
	}
	defer a.close()
	missing, stale, extra, err := search.Check(ctx, a.searcher, want)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d records in the database: %d missing from the index, %d stale, %d extra.\n",
		len(want), len(missing), len(stale), len(extra))
	if *verbose {
		for _, l := range []struct {
			name string
			ids  []string
		}{{"missing", missing}, {"stale", stale}, {"extra", extra}} {
			if len(l.ids) > 0 {
				fmt.Fprintf(stdout, "%s:\n  %s\n", l.name, strings.Join(l.ids, "\n  "))
			}
		}
	}
	if len(missing)+len(stale)+len(extra) > 0 {
		return errIndexOutOfStep
	}
	return nil
}

// errIndexOutOfStep is the failure of `portal search check`.
var errIndexOutOfStep = errors.New("the search index is out of step with the database: run portal reindex (or let portal serve catch up)")
