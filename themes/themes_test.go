package themes

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gobidialogue/portal"
)

func TestCatalogsComplete(t *testing.T) {
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	mn, en := th.Translator(portal.Mongolian), th.Translator(portal.English)
	for _, k := range mn.Keys() {
		if !en.Has(k) {
			t.Errorf("en.yaml lacks %q", k)
		}
	}
	for _, k := range en.Keys() {
		if !mn.Has(k) {
			t.Errorf("mn.yaml lacks %q", k)
		}
		if en.T(k) == mn.T(k) && k != "site.name" {
			t.Logf("note: %q reads the same in both languages", k)
		}
	}
	// Every literal key a template asks for must exist.
	used := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	err = fs.WalkDir(Default(), "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, _ := fs.ReadFile(Default(), p)
		for _, m := range used.FindAllStringSubmatch(string(body), -1) {
			if !en.Has(m[1]) {
				t.Errorf("%s uses %q, which is not in the catalogs", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Keys built at run time.
	for _, s := range []string{"draft", "open", "adopted", "archived"} {
		if !en.Has("status." + s) {
			t.Errorf("missing status.%s", s)
		}
	}
	for _, code := range []string{"400", "403", "404", "409", "413", "500", "503"} {
		for _, part := range []string{".title", ".text"} {
			if !en.Has("error." + code + part) {
				t.Errorf("missing error.%s%s", code, part)
			}
		}
	}
}

func TestDate(t *testing.T) {
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	// 16:30 UTC on 30 September is already 1 October in Mongolia.
	tm := time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC)
	tests := []struct {
		lang portal.Language
		want string
	}{
		{portal.English, "1 October 2026"},
		{portal.Mongolian, "2026 оны 10-р сарын 1"},
	}
	for _, tt := range tests {
		if got := th.Translator(tt.lang).Date(tm); got != tt.want {
			t.Errorf("Date in %s = %q, want %q", tt.lang, got, tt.want)
		}
	}
	if got := th.Translator(portal.English).Date(time.Time{}); got != "" {
		t.Errorf("zero date = %q, want empty", got)
	}
}

func TestStaticHashedAndGzipped(t *testing.T) {
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	u := th.StaticURL("style.css")
	if !regexp.MustCompile(`^/static/style\.[0-9a-f]{10}\.css$`).MatchString(u) {
		t.Fatalf("StaticURL(style.css) = %q, want a content-hashed name", u)
	}
	a, ok := th.Asset(strings.TrimPrefix(u, "/static/"))
	if !ok {
		t.Fatalf("Asset(%q) not found", u)
	}
	if a.ContentType != "text/css; charset=utf-8" || a.Gzip == nil || len(a.Gzip) >= len(a.Body) {
		t.Errorf("asset: type %q, gzip %d bytes of %d", a.ContentType, len(a.Gzip), len(a.Body))
	}
}

func TestThemeDirOverridesOneFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "static", "style.css"), []byte("body{color:red}"), 0o644); err != nil {
		t.Fatal(err)
	}
	th, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := th.Asset(strings.TrimPrefix(th.StaticURL("style.css"), "/static/"))
	if !ok || string(a.Body) != "body{color:red}" {
		t.Fatalf("style.css not overridden: %v", ok)
	}
	if _, ok := th.Asset(strings.TrimPrefix(th.StaticURL("favicon.svg"), "/static/")); !ok {
		t.Error("favicon.svg from the default theme is missing under the override")
	}
	if len(th.Pages()) < 5 {
		t.Errorf("pages = %v, want the default pages", th.Pages())
	}
}

func TestRenderBuffersOnError(t *testing.T) {
	fsys := fstest.MapFS{
		"templates/layout.html": {Data: []byte(`{{define "layout"}}<p>{{template "content" .}}</p>{{end}}`)},
		"templates/bad.html":    {Data: []byte(`{{define "content"}}start {{.Missing.Field}}{{end}}`)},
		"i18n/mn.yaml":          {Data: []byte("a: б\n")},
		"i18n/en.yaml":          {Data: []byte("a: b\n")},
	}
	th, err := Parse(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := th.Render(&buf, "bad", struct{ Missing *struct{ Field string } }{}); err == nil {
		t.Fatal("Render succeeded on a failing template")
	}
	if buf.Len() != 0 {
		t.Errorf("Render wrote %q before failing; want nothing", buf.String())
	}
}
