package portaltest

import (
	"context"
	"net/http/httptest"
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

// serve reserves a local address, calls prepare with its base URL, and serves p.Router on
// it until tb ends.
func (p *Portal) serve(tb testing.TB, prepare func(base string)) string {
	tb.Helper()
	ts := httptest.NewUnstartedServer(nil)
	tb.Cleanup(ts.Close)
	base := "http://" + ts.Listener.Addr().String()
	if p.Handlers.BaseURL == "" {
		p.Handlers.BaseURL = base
	}
	prepare(base)
	ts.Config.Handler = p.Router
	ts.Start()
	return base
}
