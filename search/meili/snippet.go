package meili

import (
	"strings"
	"unicode"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
)

// The highlight tags: private-use runes no record holds (they are stripped at indexing), so
// that the parts of a highlight are found without any markup to parse or escape.
const (
	preTag  = '\uE000'
	postTag = '\uE001'
)

// Snippets: about cropWords words of the body, starting a few words (cropLead) before the
// first match.
const (
	cropWords = 30
	cropLead  = 8
	ellipsis  = "…"
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

// snippet cuts about cropWords words of body around its first marked word and marks every
// word whose fold is in marked. A body's words are the runs of letters and digits that
// search.Fold reads as words, so a word of the raw body is marked when its folded form is
// what Meilisearch marked in the folded body: "Өмнөговь" for "omnogovi".
func snippet(body string, marked map[string]bool) []portal.SnippetPart {
	words := wordSpans(body)
	if len(words) == 0 {
		return nil
	}
	isMarked := make([]bool, len(words))
	first := -1
	for i, w := range words {
		if len(marked) > 0 && marked[search.Fold(body[w[0]:w[1]])] {
			isMarked[i] = true
			if first < 0 {
				first = i
			}
		}
	}
	start := max(first-cropLead, 0)
	end := min(start+cropWords, len(words))
	start = max(end-cropWords, 0)

	var parts []portal.SnippetPart
	lead := body[:words[start][0]]
	if start > 0 {
		lead = ellipsis
	}
	parts = appendPart(parts, collapseSpace(strings.TrimLeftFunc(lead, unicode.IsSpace)), false)
	for i := start; i < end; i++ {
		if i > start {
			parts = appendPart(parts, collapseSpace(body[words[i-1][1]:words[i][0]]), false)
		}
		parts = appendPart(parts, body[words[i][0]:words[i][1]], isMarked[i])
	}
	tail := body[words[end-1][1]:]
	if end < len(words) {
		tail = ellipsis
	}
	return appendPart(parts, collapseSpace(strings.TrimRightFunc(tail, unicode.IsSpace)), false)
}

// wordSpans returns the byte spans of the words of s: runs of letters, digits and combining
// marks, as search.Fold reads them.
func wordSpans(s string) [][2]int {
	var spans [][2]int
	start := -1
	for i, r := range s {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			spans = append(spans, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		spans = append(spans, [2]int{start, len(s)})
	}
	return spans
}

// collapseSpace writes each run of white space (a line break included) as one space.
func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}
