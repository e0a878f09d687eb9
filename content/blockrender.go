package content

import (
	"strconv"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// blockRenderer replaces goldmark's renderers for the nodes whose markup we need to
// control: code blocks and footnotes, which goldmark writes without our content-derived
// ids (footnotes get numbered ids like fn:1 that move whenever a footnote is added above),
// and raw HTML, which must leave no trace at all.
type blockRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (blockRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindCodeBlock, renderCode)
	reg.Register(ast.KindFencedCodeBlock, renderCode)
	reg.Register(ast.KindHTMLBlock, renderNothing)
	reg.Register(ast.KindRawHTML, renderNothing)
	reg.Register(extast.KindFootnoteList, renderFootnoteList)
	reg.Register(extast.KindFootnote, renderFootnote)
	reg.Register(extast.KindFootnoteLink, renderFootnoteLink)
	reg.Register(extast.KindFootnoteBacklink, renderFootnoteBacklink)
}

// renderNothing drops raw HTML: it is neither rendered nor shown as text.
func renderNothing(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
	return ast.WalkSkipChildren, nil
}

// writeAttr writes ` name="value"` when the annotator set the attribute.
func writeAttr(w util.BufWriter, n ast.Node, name string) {
	v, ok := n.AttributeString(name)
	if !ok {
		return
	}
	b, ok := v.([]byte)
	if !ok {
		return
	}
	_, _ = w.WriteString(" " + name + `="`)
	_, _ = w.Write(util.EscapeHTML(b))
	_ = w.WriteByte('"')
}

// renderCode writes a fenced or indented code block as <pre id=…><code>, escaped.
func renderCode(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<pre")
	writeAttr(w, n, "id")
	_, _ = w.WriteString("><code")
	if f, ok := n.(*ast.FencedCodeBlock); ok {
		if lang := f.Language(source); len(lang) > 0 {
			_, _ = w.WriteString(` class="language-`)
			_, _ = w.Write(util.EscapeHTML(lang))
			_ = w.WriteByte('"')
		}
	}
	_ = w.WriteByte('>')
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		html.DefaultWriter.RawWrite(w, seg.Value(source))
	}
	_, _ = w.WriteString("</code></pre>\n")
	return ast.WalkSkipChildren, nil
}

func renderFootnoteList(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<div class=\"footnotes\" role=\"doc-endnotes\">\n<hr>\n<ol>\n")
	} else {
		_, _ = w.WriteString("</ol>\n</div>\n")
	}
	return ast.WalkContinue, nil
}

func renderFootnote(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<li")
		writeAttr(w, n, "id")
		_, _ = w.WriteString(">\n")
	} else {
		_, _ = w.WriteString("</li>\n")
	}
	return ast.WalkContinue, nil
}

// renderFootnoteLink writes the superscript number; the annotator stored the reference's
// own id in "id" and the footnote's id in "href".
func renderFootnoteLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*extast.FootnoteLink)
	_, _ = w.WriteString("<sup")
	writeAttr(w, n, "id")
	_, _ = w.WriteString(`><a href="#`)
	writeRawAttr(w, n, "href")
	_, _ = w.WriteString(`" class="footnote-ref" role="doc-noteref">`)
	_, _ = w.WriteString(strconv.Itoa(n.Index))
	_, _ = w.WriteString("</a></sup>")
	return ast.WalkContinue, nil
}

// renderFootnoteBacklink writes the ↩ link from a footnote back to one of its references.
func renderFootnoteBacklink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`&#160;<a href="#`)
	writeRawAttr(w, node, "href")
	_, _ = w.WriteString(`" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a>`)
	return ast.WalkContinue, nil
}

// writeRawAttr writes just the escaped value of an attribute the annotator set.
func writeRawAttr(w util.BufWriter, n ast.Node, name string) {
	if v, ok := n.AttributeString(name); ok {
		if b, ok := v.([]byte); ok {
			_, _ = w.Write(util.EscapeHTML(b))
		}
	}
}
