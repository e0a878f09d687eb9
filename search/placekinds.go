package search

import (
	"strings"
	"unicode/utf8"

	"github.com/gobidialogue/portal"
)

// People type a place with its kind: "Өмнөговь аймаг", "Omnogovi province", "Сүхбаатар
// дүүрэг", "Dalanzadgad city". Records name the places, not their kinds (a guideline
// paragraph says "Өмнөговь" and nothing else), so a query keeps the kind word only at the
// price of finding less than the place alone. PlaceKinds drops it.

// placeKind is a kind of place, as a bit: a spelling two places share has both kinds.
type placeKind uint8

const (
	kindAimag    placeKind = 1 << iota // a province
	kindSoum                           // a soum of a province
	kindDistrict                       // a district of Ulaanbaatar
	kindCity                           // Ulaanbaatar, or a soum's centre
)

// capitalID is the gazetteer's id of Ulaanbaatar, the aimag whose soums are districts.
const capitalID = "ulaanbaatar"

// kindWords are the words that name a kind of place, in both scripts: the nominative and
// the genitive ("Өмнөговь аймгийн") in Cyrillic, and the words English and the common
// romanisations use. They are compared folded, so "aymag", "sumyn" and "khot" are among
// them too.
var kindWords = map[placeKind][]string{
	kindAimag:    {"аймаг", "аймгийн", "aimag", "aimgiin", "province"},
	kindSoum:     {"сум", "сумын", "soum", "sum"},
	kindDistrict: {"дүүрэг", "дүүргийн", "district"},
	kindCity:     {"хот", "хотын", "city"},
}

// PlaceKinds knows the places of a gazetteer in every spelling, folded, with their kinds.
// It is safe for concurrent use.
type PlaceKinds struct {
	places   map[string]placeKind // a folded spelling (words joined by a space) → kinds
	kinds    map[string]placeKind // a folded kind word → the kinds it names
	maxWords int                  // the most words of a spelling
}

// NewPlaceKinds reads the places of g: an aimag is a province, Ulaanbaatar a city; a soum
// of a province is a soum and a town, one of Ulaanbaatar a district.
func NewPlaceKinds(g *portal.Gazetteer) *PlaceKinds {
	p := &PlaceKinds{places: map[string]placeKind{}, kinds: map[string]placeKind{}}
	for kind, words := range kindWords {
		for _, w := range words {
			p.kinds[Fold(w)] |= kind
		}
	}
	add := func(name portal.Text, aliases []string, kind placeKind) {
		for _, n := range placeNames(name, aliases) {
			if f := Fold(n); f != "" {
				p.places[f] |= kind
				p.maxWords = max(p.maxWords, strings.Count(f, " ")+1)
			}
		}
	}
	if g == nil {
		return p
	}
	for _, a := range g.Aimags {
		aimag, soum := kindAimag, kindSoum|kindCity
		if a.ID == capitalID {
			aimag, soum = kindCity, kindDistrict
		}
		add(a.Name, a.Aliases, aimag)
		for _, s := range a.Soums {
			add(s.Name, s.Aliases, soum)
		}
	}
	return p
}

// Strip returns text without the words that name a kind of place next to a place of that
// kind: after it anywhere ("Өмнөговь аймаг", "shelter Sukhbaatar district"), or before it
// at the start ("аймаг Өмнөговь"). Places and kind words are compared folded, so every
// spelling and script meets any other. A kind word that names no place of its kind next to
// it stays: "хот" alone, "Сүхбаатар аймаг" (the gazetteer's Sükhbaatar is a district),
// "city hall". The words kept are as typed, with single spaces between them.
func (p *PlaceKinds) Strip(text string) string {
	if p == nil || len(p.places) == 0 {
		return text
	}
	words := splitWords(text)
	folded := make([]string, len(words))
	hasKind := false
	for i, w := range words {
		folded[i] = Fold(w)
		hasKind = hasKind || p.kinds[folded[i]] != 0
	}
	if !hasKind {
		return text
	}
	drop := make([]bool, len(words))
	for i, f := range folded {
		kind := p.kinds[f]
		if kind == 0 {
			continue
		}
		for n := 1; n <= p.maxWords && !drop[i]; n++ {
			after := i-n >= 0 && p.places[strings.Join(folded[i-n:i], " ")]&kind != 0
			before := i == 0 && 1+n <= len(folded) && p.places[strings.Join(folded[1:1+n], " ")]&kind != 0
			drop[i] = after || before
		}
	}
	kept := make([]string, 0, len(words))
	for i, w := range words {
		if !drop[i] {
			kept = append(kept, w)
		}
	}
	if len(kept) == len(words) {
		return text
	}
	return strings.Join(kept, " ")
}

// splitWords splits text into its words as Fold reads them: runs of letters, digits and
// combining marks; a hyphen or an apostrophe between letters joins a word ("Замын-Үүд",
// "Khan-Uul"), as a place name writes it.
func splitWords(text string) []string {
	var words []string
	start := -1
	for i, r := range text {
		switch {
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case (r == '-' || r == '\'') && start >= 0 && nextIsWordRune(text[i+utf8.RuneLen(r):]):
			// inside a word
		default:
			if start >= 0 {
				words = append(words, text[start:i])
				start = -1
			}
		}
	}
	if start >= 0 {
		words = append(words, text[start:])
	}
	return words
}

func nextIsWordRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && isWordRune(r)
}
