package main

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/internal/testkit/logtest"
	"github.com/gobidialogue/portal/mail/mailtest"
)

// noEnv is an empty environment, so the developer's PORTAL_* variables never leak in.
func noEnv(string) string { return "" }

// runCmd runs one command to completion in dir and returns its output.
func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr logtest.Buffer
	err := run(context.Background(), args, noEnv, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// serve starts `portal serve` on a free port over data, with more flags when given, and
// returns its base URL and a function that stops it and returns run's error.
func serve(t *testing.T, data string, flags ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr logtest.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, flags...), noEnv, &stdout, &stderr)
	}()
	addr := regexp.MustCompile(`listening on (http://\S+)/`)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := addr.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited: %v\n%s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not start:\n%s", stderr.String())
	return "", nil
}

func TestServeImportsStarterOnceAndShutsDown(t *testing.T) {
	data := t.TempDir()
	base, stop := serve(t, data)
	resp, err := http.Get(base + "/guidelines/truck-drivers?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("guideline page: %d", resp.StatusCode)
	}
	resp, err = http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after shutdown", err)
	}
	// A second start imports nothing twice.
	_, stop = serve(t, data)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, stderr, err := runCmd(t, "export", "--data", data, out); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	starter, _ := fs.Glob(content.Starter(), "guidelines/*/*.md")
	exported, _ := filepath.Glob(filepath.Join(out, "guidelines", "*", "*.md"))
	if len(exported) != len(starter) {
		t.Fatalf("exported %d files after two starts, want %d (the starter content once)", len(exported), len(starter))
	}
}

func TestExportRoundTrip(t *testing.T) {
	// Import the starter content, export it, import the export into an empty database,
	// and export again: both exports and the starter files are byte for byte the same.
	dataA, dataB := t.TempDir(), t.TempDir()
	src := t.TempDir()
	guidelines, err := fs.Sub(content.Starter(), "guidelines")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(src, "guidelines"), guidelines); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := runCmd(t, "import", "--data", dataA, src); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	outA, outB := t.TempDir(), t.TempDir()
	if _, stderr, err := runCmd(t, "export", "--data", dataA, outA); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	if _, stderr, err := runCmd(t, "import", "--data", dataB, outA); err != nil {
		t.Fatalf("import export: %v\n%s", err, stderr)
	}
	if _, stderr, err := runCmd(t, "export", "--data", dataB, outB); err != nil {
		t.Fatalf("export again: %v\n%s", err, stderr)
	}
	compareTrees(t, src, outA)
	compareTrees(t, outA, outB)
	// Importing the export onto the database it came from changes nothing.
	stdout, stderr, err := runCmd(t, "import", "--data", dataA, outA)
	if err != nil || !strings.Contains(stdout, "0 new revisions") {
		t.Fatalf("re-import: %v %q %s", err, stdout, stderr)
	}
}

func compareTrees(t *testing.T, a, b string) {
	t.Helper()
	err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			t.Errorf("%s: missing from %s", rel, b)
			return nil
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs between %s and %s", rel, a, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestImportBadInputWritesNothing(t *testing.T) {
	data := t.TempDir()
	good := func(slug, lang, extra string) string {
		return "---\ntitle: T\nslug: " + slug + "\nlanguage: " + lang + "\ntranslation_key: " + slug +
			"\nstatus: draft\n" + extra + "---\nBody text.\n"
	}
	tests := []struct {
		name  string
		files map[string]string
		want  string // in the error message
	}{
		{"malformed front matter", map[string]string{
			"a.en.md": "---\ntitle: [unclosed\n---\nBody\n", "a.mn.md": good("a", "mn", "")}, "a.en.md"},
		{"unknown key", map[string]string{
			"a.en.md": good("a", "en", "titel: x\n"), "a.mn.md": good("a", "mn", "")}, "titel"},
		{"unknown language", map[string]string{
			"a.fr.md": good("a", "fr", ""), "a.mn.md": good("a", "mn", "")}, "a.fr.md"},
		{"same slug and language twice", map[string]string{
			"one.md": good("a", "en", ""), "two.md": good("a", "en", ""), "a.mn.md": good("a", "mn", "")}, "both claim slug"},
		{"missing translation", map[string]string{
			"a.en.md": good("a", "en", "")}, "missing translation"},
		{"too large", map[string]string{
			"a.en.md": good("a", "en", "") + strings.Repeat("word ", 1<<18), "a.mn.md": good("a", "mn", "")}, "a.en.md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// A valid guideline in the same import must not be written either.
			tt.files["ok.en.md"] = good("ok", "en", "")
			tt.files["ok.mn.md"] = good("ok", "mn", "")
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := runCmd(t, "import", "--data", data, dir)
			if err == nil || !strings.Contains(errText(err), tt.want) {
				t.Fatalf("import error = %v, want one mentioning %q", err, tt.want)
			}
			out := t.TempDir()
			if _, stderr, err := runCmd(t, "export", "--data", data, out); err != nil {
				t.Fatalf("export: %v\n%s", err, stderr)
			}
			if files, _ := filepath.Glob(filepath.Join(out, "guidelines", "*", "*.md")); len(files) != 0 {
				t.Fatalf("a failed import wrote %v", files)
			}
		})
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"unknown key", "site:\n  base_ur: http://x\n", nil, "base_ur"},
		{"bad language", "site:\n  default_language: fr\n", nil, "site.default_language"},
		{"bad addr", "server:\n  addr: nowhere\n", nil, "server.addr"},
		{"bad proxy", "server:\n  trusted_proxies: [not-an-ip]\n", nil, "server.trusted_proxies"},
		{"bad mongo uri from env", "", map[string]string{"PORTAL_MONGO_URI": "postgres://x"}, "mongo.uri"},
		{"bad level from env", "", map[string]string{"PORTAL_LOG_LEVEL": "loud"}, "log.level"},
		{"bad duration", "server:\n  shutdown_timeout: soon\n", nil, "shutdown_timeout"},
		{"provider without secret", "auth:\n  google:\n    client_id: abc\n", nil, "PORTAL_GOOGLE_SECRET"},
		{"oidc without secret", "auth:\n  oidc:\n    - {name: gov, label: Gov, discovery_url: 'https://sso.example/.well-known/openid-configuration', client_id: p}\n",
			nil, "PORTAL_OIDC_GOV_SECRET"},
		{"oidc bad name", "auth:\n  oidc:\n    - {name: Gov!, label: Gov, discovery_url: 'https://x/', client_id: p}\n", nil, "auth.oidc[0].name"},
		{"oidc plain http", "auth:\n  oidc:\n    - {name: gov, label: Gov, discovery_url: 'http://sso.example/', client_id: p}\n",
			map[string]string{"PORTAL_OIDC_GOV_SECRET": "s"}, "auth.oidc[0].discovery_url"},
		{"short session key", "", map[string]string{"PORTAL_SESSION_KEY": "short"}, "PORTAL_SESSION_KEY"},
		{"smtp without port", "mail:\n  smtp: smtp.example.mn\n  from: portal@example.mn\n", nil, "mail.smtp"},
		{"smtp bad port", "mail:\n  smtp: 'smtp.example.mn:smtp'\n  from: portal@example.mn\n", nil, "mail.smtp"},
		{"smtp without from", "mail:\n  smtp: 'smtp.example.mn:587'\n", nil, "mail.from"},
		{"bad from", "mail:\n  smtp: 'smtp.example.mn:587'\n  from: Gobi Dialogue Portal\n", nil, "mail.from"},
		{"username without password", "mail:\n  smtp: 'smtp.example.mn:587'\n  from: portal@example.mn\n  username: portal\n", nil, "PORTAL_SMTP_PASSWORD"},
		{"smtp password in the file", "mail:\n  smtp: 'smtp.example.mn:587'\n  password: s3cret\n", nil, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadConfig(path, func(k string) string { return tt.env[k] })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("loadConfig error = %v, want one naming %q", err, tt.want)
			}
		})
	}
	// The documented config.yaml at the repository root is valid and equals the defaults.
	cfg, err := loadConfig("../../config.yaml", noEnv)
	if err != nil {
		t.Fatalf("config.yaml: %v", err)
	}
	if def := defaultConfig(); cfg.Server.Addr != def.Server.Addr || cfg.DataDir != def.DataDir || cfg.Site.DefaultLanguage != def.Site.DefaultLanguage {
		t.Errorf("config.yaml disagrees with the built-in defaults: %+v", cfg)
	}
}

func TestMailConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	file := "mail:\n  smtp: 'smtp.example.mn:587'\n  from: 'Gobi Dialogue Portal <portal@example.mn>'\n  username: portal\n"
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PORTAL_SMTP_PASSWORD": "s3cret"}
	cfg, err := loadConfig(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mail.SMTP != "smtp.example.mn:587" || cfg.Mail.From != "Gobi Dialogue Portal <portal@example.mn>" ||
		cfg.Mail.Username != "portal" || cfg.secrets.smtpPassword != "s3cret" {
		t.Errorf("mail config %+v, password %q", cfg.Mail, cfg.secrets.smtpPassword)
	}
	if _, err := newMailer(cfg, &accounts.Service{}); err != nil {
		t.Errorf("newMailer: %v", err)
	}
	// By default, and in the documented config.yaml, the portal sends no e-mail.
	if def := defaultConfig(); def.Mail != (MailConfig{}) {
		t.Errorf("default mail config %+v", def.Mail)
	}
}

// TestServeSendsResetLinks: with mail.smtp set, a reset asked for on the running portal
// arrives at the SMTP server, and its link sets the password.
func TestServeSendsResetLinks(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	data := t.TempDir()
	if _, stderr, err := runCmd(t, "user", "create", "--data", data, "--email", "saraa@example.mn", "--name", "Сараа", "--role", "member"); err != nil {
		t.Fatalf("user create: %v\n%s", err, stderr)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	file := "mail:\n  smtp: '" + smtp.Addr() + "'\n  from: 'Gobi Dialogue Portal <portal@example.mn>'\n"
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	base, stop := serve(t, data, "--config", path)
	defer stop()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/reset", url.Values{"email": {"saraa@example.mn"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	msgs := smtp.WaitMessages(1)
	if resp.StatusCode != http.StatusSeeOther || len(msgs) != 1 || strings.Join(msgs[0].To, ",") != "saraa@example.mn" {
		t.Fatalf("reset request: %d, %d messages", resp.StatusCode, len(msgs))
	}
	// The link is on the address the server listens on: no site.base_url is set.
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `(/reset/\S+)`).FindStringSubmatch(msgs[0].Body)
	if link == nil {
		t.Fatalf("no reset link in\n%s", msgs[0].Body)
	}
	const password = "a caravan of camels at dawn"
	resp, err = client.PostForm(base+link[1], url.Values{"password": {password}, "confirm": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile" {
		t.Errorf("reset with the mailed link: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestUserCreatePrintsSignInLink(t *testing.T) {
	data := t.TempDir()
	stdout, stderr, err := runCmd(t, "user", "create", "--data", data, "--email", "Admin@Example.org", "--name", "Батбаяр", "--role", "admin")
	if err != nil {
		t.Fatalf("user create: %v\n%s", err, stderr)
	}
	link := regexp.MustCompile(`http://127\.0\.0\.1:8080/login/link/(\S+)`).FindStringSubmatch(stdout)
	if link == nil || !strings.Contains(stdout, "admin@example.org") {
		t.Fatalf("output %q has no sign-in link", stdout)
	}
	// The link signs the admin in on the running portal, once.
	base, stop := serve(t, data)
	defer stop()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i, want := range []int{http.StatusSeeOther, http.StatusBadRequest} {
		resp, err := client.PostForm(base+"/login/link/"+link[1], nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("use %d of the link: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	// Bad input changes nothing.
	for _, args := range [][]string{
		{"--email", "not-an-address", "--name", "X", "--role", "admin"},
		{"--email", "x@example.org", "--name", "X", "--role", "king"},
		{"--email", "y@example.org", "--name", "Y", "--role", "member", "--org", "no-such-org"},
	} {
		if _, _, err := runCmd(t, append([]string{"user", "create", "--data", t.TempDir()}, args...)...); err == nil {
			t.Errorf("user create %v succeeded", args)
		}
	}
}

func TestVersionAndUsage(t *testing.T) {
	stdout, _, err := runCmd(t, "version")
	if err != nil || !strings.HasPrefix(stdout, "portal ") {
		t.Fatalf("version: %v %q", err, stdout)
	}
	if _, stderr, err := runCmd(t, "frobnicate"); err == nil || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %v %q", err, stderr)
	}
	if _, _, err := runCmd(t, "import"); err == nil {
		t.Fatal("import without paths succeeded")
	}
}
