package content

import (
	"strings"

	"github.com/gobidialogue/portal"
)

// DiffOp classifies a block in a diff.
type DiffOp string

// The operations of a diff, as templates and CSS see them.
const (
	DiffEqual  DiffOp = "equal"
	DiffInsert DiffOp = "insert"
	DiffDelete DiffOp = "delete"
	DiffChange DiffOp = "change"
)

// DiffBlock is one block of a revision diff.
type DiffBlock struct {
	Op   DiffOp
	ID   string // block id in the newer revision (the older one for deletes)
	Kind portal.BlockKind
	// Spans is the block's text: one span for a block kept, inserted or deleted whole; the
	// words kept, deleted and inserted for a changed block. A table whose cells are known
	// has Table instead, and no Spans.
	Spans []DiffSpan
	// Item is where a list item sits in its list, when known (Nest builds the lists).
	Item  *DiffItem
	Table *DiffTable
}

// DiffSpan is a run of words of a diff with one operation: DiffEqual (kept), DiffInsert
// or DiffDelete. A page shows the spans of a text one after another, a space between.
type DiffSpan struct {
	Op   DiffOp
	Text string
}

// DiffItem is where a list item sits: Depth 0 is an item of a list at the top of the
// document, 1 one in a list inside an item, and so on; Number is the item's number in an
// ordered list, as the revision it comes from shows it.
type DiffItem struct {
	Depth   int
	Ordered bool
	Number  int
}

// DiffTable is a table of a diff cell by cell: the header row and the body rows, each row
// and cell marked with what happened to it. Rows and columns that were removed are there,
// marked; a removed row has empty cells under a column that was added, and so on.
type DiffTable struct {
	Head DiffRow
	Rows []DiffRow
}

// DiffRow is a row of a DiffTable: DiffEqual, DiffInsert, DiffDelete, or DiffChange when
// some of its cells changed.
type DiffRow struct {
	Op    DiffOp
	Cells []DiffCell
}

// DiffCell is a cell of a DiffRow: kept, inserted or deleted whole (a cell of an added or
// removed row or column, or a cell that was empty or emptied), or changed word by word.
type DiffCell struct {
	Op    DiffOp
	Spans []DiffSpan
}

// DiffStats counts what a diff found: blocks by operation, and words added and removed
// (whole inserted and deleted blocks plus the words changed inside changed blocks).
type DiffStats struct {
	Inserted, Deleted, Changed, Unchanged int
	WordsInserted, WordsDeleted           int
}

// similarEnough is the share of words two blocks must have in common (Dice coefficient)
// to be shown as one changed block rather than a deletion and an insertion.
const similarEnough = 0.5

// pairWindow bounds how many inserted blocks a deleted block is compared with: edits are
// local, and the bound keeps a rewrite of a whole document from costing n² comparisons.
const pairWindow = 10

// Diff compares two revisions block by block. Blocks are aligned on kind and text with a
// longest common subsequence; then, within each run of differing blocks, a deleted block
// and a later inserted block of the same kind that share most of their words are paired
// into one "change" with a word-level diff (a table cell by cell, see tableDiff). List
// items carry their place in their list and tables their cells when the revisions' bodies
// give them. A nil revision counts as empty.
func Diff(from, to *portal.Revision) ([]DiffBlock, DiffStats) {
	var a, b []portal.Block
	var aBody, bBody string
	if from != nil {
		a, aBody = from.Blocks, from.Body
	}
	if to != nil {
		b, bBody = to.Blocks, to.Body
	}
	in := interner{}
	edits := align(in.ids(blockKeys(a)), in.ids(blockKeys(b)))

	d := &differ{a: a, b: b, aShape: shapes(aBody, a), bShape: shapes(bBody, b)}
	var dels, ins []int
	for _, e := range edits {
		switch e.op {
		case DiffDelete:
			dels = append(dels, e.i)
		case DiffInsert:
			ins = append(ins, e.j)
		default:
			d.gap(dels, ins)
			dels, ins = dels[:0], ins[:0]
			d.equal(e.j)
		}
	}
	d.gap(dels, ins)
	return d.out, d.stats
}

func blockKeys(blocks []portal.Block) []string {
	keys := make([]string, len(blocks))
	for i, bl := range blocks {
		keys[i] = string(bl.Kind) + "\x00" + bl.Text
	}
	return keys
}

// differ accumulates the diff of blocks a (older) and b (newer), whose shapes are aShape
// and bShape (nil when unknown).
type differ struct {
	a, b           []portal.Block
	aShape, bShape []blockShape
	out            []DiffBlock
	stats          DiffStats
}

// shape returns the shape of block i of blocks with shapes.
func shape(shapes []blockShape, i int) blockShape {
	if i < len(shapes) {
		return shapes[i]
	}
	return blockShape{}
}

// whole returns a block kept, inserted or deleted whole, with op: its text, or its table
// with every row and cell marked op, and its place in its list.
func whole(op DiffOp, bl portal.Block, sh blockShape) DiffBlock {
	out := DiffBlock{Op: op, ID: bl.ID, Kind: bl.Kind, Item: sh.item}
	if sh.table != nil {
		out.Table = wholeTable(op, sh.table)
	} else {
		out.Spans = spans(op, bl.Text)
	}
	return out
}

func (d *differ) equal(j int) {
	d.stats.Unchanged++
	d.out = append(d.out, whole(DiffEqual, d.b[j], shape(d.bShape, j)))
}

// gap emits a run of deleted blocks (indexes into a) and inserted blocks (into b) that lie
// between two unchanged blocks, pairing similar ones into changes in document order.
func (d *differ) gap(dels, ins []int) {
	di, ii := 0, 0
	for _, p := range pairBlocks(d.a, d.b, dels, ins) {
		d.deleted(dels[di:p[0]])
		d.inserted(ins[ii:p[1]])
		d.changed(dels[p[0]], ins[p[1]])
		di, ii = p[0]+1, p[1]+1
	}
	d.deleted(dels[di:])
	d.inserted(ins[ii:])
}

func (d *differ) deleted(idx []int) {
	for _, i := range idx {
		bl := d.a[i]
		d.stats.Deleted++
		d.stats.WordsDeleted += len(strings.Fields(bl.Text))
		d.out = append(d.out, whole(DiffDelete, bl, shape(d.aShape, i)))
	}
}

func (d *differ) inserted(idx []int) {
	for _, j := range idx {
		bl := d.b[j]
		d.stats.Inserted++
		d.stats.WordsInserted += len(strings.Fields(bl.Text))
		d.out = append(d.out, whole(DiffInsert, bl, shape(d.bShape, j)))
	}
}

// changed emits old block i of a changed into new block j of b: a table cell by cell when
// the cells of both are known, any other block word by word.
func (d *differ) changed(i, j int) {
	old, cur := d.a[i], d.b[j]
	oldShape, curShape := shape(d.aShape, i), shape(d.bShape, j)
	out := DiffBlock{Op: DiffChange, ID: cur.ID, Kind: cur.Kind, Item: curShape.item}
	var added, removed int
	if oldShape.table != nil && curShape.table != nil {
		var t DiffTable
		t, added, removed = tableDiff(oldShape.table, curShape.table)
		out.Table = &t
	} else {
		out.Spans, added, removed = wordDiff(old.Text, cur.Text)
	}
	d.stats.Changed++
	d.stats.WordsInserted += added
	d.stats.WordsDeleted += removed
	d.out = append(d.out, out)
}

// pairBlocks returns pairs of positions (in dels, in ins), increasing in both, of deleted
// and inserted blocks similar enough to show as one change.
func pairBlocks(a, b []portal.Block, dels, ins []int) [][2]int {
	return pairSimilar(len(dels), len(ins), func(x, y int) (string, string, bool) {
		da, ib := a[dels[x]], b[ins[y]]
		return da.Text, ib.Text, da.Kind == ib.Kind
	})
}

// pairSimilar pairs n deleted things with m inserted ones, returning pairs of positions
// increasing in both, of things similar enough to show as one change. Greedy in document
// order: each deleted thing takes the most similar of the next few unpaired inserted
// ones. texts returns the texts of deleted x and inserted y, and whether they may pair
// at all.
func pairSimilar(n, m int, texts func(x, y int) (string, string, bool)) [][2]int {
	var pairs [][2]int
	next := 0
	for x := 0; x < n; x++ {
		best, bestScore := -1, similarEnough
		for y := next; y < m && y < next+pairWindow; y++ {
			tx, ty, ok := texts(x, y)
			if !ok {
				continue
			}
			if s := similarity(tx, ty); s >= bestScore && (best < 0 || s > bestScore) {
				best, bestScore = y, s
			}
		}
		if best >= 0 {
			pairs = append(pairs, [2]int{x, best})
			next = best + 1
		}
	}
	return pairs
}

// similarity is the Dice coefficient of the two texts' words, counted with multiplicity:
// 1 for the same words, 0 for none in common.
func similarity(x, y string) float64 {
	wx, wy := strings.Fields(x), strings.Fields(y)
	if len(wx)+len(wy) == 0 {
		return 1
	}
	count := make(map[string]int, len(wx))
	for _, w := range wx {
		count[w]++
	}
	common := 0
	for _, w := range wy {
		if count[w] > 0 {
			count[w]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(wx)+len(wy))
}

// spans returns text as one span with op; none for an empty text.
func spans(op DiffOp, text string) []DiffSpan {
	if text == "" {
		return nil
	}
	return []DiffSpan{{Op: op, Text: text}}
}

// wordDiff returns the words of cur as spans, marking how they differ from old: each run
// of removed words is one deleted span, followed by the run of added words that replaced
// them as one inserted span; the words between are kept spans.
func wordDiff(old, cur string) (out []DiffSpan, added, removed int) {
	wa, wb := strings.Fields(old), strings.Fields(cur)
	in := interner{}
	edits := align(in.ids(wa), in.ids(wb))
	var kept, dels, ins []string
	flushKept := func() {
		if len(kept) > 0 {
			out = append(out, DiffSpan{Op: DiffEqual, Text: strings.Join(kept, " ")})
			kept = kept[:0]
		}
	}
	flushChange := func() {
		if len(dels) > 0 {
			out = append(out, DiffSpan{Op: DiffDelete, Text: strings.Join(dels, " ")})
		}
		if len(ins) > 0 {
			out = append(out, DiffSpan{Op: DiffInsert, Text: strings.Join(ins, " ")})
		}
		removed, added = removed+len(dels), added+len(ins)
		dels, ins = dels[:0], ins[:0]
	}
	for _, e := range edits {
		switch e.op {
		case DiffDelete:
			flushKept()
			dels = append(dels, wa[e.i])
		case DiffInsert:
			flushKept()
			ins = append(ins, wb[e.j])
		default:
			flushChange()
			kept = append(kept, wb[e.j])
		}
	}
	flushChange()
	flushKept()
	return out, added, removed
}
