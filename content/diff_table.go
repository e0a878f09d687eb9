package content

import "strings"

// colPair is a column of a table diff: column a of the older table shown as column b of
// the newer one; -1 for a column only one of them has.
type colPair struct{ a, b int }

// tableDiff compares two tables cell by cell. Columns are aligned on their header cells
// (see alignColumns), rows on their cells; between rows kept, a removed row and a later
// added row that share most of their words are one changed row. It returns the table and
// the words added and removed.
func tableDiff(old, cur *tableShape) (t DiffTable, added, removed int) {
	cols := alignColumns(old, cur)
	count := func(r DiffRow) DiffRow {
		for _, c := range r.Cells {
			for _, s := range c.Spans {
				switch s.Op {
				case DiffInsert:
					added += len(strings.Fields(s.Text))
				case DiffDelete:
					removed += len(strings.Fields(s.Text))
				}
			}
		}
		return r
	}
	t.Head = count(rowDiff(old.head, cur.head, cols))

	in := interner{}
	edits := align(in.ids(rowKeys(old.rows)), in.ids(rowKeys(cur.rows)))
	var dels, ins []int
	gap := func() {
		di, ii := 0, 0
		emit := func(dEnd, iEnd int) {
			for _, i := range dels[di:dEnd] {
				t.Rows = append(t.Rows, count(wholeRow(DiffDelete, old.rows[i], cols, true)))
			}
			for _, j := range ins[ii:iEnd] {
				t.Rows = append(t.Rows, count(wholeRow(DiffInsert, cur.rows[j], cols, false)))
			}
		}
		pairs := pairSimilar(len(dels), len(ins), func(x, y int) (string, string, bool) {
			return strings.Join(old.rows[dels[x]], " "), strings.Join(cur.rows[ins[y]], " "), true
		})
		for _, p := range pairs {
			emit(p[0], p[1])
			t.Rows = append(t.Rows, count(rowDiff(old.rows[dels[p[0]]], cur.rows[ins[p[1]]], cols)))
			di, ii = p[0]+1, p[1]+1
		}
		emit(len(dels), len(ins))
		dels, ins = dels[:0], ins[:0]
	}
	for _, e := range edits {
		switch e.op {
		case DiffDelete:
			dels = append(dels, e.i)
		case DiffInsert:
			ins = append(ins, e.j)
		default:
			gap()
			t.Rows = append(t.Rows, count(rowDiff(old.rows[e.i], cur.rows[e.j], cols)))
		}
	}
	gap()
	return t, added, removed
}

// rowKeys returns a key per row that is equal for rows with the same cells.
func rowKeys(rows [][]string) []string {
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = strings.Join(r, "\x1f")
	}
	return keys
}

// alignColumns pairs the columns of two tables by their header cells; in a run of
// differing headers, a removed column and a later added one whose cells share most of
// their words are one column (renamed, or changed in place), and when none do and the
// run removes as many columns as it adds, they are paired in order.
func alignColumns(old, cur *tableShape) []colPair {
	in := interner{}
	edits := align(in.ids(old.head), in.ids(cur.head))
	var cols []colPair
	var dels, ins []int
	flush := func() {
		pairs := pairSimilar(len(dels), len(ins), func(x, y int) (string, string, bool) {
			return columnText(old, dels[x]), columnText(cur, ins[y]), true
		})
		if len(pairs) == 0 && len(dels) == len(ins) {
			for k := range dels {
				pairs = append(pairs, [2]int{k, k})
			}
		}
		di, ii := 0, 0
		emit := func(dEnd, iEnd int) {
			for _, i := range dels[di:dEnd] {
				cols = append(cols, colPair{i, -1})
			}
			for _, j := range ins[ii:iEnd] {
				cols = append(cols, colPair{-1, j})
			}
		}
		for _, p := range pairs {
			emit(p[0], p[1])
			cols = append(cols, colPair{dels[p[0]], ins[p[1]]})
			di, ii = p[0]+1, p[1]+1
		}
		emit(len(dels), len(ins))
		dels, ins = dels[:0], ins[:0]
	}
	for _, e := range edits {
		switch e.op {
		case DiffDelete:
			dels = append(dels, e.i)
		case DiffInsert:
			ins = append(ins, e.j)
		default:
			flush()
			cols = append(cols, colPair{e.i, e.j})
		}
	}
	flush()
	return cols
}

// columnText is the text of column i of t, its header and cells.
func columnText(t *tableShape, i int) string {
	words := []string{cell(t.head, i)}
	for _, r := range t.rows {
		words = append(words, cell(r, i))
	}
	return strings.Join(words, " ")
}

// cell returns cell i of row, "" past its end.
func cell(row []string, i int) string {
	if i >= 0 && i < len(row) {
		return row[i]
	}
	return ""
}

// rowDiff compares an older row with a newer one, column by column.
func rowDiff(old, cur []string, cols []colPair) DiffRow {
	r := DiffRow{Op: DiffEqual}
	for _, c := range cols {
		var dc DiffCell
		o, n := cell(old, c.a), cell(cur, c.b)
		switch {
		case c.a < 0:
			dc = DiffCell{Op: DiffInsert, Spans: spans(DiffInsert, n)}
		case c.b < 0:
			dc = DiffCell{Op: DiffDelete, Spans: spans(DiffDelete, o)}
		case o == n:
			dc = DiffCell{Op: DiffEqual, Spans: spans(DiffEqual, n)}
		case o == "":
			dc = DiffCell{Op: DiffInsert, Spans: spans(DiffInsert, n)}
		case n == "":
			dc = DiffCell{Op: DiffDelete, Spans: spans(DiffDelete, o)}
		default:
			dc.Op = DiffChange
			dc.Spans, _, _ = wordDiff(o, n)
		}
		if dc.Op != DiffEqual {
			r.Op = DiffChange
		}
		r.Cells = append(r.Cells, dc)
	}
	return r
}

// wholeRow returns a row added or removed whole (op), its cells under cols: older is the
// side row comes from; a column only the other side has gets an empty cell.
func wholeRow(op DiffOp, row []string, cols []colPair, older bool) DiffRow {
	r := DiffRow{Op: op}
	for _, c := range cols {
		i := c.b
		if older {
			i = c.a
		}
		if i < 0 {
			r.Cells = append(r.Cells, DiffCell{Op: DiffEqual})
			continue
		}
		r.Cells = append(r.Cells, DiffCell{Op: op, Spans: spans(op, cell(row, i))})
	}
	return r
}

// wholeTable returns a table kept, added or removed whole: every row and cell marked op.
func wholeTable(op DiffOp, t *tableShape) *DiffTable {
	cols := make([]colPair, len(t.head))
	for i := range cols {
		cols[i] = colPair{i, i}
	}
	out := &DiffTable{Head: wholeRow(op, t.head, cols, false)}
	for _, r := range t.rows {
		out.Rows = append(out.Rows, wholeRow(op, r, cols, false))
	}
	return out
}
