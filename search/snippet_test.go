package search_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
)

type parts = []portal.SnippetPart

// folded matches the words whose fold is the fold of one of words, in any script.
func folded(words ...string) func(string) bool {
	set := map[string]bool{}
	for _, w := range words {
		set[search.Fold(w)] = true
	}
	return func(w string) bool { return set[search.Fold(w)] }
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("word ", 40) + "Өмнөговь " + strings.Repeat("tail ", 40)
	noSpace := strings.Repeat("ab,", 100) + "shelter" + strings.Repeat(",ab", 100)
	longWord := strings.Repeat("а", 300) // Cyrillic
	for _, tt := range []struct {
		name, body string
		match      func(string) bool
		want       parts
	}{{
		name: "an empty body", body: "", match: folded("x"), want: nil,
	}, {
		name: "a blank body", body: " \n\t\x00 ", match: folded("x"), want: nil,
	}, {
		name:  "every spelling of a matched word, white space squeezed",
		body:  "Shelter in Өмнөговь (Umnugovi),\n\n  open \t daily.\r\n",
		match: folded("omnogovi"),
		want:  parts{{Text: "Shelter in "}, {Text: "Өмнөговь", Match: true}, {Text: " ("}, {Text: "Umnugovi", Match: true}, {Text: "), open daily."}},
	}, {
		name:  "Cyrillic and Latin words of one body",
		body:  "Хамгаалах байр, Dalanzadgad; Даланзадгад сум.",
		match: folded("dalanzadgad", "байр"),
		want: parts{
			{Text: "Хамгаалах "}, {Text: "байр", Match: true}, {Text: ", "}, {Text: "Dalanzadgad", Match: true},
			{Text: "; "}, {Text: "Даланзадгад", Match: true}, {Text: " сум."},
		},
	}, {
		name:  "no match: the start of the body, cut after a word",
		body:  "  " + long,
		match: folded("nothing"),
		want:  parts{{Text: strings.TrimSpace(strings.Repeat("word ", 32)) + "…"}},
	}, {
		name:  "no matcher: the start of the body",
		body:  "Open daily.",
		match: nil,
		want:  parts{{Text: "Open daily."}},
	}, {
		name:  "no words at all: the first runes",
		body:  strings.Repeat("-=", 100),
		match: folded("x"),
		want:  parts{{Text: strings.Repeat("-=", 80) + "…"}},
	}, {
		name:  "a match deep in a long body: a window starting a little before it",
		body:  long,
		match: folded("Omnogovi"),
		want: parts{
			{Text: "…" + strings.Repeat("word ", 6)},
			{Text: "Өмнөговь", Match: true},
			{Text: " " + strings.TrimSpace(strings.Repeat("tail ", 24)) + "…"},
		},
	}, {
		name:  "a match near the end: the window ends with the body and takes more before",
		body:  strings.Repeat("word ", 40) + "Өмнөговь.",
		match: folded("omnogovi"),
		want: parts{
			{Text: "…" + strings.Repeat("word ", 30)},
			{Text: "Өмнөговь", Match: true},
			{Text: "."},
		},
	}, {
		name:  "matches far apart: the first",
		body:  "Shelter " + strings.Repeat("word ", 60) + "shelter",
		match: folded("shelter"),
		want: parts{
			{Text: "Shelter", Match: true},
			{Text: " " + strings.TrimSpace(strings.Repeat("word ", 30)) + "…"},
		},
	}, {
		name:  "a start moved back to white space, not inside alert(1)",
		body:  strings.Repeat("word ", 20) + "alert(1) " + strings.Repeat("to ", 8) + "shelter " + strings.Repeat("tail ", 40),
		match: folded("shelter"),
		want: parts{
			{Text: "…alert(1) " + strings.Repeat("to ", 8)},
			{Text: "shelter", Match: true},
			{Text: " " + strings.TrimSpace(strings.Repeat("tail ", 25)) + "…"},
		},
	}, {
		name:  "an end moved on to white space, not after alert",
		body:  "shelter " + strings.Repeat("to ", 49) + "alert(1) " + strings.Repeat("word ", 20),
		match: folded("shelter"),
		want: parts{
			{Text: "shelter", Match: true},
			{Text: " " + strings.Repeat("to ", 49) + "alert(1)…"},
		},
	}, {
		name:  "no white space: cut between words",
		body:  noSpace,
		match: folded("shelter"),
		want: parts{
			{Text: "…" + strings.Repeat("ab,", 10)},
			{Text: "shelter", Match: true},
			{Text: strings.Repeat(",ab", 41) + "…"},
		},
	}, {
		name:  "a short tail without words is kept, trailing white space is no cut",
		body:  "The shelter (open daily) . . !  \n\n ",
		match: folded("shelter"),
		want:  parts{{Text: "The "}, {Text: "shelter", Match: true}, {Text: " (open daily) . . !"}},
	}, {
		name:  "a word longer than the window, unmatched: cut",
		body:  longWord + " shelter",
		match: folded("nothing"),
		want:  parts{{Text: strings.Repeat("а", 200) + "…"}},
	}, {
		name:  "a word longer than the window, matched: cut, marked",
		body:  "Intro text. " + longWord + " after.",
		match: func(w string) bool { return w == longWord },
		want:  parts{{Text: "…"}, {Text: strings.Repeat("а", 200), Match: true}, {Text: "…"}},
	}, {
		name:  "a word longer than the window before the match: left out",
		body:  longWord + " shelter is here.",
		match: folded("shelter"),
		want:  parts{{Text: "…"}, {Text: "shelter", Match: true}, {Text: " is here."}},
	}, {
		name:  "markup is text, never a match",
		body:  `Beware <script>alert(1)</script> & <b>bold</b> shelter "quotes".`,
		match: folded("shelter"),
		want:  parts{{Text: `Beware <script>alert(1)</script> & <b>bold</b> `}, {Text: "shelter", Match: true}, {Text: ` "quotes".`}},
	}, {
		name:  "sentinels and tags in a body forge nothing",
		body:  "\ue000fake\ue001 and <mark>forged</mark>\x1b[1m then a shelter.",
		match: folded("shelter"),
		want:  parts{{Text: "\ue000fake\ue001 and <mark>forged</mark> [1m then a "}, {Text: "shelter", Match: true}, {Text: "."}},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			if got := search.Snippet(tt.body, tt.match); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Snippet =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// The window with the most distinct matched words wins, not the first match nor the most
// repeated word.
func TestSnippetDensestWindow(t *testing.T) {
	body := "The shelter is open. Shelter, shelter, shelter. " + strings.Repeat("Members asked about the budget. ", 8) +
		"A warm meal and a warm shelter at night."
	got := search.Snippet(body, folded("warm", "shelter"))
	if m := marked(got); !slices.Equal(m, []string{"warm", "warm", "shelter"}) {
		t.Errorf("Snippet marks %q, want the window with warm and shelter", m)
	}
	if text := snippetText(got); !strings.HasPrefix(text, "…") || !strings.HasSuffix(text, "at night.") {
		t.Errorf("Snippet = %q, want a cut start and the body's end", text)
	}
}

// A long body is searched for matches in its first 16 KiB only, and its snippet is about
// 160 runes wherever the match is.
func TestSnippetLongBody(t *testing.T) {
	filler := strings.Repeat("The council met and discussed the roads. ", 2000) // 82,000 bytes
	for _, tt := range []struct {
		name, body string
		marked     []string
	}{
		{"a match early", "Budget. A new shelter opened. " + filler, []string{"shelter"}},
		{"a match within the first 16 KiB", filler[:10000] + " A new shelter opened. " + filler, []string{"shelter"}},
		{"a match past the first 16 KiB", filler + " A new shelter opened.", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := search.Snippet(tt.body, folded("shelter"))
			if m := marked(got); !slices.Equal(m, tt.marked) {
				t.Errorf("Snippet marks %q, want %q", m, tt.marked)
			}
			if n := utf8.RuneCountInString(snippetText(got)); n < 120 || n > 200 {
				t.Errorf("Snippet has %d runes, want about 160", n)
			}
		})
	}
}

func BenchmarkSnippet(b *testing.B) {
	body := strings.Repeat("The council met and discussed the roads of Өмнөговь. ", 30) +
		"A warm meal and a warm shelter at night in Dalanzadgad. " + strings.Repeat("Members asked about the budget. ", 30)
	match := folded("shelter", "Umnugovi", "Даланзадгад")
	for b.Loop() {
		search.Snippet(body, match)
	}
}

// FuzzSnippet checks what any snippet guarantees: parts that are not empty and alternate,
// text taken from the body as it is (white space squeezed), bounded, and marks only on
// whole matched words (or the start of a word longer than a snippet).
func FuzzSnippet(f *testing.F) {
	for _, s := range []string{
		"Shelter in Өмнөговь (Umnugovi), open daily.",
		"\ue000fake\ue001 <mark>forged</mark> shelter",
		strings.Repeat("ab,", 100) + "shelter",
		"  \n\x00 ",
		strings.Repeat("а", 300) + " shelter",
	} {
		f.Add(s)
	}
	match := func(w string) bool { return strings.ContainsAny(w, "aeаш") }
	f.Fuzz(func(t *testing.T, body string) {
		if !utf8.ValidString(body) {
			return
		}
		got := search.Snippet(body, match)
		for i, p := range got {
			if p.Text == "" {
				t.Fatalf("Snippet(%q) = %+v: an empty part", body, got)
			}
			if i > 0 && !p.Match && !got[i-1].Match {
				t.Fatalf("Snippet(%q) = %+v: two plain parts in a row", body, got)
			}
			if p.Match && (strings.IndexFunc(p.Text, notWord) >= 0 ||
				!match(p.Text) && utf8.RuneCountInString(p.Text) < 160) {
				t.Fatalf("Snippet(%q) = %+v: %q marked", body, got, p.Text)
			}
		}
		text := strings.TrimPrefix(snippetText(got), "…")
		if squeezed := strings.Join(strings.FieldsFunc(body, space), " "); !strings.Contains(squeezed, strings.TrimSuffix(text, "…")) {
			t.Fatalf("Snippet(%q) = %+v: not the body's text", body, got)
		}
		if n := utf8.RuneCountInString(text); n > 201 {
			t.Fatalf("Snippet(%q) has %d runes", body, n)
		}
	})
}

func notWord(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
}

func space(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// snippetText joins the parts of a snippet.
func snippetText(ps parts) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Text)
	}
	return b.String()
}

// marked returns the matched parts of a snippet, lower-cased.
func marked(ps parts) []string {
	var out []string
	for _, p := range ps {
		if p.Match {
			out = append(out, strings.ToLower(p.Text))
		}
	}
	return out
}
