package portaltest

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/server"
	"github.com/oauth2-proxy/mockoidc"
)

// Serve serves the portal on a local address until tb ends, and returns its base URL.
// A portal built without a BaseURL gets this one, so that the links it shows to pass on
// point at itself.
func (p *Portal) Serve(tb testing.TB) string {
	tb.Helper()
	return p.serve(tb, func(string) {})
}

// ServeOIDC is Serve with a mock OpenID Connect provider, which the sign-in page offers as
// "oidc-gov" (labelled Government SSO); it returns the portal's base URL and the provider,
// for the test to queue the people who sign in.
func (p *Portal) ServeOIDC(tb testing.TB) (string, *mockoidc.MockOIDC) {
	tb.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Shutdown() })
	p.Handlers.Providers = []handlers.ProviderLink{{Name: "oidc-gov", Label: "Government SSO"}}
	base := p.serve(tb, func(base string) {
		cfg := m.Config()
		provider, err := server.OpenIDConnect(context.Background(), "gov", "Government SSO", m.DiscoveryEndpoint(),
			cfg.ClientID, cfg.ClientSecret, base)
		if err != nil {
			tb.Fatal(err)
		}
		p.route(tb, server.Config{Providers: []server.Provider{provider}, SignInKey: []byte(strings.Repeat("portaltest-key-0", 4))})
	})
	return base, m
}

// serve reserves a local address, calls prepare with its base URL, and serves p on it
// until tb ends, through server.Server.Serve as portal serve does (its connections, its
// timeouts, its shutdown), so that a browser test meets the same connection handling as a
// visitor.
func (p *Portal) serve(tb testing.TB, prepare func(base string)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	if p.Handlers.BaseURL == "" {
		p.Handlers.BaseURL = base
	}
	prepare(base)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Server.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("portaltest: serve: %v", err)
		}
	})
	return base
}
