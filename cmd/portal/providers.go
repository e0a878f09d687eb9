package main

import (
	"context"
	"crypto/rand"
	"log/slog"

	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/server"
)

// signInProviders builds the sign-in providers the configuration switches on, and the
// links the sign-in page shows for them.
func signInProviders(ctx context.Context, cfg *Config) ([]server.Provider, []handlers.ProviderLink, error) {
	var ps []server.Provider
	if id := cfg.Auth.Google.ClientID; id != "" {
		ps = append(ps, server.Google(id, cfg.secrets.google, cfg.Site.BaseURL))
	}
	if id := cfg.Auth.Microsoft.ClientID; id != "" {
		tenant := cfg.Auth.Microsoft.Tenant
		if tenant == "" {
			tenant = "organizations"
		}
		ps = append(ps, server.Microsoft(id, cfg.secrets.microsoft, tenant, cfg.Site.BaseURL))
	}
	for _, o := range cfg.Auth.OIDC {
		p, err := server.OpenIDConnect(ctx, o.Name, o.Label, o.DiscoveryURL, o.ClientID, cfg.secrets.oidc[o.Name], cfg.Site.BaseURL)
		if err != nil {
			return nil, nil, err
		}
		ps = append(ps, p)
	}
	links := make([]handlers.ProviderLink, len(ps))
	for i, p := range ps {
		links[i] = handlers.ProviderLink{Name: p.Name(), Label: p.Label}
	}
	return ps, links, nil
}

// signInKey returns the key of the provider sign-in cookie: PORTAL_SESSION_KEY, or a random
// key when it is unset, which works for one process only (a sign-in begun on one process
// cannot finish on another).
func signInKey(cfg *Config, logger *slog.Logger, providers int) []byte {
	if cfg.secrets.sessionKey != "" {
		return []byte(cfg.secrets.sessionKey)
	}
	if providers > 0 {
		logger.Warn("PORTAL_SESSION_KEY is not set: provider sign-in works only while this one process runs")
	}
	key := make([]byte, 64)
	rand.Read(key)
	return key
}
