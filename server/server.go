// Package server is the portal's HTTP process: the Gin engine, every route (routes.go),
// the middleware every request passes through, and graceful shutdown.
package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/themes"
)

// Config is what the HTTP layer needs from the portal's configuration.
type Config struct {
	// TrustedProxies are the addresses or CIDRs whose X-Forwarded-For is believed.
	TrustedProxies []string
	// DefaultLanguage is used when neither the request nor a cookie names one.
	DefaultLanguage portal.Language
	// BodyLimit caps request bodies, in bytes.
	BodyLimit int64
	// ShutdownTimeout bounds how long in-flight requests may finish at shutdown.
	ShutdownTimeout time.Duration
	// Providers are the sign-in providers switched on (Google, Microsoft, OpenID Connect).
	Providers []Provider
	// SignInKey (32 bytes or more) signs and encrypts the short-lived cookie that carries
	// a provider sign-in from its start to its callback. Required when there are providers.
	SignInKey []byte
	// PageVersion returns a value that changes whenever anything that public pages show
	// changes (the guidelines, the directory, the search index), as this process knows it:
	// it is asked on every request a visitor makes, so it must cost no database round trip
	// while nothing changed. Nil turns the public page cache off.
	PageVersion func(ctx context.Context) (PageVersion, error)
	// PageCacheBytes bounds the public page cache; DefaultPageCacheBytes when zero.
	PageCacheBytes int64
}

// Server serves the portal over HTTP.
type Server struct {
	cfg       Config
	h         *handlers.Handlers
	theme     *themes.Theme
	logger    *slog.Logger
	engine    *gin.Engine
	secure    bool
	crossOri  *http.CrossOriginProtection
	pages     *pageCache    // nil without Config.PageVersion
	refreshes chan struct{} // the page cache's background renderings under way (cache.go)
}

// New builds the server and its routes.
func New(cfg Config, h *handlers.Handlers) (*Server, error) {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 2 << 20
	}
	if !cfg.DefaultLanguage.Valid() {
		cfg.DefaultLanguage = portal.Mongolian
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{
		cfg: cfg, h: h, theme: h.Theme, logger: h.Logger,
		engine:   gin.New(),
		secure:   h.Secure, // one source for Secure cookies and HSTS: the handlers' own
		crossOri: http.NewCrossOriginProtection(),
	}
	if cfg.PageVersion != nil {
		s.pages = newPageCache(cmp.Or(cfg.PageCacheBytes, DefaultPageCacheBytes))
		s.refreshes = make(chan struct{}, maxRefreshes)
	}
	if err := s.engine.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("server.trusted_proxies: %w", err)
	}
	if len(cfg.Providers) > 0 {
		if err := configureGoth(cfg.Providers, cfg.SignInKey, s.secure); err != nil {
			return nil, err
		}
	}
	s.engine.HandleMethodNotAllowed = false
	s.engine.ContextWithFallback = true
	s.routes()
	return s, nil
}

// Handler returns the HTTP handler of the portal, for tests and for Serve.
func (s *Server) Handler() http.Handler { return s.engine }

// Serve answers requests on ln until ctx is cancelled, then stops accepting, lets
// in-flight requests finish (up to ShutdownTimeout) and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if cc, ok := c.(*coalescingConn); ok {
				return context.WithValue(ctx, connKey{}, cc) // for servePage (conn.go)
			}
			return ctx
		},
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(coalescingListener{ln}) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
