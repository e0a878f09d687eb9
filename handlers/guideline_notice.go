package handlers

import (
	"html"
	"regexp"
	"slices"
	"strings"

	"github.com/gobidialogue/portal"
)

// exampleQuote finds a blockquote whose first paragraph opens with a strong phrase: the way
// the starter guidelines' Markdown writes its own example notice ("> **Example text.** …").
var exampleQuote = regexp.MustCompile(`<blockquote[^>]*>\s*<p[^>]*>\s*<strong>([^<]*)</strong>`)

// firstHeading finds where a body's first section starts.
var firstHeading = regexp.MustCompile(`<h[1-6][\s>]`)

// oldExampleTitle is how the Mongolian starter guidelines opened their notice before the
// glossary's "Жишээ бичвэр.": a body that still says it carries a notice too.
const oldExampleTitle = "Жишээ текст."

// exampleTitles are the phrases an example notice opens with, in every language of the
// theme (the template's own notice says the same).
func (h *Handlers) exampleTitles() []string {
	titles := []string{oldExampleTitle}
	for _, lang := range portal.Languages {
		titles = append(titles, h.Theme.Translator(lang).T("guideline.example_title"))
	}
	return titles
}

// withoutExampleQuote returns body without the example notice it carries before its first
// heading, if it carries one (a blockquote opening with one of titles in strong): the page
// shows the template's notice for an example guideline, and a reader is told once. The
// revision itself keeps the blockquote (its diff and export are the author's text).
func withoutExampleQuote(body portal.SafeHTML, titles []string) portal.SafeHTML {
	s := string(body)
	preamble := s
	if loc := firstHeading.FindStringIndex(s); loc != nil {
		preamble = s[:loc[0]]
	}
	m := exampleQuote.FindStringSubmatchIndex(preamble)
	if m == nil || !slices.Contains(titles, strings.TrimSpace(html.UnescapeString(preamble[m[2]:m[3]]))) {
		return body
	}
	n := strings.Index(s[m[0]:], "</blockquote>")
	if n < 0 || strings.Contains(s[m[0]+len("<blockquote"):m[0]+n], "<blockquote") {
		return body // not Render's output, or a quote in the quote: left as it is
	}
	return portal.SafeHTML(s[:m[0]] + strings.TrimLeft(s[m[0]+n+len("</blockquote>"):], "\n"))
}
