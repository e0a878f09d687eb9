package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal/content"
)

// diffPage is the data of a diff between two revisions.
type diffPage struct {
	guidelineView
	Stats  content.DiffStats
	Groups []diffGroup
}

// diffGroup is a run of diff blocks laid out for the page (lists as lists); a run of
// unchanged blocks is shown folded, with their count.
type diffGroup struct {
	Unchanged bool
	Count     int
	Parts     []content.DiffPart
}

// diffView is what a partial of the diff page gets: the page, for its strings, and the
// part to show. Partials reach their parts with .Part and pass on the next with $.With.
type diffView struct {
	*diffPage
	Part any
}

// With returns part with the page, for a partial.
func (p *diffPage) With(part any) diffView { return diffView{p, part} }

// HandleDiff serves GET /guidelines/{slug}/diff?from=N&to=M.
func (h *Handlers) HandleDiff(c *gin.Context) {
	p := h.page(c, "", "guidelines")
	g, fallback, ok := h.findGuideline(c, &p)
	if !ok {
		return
	}
	from, to := max(g.Revision-1, 1), g.Revision
	var err error
	if v, set := c.GetQuery("from"); set {
		if from, err = revisionParam(&p, g, "from", v); err != nil {
			h.Error(c, err)
			return
		}
	}
	if v, set := c.GetQuery("to"); set {
		if to, err = revisionParam(&p, g, "to", v); err != nil {
			h.Error(c, err)
			return
		}
	}
	ctx := c.Request.Context()
	older, err := h.Guidelines.FindRevision(ctx, g.ID, from)
	if err != nil {
		h.Error(c, err)
		return
	}
	newer, err := h.Guidelines.FindRevision(ctx, g.ID, to)
	if err != nil {
		h.Error(c, err)
		return
	}
	blocks, stats := content.Diff(older, newer)
	page := diffPage{guidelineView: h.view(c, p, g, fallback, newer.Info()), Stats: stats, Groups: groupDiff(blocks)}
	page.From, page.To = from, to
	page.Title = p.T("diff.title", from, to) + ": " + g.Title
	h.render(c, http.StatusOK, "diff", &page)
}

// groupDiff gathers consecutive unchanged blocks so the page can fold them away, and lays
// out each run's list items as lists.
func groupDiff(blocks []content.DiffBlock) []diffGroup {
	var groups []diffGroup
	start := 0
	for i := range blocks {
		equal := blocks[i].Op == content.DiffEqual
		if i+1 == len(blocks) || (blocks[i+1].Op == content.DiffEqual) != equal {
			run := blocks[start : i+1]
			groups = append(groups, diffGroup{Unchanged: equal, Count: len(run), Parts: content.Nest(run)})
			start = i + 1
		}
	}
	return groups
}
