package search

import (
	"testing"
	"unicode"
)

// isWordRune's shortcuts for ASCII and Cyrillic agree with Unicode's tables.
func TestIsWordRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if got := isWordRune(r); got != want {
			t.Fatalf("isWordRune(%U) = %v, want %v", r, got, want)
		}
	}
}
