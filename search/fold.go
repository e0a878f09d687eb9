// Package search is what both search engines share: the folding of Mongolian spellings,
// the cutting of result snippets, the records the portal indexes (built only from public data), and the reconciliation
// that keeps an index converged on the database. The engines are search/bleve (embedded)
// and search/meili (Meilisearch); search/searchtest is the conformance suite both pass.
package search

import (
	"strings"
	"unicode"
)

// Fold reduces text to the spelling-free skeleton both engines index and query with, so
// that Mongolian written in Cyrillic, in any common Latin romanisation or with keyboard
// stand-ins reads the same: "Өмнөговь", "Ömnögovi", "Omnogovi" and "Umnugovi" all fold to
// "omnogovi"; "Замын-Үүд", "Zamiin-Uud", "Zamyn-Üüd" and "Zamin Uud" to "zamin od".
//
// The rules, applied to lower-case text:
//   - Cyrillic letters become Latin (х → h, ц → ts, ч → ch, ш and щ → sh, ж → j,
//     я → ia, ю → io, ё → io, ь → i, ъ → nothing);
//   - keyboard stand-ins count as the letters they stand for: Є and Ѳ for Ө, Ї for Ү, and a
//     Latin V next to Cyrillic letters for Ү;
//   - diacritics go (ö → o, ü → u);
//   - the romanisations' variants meet: o, u, ө, ү are one vowel "o"; y is i; kh is h;
//     zh is j; w and b are v (Govi, Gobi); c not before h is ts;
//   - a letter repeated is written once (ii → i, uu → u, tt → t);
//   - anything but letters and digits separates words, written with one space.
//
// It is deliberately coarse: a search must find the place a person means however they
// type it, and the engines also match the unfolded text, which ranks exact spellings first.
func Fold(s string) string {
	rs := []rune(strings.ToLower(s))
	var b strings.Builder
	b.Grow(len(s))
	var last rune // the last letter written, for collapsing repeats
	space := false
	emit := func(out string) {
		for _, r := range out {
			if r == last && r != ' ' {
				continue
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			last = r
		}
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case unicode.Is(unicode.Mn, r):
			// A combining diacritic: ö written as o + U+0308.
			continue
		case r == 'v' && cyrillicWord(rs, i):
			emit("o") // Latin V typed for Ү inside a Cyrillic word
		case isCyrillic(r):
			emit(cyrillic(r))
		case unicode.IsLetter(r) && r < 0x250:
			switch {
			case r == 'k' && next == 'h':
				emit("h")
				i++
			case r == 'z' && next == 'h':
				emit("j")
				i++
			case r == 'c' && next == 'h':
				emit("ch")
				i++
			case r == 'c':
				emit("ts")
			default:
				emit(latin(r))
			}
		case unicode.IsDigit(r):
			emit(string(r))
		case unicode.IsLetter(r):
			emit(string(r)) // another script: kept as it is
		default:
			space, last = true, 0
		}
	}
	return b.String()
}

// cyrillicWord reports whether the word around rs[i] has a Cyrillic letter.
func cyrillicWord(rs []rune, i int) bool {
	for j := i; j >= 0 && unicode.IsLetter(rs[j]); j-- {
		if isCyrillic(rs[j]) {
			return true
		}
	}
	for j := i; j < len(rs) && unicode.IsLetter(rs[j]); j++ {
		if isCyrillic(rs[j]) {
			return true
		}
	}
	return false
}

// isCyrillic reports a Cyrillic letter, the stand-ins included.
func isCyrillic(r rune) bool { return r >= 0x400 && r <= 0x52F }

// latin folds one Latin letter, with its diacritics.
func latin(r rune) string {
	switch r {
	case 'o', 'u', 'ö', 'ü', 'ó', 'ò', 'ô', 'ő', 'ű', 'ú', 'ù', 'û', 'ø':
		return "o"
	case 'y', 'ý', 'ÿ', 'í', 'ì', 'î', 'ï':
		return "i"
	case 'w', 'b':
		return "v"
	case 'á', 'à', 'â', 'ä', 'ã', 'å', 'ā':
		return "a"
	case 'é', 'è', 'ê', 'ë', 'ē':
		return "e"
	case 'ç':
		return "ts"
	case 'ñ':
		return "n"
	case 'š':
		return "sh"
	case 'ž':
		return "j"
	case 'č':
		return "ch"
	}
	if r >= 'a' && r <= 'z' {
		return string(r)
	}
	return string(r)
}

// cyrillic folds one lower-case Cyrillic letter.
func cyrillic(r rune) string {
	switch r {
	case 'а':
		return "a"
	case 'б', 'в':
		return "v"
	case 'г':
		return "g"
	case 'д':
		return "d"
	case 'е', 'э':
		return "e"
	case 'ё', 'ю':
		return "io"
	case 'ж':
		return "j"
	case 'з':
		return "z"
	case 'и', 'й', 'ы', 'ь', 'і':
		return "i"
	case 'к':
		return "k"
	case 'л':
		return "l"
	case 'м':
		return "m"
	case 'н':
		return "n"
	case 'о', 'ө', 'у', 'ү', 'є', 'ѳ', 'ї', 'ұ', 'ә':
		return "o"
	case 'п':
		return "p"
	case 'р':
		return "r"
	case 'с':
		return "s"
	case 'т':
		return "t"
	case 'ф':
		return "f"
	case 'х', 'һ':
		return "h"
	case 'ц':
		return "ts"
	case 'ч':
		return "ch"
	case 'ш', 'щ':
		return "sh"
	case 'ъ':
		return ""
	case 'я':
		return "ia"
	}
	return string(r)
}

// FoldQuery folds a query as Fold does, and drops what an engine could read as syntax.
func FoldQuery(q string) string { return Fold(q) }
