package content

import (
	"html"
	"html/template"
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
	// HTML is the block's escaped text; for "change" the changed words are marked with
	// <ins> and <del>, for "insert" and "delete" the whole text is in <ins> or <del>.
	HTML template.HTML
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
// into one "change" with a word-level diff. A nil revision counts as empty.
func Diff(from, to *portal.Revision) ([]DiffBlock, DiffStats) {
	var a, b []portal.Block
	if from != nil {
		a = from.Blocks
	}
	if to != nil {
		b = to.Blocks
	}
	in := interner{}
	edits := align(in.ids(blockKeys(a)), in.ids(blockKeys(b)))

	d := &differ{a: a, b: b}
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
			d.equal(b[e.j])
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

// differ accumulates the diff of blocks a (older) and b (newer).
type differ struct {
	a, b  []portal.Block
	out   []DiffBlock
	stats DiffStats
}

func (d *differ) equal(bl portal.Block) {
	d.stats.Unchanged++
	d.out = append(d.out, DiffBlock{Op: DiffEqual, ID: bl.ID, Kind: bl.Kind, HTML: escape(bl.Text)})
}

// gap emits a run of deleted blocks (indexes into a) and inserted blocks (into b) that lie
// between two unchanged blocks, pairing similar ones into changes in document order.
func (d *differ) gap(dels, ins []int) {
	di, ii := 0, 0
	for _, p := range pairBlocks(d.a, d.b, dels, ins) {
		d.deleted(dels[di:p[0]])
		d.inserted(ins[ii:p[1]])
		d.changed(d.a[dels[p[0]]], d.b[ins[p[1]]])
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
		d.out = append(d.out, DiffBlock{Op: DiffDelete, ID: bl.ID, Kind: bl.Kind, HTML: "<del>" + escape(bl.Text) + "</del>"})
	}
}

func (d *differ) inserted(idx []int) {
	for _, j := range idx {
		bl := d.b[j]
		d.stats.Inserted++
		d.stats.WordsInserted += len(strings.Fields(bl.Text))
		d.out = append(d.out, DiffBlock{Op: DiffInsert, ID: bl.ID, Kind: bl.Kind, HTML: "<ins>" + escape(bl.Text) + "</ins>"})
	}
}

func (d *differ) changed(old, cur portal.Block) {
	h, added, removed := wordDiff(old.Text, cur.Text)
	d.stats.Changed++
	d.stats.WordsInserted += added
	d.stats.WordsDeleted += removed
	d.out = append(d.out, DiffBlock{Op: DiffChange, ID: cur.ID, Kind: cur.Kind, HTML: h})
}

// pairBlocks returns pairs of positions (in dels, in ins), increasing in both, of deleted
// and inserted blocks similar enough to show as one change. Greedy in document order:
// each deleted block takes the most similar of the next few unpaired inserted blocks.
func pairBlocks(a, b []portal.Block, dels, ins []int) [][2]int {
	var pairs [][2]int
	next := 0
	for x, i := range dels {
		best, bestScore := -1, similarEnough
		for y := next; y < len(ins) && y < next+pairWindow; y++ {
			if b[ins[y]].Kind != a[i].Kind {
				continue
			}
			if s := similarity(a[i].Text, b[ins[y]].Text); s >= bestScore && (best < 0 || s > bestScore) {
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

// wordDiff marks the words of cur that differ from old: each run of removed words in one
// <del>, followed by the run of added words that replaced them in one <ins>.
func wordDiff(old, cur string) (h template.HTML, added, removed int) {
	wa, wb := strings.Fields(old), strings.Fields(cur)
	in := interner{}
	edits := align(in.ids(wa), in.ids(wb))
	var out []string
	var dels, ins []string
	flush := func() {
		if len(dels) > 0 {
			out = append(out, "<del>"+string(escape(strings.Join(dels, " ")))+"</del>")
		}
		if len(ins) > 0 {
			out = append(out, "<ins>"+string(escape(strings.Join(ins, " ")))+"</ins>")
		}
		removed, added = removed+len(dels), added+len(ins)
		dels, ins = dels[:0], ins[:0]
	}
	for _, e := range edits {
		switch e.op {
		case DiffDelete:
			dels = append(dels, wa[e.i])
		case DiffInsert:
			ins = append(ins, wb[e.j])
		default:
			flush()
			out = append(out, string(escape(wb[e.j])))
		}
	}
	flush()
	return template.HTML(strings.Join(out, " ")), added, removed //nolint:gosec // every word is escaped.
}

// escape returns text as HTML that shows it literally.
func escape(s string) template.HTML {
	return template.HTML(html.EscapeString(s)) //nolint:gosec // escaped.
}
