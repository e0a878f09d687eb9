package content

import (
	"html"
	"reflect"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

// testRevision renders body into a revision, as publishing does.
func testRevision(t *testing.T, body string) *portal.Revision {
	t.Helper()
	r := mustRender(t, NewRenderer(), body)
	return &portal.Revision{Body: body, HTML: r.HTML, TOC: r.TOC, Blocks: r.Blocks, Words: r.Words}
}

// diffLine is a compact form of a DiffBlock for comparing in tests: its spans as
// spansText writes them.
type diffLine struct {
	Op   DiffOp
	HTML string
}

// spansText writes spans as a page shows them, a space between, escaped, with <ins> and
// <del> around inserted and deleted words.
func spansText(spans []DiffSpan) string {
	var parts []string
	for _, s := range spans {
		t := html.EscapeString(s.Text)
		switch s.Op {
		case DiffInsert:
			t = "<ins>" + t + "</ins>"
		case DiffDelete:
			t = "<del>" + t + "</del>"
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, " ")
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     []diffLine
		stats    DiffStats
	}{
		{"unchanged", "# T\n\nOne.\n\nTwo.", "# T\n\nOne.\n\nTwo.",
			[]diffLine{{DiffEqual, "T"}, {DiffEqual, "One."}, {DiffEqual, "Two."}},
			DiffStats{Unchanged: 3}},
		{"insertion", "One.\n\nThree.", "One.\n\nTwo new words.\n\nThree.",
			[]diffLine{{DiffEqual, "One."}, {DiffInsert, "<ins>Two new words.</ins>"}, {DiffEqual, "Three."}},
			DiffStats{Inserted: 1, Unchanged: 2, WordsInserted: 3}},
		{"deletion", "One.\n\nTwo old.\n\nThree.", "One.\n\nThree.",
			[]diffLine{{DiffEqual, "One."}, {DiffDelete, "<del>Two old.</del>"}, {DiffEqual, "Three."}},
			DiffStats{Deleted: 1, Unchanged: 2, WordsDeleted: 2}},
		{"change with word diff",
			"Companies check the documents of drivers every month.",
			"Companies check the documents and wages of truck drivers every week.",
			[]diffLine{{DiffChange, "Companies check the documents <ins>and wages</ins> of <ins>truck</ins> drivers every <del>month.</del> <ins>week.</ins>"}},
			DiffStats{Changed: 1, WordsInserted: 4, WordsDeleted: 1}},
		{"dissimilar blocks are not paired", "Apples grow on trees.", "Coal is mined in the Gobi.",
			[]diffLine{{DiffDelete, "<del>Apples grow on trees.</del>"}, {DiffInsert, "<ins>Coal is mined in the Gobi.</ins>"}},
			DiffStats{Inserted: 1, Deleted: 1, WordsInserted: 6, WordsDeleted: 4}},
		{"different kinds are not paired", "- Drivers keep their documents.", "Drivers keep their documents.",
			[]diffLine{{DiffDelete, "<del>Drivers keep their documents.</del>"}, {DiffInsert, "<ins>Drivers keep their documents.</ins>"}},
			DiffStats{Inserted: 1, Deleted: 1, WordsInserted: 4, WordsDeleted: 4}},
		{"escaping", "Use `<b>` tags & \"quotes\" here.", "Use `<b>` tags & \"quotes\" there.",
			[]diffLine{{DiffChange, "Use &lt;b&gt; tags &amp; “quotes” <del>here.</del> <ins>there.</ins>"}},
			DiffStats{Changed: 1, WordsInserted: 1, WordsDeleted: 1}},
		{"from nothing", "", "New.",
			[]diffLine{{DiffInsert, "<ins>New.</ins>"}},
			DiffStats{Inserted: 1, WordsInserted: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, stats := Diff(testRevision(t, tt.from), testRevision(t, tt.to))
			var lines []diffLine
			for _, b := range got {
				lines = append(lines, diffLine{b.Op, spansText(b.Spans)})
			}
			if !reflect.DeepEqual(lines, tt.want) {
				t.Errorf("Diff:\n got %q\nwant %q", lines, tt.want)
			}
			if tt.stats != (DiffStats{}) && stats != tt.stats {
				t.Errorf("stats = %+v, want %+v", stats, tt.stats)
			}
		})
	}
}

// TestDiffKeepsText checks that markup in block text reaches the diff as the text it is
// (the page escapes it), in every kind of diff block.
func TestDiffKeepsText(t *testing.T) {
	from := &portal.Revision{Blocks: []portal.Block{
		{ID: "p-1", Kind: portal.BlockParagraph, Text: "<b>same</b>"},
		{ID: "p-2", Kind: portal.BlockParagraph, Text: "<script>gone</script>"},
		{ID: "p-3", Kind: portal.BlockParagraph, Text: "a <i>b</i> c d"},
	}}
	to := &portal.Revision{Blocks: []portal.Block{
		{ID: "p-1", Kind: portal.BlockParagraph, Text: "<b>same</b>"},
		{ID: "p-4", Kind: portal.BlockParagraph, Text: "a <i>b</i> c <img>"},
		{ID: "p-5", Kind: portal.BlockParagraph, Text: "<script>new</script> entirely different"},
	}}
	got, _ := Diff(from, to)
	var ids, texts []string
	for _, b := range got {
		ids = append(ids, string(b.Op)+":"+b.ID)
		texts = append(texts, spansText(b.Spans))
	}
	if want := "equal:p-1 delete:p-2 change:p-4 insert:p-5"; strings.Join(ids, " ") != want {
		t.Errorf("diff = %s, want %s", strings.Join(ids, " "), want)
	}
	want := []string{"&lt;b&gt;same&lt;/b&gt;", "<del>&lt;script&gt;gone&lt;/script&gt;</del>",
		"a &lt;i&gt;b&lt;/i&gt; c <del>d</del> <ins>&lt;img&gt;</ins>", "<ins>&lt;script&gt;new&lt;/script&gt; entirely different</ins>"}
	if !reflect.DeepEqual(texts, want) {
		t.Errorf("texts\n got %q\nwant %q", texts, want)
	}
}

func TestDiffLargeRewrite(t *testing.T) {
	from, to := testRevision(t, longDocument(3000)), testRevision(t, strings.ReplaceAll(longDocument(3000), "drivers", "operators"))
	got, stats := Diff(from, to)
	if stats.Changed == 0 || stats.Unchanged == 0 {
		t.Errorf("stats = %+v, want both changed and unchanged blocks", stats)
	}
	if len(got) != stats.Changed+stats.Unchanged+stats.Inserted+stats.Deleted {
		t.Errorf("%d blocks, stats %+v", len(got), stats)
	}
}

func BenchmarkDiff(b *testing.B) {
	r := NewRenderer()
	from, _ := r.Render(longDocument(3000))
	to, _ := r.Render(strings.ReplaceAll(longDocument(3000), "every case", "each case"))
	fr, tr := &portal.Revision{Blocks: from.Blocks}, &portal.Revision{Blocks: to.Blocks}
	b.ReportAllocs()
	for b.Loop() {
		Diff(fr, tr)
	}
}
