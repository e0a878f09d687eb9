package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gobidialogue/portal"
)

// Both engines cut snippets here; they differ only in how they tell a matched word (bleve
// with the query's own rules, Meilisearch from what it marked in the folded body). The
// parts are slices of the stored body, joined with spaces and ellipses, never a formatted
// string: no markup is produced, so a body's "<mark>", "<script>" or private-use runes
// (Meilisearch's highlight sentinels) are plain text like any other and cannot forge a match.

const (
	snippetRunes = 160 // about how long a snippet is
	snippetLead  = 30  // how much text a snippet keeps before its first match
	// snippetSlack is how far a cut end moves to reach white space, so that a snippet does
	// not start inside "alert(1)" at the 1 or end after "alert"; the cut stays at the word
	// when there is no white space that near.
	snippetSlack = 12
	// snippetTail is the longest tail without words ("." or ").") kept rather than cut.
	snippetTail = 10
	// snippetMax bounds a snippet's text, ellipses aside. Cuts at words and white space keep
	// within it; only a word about as long as a snippet is cut, here.
	snippetMax = snippetRunes + 40
	// snippetScan bounds the bytes of a body searched for words: a long body's snippet
	// comes from its first part.
	snippetScan = 16 << 10
	ellipsis    = "…"
)

// Snippet returns about 160 runes of body around its part with the most distinct matched
// words, every matched word marked: the parts that Match are exactly the words of body for
// which match reports true, as the body writes them (of a word cut for its length, the
// part kept).
//
// A word is a run of letters, digits and combining marks, as Fold reads words; match is
// called once for each word of the part of body searched, with the word as it is written,
// not lower-cased; a nil match matches nothing.
// Words are distinct when they differ lower-cased. The window starts about 30 runes
// before its first match and uses what is left of the 160 runes after its last word for
// words before its first; of windows with as many distinct words, the first is taken. With
// no matched word (the hit matched in its title, or the query has no words) the snippet is
// the start of the body, unmarked.
//
// A snippet is cut between words, at white space when there is some within a few runes,
// and a cut end shows "…"; the body's own start and end show none, and a short tail
// without words is kept rather than cut. A word is cut only when it alone is about as
// long as a snippet. White space and control characters are squeezed to single spaces
// and the ends trimmed. Only the first 16 KiB of a body are searched for words: a long
// body whose matches are further shows its start. An empty or blank body has no snippet.
func Snippet(body string, match func(word string) bool) []portal.SnippetPart {
	words := findWords(body, match)
	if len(words) == 0 {
		return cut(body, nil, 0, afterRunes(body, 0, snippetRunes))
	}
	j, k := bestWindow(words)
	start := backToSpace(body, words[j].start)
	end := forwardToSpace(body, words[k].end)
	if k == len(words)-1 && shortTail(body[end:]) {
		end = len(body)
	}
	end = min(end, afterRunes(body, start, snippetMax))
	// The words around the window that the cut ends took in.
	for j > 0 && words[j-1].end > start {
		j--
	}
	for k+1 < len(words) && words[k+1].start < end {
		k++
	}
	return cut(body, words[j:k+1], start, end)
}

// word is a word of a body: its byte offsets, rune offsets, and the word lower-cased if
// it matched, else "".
type word struct {
	start, end int
	rs, re     int
	match      string
}

// findWords returns the words of body's first snippetScan bytes, with whether match
// matches them. A word that the bound cuts is left out, so as not to mark half of it.
func findWords(body string, match func(string) bool) []word {
	var words []word
	start, rs, n := -1, 0, 0
	add := func(end int) {
		w := word{start: start, end: end, rs: rs, re: n}
		if s := body[start:end]; match != nil && match(s) {
			w.match = strings.ToLower(s)
		}
		words = append(words, w)
		start = -1
	}
	for i, r := range body {
		if i >= snippetScan {
			return words
		}
		if isWordRune(r) {
			if start < 0 {
				start, rs = i, n
			}
		} else if start >= 0 {
			add(i)
		}
		n++
	}
	if start >= 0 {
		add(len(body))
	}
	return words
}

// isWordRune reports a rune of a word: a letter, a digit or a combining mark. That is
// close to the words of the engines' analyzers and many times faster than running one,
// which matters for the twenty bodies of a page of hits. ASCII is answered inline.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return isOtherWordRune(r)
}

// asciiWord tells the ASCII runes of words: letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for r := range t {
		t[r] = isOtherWordRune(rune(r))
	}
	return t
}()

// isOtherWordRune is isWordRune beyond ASCII; Cyrillic, most of the rest of a body, is
// answered without Unicode's tables.
func isOtherWordRune(r rune) bool {
	if uint32(r)-0x400 < 0x130 { // Cyrillic and its supplement, but ҂ and two enclosing marks
		return r != 0x482 && r != 0x488 && r != 0x489
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// bestWindow returns the words j..k of the window with the most distinct matches, the
// first window when nothing matched.
func bestWindow(words []word) (j, k int) {
	j, k = window(words, 0)
	best, lo := 0, 0
	for i, w := range words {
		if w.match == "" {
			continue
		}
		for words[lo].rs < w.rs-snippetLead {
			lo++
		}
		l, h := window(words, lo)
		if h < i { // a long word between the lead and the match
			l, h = window(words, i)
		}
		if n := distinctMatches(words[l : h+1]); n > best {
			best, j, k = n, l, h
		}
	}
	for j > 0 && words[k].re-words[j-1].rs <= snippetRunes {
		j--
	}
	return j, k
}

// window returns the words j..k that fit in snippetRunes from words[j]: at least one.
func window(words []word, j int) (int, int) {
	k := j
	for k+1 < len(words) && words[k+1].re <= words[j].rs+snippetRunes {
		k++
	}
	return j, k
}

// distinctMatches counts the different words matched in words.
func distinctMatches(words []word) int {
	var seen []string
	for _, w := range words {
		if w.match != "" && !slices.Contains(seen, w.match) {
			seen = append(seen, w.match)
		}
	}
	return len(seen)
}

// backToSpace moves a snippet's start at byte i back to just after white space (or to the
// start of s) if that is at most snippetSlack runes back; otherwise it stays at i.
func backToSpace(s string, i int) int {
	for j, n := i, 0; n <= snippetSlack; n++ {
		if j == 0 {
			return 0
		}
		r, size := utf8.DecodeLastRuneInString(s[:j])
		if isSpace(r) {
			return j
		}
		j -= size
	}
	return i
}

// forwardToSpace moves a snippet's end at byte i forward to white space (or to the end of
// s) if that is at most snippetSlack runes on; otherwise it stays at i.
func forwardToSpace(s string, i int) int {
	for j, n := i, 0; n <= snippetSlack; n++ {
		if j == len(s) {
			return j
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if isSpace(r) {
			return j
		}
		j += size
	}
	return i
}

// shortTail reports whether s, white space aside, is at most snippetTail runes and has
// no word.
func shortTail(s string) bool {
	n := 0
	for _, r := range s {
		if isSpace(r) {
			continue
		}
		if n++; n > snippetTail || isWordRune(r) {
			return false
		}
	}
	return true
}

// afterRunes returns the byte offset n runes after byte i of s, or len(s).
func afterRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// cut returns the parts of body[start:end], the matched words among words marked, with
// an ellipsis at each end that leaves out more than white space.
func cut(body string, words []word, start, end int) []portal.SnippetPart {
	var b partsBuilder
	if start > 0 && !blank(body[:start]) {
		b.ellipsis()
	}
	pos := start
	for _, w := range words {
		if w.match == "" || w.start < start || w.start >= end {
			continue
		}
		e := min(w.end, end)
		b.plain(body[pos:w.start])
		b.matched(body[w.start:e])
		pos = e
	}
	b.plain(body[pos:end])
	if end < len(body) && !blank(body[end:]) {
		b.ellipsis()
	}
	return b.done()
}

// isSpace reports the runes a snippet squeezes: white space and control characters.
func isSpace(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// blank reports whether s has nothing but white space and control characters.
func blank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !isSpace(r) }) < 0
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

// ellipsis marks a cut, with no space between it and the text.
func (b *partsBuilder) ellipsis() {
	if n := len(b.parts); n > 0 && !b.parts[n-1].Match {
		b.parts[n-1].Text = strings.TrimRight(b.parts[n-1].Text, " ")
	}
	b.plain(ellipsis)
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
		if isSpace(r) {
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
