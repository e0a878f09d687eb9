// Package themes owns the portal's look: page templates, static files and UI strings in
// Mongolian and English. The default theme is embedded in the binary; a theme directory on
// disk overrides it file by file, so a deployment can restyle one template or replace the
// stylesheet without forking the rest.
package themes

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/gobidialogue/portal"
)

//go:embed all:default
var embedded embed.FS

// Default returns the embedded default theme's files.
func Default() fs.FS {
	sub, err := fs.Sub(embedded, "default")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	return sub
}

// Theme is a parsed theme: one template set per page, hashed static assets and the UI
// strings. It is immutable after Load and safe for concurrent use.
type Theme struct {
	pages   map[string]*template.Template
	assets  map[string]*Asset // by hashed file name, e.g. "style.1a2b3c4d.css"
	urls    map[string]string // logical name → URL path
	catalog map[portal.Language]*Translator
}

// Load parses the default theme, with the files of dir (when not empty) taking precedence
// file by file.
func Load(dir string) (*Theme, error) {
	fsys := Default()
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("theme.dir: %w", err)
		}
		fsys = Layered(os.DirFS(dir), fsys)
	}
	return Parse(fsys)
}

// Parse parses a theme from fsys, which holds templates/, static/ and i18n/.
func Parse(fsys fs.FS) (*Theme, error) {
	t := &Theme{assets: map[string]*Asset{}, urls: map[string]string{}}
	if err := t.loadAssets(fsys); err != nil {
		return nil, err
	}
	catalog, err := loadCatalog(fsys)
	if err != nil {
		return nil, err
	}
	t.catalog = catalog
	if err := t.parsePages(fsys); err != nil {
		return nil, err
	}
	return t, nil
}

// Asset is a static file held in memory with its gzip form, served under a content-hashed
// name so it can be cached for a year.
type Asset struct {
	Name        string // hashed name
	ContentType string
	Body        []byte
	Gzip        []byte // nil when compression does not pay
	ETag        string
}

func (t *Theme) loadAssets(fsys fs.FS) error {
	return fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == "static" {
			return nil // a theme without static files
		}
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:10]
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		t.assets[hashed] = &Asset{Name: hashed, ContentType: ctype, Body: body, Gzip: gzipped(body), ETag: `"` + hash + `"`}
		t.urls[name] = "/static/" + hashed
		return nil
	})
}

// Asset returns the static file with the hashed name, as linked by StaticURL.
func (t *Theme) Asset(hashed string) (*Asset, bool) {
	a, ok := t.assets[hashed]
	return a, ok
}

// StaticURL returns the content-hashed URL of the static file name, e.g.
// "style.css" → "/static/style.1a2b3c4d5e.css".
func (t *Theme) StaticURL(name string) string {
	if u, ok := t.urls[name]; ok {
		return u
	}
	return "/static/missing/" + name
}

// Translator returns the UI strings of lang.
func (t *Theme) Translator(lang portal.Language) *Translator {
	if tr, ok := t.catalog[lang]; ok {
		return tr
	}
	return t.catalog[portal.Mongolian]
}

func (t *Theme) parsePages(fsys fs.FS) error {
	entries, err := fs.ReadDir(fsys, "templates")
	if err != nil {
		return fmt.Errorf("themes: %w", err)
	}
	// The layout and the partials (files named _*.html) are parsed into every page's set;
	// each page is parsed once, at start.
	common := template.New("layout").Funcs(template.FuncMap{"static": t.StaticURL})
	var pages []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir() || !strings.HasSuffix(name, ".html"):
		case name == "layout.html" || strings.HasPrefix(name, "_"):
			if err := parseInto(common, fsys, name); err != nil {
				return err
			}
		default:
			pages = append(pages, name)
		}
	}
	if common.Lookup("layout") == nil || common.Lookup("layout").Tree == nil {
		return fmt.Errorf("themes: templates/layout.html does not define \"layout\"")
	}
	t.pages = map[string]*template.Template{}
	for _, name := range pages {
		tmpl, err := common.Clone()
		if err != nil {
			return fmt.Errorf("themes: %w", err)
		}
		if err := parseInto(tmpl, fsys, name); err != nil {
			return err
		}
		t.pages[strings.TrimSuffix(name, ".html")] = tmpl
	}
	return nil
}

func parseInto(tmpl *template.Template, fsys fs.FS, name string) error {
	body, err := fs.ReadFile(fsys, "templates/"+name)
	if err != nil {
		return fmt.Errorf("themes: %w", err)
	}
	if _, err := tmpl.New(name).Parse(string(body)); err != nil {
		return fmt.Errorf("themes: parse %s: %w", name, err)
	}
	return nil
}

// RenderFragment executes the template name of page's set with data into w: a piece of a
// page rendered once and kept (a revision's table of contents). On error w is cut back to
// its length before.
func (t *Theme) RenderFragment(w *bytes.Buffer, page, name string, data any) error {
	tmpl, ok := t.pages[page]
	if !ok {
		return fmt.Errorf("themes: no page %q", page)
	}
	n := w.Len()
	if err := tmpl.ExecuteTemplate(w, name, data); err != nil {
		w.Truncate(n)
		return fmt.Errorf("themes: render %s of %s: %w", name, page, err)
	}
	return nil
}

// Pages returns the names of the parsed pages, sorted.
func (t *Theme) Pages() []string {
	names := make([]string, 0, len(t.pages))
	for n := range t.pages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Render executes page with data into a buffer and copies it to w only on success, so a
// template error never leaves half a page on the wire. A *bytes.Buffer is written to
// directly, and cut back to its length before on error.
func (t *Theme) Render(w io.Writer, page string, data any) error {
	tmpl, ok := t.pages[page]
	if !ok {
		return fmt.Errorf("themes: no page %q", page)
	}
	if buf, ok := w.(*bytes.Buffer); ok {
		n := buf.Len()
		if err := tmpl.ExecuteTemplate(buf, "layout", data); err != nil {
			buf.Truncate(n)
			return fmt.Errorf("themes: render %s: %w", page, err)
		}
		return nil
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("themes: render %s: %w", page, err)
	}
	_, err := buf.WriteTo(w)
	return err
}
