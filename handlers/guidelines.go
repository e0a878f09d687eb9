package handlers

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
)

// guidelineItem is one guideline in a list.
type guidelineItem struct {
	*Page
	G           *portal.Guideline
	URL         string
	CommentOpen bool
}

// guidelineView is what the guideline, revision, history and diff pages share.
type guidelineView struct {
	Page
	G           *portal.Guideline
	Shown       portal.RevisionInfo // the revision the page is about
	CommentOpen bool
	Fallback    bool // shown in another language than the UI's
	Translation *LangLink
	URLs        guidelineURLs
	From, To    int // the revisions the diff form preselects
}

type guidelineURLs struct {
	Current, Revisions, Diff, DiffToPrevious, DiffToCurrent string
}

func (h *Handlers) items(p *Page, gs []*portal.Guideline) []guidelineItem {
	now := h.Now()
	items := make([]guidelineItem, len(gs))
	for i, g := range gs {
		items[i] = guidelineItem{Page: p, G: g, URL: portal.GuidelinePath(g.Slug), CommentOpen: g.CommentPeriodOpen(now)}
	}
	return items
}

// guidelinesPage is the data of /guidelines.
type guidelinesPage struct {
	Page
	Filters []filterLink
	Items   []guidelineItem
	// The list is cut into pages of guidelinesPerPage: on a phone, and with hundreds of
	// guidelines, one long page would be slow to load and to read.
	PageNum, Pages   int
	PrevURL, NextURL string
}

// guidelinesPerPage is how many guidelines a page of the list shows.
const guidelinesPerPage = 20

type filterLink struct {
	Label, URL string
	Current    bool
}

// HandleGuidelines serves GET /guidelines.
func (h *Handlers) HandleGuidelines(c *gin.Context) {
	p := guidelinesPage{Page: h.page(c, "", "guidelines")}
	p.Title = p.T("guidelines.title")
	status := portal.GuidelineStatus(c.Query("status"))
	if status != "" && !status.Valid() {
		h.Error(c, badRequest(&p.Page, "error.bad_status", string(status)))
		return
	}
	p.PageNum = 1
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageNumber {
			h.Error(c, badRequest(&p.Page, "directory.error.page_number", shorten(v)))
			return
		}
		p.PageNum = n
	}
	gs, err := h.Guidelines.FindGuidelines(c.Request.Context(), portal.GuidelineFilter{Language: p.Lang, Status: status})
	if err != nil {
		h.Error(c, err)
		return
	}
	p.Filters = append(p.Filters, filterLink{Label: p.T("guidelines.all"), URL: "/guidelines", Current: status == ""})
	for _, s := range []portal.GuidelineStatus{portal.StatusOpen, portal.StatusDraft, portal.StatusAdopted, portal.StatusArchived} {
		p.Filters = append(p.Filters, filterLink{Label: p.T("status." + string(s)), URL: "/guidelines?status=" + string(s), Current: s == status})
	}
	p.Pages = max((len(gs)+guidelinesPerPage-1)/guidelinesPerPage, 1)
	if p.PageNum > p.Pages {
		h.Error(c, pastEnd(&p.Page, p.PageNum, p.Pages, len(gs)))
		return
	}
	listURL := func(page int) string {
		q := url.Values{}
		if status != "" {
			q.Set("status", string(status))
		}
		if page > 1 {
			q.Set("page", strconv.Itoa(page))
		}
		if len(q) == 0 {
			return "/guidelines"
		}
		return "/guidelines?" + q.Encode()
	}
	if p.PageNum > 1 {
		p.PrevURL = listURL(p.PageNum - 1)
	}
	if p.PageNum < p.Pages {
		p.NextURL = listURL(p.PageNum + 1)
	}
	from := (p.PageNum - 1) * guidelinesPerPage
	p.Items = h.items(&p.Page, gs[from:min(from+guidelinesPerPage, len(gs))])
	h.render(c, http.StatusOK, "guidelines", &p)
}

// findGuideline returns the guideline with slug in the UI language, or else in the other
// language (fallback true). A guideline whose translation has another slug redirects there.
func (h *Handlers) findGuideline(c *gin.Context, p *Page) (g *portal.Guideline, fallback bool, ok bool) {
	slug := c.Param("slug")
	if !portal.ValidSlug(slug) {
		h.Error(c, portal.Errorf(portal.ENOTFOUND, "no guideline %q", slug))
		return nil, false, false
	}
	ctx := c.Request.Context()
	g, err := h.Guidelines.FindGuideline(ctx, portal.GuidelineID(slug, p.Lang))
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		g, err = h.Guidelines.FindGuideline(ctx, portal.GuidelineID(slug, p.Lang.Other()))
		fallback = true
	}
	if err != nil {
		h.Error(c, err)
		return nil, false, false
	}
	if other, found := g.Translations[p.Lang]; fallback && found && other != slug {
		c.Redirect(http.StatusFound, portal.GuidelinePath(other)+c.Request.URL.Path[len(portal.GuidelinePath(slug)):])
		return nil, false, false
	}
	return g, fallback, true
}

// view fills the parts of a guideline page that every guideline page shares.
func (h *Handlers) view(c *gin.Context, p Page, g *portal.Guideline, fallback bool, shown portal.RevisionInfo) guidelineView {
	base := portal.GuidelinePath(g.Slug)
	v := guidelineView{Page: p, G: g, Shown: shown, Fallback: fallback, CommentOpen: g.CommentPeriodOpen(h.Now())}
	v.Title = g.Title
	v.Description = g.Summary
	v.URLs = guidelineURLs{
		Current:       base,
		Revisions:     base + "/revisions",
		Diff:          base + "/diff",
		DiffToCurrent: diffURL(base, shown.Number, g.Revision),
	}
	if shown.Number > 1 {
		v.URLs.DiffToPrevious = diffURL(base, shown.Number-1, shown.Number)
	}
	v.From, v.To = max(g.Revision-1, 1), g.Revision
	for lang, slug := range g.Translations {
		if lang != g.Language {
			tr := h.Theme.Translator(lang)
			v.Translation = &LangLink{Code: lang, Label: tr.T("guideline.read_in"), URL: portal.GuidelinePath(slug) + "?lang=" + string(lang)}
		}
	}
	return v
}

func diffURL(base string, from, to int) string {
	return base + "/diff?from=" + strconv.Itoa(from) + "&to=" + strconv.Itoa(to)
}

// revisionPage is the data of a guideline page, current or old.
type revisionPage struct {
	guidelineView
	Rev       *portal.Revision
	Body      template.HTML
	TOC       template.HTML // the list of Rev.TOC's entries
	IsCurrent bool
}

// HandleGuideline serves GET /guidelines/{slug}.
func (h *Handlers) HandleGuideline(c *gin.Context) {
	p := h.page(c, "", "guidelines")
	g, fallback, ok := h.findGuideline(c, &p)
	if !ok {
		return
	}
	h.showRevision(c, p, g, fallback, g.Revision)
}

// HandleRevision serves GET /guidelines/{slug}/revisions/{n}.
func (h *Handlers) HandleRevision(c *gin.Context) {
	p := h.page(c, "", "guidelines")
	g, fallback, ok := h.findGuideline(c, &p)
	if !ok {
		return
	}
	n, err := revisionParam(&p, g, "n", c.Param("n"))
	if err != nil {
		h.Error(c, err)
		return
	}
	h.showRevision(c, p, g, fallback, n)
}

func (h *Handlers) showRevision(c *gin.Context, p Page, g *portal.Guideline, fallback bool, n int) {
	rev, err := h.Guidelines.FindRenderedRevision(c.Request.Context(), g.ID, n)
	if err != nil {
		h.Error(c, err)
		return
	}
	// A revision never changes: its body as the page shows it (without the example notice
	// the template gives an example guideline, its tables scrollable) is made once, like its
	// table of contents, not per request.
	key := "body\x00" + rev.ID + "\x00" + rev.Hash + "\x00" + strconv.FormatBool(g.Example)
	body, err := h.fragments.get(key, false, func(buf *bytes.Buffer) error {
		html := rev.HTML
		if g.Example {
			html = withoutExampleQuote(html, h.exampleTitles())
		}
		buf.WriteString(string(content.ScrollableTables(html)))
		return nil
	})
	if err != nil {
		h.Error(c, err)
		return
	}
	page := revisionPage{
		guidelineView: h.view(c, p, g, fallback, rev.Info()),
		Rev:           rev,
		Body:          body.html,
		IsCurrent:     n == g.Revision,
	}
	if len(rev.TOC) > 0 {
		// A revision never changes: its table of contents, three template actions a
		// heading, is rendered once (a sixth of a signed-in guideline page's CPU before).
		key := "toc\x00" + rev.ID + "\x00" + rev.Hash
		toc, err := h.fragments.get(key, false, func(buf *bytes.Buffer) error {
			return h.Theme.RenderFragment(buf, "guideline", "toc-list", rev.TOC)
		})
		if err != nil {
			h.Error(c, err)
			return
		}
		page.TOC = toc.html
	}
	h.render(c, http.StatusOK, "guideline", &page)
}

// revisionParam parses the revision number value of the parameter name, which must be
// one of g's revisions.
func revisionParam(p *Page, g *portal.Guideline, name, value string) (int, error) {
	n, err := strconv.Atoi(value)
	switch {
	case err != nil:
		return 0, badRequest(p, "error.bad_revision", value, name)
	case n < 1 || n > g.Revision:
		return 0, notFound(p, "error.revision_range", n, g.Revision, name)
	}
	return n, nil
}

// revisionsPage is the data of a guideline's history.
type revisionsPage struct {
	guidelineView
	Items []revisionItem
}

type revisionItem struct {
	portal.RevisionInfo
	URL, DiffURL string
	Current      bool
}

// HandleRevisions serves GET /guidelines/{slug}/revisions.
func (h *Handlers) HandleRevisions(c *gin.Context) {
	p := h.page(c, "", "guidelines")
	g, fallback, ok := h.findGuideline(c, &p)
	if !ok {
		return
	}
	current := g.Revisions[len(g.Revisions)-1]
	page := revisionsPage{guidelineView: h.view(c, p, g, fallback, current)}
	page.Title = p.T("revisions.title") + ": " + g.Title
	base := portal.GuidelinePath(g.Slug)
	for i := len(g.Revisions) - 1; i >= 0; i-- {
		r := g.Revisions[i]
		item := revisionItem{RevisionInfo: r, URL: base + "/revisions/" + strconv.Itoa(r.Number), Current: r.Number == g.Revision}
		if r.Number > 1 {
			item.DiffURL = diffURL(base, r.Number-1, r.Number)
		}
		page.Items = append(page.Items, item)
	}
	h.render(c, http.StatusOK, "revisions", &page)
}
