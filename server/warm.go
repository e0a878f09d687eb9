package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
)

// Warm renders the public pages at paths (a path, with a query or not) into the page cache,
// each as a visitor who is not signed in asks for it in each language: in the language its
// cookie names (which Accept-Language and the site's default language come to as well: the
// cache keeps one page per language) and with ?lang= in the query. It renders one page at a
// time, through the router as a visitor's request goes, and returns how many pages the cache
// holds of those it rendered; it stops when ctx ends.
//
// cmd/portal runs it when it starts, before it takes requests: without it the first
// visitors of a process all wait together for the renderings of the pages most of them ask
// for (the home page, the guidelines, the directory's first page), and each rendering for
// the others, on a process whose every page is still to make. A warmed page is served from
// the cache from the first request on, and the first rendering of the directory loads the
// directory before any visitor asks.
func (s *Server) Warm(ctx context.Context, paths []string) int {
	if s.pages == nil {
		return 0
	}
	kept := 0
	for _, path := range paths {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		for _, lang := range portal.Languages {
			for _, uri := range []string{path, path + sep + "lang=" + string(lang)} {
				if ctx.Err() != nil {
					return kept
				}
				if s.warm(ctx, uri, lang) {
					kept++
				}
			}
		}
	}
	return kept
}

// warmingKey marks the context of a request that the server makes itself to warm its page
// cache: the request log records it at debug, since no visitor asked for it.
type warmingKey struct{}

// warm renders uri in lang into the page cache, as a visitor's request that takes no gzip
// (the cache compresses what it keeps itself), and reports whether the cache holds it.
func (s *Server) warm(ctx context.Context, uri string, lang portal.Language) bool {
	req, err := http.NewRequestWithContext(context.WithValue(ctx, warmingKey{}, true), http.MethodGet, uri, nil)
	if err != nil {
		return false
	}
	req.Header.Set("Cookie", handlers.LangCookie+"="+string(lang))
	req.RemoteAddr = "127.0.0.1:0" // the process itself
	s.engine.ServeHTTP(&discardWriter{header: http.Header{}}, req)
	return s.pages.holds(pageKey(lang, req.URL))
}
