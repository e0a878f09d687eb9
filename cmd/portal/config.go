package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/mail"
	"github.com/gobidialogue/portal/server"
	"go.yaml.in/yaml/v3"
)

// Config is the portal's whole configuration: built-in defaults, then config.yaml, then
// PORTAL_* environment variables, then Validate. config.yaml documents every key.
type Config struct {
	Site struct {
		BaseURL         string          `yaml:"base_url"`
		DefaultLanguage portal.Language `yaml:"default_language"`
	} `yaml:"site"`
	Server struct {
		Addr            string        `yaml:"addr"`
		TrustedProxies  []string      `yaml:"trusted_proxies"`
		BodyLimit       int64         `yaml:"body_limit"`
		ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
		PageCacheMB     int64         `yaml:"page_cache_mb"`
	} `yaml:"server"`
	DataDir string `yaml:"data_dir"`
	Mongo   struct {
		URI      string `yaml:"uri"`
		Database string `yaml:"database"`
	} `yaml:"mongo"`
	Theme struct {
		Dir string `yaml:"dir"`
	} `yaml:"theme"`
	Auth struct {
		Google struct {
			ClientID string `yaml:"client_id"`
		} `yaml:"google"`
		Microsoft struct {
			ClientID string `yaml:"client_id"`
			Tenant   string `yaml:"tenant"`
		} `yaml:"microsoft"`
		OIDC []OIDCConfig `yaml:"oidc"`
	} `yaml:"auth"`
	Mail   MailConfig   `yaml:"mail"`
	Search SearchConfig `yaml:"search"`
	// Secrets, from the environment only (never from the file).
	secrets secrets
	Log     struct {
		Level  string `yaml:"level"`
		Format string `yaml:"format"`
	} `yaml:"log"`
}

// OIDCConfig switches on one OpenID Connect provider, such as a ministry's or a company's
// single sign-on.
type OIDCConfig struct {
	Name         string `yaml:"name"`  // lower-case letters and digits; the route is /auth/oidc-NAME
	Label        string `yaml:"label"` // the button says "Sign in with LABEL"
	DiscoveryURL string `yaml:"discovery_url"`
	ClientID     string `yaml:"client_id"`
}

// MailConfig is the SMTP server the portal sends password-reset links and invitations
// through; the portal sends no e-mail while SMTP is empty.
type MailConfig struct {
	SMTP     string `yaml:"smtp"`     // HOST:PORT; port 465 is TLS from the start, others STARTTLS when offered
	From     string `yaml:"from"`     // such as "Gobi Dialogue Portal <portal@example.mn>"
	Username string `yaml:"username"` // AUTH PLAIN; the password is PORTAL_SMTP_PASSWORD
}

// SearchConfig chooses the search engine: the embedded bleve index in data_dir/search, or
// a Meilisearch server, whose key is PORTAL_MEILI_KEY.
type SearchConfig struct {
	Engine     string `yaml:"engine"`      // embedded or meilisearch
	MeiliURL   string `yaml:"meili_url"`   // such as http://127.0.0.1:7700
	MeiliIndex string `yaml:"meili_index"` // the index uid
}

// Search engines.
const (
	engineEmbedded    = "embedded"
	engineMeilisearch = "meilisearch"
)

// secrets are read from the environment only.
type secrets struct {
	google, microsoft string
	oidc              map[string]string // by provider name
	sessionKey        string
	smtpPassword      string
	meiliKey          string
}

// defaultConfig returns the built-in defaults: the embedded mode on this machine.
func defaultConfig() *Config {
	c := &Config{}
	// No site.base_url: serve derives it from the address it listens on, and the other
	// commands from the running server (running.go).
	c.Site.DefaultLanguage = portal.Mongolian
	c.Server.Addr = "127.0.0.1:8080"
	c.Server.BodyLimit = 2 << 20
	c.Server.ShutdownTimeout = 10 * time.Second
	c.Server.PageCacheMB = server.DefaultPageCacheBytes >> 20
	c.DataDir = "data"
	c.Mongo.Database = "portal"
	c.Log.Level = "info"
	c.Log.Format = "text"
	c.Search.Engine = engineEmbedded
	c.Search.MeiliIndex = "portal"
	return c
}

// loadConfig reads the configuration. path is the --config flag: when empty,
// ./config.yaml is read if present. getenv supplies the PORTAL_* overrides.
func loadConfig(path string, getenv func(string) string) (*Config, error) {
	c := defaultConfig()
	explicit := path != ""
	if !explicit {
		path = "config.yaml"
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("config %s: %s", path, describeYAMLError(data, err))
		}
	case explicit || !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("config: %w", err)
	}
	c.applyEnv(getenv)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// applyEnv applies the PORTAL_* environment variables, which win over the file.
func (c *Config) applyEnv(getenv func(string) string) {
	set := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set("PORTAL_ADDR", &c.Server.Addr)
	set("PORTAL_DATA_DIR", &c.DataDir)
	set("PORTAL_MONGO_URI", &c.Mongo.URI)
	set("PORTAL_BASE_URL", &c.Site.BaseURL)
	set("PORTAL_THEME_DIR", &c.Theme.Dir)
	set("PORTAL_LOG_LEVEL", &c.Log.Level)
	set("PORTAL_SEARCH_ENGINE", &c.Search.Engine)
	set("PORTAL_MEILI_URL", &c.Search.MeiliURL)
	if v := getenv("PORTAL_DEFAULT_LANGUAGE"); v != "" {
		c.Site.DefaultLanguage = portal.Language(v)
	}
	c.secrets = secrets{google: getenv("PORTAL_GOOGLE_SECRET"), microsoft: getenv("PORTAL_MICROSOFT_SECRET"),
		sessionKey: getenv("PORTAL_SESSION_KEY"), smtpPassword: getenv("PORTAL_SMTP_PASSWORD"), meiliKey: getenv("PORTAL_MEILI_KEY"),
		oidc: map[string]string{}}
	for _, o := range c.Auth.OIDC {
		c.secrets.oidc[o.Name] = getenv(oidcSecretEnv(o.Name))
	}
}

// oidcSecretEnv names the variable holding the client secret of OpenID Connect provider name.
func oidcSecretEnv(name string) string { return "PORTAL_OIDC_" + strings.ToUpper(name) + "_SECRET" }

var providerName = regexp.MustCompile(`^[a-z0-9]{1,30}$`)

// validateAuth checks the sign-in providers: each one switched on needs its secret.
func (c *Config) validateAuth() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...))
	}
	if c.Auth.Google.ClientID != "" && c.secrets.google == "" {
		return bad("auth.google.client_id", "is set, but PORTAL_GOOGLE_SECRET is not")
	}
	if c.Auth.Microsoft.ClientID != "" && c.secrets.microsoft == "" {
		return bad("auth.microsoft.client_id", "is set, but PORTAL_MICROSOFT_SECRET is not")
	}
	seen := map[string]bool{}
	for i, o := range c.Auth.OIDC {
		key := fmt.Sprintf("auth.oidc[%d]", i)
		switch {
		case !providerName.MatchString(o.Name) || seen[o.Name]:
			return bad(key+".name", "%q must be unique, 1-30 lower-case letters and digits", o.Name)
		case o.Label == "":
			return bad(key+".label", "is required")
		case !strings.HasPrefix(o.DiscoveryURL, "https://") && !strings.HasPrefix(o.DiscoveryURL, "http://127.0.0.1"):
			return bad(key+".discovery_url", "%q must be an https URL", o.DiscoveryURL)
		case o.ClientID == "":
			return bad(key+".client_id", "is required")
		case c.secrets.oidc[o.Name] == "":
			return bad(key, "%s is not set", oidcSecretEnv(o.Name))
		}
		seen[o.Name] = true
	}
	if k := c.secrets.sessionKey; k != "" && len(k) < 32 {
		return bad("PORTAL_SESSION_KEY", "must be at least 32 characters")
	}
	return nil
}

// validateMail checks the SMTP settings: a server, a sender to send as, and a password for
// the username.
func (c *Config) validateMail() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...))
	}
	m := c.Mail
	if m.SMTP != "" {
		if _, _, err := mail.SplitAddr(m.SMTP); err != nil {
			return bad("mail.smtp", "%q is not HOST:PORT, such as smtp.example.mn:587", m.SMTP)
		}
		if m.From == "" {
			return bad("mail.from", "is required when mail.smtp is set, such as \"Gobi Dialogue Portal <portal@example.mn>\"")
		}
	}
	if m.From != "" {
		if _, err := mail.ParseFrom(m.From); err != nil {
			return bad("mail.from", "%q is not an address such as \"Gobi Dialogue Portal <portal@example.mn>\"", m.From)
		}
	}
	if m.Username != "" && c.secrets.smtpPassword == "" {
		return bad("mail.username", "is set, but PORTAL_SMTP_PASSWORD is not")
	}
	return nil
}

// Validate checks every key and names the first bad one.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...))
	}
	if u, err := url.Parse(c.Site.BaseURL); c.Site.BaseURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return bad("site.base_url", "%q is not an http or https URL", c.Site.BaseURL)
	}
	if !c.Site.DefaultLanguage.Valid() {
		return bad("site.default_language", "unknown language %q: use mn or en", c.Site.DefaultLanguage)
	}
	if _, _, err := net.SplitHostPort(c.Server.Addr); err != nil {
		return bad("server.addr", "%q is not HOST:PORT", c.Server.Addr)
	}
	for _, p := range c.Server.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return bad("server.trusted_proxies", "%q is neither an IP address nor a CIDR", p)
			}
		}
	}
	if c.Server.BodyLimit < 1024 || c.Server.BodyLimit > 1<<30 {
		return bad("server.body_limit", "%d is outside 1024 to 1073741824 bytes", c.Server.BodyLimit)
	}
	if c.Server.PageCacheMB < 0 || c.Server.PageCacheMB > 64<<10 {
		return bad("server.page_cache_mb", "%d is outside 0 to 65536 MB", c.Server.PageCacheMB)
	}
	if c.Server.ShutdownTimeout <= 0 {
		return bad("server.shutdown_timeout", "must be positive, such as 10s")
	}
	if c.Mongo.URI == "" && strings.TrimSpace(c.DataDir) == "" {
		return bad("data_dir", "is required when mongo.uri is empty (the embedded database lives there)")
	}
	if c.Mongo.URI != "" && !strings.HasPrefix(c.Mongo.URI, "mongodb://") && !strings.HasPrefix(c.Mongo.URI, "mongodb+srv://") {
		return bad("mongo.uri", "must start with mongodb:// or mongodb+srv://")
	}
	if c.Mongo.Database == "" || strings.ContainsAny(c.Mongo.Database, `/\. "$`) {
		return bad("mongo.database", "%q is not a valid database name", c.Mongo.Database)
	}
	if err := c.validateAuth(); err != nil {
		return err
	}
	if err := c.validateMail(); err != nil {
		return err
	}
	if err := c.validateSearch(); err != nil {
		return err
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		return bad("log.level", "%v", err)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return bad("log.format", "%q: use text or json", c.Log.Format)
	}
	return nil
}

var meiliIndexUID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,400}$`)

// validateSearch checks the search engine: meilisearch needs the server's URL, and the
// embedded index lives in data_dir.
func (c *Config) validateSearch() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...))
	}
	s := c.Search
	switch s.Engine {
	case engineEmbedded:
		if strings.TrimSpace(c.DataDir) == "" {
			return bad("data_dir", "is required with search.engine embedded (the search index lives there)")
		}
	case engineMeilisearch:
		if s.MeiliURL == "" {
			return bad("search.meili_url", "is required with search.engine meilisearch, such as http://127.0.0.1:7700")
		}
		if u, err := url.Parse(s.MeiliURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("search.meili_url", "%q is not an http or https URL", s.MeiliURL)
		}
		if !meiliIndexUID.MatchString(s.MeiliIndex) {
			return bad("search.meili_index", "%q must be 1-400 letters, digits, - and _", s.MeiliIndex)
		}
	default:
		return bad("search.engine", "unknown engine %q: use embedded or meilisearch", s.Engine)
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("%q: use debug, info, warn or error", s)
	}
	return l, nil
}

// describeYAMLError adds the dotted key to each "line N:" of a YAML decoding error, so
// "line 3: cannot unmarshal !!str `soon` into time.Duration" names server.shutdown_timeout.
func describeYAMLError(data []byte, err error) string {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return err.Error()
	}
	keys := map[int]string{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for _, c := range n.Content {
			if n.Kind == yaml.DocumentNode {
				walk(c, prefix)
			}
		}
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := strings.TrimPrefix(prefix+"."+k.Value, ".")
			keys[k.Line] = path
			keys[v.Line] = path
			walk(v, path)
		}
	}
	walk(&root, "")
	line := regexp.MustCompile(`line (\d+): `)
	return line.ReplaceAllStringFunc(err.Error(), func(m string) string {
		n, _ := strconv.Atoi(line.FindStringSubmatch(m)[1])
		if key, ok := keys[n]; ok {
			return m + key + ": "
		}
		return m
	})
}
