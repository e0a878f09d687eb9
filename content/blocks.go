package content

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"

	"github.com/gobidialogue/portal"
)

// blockPrefix is the id prefix of each kind of block whose id is a hash of its text.
// Headings are absent: their ids are slugs of their text, readable in a URL.
var blockPrefix = map[portal.BlockKind]string{
	portal.BlockParagraph: "p",
	portal.BlockListItem:  "li",
	portal.BlockTable:     "t",
	portal.BlockQuote:     "q",
	portal.BlockCode:      "c",
	portal.BlockFootnote:  "fn",
}

// annotator gives every anchorable block of a parsed document its id attribute and
// collects the blocks and the table of contents. Ids come from content, not position, so
// a comment anchored to a paragraph stays on it when text is added above.
type annotator struct {
	source    []byte
	ids       *idSet
	blocks    []portal.Block
	toc       []portal.TOCEntry
	footnotes map[int]string // footnote index → the footnote's block id
}

// annotate walks doc in document order and sets the id attributes the renderer writes.
func annotate(doc ast.Node, source []byte) *annotator {
	a := &annotator{source: source, ids: newIDSet(), footnotes: map[int]string{}}
	_ = ast.Walk(doc, a.visit)
	a.linkFootnotes(doc)
	return a
}

func (a *annotator) visit(node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	switch n := node.(type) {
	case *ast.Heading:
		a.heading(n)
	case *ast.Paragraph, *ast.TextBlock:
		// A paragraph inside a list item, quote or footnote is part of that block's text:
		// the container is the anchor, so a paragraph split there does not orphan comments.
		if !absorbs(n.Parent()) {
			a.add(n, portal.BlockParagraph, a.inlineText(n))
		}
	case *ast.ListItem:
		a.add(n, portal.BlockListItem, a.ownText(n))
		return ast.WalkContinue, nil // nested lists and quotes are blocks of their own
	case *ast.Blockquote:
		a.add(n, portal.BlockQuote, a.ownText(n))
		return ast.WalkContinue, nil
	case *extast.Footnote:
		id := a.add(n, portal.BlockFootnote, a.ownText(n))
		a.footnotes[n.Index] = id
		return ast.WalkContinue, nil
	case *extast.Table:
		a.add(n, portal.BlockTable, a.tableText(n))
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		a.add(n, portal.BlockCode, a.codeText(n))
	case *ast.HTMLBlock:
		// Raw HTML is not rendered, so it is not a block either.
	default:
		return ast.WalkContinue, nil
	}
	return ast.WalkSkipChildren, nil
}

// absorbs reports whether paragraphs directly inside n belong to n's own text.
func absorbs(n ast.Node) bool {
	switch n.(type) {
	case *ast.ListItem, *ast.Blockquote, *extast.Footnote:
		return true
	}
	return false
}

// heading ids are slugs, so a link to a section reads well; H2 and H3 at the top level
// of the document make the table of contents (a heading quoted inside a blockquote or a
// list is not a section of this document).
func (a *annotator) heading(n *ast.Heading) {
	title := a.inlineText(n)
	id := a.ids.unique(Slugify(title))
	n.SetAttributeString("id", []byte(id))
	a.blocks = append(a.blocks, portal.Block{ID: id, Kind: portal.BlockHeading, Text: title})
	if _, top := n.Parent().(*ast.Document); top && (n.Level == 2 || n.Level == 3) {
		a.toc = append(a.toc, portal.TOCEntry{Level: n.Level, ID: id, Title: title})
	}
}

// add records a block with a content-derived id and sets that id on the node.
func (a *annotator) add(n ast.Node, kind portal.BlockKind, text string) string {
	id := a.ids.unique(blockPrefix[kind] + "-" + textHash(text))
	n.SetAttributeString("id", []byte(id))
	a.blocks = append(a.blocks, portal.Block{ID: id, Kind: kind, Text: text})
	return id
}

// textHash is the first 8 hex digits of the SHA-256 of normalised text: 32 bits make a
// collision inside one document very unlikely, and idSet suffixes the rare one anyway.
func textHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:4])
}

// ownText is the text of the paragraphs directly inside a container block; nested lists,
// quotes, code and tables are left out because they are blocks of their own.
func (a *annotator) ownText(n ast.Node) string {
	var parts []string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			parts = append(parts, a.inlineText(c))
		}
	}
	return normalize(strings.Join(parts, " "))
}

func (a *annotator) tableText(n ast.Node) string {
	var parts []string
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			parts = append(parts, a.inlineText(cell))
		}
	}
	return normalize(strings.Join(parts, " "))
}

func (a *annotator) codeText(n ast.Node) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(a.source))
	}
	return normalize(b.String())
}

// linkFootnotes gives every footnote reference an id and points references and backlinks
// at the content-derived ids. References are collected first because a footnote can refer
// to another footnote defined later.
func (a *annotator) linkFootnotes(doc ast.Node) {
	refs := map[[2]int]string{} // (footnote index, reference number) → reference id
	var backlinks []*extast.FootnoteBacklink
	_ = ast.Walk(doc, func(node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := node.(type) {
		case *extast.FootnoteLink:
			target := a.footnotes[n.Index]
			ref := "fnref-" + strings.TrimPrefix(target, "fn-")
			if n.RefIndex > 0 {
				ref += "-" + strconv.Itoa(n.RefIndex+1)
			}
			ref = a.ids.unique(ref)
			refs[[2]int{n.Index, n.RefIndex}] = ref
			n.SetAttributeString("id", []byte(ref))
			n.SetAttributeString("href", []byte(target))
		case *extast.FootnoteBacklink:
			backlinks = append(backlinks, n)
		}
		return ast.WalkContinue, nil
	})
	for _, n := range backlinks {
		n.SetAttributeString("href", []byte(refs[[2]int{n.Index, n.RefIndex}]))
	}
}

// normalize collapses runs of white space to one space and trims the ends, so that
// re-wrapping a paragraph does not change its id.
func normalize(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
