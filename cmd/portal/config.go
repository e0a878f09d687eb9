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
	} `yaml:"server"`
	DataDir string `yaml:"data_dir"`
	Mongo   struct {
		URI      string `yaml:"uri"`
		Database string `yaml:"database"`
	} `yaml:"mongo"`
	Theme struct {
		Dir string `yaml:"dir"`
	} `yaml:"theme"`
	Log struct {
		Level  string `yaml:"level"`
		Format string `yaml:"format"`
	} `yaml:"log"`
}

// defaultConfig returns the built-in defaults: the embedded mode on this machine.
func defaultConfig() *Config {
	c := &Config{}
	c.Site.BaseURL = "http://127.0.0.1:8080"
	c.Site.DefaultLanguage = portal.Mongolian
	c.Server.Addr = "127.0.0.1:8080"
	c.Server.BodyLimit = 2 << 20
	c.Server.ShutdownTimeout = 10 * time.Second
	c.DataDir = "data"
	c.Mongo.Database = "portal"
	c.Log.Level = "info"
	c.Log.Format = "text"
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
	if v := getenv("PORTAL_DEFAULT_LANGUAGE"); v != "" {
		c.Site.DefaultLanguage = portal.Language(v)
	}
}

// Validate checks every key and names the first bad one.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...))
	}
	if u, err := url.Parse(c.Site.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
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
	if _, err := parseLevel(c.Log.Level); err != nil {
		return bad("log.level", "%v", err)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return bad("log.format", "%q: use text or json", c.Log.Format)
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
