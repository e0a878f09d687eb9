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
	importer *content.Importer
	accounts *accounts.Service
	log      *logWriter // what logger writes through, written out last by close
}

// openApp opens the database: the embedded FerretDB in data_dir unless mongo.uri is set.
func openApp(ctx context.Context, cfg *Config, stderr io.Writer) (*app, error) {
	level, _ := parseLevel(cfg.Log.Level)
	opts := &slog.HandlerOptions{Level: level}
	out := newLogWriter(stderr)
	var handler slog.Handler = slog.NewTextHandler(out, opts)
	if cfg.Log.Format == "json" {
		handler = slog.NewJSONHandler(out, opts)
	}
	a := &app{cfg: cfg, logger: slog.New(handler), log: out}
	uri := cfg.Mongo.URI
	if uri == "" {
		var err error
		if a.lock, err = lockDataDir(cfg.DataDir); err != nil {
			return nil, err
		}
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
		return nil, err
	}
	a.db = db
	a.importer = &content.Importer{Store: db, Renderer: content.NewRenderer(), Now: clock}
	a.accounts = &accounts.Service{Store: db, Now: clock, Limiter: &accounts.Limiter{Store: db, Now: clock}}
	return a, nil
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
