package meili

import (
	"reflect"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
)

type parts = []portal.SnippetPart

func TestParseHighlight(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want parts
	}{
		{"", nil},
		{"plain <em>text</em>", parts{{Text: "plain <em>text</em>"}}},
		{"a \uE000b\uE001 c", parts{{Text: "a "}, {Text: "b", Match: true}, {Text: " c"}}},
		{"\uE000a\uE001\uE000b\uE001", parts{{Text: "ab", Match: true}}},
		{"\uE000\uE001x", parts{{Text: "x"}}},
		{"a\uE001 b \uE000c", parts{{Text: "a b "}, {Text: "c", Match: true}}}, // a stray close, an open mark
		{"\uE000a\uE000b\uE001", parts{{Text: "ab", Match: true}}},
		{"<script>\uE000x\uE001", parts{{Text: "<script>"}, {Text: "x", Match: true}}}, // text, never markup
	} {
		if got := parseHighlight(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseHighlight(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestMarkedWords(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"hamgalah vair \uE000omnogovi\uE001 aimag", []string{"omnogovi"}},
		{"to \uE000omno\uE001govi and \uE000zamin\uE001 od", []string{"omnogovi", "zamin"}},
		{"\uE000olan vator\uE001 city", []string{"olan", "vator"}}, // a multi-word synonym
		{"nothing marked", nil},
	} {
		got := markedWords(parseHighlight(tt.in))
		want := map[string]bool{}
		for _, w := range tt.want {
			want[w] = true
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("markedWords(%q) = %v, want %v", tt.in, got, want)
		}
	}
}

// isMarked marks a body's word when its fold is what Meilisearch marked in the folded
// body: every spelling of the word. The cutting is search.Snippet's, tested there.
func TestIsMarked(t *testing.T) {
	marked := markedWords(parseHighlight("hamgalah vair \uE000omnogovi\uE001 aimag"))
	body := "Shelter in Өмнөговь (Umnugovi),\n\n  open  daily."
	want := parts{{Text: "Shelter in "}, {Text: "Өмнөговь", Match: true}, {Text: " ("}, {Text: "Umnugovi", Match: true}, {Text: "), open daily."}}
	if got := search.Snippet(body, isMarked(marked)); !reflect.DeepEqual(got, want) {
		t.Errorf("Snippet =\n%+v\nwant\n%+v", got, want)
	}
	if isMarked(nil) != nil || isMarked(map[string]bool{}) != nil {
		t.Error("isMarked of no words is not nil")
	}
}
