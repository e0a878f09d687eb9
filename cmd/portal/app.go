package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/store"
)

// app is the set of long-lived parts a command opens, closed in reverse order.
type app struct {
	cfg      *Config
	logger   *slog.Logger
	db       *store.DB
	embedded *store.Embedded
	lock     *dataLock
	// server is the running `portal serve` that holds the data directory, whose database
	// this command uses; nil when there is none.
	server   *serverRecord
	importer *content.Importer
	accounts *accounts.Service
	log      *logWriter // what logger writes through, written out last by close
}

// dataUse says what a command needs of the data directory.
type dataUse struct {
	// serve: the directory is this process's alone; another process holding it is an
	// error. Any other command uses a running server's database instead.
	serve bool
	// index: the command opens the embedded search index, which lives in the directory.
	index bool
}

// openApp opens the database: the embedded FerretDB in data_dir unless mongo.uri is set.
// A command other than serve that finds the directory held by a running server uses that
// server's database through its socket instead of starting one of its own.
func openApp(ctx context.Context, cfg *Config, stderr io.Writer, use dataUse) (*app, error) {
	level, _ := parseLevel(cfg.Log.Level)
	opts := &slog.HandlerOptions{Level: level}
	out := newLogWriter(stderr)
	newInner := func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, opts) }
	if cfg.Log.Format == "json" {
		newInner = func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, opts) }
	}
	a := &app{cfg: cfg, logger: slog.New(newLineHandler(out, newInner)), log: out}
	if err := a.claim(ctx, use); err != nil {
		a.close()
		return nil, err
	}
	uri := cfg.Mongo.URI
	switch {
	case uri != "":
	case a.server != nil && a.server.DB != "":
		uri = a.server.DB
	case a.server != nil:
		a.close()
		return nil, fmt.Errorf("data_dir %s is held by a portal serve that names no embedded database: is its mongo.uri this command's too?", cfg.DataDir)
	default:
		var err error
		a.embedded, err = store.StartEmbedded(ctx, filepath.Join(cfg.DataDir, "db"), a.logger.With("component", "ferretdb"))
		if err != nil {
			a.close()
			return nil, fmt.Errorf("start embedded database in %s: %w", cfg.DataDir, err)
		}
		uri = a.embedded.URI()
	}
	db, err := store.Open(ctx, uri, cfg.Mongo.Database)
	if err != nil {
		a.close()
		if a.server != nil {
			return nil, fmt.Errorf("the database of the portal serve running at %s: %w", a.server.URL, err)
		}
		return nil, err
	}
	a.db = db
	a.importer = &content.Importer{Store: db, Renderer: content.NewRenderer(), Now: clock}
	a.accounts = &accounts.Service{Store: db, Now: clock, Limiter: &accounts.Limiter{Store: db, Now: clock}}
	return a, nil
}

// claim takes the data directory when the command keeps something in it (the embedded
// database, or the embedded search index it opens), or finds the server that holds it.
// A command that keeps nothing there only looks for a server, whose address it may print.
func (a *app) claim(ctx context.Context, use dataUse) error {
	cfg := a.cfg
	keeps := cfg.Mongo.URI == "" || use.index && cfg.Search.Engine == engineEmbedded
	var err error
	switch {
	case use.serve && keeps:
		if a.lock, err = lockDataDir(cfg.DataDir); errors.Is(err, errDataDirInUse) {
			err = inUseByServer(cfg.DataDir, err)
		}
	case use.serve:
	case keeps:
		a.lock, a.server, err = claimDataDir(ctx, cfg.DataDir)
	default:
		a.server = probeServer(ctx, cfg.DataDir)
	}
	return err
}

// inUseByServer says who holds the data directory that serve wanted.
func inUseByServer(dir string, err error) error {
	if rec, rerr := readServerRecord(dir); rerr == nil {
		return fmt.Errorf("%w: portal serve (process %d) runs on it at %s; stop it first, or give this one another --data", err, rec.PID, rec.URL)
	}
	return fmt.Errorf("%w: stop it first, or give this one another --data", err)
}

// baseURL returns the base URL of the links a command prints: site.base_url when it is
// set, else the running server's, else the one server.addr will give; "" when nothing can
// know it (server.addr has port 0 and no server runs).
func (a *app) baseURL() string {
	switch {
	case a.cfg.Site.BaseURL != "":
		return trimBase(a.cfg.Site.BaseURL)
	case a.server != nil && a.server.URL != "":
		return trimBase(a.server.URL)
	}
	return addrURL(a.cfg.Server.Addr)
}

// close shuts down the database client, then the embedded database, then releases the
// data directory.
func (a *app) close() error {
	var errs []error
	if a.db != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, a.db.Close(ctx))
		cancel()
	}
	if a.embedded != nil {
		errs = append(errs, a.embedded.Close())
	}
	if a.lock != nil {
		errs = append(errs, a.lock.release())
	}
	errs = append(errs, a.log.Close())
	return errors.Join(errs...)
}

// clock is the portal's time source.
var clock portal.Clock = time.Now
