package bleve

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
)

// Snippets are cut and marked here rather than by bleve's highlighter, for two reasons.
// bleve marks the term locations of the field that matched, and a word often matches only
// in the folded copy (text_f), whose text is the folded skeleton, not what a person wrote;
// marking the body's own words with the query's rules (spelling, folding, typo, prefix)
// marks "Өмнөговь" for "Umnugovi". And the parts are built from offsets into the stored
// body, never from a formatted string, so no markup is produced that could be forged or
// injected: a body's "<mark>", sentinels or private-use runes are plain text like any other.
//
// When the body has no matched word (the hit matched in its title or places, or the query
// has no words) the snippet is the start of the body, unmarked.

const (
	snippetRunes = 160 // about how long a snippet is
	snippetLead  = 30  // how much text a snippet keeps before its first match
	// snippetScan bounds the bytes of a body searched for matched words: a long body's
	// snippet comes from its first part.
	snippetScan = 16 << 10
	ellipsis    = "…"
)

// matcher tells which words of a body match a query, by the rules of textQuery.
type matcher struct {
	exact  map[string]bool // words as analysed for the original fields
	folded []foldedWord
	prefix string          // the folded last word, matched as the start of a word
	seen   map[string]bool // the words of bodies matched so far, for a search's hits
}

// newMatcher returns the matcher of a query's words, nil when it has none.
func newMatcher(words []queryWord) *matcher {
	if len(words) == 0 {
		return nil
	}
	m := &matcher{exact: make(map[string]bool, len(words)), seen: make(map[string]bool)}
	for _, w := range words {
		m.exact[w.exact] = true
		m.folded = append(m.folded, w.folded...)
	}
	if last := words[len(words)-1].folded; len(last) > 0 {
		if w := last[len(last)-1].text; utf8.RuneCountInString(w) >= prefixMinRunes {
			m.prefix = w
		}
	}
	return m
}

// match reports whether a word of a body matches.
func (m *matcher) match(word string) bool {
	if m == nil {
		return false
	}
	matched, ok := m.seen[word]
	if !ok {
		matched = m.matchWord(word)
		m.seen[word] = matched
	}
	return matched
}

func (m *matcher) matchWord(word string) bool {
	if m.exact[strings.ToLower(word)] {
		return true
	}
	for _, f := range strings.Fields(search.Fold(word)) {
		if m.prefix != "" && strings.HasPrefix(f, m.prefix) {
			return true
		}
		for _, w := range m.folded {
			if f == w.text || withinEdits(f, w.text, w.typos) {
				return true
			}
		}
	}
	return false
}

// span is a word of a body: its byte offsets and rune offsets.
type span struct {
	start, end int    // bytes
	rs, re     int    // runes
	match      string // the word lower-cased if it matched, else ""
}

// snippet returns about snippetRunes runes of body around the part with the most distinct
// matched words, matched words marked; the start of the body when none matched.
func snippet(body string, m *matcher) []portal.SnippetPart {
	if body == "" {
		return nil
	}
	spans := spans(body, m)
	if len(spans) == 0 {
		return plainStart(body)
	}
	j, k := window(spans, 0)
	best := 0
	for i, s := range spans {
		if s.match == "" {
			continue
		}
		lo := i
		for lo > 0 && spans[lo-1].rs >= s.rs-snippetLead {
			lo--
		}
		lo, hi := window(spans, lo)
		if n := distinctMatches(spans[lo : hi+1]); n > best {
			best, j, k = n, lo, hi
		}
	}
	// Use the room left after the last word for words before the first, and start after
	// white space rather than inside "alert(1)".
	for j > 0 && spans[k].re-spans[j-1].rs <= snippetRunes {
		j--
	}
	for j > 0 && !spaceBefore(body, spans[j].start) {
		j--
	}
	start, end := spans[j].start, wordEnd(body, spans[k].end)
	if j == 0 {
		start = 0
	}
	if k == len(spans)-1 && utf8.RuneCountInString(body[end:]) <= 10 {
		end = len(body)
	}
	var b partsBuilder
	if start > 0 {
		b.plain(ellipsis)
	}
	pos := start
	for _, s := range spans[j : k+1] {
		if s.match != "" {
			b.plain(body[pos:s.start])
			b.matched(body[s.start:s.end])
			pos = s.end
		}
	}
	b.plain(body[pos:end])
	if end < len(body) {
		b.plain(ellipsis)
	}
	return b.done()
}

// spans returns the words of body, with whether m matches them. A word is a run of
// letters, digits and combining marks: close to the analyzer's words, and many times
// faster to find, which matters for twenty bodies a search.
func spans(body string, m *matcher) []span {
	if len(body) > snippetScan {
		body = body[:snippetScan]
	}
	var spans []span
	start, runes, rs := -1, 0, 0
	end := func(i int) {
		s := span{start: start, end: i, rs: rs, re: runes}
		if w := body[start:i]; m.match(w) {
			s.match = strings.ToLower(w)
		}
		spans = append(spans, s)
		start = -1
	}
	for i, r := range body {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start, rs = i, runes
			}
		} else if start >= 0 {
			end(i)
		}
		runes++
	}
	if start >= 0 {
		end(len(body))
	}
	return spans
}

// spaceBefore reports whether white space precedes byte i of s.
func spaceBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsSpace(r)
}

// wordEnd extends a snippet's end from byte i to the next white space, so that it does
// not cut "alert(1)" after the 1; at most a few characters.
func wordEnd(s string, i int) int {
	for n := 0; i < len(s) && n < 12; n++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// window returns the spans j..k that fit in snippetRunes from spans[j]: at least one.
func window(spans []span, j int) (int, int) {
	k := j
	for k+1 < len(spans) && spans[k+1].re <= spans[j].rs+snippetRunes {
		k++
	}
	return j, k
}

// distinctMatches counts the different words matched in spans.
func distinctMatches(spans []span) int {
	var seen []string
	for _, s := range spans {
		if s.match != "" && !slices.Contains(seen, s.match) {
			seen = append(seen, s.match)
		}
	}
	return len(seen)
}

// plainStart is the start of a body without words to cut it at.
func plainStart(body string) []portal.SnippetPart {
	var b partsBuilder
	if utf8.RuneCountInString(body) <= snippetRunes {
		b.plain(body)
		return b.done()
	}
	n := 0
	for i := range body {
		if n == snippetRunes {
			b.plain(body[:i])
			break
		}
		n++
	}
	b.plain(ellipsis)
	return b.done()
}

// partsBuilder collects snippet parts: plain runs merged, white space and control
// characters squeezed to single spaces, the ends trimmed.
type partsBuilder struct{ parts []portal.SnippetPart }

func (b *partsBuilder) plain(s string) {
	s = squeeze(s)
	if s == "" {
		return
	}
	if n := len(b.parts); n > 0 && !b.parts[n-1].Match {
		b.parts[n-1].Text += s
		return
	}
	b.parts = append(b.parts, portal.SnippetPart{Text: s})
}

func (b *partsBuilder) matched(s string) {
	b.parts = append(b.parts, portal.SnippetPart{Text: s, Match: true})
}

func (b *partsBuilder) done() []portal.SnippetPart {
	if n := len(b.parts); n > 0 {
		if !b.parts[0].Match {
			b.parts[0].Text = strings.TrimLeft(b.parts[0].Text, " ")
		}
		if !b.parts[n-1].Match {
			b.parts[n-1].Text = strings.TrimRight(b.parts[n-1].Text, " ")
		}
	}
	out := b.parts[:0]
	for _, p := range b.parts {
		if p.Text != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// squeeze turns every run of white space and control characters into one space.
func squeeze(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
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

// withinEdits reports whether a and b are at most k edits apart, a transposition of two
// neighbours counting as one edit, as in bleve's fuzzy matching.
func withinEdits(a, b string, k int) bool {
	if k <= 0 {
		return a == b
	}
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > k || -d > k {
		return false
	}
	// Optimal string alignment distance, three rows.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > k {
			return false
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)] <= k
}
