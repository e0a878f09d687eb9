package content

import (
	"html"
	"net/url"
	"strings"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// inlineText is the text a reader sees in n's inline content: markup stripped, escapes and
// entities resolved, white space collapsed. Footnote numbers are left out so that adding
// a footnote earlier in the document (which renumbers the later ones) keeps ids stable.
func (a *annotator) inlineText(n ast.Node) string {
	var b strings.Builder
	a.writeInline(&b, n)
	return normalize(b.String())
}

func (a *annotator) writeInline(b *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Value(a.source)
			if !c.IsRaw() {
				v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
			}
			b.Write(v)
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			if c.IsCode() {
				// The typographer stores its quotes and dashes as HTML entities.
				b.WriteString(html.UnescapeString(string(c.Value)))
			} else {
				b.Write(c.Value)
			}
		case *ast.AutoLink:
			b.Write(c.Label(a.source))
		case *ast.RawHTML, *extast.FootnoteLink, *extast.FootnoteBacklink, *extast.TaskCheckBox:
			// Not shown as text.
		default:
			// Emphasis, links, code spans, strikethrough: the text inside is what shows.
			a.writeInline(b, c)
		}
	}
}

// secureLinks removes links and images whose URL the portal does not allow (javascript:,
// data:, vbscript: and the like), keeping their text, and marks links to other sites
// rel="nofollow noopener". The sanitizer enforces the same rules; doing it here too means
// a forbidden link becomes plain text instead of an empty <a> the sanitizer has to clean.
func secureLinks(doc ast.Node, source []byte) {
	var nodes []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.(type) {
		case *ast.Link, *ast.Image, *ast.AutoLink:
			if entering {
				nodes = append(nodes, n)
			}
		}
		return ast.WalkContinue, nil
	})
	// Rewriting the tree while walking it would upset the walk, hence two passes.
	for _, n := range nodes {
		secureLink(n, source)
	}
}

func secureLink(n ast.Node, source []byte) {
	var href string
	image := false
	switch n := n.(type) {
	case *ast.Link:
		href = string(util.URLEscape(n.Destination, true))
	case *ast.Image:
		href, image = string(util.URLEscape(n.Destination, true)), true
	case *ast.AutoLink:
		href = string(util.URLEscape(n.URL(source), false))
		if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(href), "mailto:") {
			href = "mailto:" + href
		}
	}
	u, ok := allowedURL(href, image)
	switch {
	case !ok:
		unwrap(n, source)
	case u.Host != "" && !image:
		n.SetAttributeString("rel", []byte("nofollow noopener"))
	}
}

// allowedURL parses href and reports whether links (or, with image set, images) may
// point at it: http and https anywhere, mailto and tel for links, and relative URLs.
func allowedURL(href string, image bool) (*url.URL, bool) {
	u, err := url.Parse(href)
	if err != nil {
		return nil, false
	}
	switch u.Scheme {
	case "":
		return u, true
	case "http", "https":
		return u, u.Host != ""
	case "mailto", "tel":
		return u, !image
	}
	return u, false
}

// unwrap replaces a link by its content, an image by its alt text and an autolink by its
// label, so the words stay and the URL goes.
func unwrap(n ast.Node, source []byte) {
	parent := n.Parent()
	if parent == nil {
		return
	}
	if al, ok := n.(*ast.AutoLink); ok {
		s := ast.NewString(al.Label(source))
		s.SetRaw(true) // escaped on output, entities not interpreted
		parent.ReplaceChild(parent, n, s)
		return
	}
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		parent.InsertBefore(parent, n, c)
		c = next
	}
	parent.RemoveChild(parent, n)
}
