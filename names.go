package portal

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// mongolianAlphabet is the Mongolian Cyrillic alphabet in lower case and in its order, which is
// not Unicode's: Unicode puts ё before а, and ө and ү after я, so a plain comparison would list
// "Өмнөговь" and "Үндэсний" after "Яруу". golang.org/x/text/collate would know this too, but the
// lists need no more than this one alphabet.
const mongolianAlphabet = "абвгдеёжзийклмноөпрстуүфхцчшщъыьэюя"

// mongolianRank maps each letter of mongolianAlphabet to a weight in alphabet order, starting
// at а's code point so that Latin letters and digits still sort first.
var mongolianRank = func() map[rune]rune {
	m := make(map[rune]rune)
	i := rune(0)
	for _, r := range mongolianAlphabet {
		m[r] = 'а' + i
		i++
	}
	return m
}()

// CompareNames orders names for lists: case-insensitively, Mongolian letters in alphabet order,
// everything else by code point; names equal that way by their bytes, so the order is total.
func CompareNames(a, b string) int {
	x, y := a, b
	for x != "" && y != "" {
		r, n := utf8.DecodeRuneInString(x)
		s, m := utf8.DecodeRuneInString(y)
		if c := nameWeight(r) - nameWeight(s); c != 0 {
			return int(c)
		}
		x, y = x[n:], y[m:]
	}
	if c := len(x) - len(y); c != 0 {
		return c // only one of them is left: the shorter, a prefix of the other, comes first
	}
	return strings.Compare(a, b)
}

func nameWeight(r rune) rune {
	r = unicode.ToLower(r)
	if w, ok := mongolianRank[r]; ok {
		return w
	}
	return r
}
