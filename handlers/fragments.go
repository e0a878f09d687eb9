package handlers

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/gobidialogue/portal/themes"
)

// fragmentsMaxBytes bounds the fragments kept. A guideline's table of contents is one to
// three kilobytes and a page's main part tens (and as much again deflated); past the bound
// the whole set is dropped and made again as pages ask for it, which costs one rendering
// each.
const fragmentsMaxBytes = 16 << 20

// fragment is a piece of a page rendered once, and optionally its deflated form (see
// themes.Deflate).
type fragment struct {
	html     template.HTML
	plain    []byte // html's bytes, when deflated is set: to find it in the page around it
	deflated []byte
}

// fragments keeps pieces of pages rendered once, by a key that names exactly what they
// show: a revision's table of contents and its body as pages show it (a revision never
// changes), the directory form's soums in a language (the gazetteer is loaded once), the
// main part of a page that is the same for everyone (by the page version). What a fragment
// shows never depends on the person: that belongs in the page around it. The zero value
// is ready to use.
type fragments struct {
	mu    sync.RWMutex
	kept  map[string]fragment
	bytes int
}

// get returns the fragment kept under key, or renders it with render into a buffer (and
// deflates it when deflate is set), keeps it and returns it. Two requests may render the
// same fragment at once; both results are the same.
func (f *fragments) get(key string, deflate bool, render func(*bytes.Buffer) error) (fragment, error) {
	f.mu.RLock()
	fr, ok := f.kept[key]
	f.mu.RUnlock()
	if ok {
		return fr, nil
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return fragment{}, err
	}
	fr.html = template.HTML(buf.String()) //nolint:gosec // rendered by the theme's escaping templates, or a revision's sanitized body.
	if deflate {
		fr.plain = buf.Bytes()
		fr.deflated = themes.Deflate(fr.plain)
	}
	size := len(key) + len(fr.html) + len(fr.plain) + len(fr.deflated)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.kept[key]; !ok {
		if f.kept == nil || f.bytes+size > fragmentsMaxBytes {
			f.kept, f.bytes = map[string]fragment{}, 0
		}
		f.kept[key] = fr
		f.bytes += size
	}
	return fr, nil
}
