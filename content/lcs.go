package content

// maxLCSCells bounds the dynamic-programming table of one alignment (4 bytes a cell, so
// 4 MiB; a thousand blocks against a thousand). Real revisions differ in a few places; common prefixes and suffixes are cut
// first, so only a near-total rewrite of a huge document reaches the bound, and then the
// middle is reported as deleted and inserted rather than aligned.
const maxLCSCells = 1 << 20

// edit is one step of an alignment of a with b: a[i] kept as b[j] (equal), a[i] deleted,
// or b[j] inserted.
type edit struct {
	op   DiffOp
	i, j int
}

// align returns the shortest edit script from a to b along their longest common
// subsequence. Elements are ints (interned words or blocks) so comparisons are cheap.
func align(a, b []int) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	edits := make([]edit, 0, len(a)+len(b))
	for k := 0; k < pre; k++ {
		edits = append(edits, edit{DiffEqual, k, k})
	}
	edits = alignMiddle(edits, a[pre:len(a)-suf], b[pre:len(b)-suf], pre, pre)
	for k := suf; k > 0; k-- {
		edits = append(edits, edit{DiffEqual, len(a) - k, len(b) - k})
	}
	return edits
}

// alignMiddle appends the edits for a and b, which start at offsets ai and bj of the
// whole sequences.
func alignMiddle(edits []edit, a, b []int, ai, bj int) []edit {
	n, m := len(a), len(b)
	if n*m > maxLCSCells || n == 0 || m == 0 {
		for i := range a {
			edits = append(edits, edit{DiffDelete, ai + i, -1})
		}
		for j := range b {
			edits = append(edits, edit{DiffInsert, -1, bj + j})
		}
		return edits
	}
	// l[i*(m+1)+j] is the length of the LCS of a[i:] and b[j:].
	w := m + 1
	l := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case a[i] == b[j]:
				l[i*w+j] = l[(i+1)*w+j+1] + 1
			case l[(i+1)*w+j] >= l[i*w+j+1]:
				l[i*w+j] = l[(i+1)*w+j]
			default:
				l[i*w+j] = l[i*w+j+1]
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			edits = append(edits, edit{DiffEqual, ai + i, bj + j})
			i, j = i+1, j+1
		case l[(i+1)*w+j] >= l[i*w+j+1]:
			edits = append(edits, edit{DiffDelete, ai + i, -1})
			i++
		default:
			edits = append(edits, edit{DiffInsert, -1, bj + j})
			j++
		}
	}
	for ; i < n; i++ {
		edits = append(edits, edit{DiffDelete, ai + i, -1})
	}
	for ; j < m; j++ {
		edits = append(edits, edit{DiffInsert, -1, bj + j})
	}
	return edits
}

// interner numbers distinct strings so sequences can be compared as ints.
type interner map[string]int

func (in interner) ids(keys []string) []int {
	out := make([]int, len(keys))
	for k, s := range keys {
		id, ok := in[s]
		if !ok {
			id = len(in)
			in[s] = id
		}
		out[k] = id
	}
	return out
}
