package content

import (
	"strconv"
	"strings"
)

// maxSlugLen keeps heading ids readable in URLs and every Slugify result a valid
// portal slug (portal.ValidSlug allows 100 bytes).
const maxSlugLen = 80

// translit maps Mongolian Cyrillic (and the Russian letters that appear in loan words) to
// Latin ASCII, following the transliteration Mongolians use in URLs and e-mail addresses,
// so that a heading like "Жолооч нарын эрх" gets the readable id "jolooch-naryn-erkh".
// Accented Latin letters fold to their base letter for the same reason.
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "ye", 'ё': "yo", 'ж': "j",
	'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'ө': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ү': "u", 'ф': "f",
	'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "sh", 'ъ': "", 'ы': "y", 'ь': "i",
	'э': "e", 'ю': "yu", 'я': "ya",
}

func init() {
	// Upper-case Cyrillic letters transliterate like their lower-case forms.
	for r, s := range translit {
		if u := []rune(strings.ToUpper(string(r))); len(u) == 1 && u[0] != r {
			translit[u[0]] = s
		}
	}
	fold := map[string]string{
		"a": "àáâãäåāăą", "c": "çćčĉċ", "d": "ďđ", "e": "èéêëēĕėęě", "g": "ĝğġģ",
		"i": "ìíîïĩīĭįı", "n": "ñńņňŋ", "o": "òóôõöøōŏő", "s": "śŝşš", "t": "ţťŧ",
		"u": "ùúûüũūŭůűų", "y": "ýÿŷ", "z": "źżž", "ss": "ß", "ae": "æ", "oe": "œ",
	}
	for base, accented := range fold {
		for _, r := range accented {
			translit[r] = base
			if u := []rune(strings.ToUpper(string(r))); len(u) == 1 && u[0] != r {
				translit[u[0]] = base
			}
		}
	}
}

// Slugify turns a heading or title into an ASCII id: Mongolian Cyrillic is transliterated
// to Latin, letters are lower-cased, every run of other characters becomes one hyphen, and
// the result is trimmed to at most 80 bytes. A string with nothing to keep gives "section".
// The result always satisfies portal.ValidSlug.
func Slugify(s string) string {
	var b strings.Builder
	hyphen := false // a separator is pending: written only before the next letter
	for _, r := range s {
		var piece string
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			piece = string(r)
		case r >= 'A' && r <= 'Z':
			piece = string(r + 'a' - 'A')
		default:
			piece = translit[r]
		}
		if piece == "" {
			// The hard sign (ъ) maps to "" but sits inside a word, not between words.
			hyphen = hyphen || r != 'ъ' && r != 'Ъ'
			continue
		}
		if b.Len()+len(piece)+1 > maxSlugLen {
			break
		}
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen = false
		b.WriteString(piece)
	}
	if b.Len() == 0 {
		return "section"
	}
	return b.String()
}

// idSet hands out ids unique within one document: the first use of an id keeps it, later
// ones get -2, -3 and so on, so earlier anchors never move when a duplicate is added below.
type idSet struct {
	used map[string]bool
	next map[string]int // the next suffix to try for a base id, so n duplicates cost O(n)
}

func newIDSet() *idSet {
	return &idSet{used: map[string]bool{}, next: map[string]int{}}
}

func (s *idSet) unique(id string) string {
	if !s.used[id] {
		s.used[id] = true
		return id
	}
	n := max(s.next[id], 2)
	candidate := id + "-" + strconv.Itoa(n)
	for s.used[candidate] {
		n++
		candidate = id + "-" + strconv.Itoa(n)
	}
	s.used[candidate] = true
	s.next[id] = n + 1
	return candidate
}
