package content

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/gobidialogue/portal"
)

// Rendered is the output of the Markdown pipeline for one revision.
type Rendered struct {
	HTML   portal.SafeHTML
	TOC    []portal.TOCEntry
	Blocks []portal.Block
	Words  int
}

// Renderer turns a revision's Markdown body into sanitized HTML, its table of contents and
// its blocks. It is safe for concurrent use; build it once, because building the parser
// and the sanitizer policy costs far more than one render.
type Renderer struct {
	md        goldmark.Markdown
	sanitizer *bluemonday.Policy
}

// NewRenderer returns a Renderer for guideline Markdown: CommonMark with GitHub tables,
// strikethrough, autolinks and task lists, footnotes and typographic quotes. Raw HTML is
// dropped and the attribute syntax ({#id .class}) is not enabled: authors cannot set ids,
// classes or event handlers, only write text.
func NewRenderer() *Renderer {
	return &Renderer{md: newMarkdown(), sanitizer: newSanitizer()}
}

// newMarkdown returns the Markdown parser and renderer of guidelines. The revision diff
// parses with it too, so the blocks it finds are the blocks Render found.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.NewLinkify(extension.WithLinkifyAllowedProtocols([]string{"http:", "https:"})),
			// Alignment becomes an align attribute rather than inline style, so pages keep
			// working under a Content-Security-Policy that forbids inline styles.
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.TaskList,
			extension.Footnote,
			extension.Typographer,
		),
		// Not html.WithUnsafe: raw HTML never reaches the output (blockRenderer drops it).
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(blockRenderer{}, 100)),
		),
	)
}

// Render converts a Markdown body (front matter already removed) to sanitized HTML. The
// output depends only on body: the same body always gives the same HTML, ids and blocks.
// It returns an EINVALID error for a body nesting lists or quotes absurdly deep (which
// would make parsing slow), and an internal error only if writing the HTML fails.
func (r *Renderer) Render(body string) (*Rendered, error) {
	if err := checkNesting(body); err != nil {
		return nil, err
	}
	source := []byte(body)
	doc := r.md.Parser().Parse(text.NewReader(source))
	secureLinks(doc, source)
	ann := annotate(doc, source)

	var buf bytes.Buffer
	if err := r.md.Renderer().Render(&buf, source, doc); err != nil {
		return nil, fmt.Errorf("content: render markdown: %w", err)
	}
	safe := r.sanitizer.SanitizeReader(&buf)
	words := 0
	for _, b := range ann.blocks {
		words += len(strings.Fields(b.Text))
	}
	return &Rendered{
		HTML:   portal.SafeHTML(safe.String()),
		TOC:    ann.toc,
		Blocks: ann.blocks,
		Words:  words,
	}, nil
}

// Trusted converts sanitized HTML from this package to template.HTML. It is the only
// place outside content/ that templates get template.HTML from, so every trusted fragment
// can be traced back to Render or Diff.
func Trusted(h portal.SafeHTML) template.HTML {
	return template.HTML(h) //nolint:gosec // h was produced by Render and sanitized.
}
