package search_test

import (
	"testing"

	"github.com/gobidialogue/portal/search"
)

func TestFoldSpellingsMeet(t *testing.T) {
	groups := [][]string{
		{"Өмнөговь", "Ömnögovi", "Omnogovi", "Umnugovi", "ӨМНӨГОВЬ", "Ємнєговь", "Ѳмнѳговь", "Omnögovi", "Ömnögobi"},
		{"Замын-Үүд", "Zamiin-Uud", "Zamyn-Üüd", "Zamin Uud", "Замын Vvд", "Замын-Їїд", "zamiin uud"},
		{"Дорноговь", "Dornogovi", "Dornogobi"},
		{"Даланзадгад", "Dalanzadgad"},
		{"Ханбогд", "Khanbogd", "Hanbogd"},
		{"Цогтцэций", "Tsogttsetsii", "Cogtcecii"},
		{"Сайншанд", "Sainshand", "Saynshand"},
		{"Улаанбаатар", "Ulaanbaatar"},
		{"Хамгаалах байр", "Khamgaalakh bair", "hamgaalah bair"},
	}
	for _, g := range groups {
		want := search.Fold(g[0])
		for _, s := range g[1:] {
			if got := search.Fold(s); got != want {
				t.Errorf("Fold(%q) = %q, but Fold(%q) = %q", s, got, g[0], want)
			}
		}
	}
	if got := search.Fold("Замын-Үүд"); got != "zamin od" {
		t.Errorf("Fold(Замын-Үүд) = %q", got)
	}
	if got := search.Fold("Өмнөговь"); got != "omnogovi" {
		t.Errorf("Fold(Өмнөговь) = %q", got)
	}
}

func TestFoldKeepsWordsApart(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"  shelter, Umnugovi!  ", "shelter omnogovi"},
		{`"a" * b: (c) -d [e]`, "a v ts d e"},
		{"108 утас", "108 otas"},
		{"中文 text", "中文 text"},
		{"\x00\x01 bad\u200bword", "vad vord"},
	} {
		if got := search.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Өмнөговь", "Zamyn-Üüd", "Khanbogd", "a\u0308b", "Vv"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := search.Fold(s)
		if twice := search.Fold(once); twice != once {
			t.Fatalf("Fold is not idempotent on %q: %q then %q", s, once, twice)
		}
	})
}
