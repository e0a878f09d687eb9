package meili

import (
	"reflect"
	"strings"
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

func TestSnippet(t *testing.T) {
	marked := func(ws ...string) map[string]bool {
		m := map[string]bool{}
		for _, w := range ws {
			m[search.Fold(w)] = true
		}
		return m
	}
	long := strings.Repeat("word ", 40) + "Өмнөговь " + strings.Repeat("tail ", 40)
	for _, tt := range []struct {
		name, body string
		marked     map[string]bool
		want       parts
	}{{
		name:   "every spelling of a marked word",
		body:   "Shelter in Өмнөговь (Umnugovi),\n\n  open  daily.",
		marked: marked("omnogovi"),
		want:   parts{{Text: "Shelter in "}, {Text: "Өмнөговь", Match: true}, {Text: " ("}, {Text: "Umnugovi", Match: true}, {Text: "), open daily."}},
	}, {
		name:   "no marks: the start of the body",
		body:   "  " + long,
		marked: nil,
		want:   parts{{Text: strings.TrimSpace(strings.Repeat("word ", 30)) + "…"}},
	}, {
		name:   "a match deep in a long body: a window around it",
		body:   long,
		marked: marked("Omnogovi"),
		want: parts{
			{Text: "…" + strings.Repeat("word ", cropLead)},
			{Text: "Өмнөговь", Match: true},
			{Text: " " + strings.TrimSpace(strings.Repeat("tail ", cropWords-cropLead-1)) + "…"},
		},
	}, {
		name:   "a match near the end: the window ends with the body",
		body:   strings.Repeat("word ", 40) + "Өмнөговь.",
		marked: marked("omnogovi"),
		want: parts{
			{Text: "…" + strings.Repeat("word ", cropWords-1)},
			{Text: "Өмнөговь", Match: true},
			{Text: "."},
		},
	}, {
		name: "an empty body", body: " \n ", marked: marked("x"), want: nil,
	}} {
		t.Run(tt.name, func(t *testing.T) {
			if got := snippet(tt.body, tt.marked); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("snippet =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}
