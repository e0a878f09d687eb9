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

// diffGroup is a run of diff blocks; a run of unchanged blocks is shown collapsed.
type diffGroup struct {
	Unchanged bool
	Blocks    []content.DiffBlock
}

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

// groupDiff gathers consecutive unchanged blocks so the page can fold them away.
func groupDiff(blocks []content.DiffBlock) []diffGroup {
	var groups []diffGroup
	for _, b := range blocks {
		equal := b.Op == content.DiffEqual
		if n := len(groups); n > 0 && groups[n-1].Unchanged == equal {
			groups[n-1].Blocks = append(groups[n-1].Blocks, b)
			continue
		}
		groups = append(groups, diffGroup{Unchanged: equal, Blocks: []content.DiffBlock{b}})
	}
	return groups
}
