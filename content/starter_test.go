package content

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

// TestStarterContent checks the bundled guidelines: canonical files (so an export of them
// gives back the same bytes), both languages for every guideline, at least two revisions,
// the length and structure the starter content promises, and marked as example text.
func TestStarterContent(t *testing.T) {
	files, err := fs.Glob(Starter(), "guidelines/*/*.md")
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		slug string
		lang portal.Language
	}
	revisions := map[key]int{}
	r := NewRenderer()
	for _, name := range files {
		data, err := fs.ReadFile(Starter(), name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFile(name, data)
		if err != nil {
			t.Fatal(err)
		}
		if got := Format(f); !bytes.Equal(got, data) {
			t.Errorf("%s is not in canonical form; rewrite it with Format (or export it)", name)
		}
		if !f.Meta.Example {
			t.Errorf("%s: starter content must say example: true", name)
		}
		revisions[key{f.Meta.Slug, f.Meta.Language}]++
		out, err := r.Render(f.Body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.Meta.Language == portal.English && f.Revision > 1 && out.Words < 1500 {
			t.Errorf("%s: %d words, want at least 1,500", name, out.Words)
		}
		html := string(out.HTML)
		for _, want := range []string{"<table", "<ul", "footnote", "<h2", "<blockquote"} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: rendered HTML has no %s", name, want)
			}
		}
	}
	slugs := map[string]bool{}
	for k, n := range revisions {
		slugs[k.slug] = true
		if n < 2 {
			t.Errorf("%s in %s has %d revisions, want at least 2", k.slug, k.lang, n)
		}
	}
	for slug := range slugs {
		for _, lang := range portal.Languages {
			if revisions[key{slug, lang}] == 0 {
				t.Errorf("%s has no %s version", slug, lang)
			}
		}
	}
	if len(slugs) < 4 {
		t.Errorf("%d starter guidelines, want at least 4", len(slugs))
	}
}

// BenchmarkRenderStarter renders the longest bundled guideline.
func BenchmarkRenderStarter(b *testing.B) {
	files, _ := fs.Glob(Starter(), "guidelines/*/*.md")
	var longest *File
	for _, name := range files {
		data, _ := fs.ReadFile(Starter(), name)
		f, err := ParseFile(name, data)
		if err != nil {
			b.Fatal(err)
		}
		if longest == nil || len(f.Body) > len(longest.Body) {
			longest = f
		}
	}
	b.Logf("%s: %d bytes", longest.Name, len(longest.Body))
	r := NewRenderer()
	b.SetBytes(int64(len(longest.Body)))
	for b.Loop() {
		if _, err := r.Render(longest.Body); err != nil {
			b.Fatal(err)
		}
	}
}
