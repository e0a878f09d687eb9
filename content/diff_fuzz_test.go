package content

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

// FuzzDiff checks, for any two Markdown bodies, that the diff never panics and accounts
// for both revisions: every block of each is in it once (kept, changed, or deleted and
// inserted), the words on each side of every block and table are that revision's words,
// every row of a table has a cell per column, and Nest lays out every block once, in
// order. Seeds: testdata/fuzz/FuzzDiff, the golden inputs, and the starter guidelines'
// revisions one after the other.
func FuzzDiff(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/golden/*.md")
	var prev string
	for _, in := range inputs {
		if b, err := os.ReadFile(in); err == nil {
			f.Add(prev, string(b))
			prev = string(b)
		}
	}
	for _, g := range []string{"truck-drivers", "migrant-workers", "contractor-code"} {
		for _, lang := range []string{"en", "mn"} {
			one, err1 := fs.ReadFile(Starter(), "guidelines/"+g+"/"+lang+".1.md")
			two, err2 := fs.ReadFile(Starter(), "guidelines/"+g+"/"+lang+".2.md")
			if err1 == nil && err2 == nil {
				f.Add(string(one), string(two))
			}
		}
	}
	r := NewRenderer()
	f.Fuzz(func(t *testing.T, from, to string) {
		a, errA := r.Render(from)
		b, errB := r.Render(to)
		if errA != nil || errB != nil {
			return // nested too deeply: never stored
		}
		ra := &portal.Revision{Body: from, Blocks: a.Blocks}
		rb := &portal.Revision{Body: to, Blocks: b.Blocks}
		blocks, stats := Diff(ra, rb)
		if stats.Unchanged+stats.Changed+stats.Deleted != len(a.Blocks) || stats.Unchanged+stats.Changed+stats.Inserted != len(b.Blocks) ||
			len(blocks) != stats.Unchanged+stats.Changed+stats.Deleted+stats.Inserted {
			t.Fatalf("stats %+v for %d and %d blocks, %d in the diff", stats, len(a.Blocks), len(b.Blocks), len(blocks))
		}
		oldTexts, newTexts := map[string]int{}, map[string]string{}
		for _, bl := range a.Blocks {
			oldTexts[strings.Join(strings.Fields(bl.Text), " ")]++
		}
		for _, bl := range b.Blocks {
			newTexts[bl.ID] = strings.Join(strings.Fields(bl.Text), " ")
		}
		for _, d := range blocks {
			oldSide, newSide := sideWords(d)
			if d.Op != DiffInsert && oldTexts[oldSide] == 0 {
				t.Errorf("%s %s: its older words %q are no block of the older revision", d.Op, d.ID, oldSide)
			}
			if d.Op != DiffDelete && newTexts[d.ID] != newSide {
				t.Errorf("%s %s: its newer words %q, the block's %q", d.Op, d.ID, newSide, newTexts[d.ID])
			}
			if d.Table != nil {
				for _, row := range d.Table.Rows {
					if len(row.Cells) != len(d.Table.Head.Cells) {
						t.Errorf("%s %s: a row of %d cells under %d columns", d.Op, d.ID, len(row.Cells), len(d.Table.Head.Cells))
					}
				}
			}
		}
		var laid []*DiffBlock
		var list func(l *DiffList)
		list = func(l *DiffList) {
			for _, it := range l.Items {
				laid = append(laid, it.DiffBlock)
				for _, sub := range it.Lists {
					list(sub)
				}
			}
		}
		for _, p := range Nest(blocks) {
			if p.List != nil {
				list(p.List)
			} else {
				laid = append(laid, p.Block)
			}
		}
		if len(laid) != len(blocks) || slices.ContainsFunc(laid, func(b *DiffBlock) bool { return b == nil }) {
			t.Fatalf("Nest laid out %d of %d blocks", len(laid), len(blocks))
		}
		for i := range blocks {
			if laid[i] != &blocks[i] {
				t.Fatalf("Nest moved block %d", i)
			}
		}
	})
}

// sideWords returns the words of the older and the newer side of a diff block: its spans
// (or its table's cells, row by row) but the inserted ones, and but the deleted ones.
func sideWords(d DiffBlock) (older, newer string) {
	var o, n []string
	add := func(spans []DiffSpan) {
		for _, s := range spans {
			if s.Op != DiffInsert {
				o = append(o, s.Text)
			}
			if s.Op != DiffDelete {
				n = append(n, s.Text)
			}
		}
	}
	if d.Table != nil {
		for _, row := range append([]DiffRow{d.Table.Head}, d.Table.Rows...) {
			for _, c := range row.Cells {
				add(c.Spans)
			}
		}
	} else {
		add(d.Spans)
	}
	return strings.Join(strings.Fields(strings.Join(o, " ")), " "), strings.Join(strings.Fields(strings.Join(n, " ")), " ")
}
