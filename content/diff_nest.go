package content

// DiffPart is a piece of a diff as a page lays it out: one block, or a list of
// consecutive list items, with the lists nested in them.
type DiffPart struct {
	Block *DiffBlock // a block that is not a list item of a known place
	List  *DiffList
}

// DiffList is a list of a diff: its items, kept, inserted, deleted and changed ones
// together in document order.
type DiffList struct {
	Ordered bool
	Items   []*DiffListItem
}

// DiffListItem is an item of a DiffList and the lists nested in it.
type DiffListItem struct {
	*DiffBlock
	Lists []*DiffList
}

// Nest lays out blocks, a run of a diff's blocks, as a page shows them: consecutive list
// items become lists, an item one level deeper than the one before it goes into a list
// inside that item, and a change between ordered and unordered items starts a new list.
// The run may start inside a list (its first items nested, the items above them in
// another run): it is laid out from the depth it starts at. The blocks are shared, not
// copied.
func Nest(blocks []DiffBlock) []DiffPart {
	var parts []DiffPart
	var open []*DiffList // the lists being filled, outermost first
	base := 0            // the depth of open[0]
	for i := range blocks {
		b := &blocks[i]
		if b.Item == nil {
			open = nil
			parts = append(parts, DiffPart{Block: b})
			continue
		}
		level := b.Item.Depth - base
		switch {
		case len(open) == 0 || level < 0:
			level, base = 0, b.Item.Depth
			open = nil
		case level >= len(open):
			level = len(open) // a skipped level nests one level deeper
		}
		open = open[:min(len(open), level+1)]
		if level < len(open) && open[level].Ordered != b.Item.Ordered {
			open = open[:level] // another kind of list starts here
		}
		if level == len(open) {
			l := &DiffList{Ordered: b.Item.Ordered}
			if level == 0 {
				parts = append(parts, DiffPart{List: l})
			} else {
				parent := open[level-1].Items[len(open[level-1].Items)-1]
				parent.Lists = append(parent.Lists, l)
			}
			open = append(open, l)
		}
		open[level].Items = append(open[level].Items, &DiffListItem{DiffBlock: b})
	}
	return parts
}
