package bleve

import (
	"strings"
	"unicode/utf8"

	"github.com/gobidialogue/portal/search"
)

// Snippets are cut by search.Snippet, and their words marked here rather than by bleve's
// highlighter: bleve marks the term locations of the field that matched, and a word often
// matches only in the folded copy (text_f), whose text is the folded skeleton, not what a
// person wrote; marking the body's own words with the query's rules (spelling, folding,
// typo, prefix) marks "Өмнөговь" for "Umnugovi".

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
