package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/markbates/goth"
	"github.com/markbates/goth/gothic"
	"github.com/markbates/goth/providers/azureadv2"
	"github.com/markbates/goth/providers/google"
	"github.com/markbates/goth/providers/openidConnect"
)

// Provider is a sign-in provider switched on in the configuration, with the label its
// button shows.
type Provider struct {
	goth.Provider
	Label string
}

// providerTimeout bounds every request the portal makes to a provider.
const providerTimeout = 10 * time.Second

func providerClient() *http.Client { return &http.Client{Timeout: providerTimeout} }

func callbackURL(baseURL, name string) string {
	return strings.TrimSuffix(baseURL, "/") + "/auth/" + name + "/callback"
}

// Google returns the Google provider, named "google".
func Google(clientID, secret, baseURL string) Provider {
	p := google.New(clientID, secret, callbackURL(baseURL, "google"), "openid", "email", "profile")
	p.HTTPClient = providerClient()
	return Provider{Provider: p, Label: "Google"}
}

// Microsoft returns the Microsoft Entra ID provider (azureadv2) for tenant, named
// "microsoft". tenant is a directory ID, or "organizations" for any work account.
func Microsoft(clientID, secret, tenant, baseURL string) Provider {
	p := azureadv2.New(clientID, secret, callbackURL(baseURL, "microsoft"),
		azureadv2.ProviderOptions{Tenant: azureadv2.TenantType(tenant)})
	p.SetName("microsoft")
	p.HTTPClient = providerClient()
	return Provider{Provider: p, Label: "Microsoft"}
}

// OpenIDConnect returns a provider for any OpenID Connect issuer, named "oidc-" + name.
// It reads the issuer's discovery document itself, with a timeout, so that a slow issuer
// cannot hang the start of the portal.
func OpenIDConnect(ctx context.Context, name, label, discoveryURL, clientID, secret, baseURL string) (Provider, error) {
	full := "oidc-" + name
	cfg, err := discover(ctx, discoveryURL)
	if err != nil {
		return Provider{}, fmt.Errorf("sign-in provider %s: %w", full, err)
	}
	p, err := openidConnect.NewCustomisedURL(clientID, secret, callbackURL(baseURL, full),
		cfg.AuthEndpoint, cfg.TokenEndpoint, cfg.Issuer, cfg.UserInfoEndpoint, cfg.EndSessionEndpoint,
		"openid", "email", "profile")
	if err != nil {
		return Provider{}, fmt.Errorf("sign-in provider %s: %w", full, err)
	}
	p.SetName(full)
	p.HTTPClient = providerClient()
	return Provider{Provider: p, Label: label}, nil
}

// discover reads an OpenID Connect discovery document.
func discover(ctx context.Context, url string) (*openidConnect.OpenIDConfig, error) {
	ctx, cancel := context.WithTimeout(ctx, providerTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := providerClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("discovery %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discovery %s: %s", url, resp.Status)
	}
	var cfg openidConnect.OpenIDConfig
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&cfg); err != nil {
		return nil, fmt.Errorf("discovery %s: %w", url, err)
	}
	if cfg.AuthEndpoint == "" || cfg.TokenEndpoint == "" || cfg.Issuer == "" {
		return nil, fmt.Errorf("discovery %s: the document lacks authorization_endpoint, token_endpoint or issuer", url)
	}
	return &cfg, nil
}

// configureGoth registers the providers and sets up gothic: its own short-lived cookie,
// apart from the portal's session (key signs and encrypts it), a random state for every
// sign-in, and the provider name taken from the route only. gothic keeps these in package
// variables, so the last server built in a process wins; the portal builds one.
func configureGoth(providers []Provider, key []byte, secure bool) error {
	if len(key) < 32 {
		return errors.New("server: the sign-in cookie key must be at least 32 bytes")
	}
	goth.ClearProviders()
	for _, p := range providers {
		goth.UseProviders(p.Provider)
	}
	store := sessions.NewCookieStore(key[:32], key[len(key)-32:])
	store.Options = &sessions.Options{Path: "/auth", MaxAge: 600, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
	gothic.Store = store
	gothic.SetState = func(*http.Request) string { return randomState() }
	gothic.GetProviderName = func(req *http.Request) (string, error) {
		if name, ok := req.Context().Value(gothic.ProviderParamKey).(string); ok && name != "" {
			return name, nil
		}
		return "", errors.New("no sign-in provider in the route")
	}
	return nil
}

// randomState returns 32 random bytes, base64url: the OAuth state is never taken from the
// request.
func randomState() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("server: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
