package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// noRedirect is an HTTP client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signInLink returns the one-time sign-in link in a command's output, which must start
// with base.
func signInLink(t *testing.T, stdout, base string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^(\S+)/login/link/(\S+)$`).FindStringSubmatch(stdout)
	if m == nil || m[1] != base {
		t.Fatalf("no sign-in link on %s in %q", base, stdout)
	}
	return m[0]
}

// useLink presses the button of a sign-in link on the server and returns where it leads.
func useLink(t *testing.T, link string) string {
	t.Helper()
	resp, err := noRedirect.PostForm(link, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: %d", link, resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// waitForPage waits for base+path to answer 200 with want in it: the server picks another
// process's writes up in the background, within seconds; the bound is two minutes, which
// still catches a server that never does, because the race detector on a machine shared
// with other work (load average 30 on 2 vCPUs) took longer than 30 s.
func waitForPage(t *testing.T, base, path, want string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && strings.Contains(string(body), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d, %q not in it after two minutes\n%.3000s", path, resp.StatusCode, want, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestCommandsWhileServing is the newcomer's path without stopping the server: while
// `portal serve` holds the data directory, user create, user link, import (Markdown and
// HSDS) and export use its database through its socket, the links they print lead to it,
// and the server shows what they wrote; the index commands say in one line why they do
// not run. Once it stops, the commands run the embedded database themselves again.
func TestCommandsWhileServing(t *testing.T) {
	data := t.TempDir()
	base, stop := serve(t, data)
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	if rec, err := readServerRecord(data); err != nil || rec.URL != base || !strings.HasPrefix(rec.DB, "mongodb://") {
		t.Fatalf("server record %+v (%v), want %s and its database", rec, err, base)
	}

	stdout, stderr, err := runCmd(t, "user", "create", "--data", data, "--email", "first@council.mn", "--name", "Батбаяр", "--role", "admin")
	if err != nil {
		t.Fatalf("user create while serving: %v\n%s", err, stderr)
	}
	if to := useLink(t, signInLink(t, stdout, base)); to != "/profile/password" {
		t.Errorf("the printed link leads to %q, want the choose-password page", to)
	}
	// A second create for the same person says what to run instead, and creates nothing.
	_, _, err = runCmd(t, "user", "create", "--data", data, "--email", "First@Council.mn", "--name", "Другой", "--role", "member")
	if err == nil || !strings.Contains(errText(err), "already has an account") || !strings.Contains(errText(err), "portal user link --email First@Council.mn") {
		t.Errorf("second user create: %v", err)
	}
	stdout, stderr, err = runCmd(t, "user", "link", "--data", data, "--email", "FIRST@council.mn")
	if err != nil || !strings.Contains(stdout, "Батбаяр <first@council.mn>, admin") {
		t.Fatalf("user link: %v %q\n%s", err, stdout, stderr)
	}
	if to := useLink(t, signInLink(t, stdout, base)); to != "/profile/password" {
		t.Errorf("the fresh link leads to %q, want the choose-password page", to)
	}
	for _, tt := range []struct{ email, want string }{
		{"nobody@council.mn", "no account has the e-mail address nobody@council.mn"},
		{"not an address", "--email"},
		{"<script>@x", "--email"},
	} {
		if _, _, err := runCmd(t, "user", "link", "--data", data, "--email", tt.email); err == nil || !strings.Contains(errText(err), tt.want) {
			t.Errorf("user link --email %q: %v, want %q", tt.email, err, tt.want)
		}
	}

	// A guideline imported now shows on the running portal, and its search finds it once
	// the server's indexer has picked it up.
	src := t.TempDir()
	for lang, title := range map[string]string{"en": "Caravan water points", "mn": "Жингийн усны цэгүүд"} {
		body := "---\ntitle: " + title + "\nslug: caravan-water-" + lang + "\nlanguage: " + lang +
			"\ntranslation_key: caravan-water\nstatus: draft\n---\nThe wells along the Khanbogd road: zhargalantwells.\n"
		if err := os.WriteFile(filepath.Join(src, "caravan."+lang+".md"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if stdout, stderr, err := runCmd(t, "import", "--data", data, src); err != nil || !strings.Contains(stdout, "2 guidelines created") {
		t.Fatalf("import while serving: %v %q\n%s", err, stdout, stderr)
	}
	waitForPage(t, base, "/guidelines/caravan-water-en?lang=en", "Caravan water points")
	waitForPage(t, base, "/search?q=zhargalantwells&lang=en", "Caravan water points")

	hsdsDir, out := t.TempDir(), t.TempDir()
	writeStarterHSDS(t, hsdsDir)
	if stdout, stderr, err := runCmd(t, "import", "--data", data, "--hsds", hsdsDir); err != nil || !strings.Contains(stdout, "Imported 22 organisations") {
		t.Fatalf("import --hsds while serving: %v %q\n%s", err, stdout, stderr)
	}
	if stdout, stderr, err := runCmd(t, "export", "--data", data, out); err != nil || !strings.Contains(stdout, "Exported") {
		t.Fatalf("export while serving: %v %q\n%s", err, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "guidelines", "caravan-water-en", "en.1.md")); err != nil {
		t.Errorf("the export misses the guideline imported while serving: %v", err)
	}

	// The index is the server's: one line says why reindex and search check do not run.
	for _, cmd := range [][]string{{"reindex"}, {"search", "check"}} {
		_, _, err := runCmd(t, append(cmd, "--data", data)...)
		if err == nil || !strings.Contains(errText(err), "the portal serve running at "+base+" holds the search index") ||
			strings.Contains(errText(err), "\n") {
			t.Errorf("%v while serving: %v", cmd, err)
		}
	}
	// directory find matches the words without the index, and says so.
	stdout, stderr, err = runCmd(t, "directory", "find", "--data", data, "--lang", "en", "--aimag", "umnugovi")
	if err != nil || !strings.Contains(stdout, "services.") {
		t.Errorf("directory find while serving: %v %q\n%s", err, stdout, stderr)
	}
	if _, stderr, _ = runCmd(t, "directory", "find", "--data", data, "shelter"); !strings.Contains(stderr, "holds the search index") {
		t.Errorf("directory find with words while serving says %q", stderr)
	}

	// A second server on the same directory is refused, naming the first.
	_, _, err = runCmd(t, "serve", "--data", data, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "portal serve") || !strings.Contains(err.Error(), base) {
		t.Errorf("a second serve: %v", err)
	}

	if err := stop(); err != nil {
		t.Fatal(err)
	}
	stop = nil
	if _, err := readServerRecord(data); err == nil {
		t.Error("the server record outlived the server")
	}
	// Without a server, the command starts the database itself; with no base_url and no
	// server, its link is on server.addr.
	stdout, stderr, err = runCmd(t, "user", "link", "--data", data, "--email", "first@council.mn")
	if err != nil {
		t.Fatalf("user link without a server: %v\n%s", err, stderr)
	}
	signInLink(t, stdout, "http://127.0.0.1:8080")
	if _, stderr, err := runCmd(t, "search", "check", "--data", data); err != nil {
		t.Errorf("search check without a server: %v\n%s", err, stderr)
	}
}

// TestStaleServerRecord: a record left by a server that died is ignored and removed by the
// next command, which finds the directory free.
func TestStaleServerRecord(t *testing.T) {
	data := t.TempDir()
	if err := writeServerRecord(data, serverRecord{PID: 1, URL: "http://127.0.0.1:1", DB: "mongodb://%2Fnowhere.sock/"}); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runCmd(t, "user", "create", "--data", data, "--email", "a@council.mn", "--name", "A", "--role", "admin")
	if err != nil {
		t.Fatalf("user create: %v\n%s", err, stderr)
	}
	signInLink(t, stdout, "http://127.0.0.1:8080")
	if _, err := readServerRecord(data); err == nil {
		t.Error("the stale record is still there")
	}
}

// TestBaseURL: links follow site.base_url when it is set, and otherwise the address the
// server listens on, port 0 resolved, in the server and in the commands that ask it.
func TestBaseURL(t *testing.T) {
	t.Run("derived from the address", func(t *testing.T) {
		tests := []struct{ addr, want string }{
			{"127.0.0.1:8080", "http://127.0.0.1:8080"},
			{"0.0.0.0:9000", "http://localhost:9000"},
			{":9000", "http://localhost:9000"},
			{"[::1]:9000", "http://[::1]:9000"},
			{"[::]:9000", "http://localhost:9000"},
			{"portal.example.mn:80", "http://portal.example.mn:80"},
			{"127.0.0.1:0", ""}, // chosen at start: nothing knows it before
		}
		for _, tt := range tests {
			if got := addrURL(tt.addr); got != tt.want {
				t.Errorf("addrURL(%q) = %q, want %q", tt.addr, got, tt.want)
			}
		}
		for _, tt := range []struct {
			addr net.Addr
			want string
		}{
			{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 41234}, "http://127.0.0.1:41234"},
			{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://localhost:8080"},
			{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://localhost:8080"},
			{&net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "http://[::1]:8080"},
		} {
			if got := listenURL(tt.addr); got != tt.want {
				t.Errorf("listenURL(%v) = %q, want %q", tt.addr, got, tt.want)
			}
		}
	})
	t.Run("a port chosen at start", func(t *testing.T) {
		data := t.TempDir()
		base, stop := serve(t, data) // --addr 127.0.0.1:0
		defer stop()
		if base == "http://127.0.0.1:0" || !strings.HasPrefix(base, "http://127.0.0.1:") {
			t.Fatalf("serve listens on %s", base)
		}
		stdout, stderr, err := runCmd(t, "user", "create", "--data", data, "--email", "b@council.mn", "--name", "B", "--role", "admin")
		if err != nil {
			t.Fatalf("user create: %v\n%s", err, stderr)
		}
		signInLink(t, stdout, base)
	})
	t.Run("site.base_url wins", func(t *testing.T) {
		data := t.TempDir()
		config := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(config, []byte("site:\n  base_url: https://dialogue.example.mn/\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stop := serve(t, data, "--config", config)
		defer stop()
		// Without --config, the command asks the server, which was told.
		stdout, stderr, err := runCmd(t, "user", "create", "--data", data, "--email", "c@council.mn", "--name", "C", "--role", "admin")
		if err != nil {
			t.Fatalf("user create: %v\n%s", err, stderr)
		}
		signInLink(t, stdout, "https://dialogue.example.mn")
	})
	t.Run("no server and port 0", func(t *testing.T) {
		stdout, stderr, err := run3(t, map[string]string{"PORTAL_ADDR": "127.0.0.1:0"},
			"user", "create", "--data", t.TempDir(), "--email", "d@council.mn", "--name", "D", "--role", "admin")
		if err != nil {
			t.Fatalf("user create: %v\n%s", err, stderr)
		}
		if !regexp.MustCompile(`(?m)^/login/link/\S+\n\(after the address that portal serve prints`).MatchString(stdout) {
			t.Errorf("output %q", stdout)
		}
	})
	t.Run("a bad base_url is refused", func(t *testing.T) {
		_, err := loadConfig("", func(k string) string { return map[string]string{"PORTAL_BASE_URL": "ftp://x"}[k] })
		if err == nil || !strings.Contains(err.Error(), "site.base_url") {
			t.Errorf("loadConfig: %v", err)
		}
	})
}

// run3 runs one command to completion with the environment env.
func run3(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr strings.Builder
	err := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}
