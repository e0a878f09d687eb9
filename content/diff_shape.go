package content

import (
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/gobidialogue/portal"
)

// A revision stores its blocks as text: a table is its cells run together, a list item
// its own words. The diff shows a table as a table and a list as a list, so it reads the
// revision's Markdown again for the shape of those blocks: where each list item sits and
// each table's cells. The shape is matched to a stored block by id, kind and text, so a
// revision stored without its body, or by a renderer that found other blocks, is shown
// as text, as before.

// blockShape is what a diff needs of a block besides its text; the zero value is a block
// shown as text.
type blockShape struct {
	item  *DiffItem   // a list item's place
	table *tableShape // a table's cells
}

// tableShape is a table's cells as text: the header row, then the body rows.
type tableShape struct {
	head []string
	rows [][]string
}

// diffMarkdown parses Markdown for shapes, as Render parses it (see newMarkdown); built
// once, as building it costs far more than a parse.
var diffMarkdown = sync.OnceValue(newMarkdown)

// shapes returns the shape of each of blocks, the stored blocks of a revision whose
// Markdown is body, by position; nil when body gives none (no body, or one that nests too
// deep to parse).
func shapes(body string, blocks []portal.Block) []blockShape {
	if body == "" || len(blocks) == 0 || checkNesting(body) != nil {
		return nil
	}
	return shapesOf(diffMarkdown(), body, blocks)
}

func shapesOf(md goldmark.Markdown, body string, blocks []portal.Block) []blockShape {
	source := []byte(body)
	doc := md.Parser().Parse(text.NewReader(source))
	secureLinks(doc, source)
	ann := annotate(doc, source)
	found := make(map[string]portal.Block, len(ann.blocks))
	for _, b := range ann.blocks {
		found[b.ID] = b
	}
	byID := map[string]blockShape{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.ListItem:
			if id, ok := nodeID(n); ok {
				byID[id] = blockShape{item: itemPlace(n)}
			}
		case *extast.Table:
			if id, ok := nodeID(n); ok {
				byID[id] = blockShape{table: ann.tableShape(n)}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	out := make([]blockShape, len(blocks))
	for i, b := range blocks {
		if f, ok := found[b.ID]; ok && f.Kind == b.Kind && f.Text == b.Text {
			out[i] = byID[b.ID]
		}
	}
	return out
}

// nodeID returns the id annotate gave n.
func nodeID(n ast.Node) (string, bool) {
	v, ok := n.AttributeString("id")
	if !ok {
		return "", false
	}
	b, ok := v.([]byte)
	return string(b), ok
}

// itemPlace says where list item n sits: how deep, in which kind of list, with which
// number.
func itemPlace(n *ast.ListItem) *DiffItem {
	place := &DiffItem{}
	for p := n.Parent(); p != nil; p = p.Parent() {
		if _, ok := p.(*ast.ListItem); ok {
			place.Depth++
		}
	}
	if list, ok := n.Parent().(*ast.List); ok && list.IsOrdered() {
		place.Ordered, place.Number = true, list.Start
		for s := n.PreviousSibling(); s != nil; s = s.PreviousSibling() {
			place.Number++
		}
	}
	return place
}

// tableShape returns the text of each cell of table n, every row as long as the header.
func (a *annotator) tableShape(n *extast.Table) *tableShape {
	t := &tableShape{}
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			cells = append(cells, a.inlineText(cell))
		}
		if _, head := row.(*extast.TableHeader); head && t.head == nil {
			t.head = cells
			continue
		}
		t.rows = append(t.rows, cells)
	}
	for i, r := range t.rows {
		for len(r) < len(t.head) {
			r = append(r, "")
		}
		t.rows[i] = r
	}
	return t
}
