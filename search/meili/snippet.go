package meili

import (
	"strings"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
)

// The highlight tags: private-use runes no record holds (they are stripped at indexing), so
// that the parts of a highlight are found without any markup to parse or escape.
const (
	preTag  = '\uE000'
	postTag = '\uE001'
)

// parseHighlight splits a text highlighted with preTag and postTag into parts. A tag out of
// place is dropped; a mark left open runs to the end.
func parseHighlight(s string) []portal.SnippetPart {
	var parts []portal.SnippetPart
	var b strings.Builder
	match := false
	flush := func() {
		if b.Len() > 0 {
			parts = appendPart(parts, b.String(), match)
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == preTag && !match:
			flush()
			match = true
		case r == postTag && match:
			flush()
			match = false
		case r == preTag || r == postTag:
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return parts
}

// appendPart appends a part, joining it to the last one when both are marked alike.
func appendPart(parts []portal.SnippetPart, text string, match bool) []portal.SnippetPart {
	if text == "" {
		return parts
	}
	if n := len(parts); n > 0 && parts[n-1].Match == match {
		parts[n-1].Text += text
		return parts
	}
	return append(parts, portal.SnippetPart{Text: text, Match: match})
}

// markedWords returns the words of a highlighted folded text that hold a mark. Folded text
// is words separated by single spaces; a mark may cover only a prefix of a word (a prefix
// match), and then the whole word counts.
func markedWords(parts []portal.SnippetPart) map[string]bool {
	var plain strings.Builder
	type span struct{ start, end int }
	var marks []span
	for _, p := range parts {
		if p.Match {
			marks = append(marks, span{plain.Len(), plain.Len() + len(p.Text)})
		}
		plain.WriteString(p.Text)
	}
	text := plain.String()
	words := map[string]bool{}
	for _, m := range marks {
		start := strings.LastIndexByte(text[:m.start], ' ') + 1
		end := len(text)
		if i := strings.IndexByte(text[m.end:], ' '); i >= 0 {
			end = m.end + i
		}
		for _, w := range strings.Fields(text[start:end]) {
			words[w] = true
		}
	}
	return words
}

// isMarked returns whether a word of a body is marked: when its fold is a word that
// Meilisearch marked in the folded body, so that "Өмнөговь" is marked for "omnogovi". It
// is nil when nothing is marked.
func isMarked(marked map[string]bool) func(word string) bool {
	if len(marked) == 0 {
		return nil
	}
	return func(w string) bool { return marked[search.Fold(w)] }
}
