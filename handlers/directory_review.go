package handlers

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
)

// suggestionsLimit is how many suggestions a list shows.
const suggestionsLimit = 200

// suggestionsPage lists suggestions: the review queue for the secretariat, one's own
// suggestions and their outcome for a member.
type suggestionsPage struct {
	Page
	Review  bool // the secretariat's queue
	Pending []suggestionRow
	Decided []suggestionRow
}

// suggestionRow is a suggestion in a list.
type suggestionRow struct {
	*portal.Suggestion
	URL         string
	ServiceName string
	Fields      []string // the names of the changed fields, in the page language
}

// noticeKeys are the notices a redirect may ask a page to show, by the notice parameter.
var noticeKeys = map[string]string{
	"saved":     "directory.edit.saved",
	"verified":  "directory.edit.verified",
	"suggested": "directory.suggest.sent",
	"accepted":  "directory.review.accepted_notice",
	"rejected":  "directory.review.rejected_notice",
}

// notice returns the text of the request's notice parameter, or "".
func notice(c *gin.Context, p *Page) string {
	if k, ok := noticeKeys[c.Query("notice")]; ok {
		return p.T(k)
	}
	return ""
}

// HandleSuggestions serves GET /directory/suggestions: the secretariat's review queue, or a
// member's own suggestions.
func (h *Handlers) HandleSuggestions(c *gin.Context) {
	ctx := c.Request.Context()
	u := portal.UserFromContext(ctx)
	p := suggestionsPage{Page: h.page(c, "", "directory"), Review: portal.Can(u, portal.ActionEditDirectory)}
	f := portal.SuggestionFilter{Limit: suggestionsLimit}
	if p.Review {
		p.Title = p.T("directory.review.title")
	} else {
		p.Title = p.T("directory.suggest.mine")
		f.By = u.ID
	}
	list, err := h.Directory.FindSuggestions(ctx, f)
	if err != nil {
		h.Error(c, err)
		return
	}
	d, err := h.Directory.Directory(ctx)
	if err != nil {
		h.Error(c, err)
		return
	}
	for _, sg := range list {
		row := suggestionRow{Suggestion: sg, URL: suggestionPath(sg.ID), ServiceName: sg.Base.Name.In(p.Lang)}
		if s, _ := d.Service(sg.ServiceID); s != nil {
			row.ServiceName = s.Name.In(p.Lang)
		}
		for _, k := range directory.ChangedFields(&sg.Base, &sg.Proposed) {
			row.Fields = append(row.Fields, p.T("directory.field."+k))
		}
		if sg.Status == portal.SuggestionPending {
			p.Pending = append(p.Pending, row)
		} else {
			p.Decided = append(p.Decided, row)
		}
	}
	// The oldest pending suggestion is reviewed first.
	slices.Reverse(p.Pending)
	h.renderPrivate(c, "directory-suggestions", p)
}

func suggestionPath(id string) string { return "/directory/suggestions/" + url.PathEscape(id) }

// suggestionPage shows one suggestion field by field.
type suggestionPage struct {
	Page
	formState
	Notice      string
	S           *portal.Suggestion
	ServiceName string
	ServiceURL  string
	Rows        []diffRow
	CanDecide   bool
	Reason      string
	Gone        bool // the service no longer exists
}

// diffRow is one changed field: as the member saw it, as they suggest, and as it is now.
type diffRow struct {
	Label                   string
	Base, Proposed, Current string
	// ChangedSince warns that the field was changed since the member saw it: accepting
	// replaces that change.
	ChangedSince bool
}

// HandleSuggestion serves GET /directory/suggestions/:id to the member who made it and to
// the secretariat.
func (h *Handlers) HandleSuggestion(c *gin.Context) {
	p, ok := h.suggestionPage(c)
	if !ok {
		return
	}
	p.Notice = notice(c, &p.Page)
	h.renderPrivate(c, "directory-suggestion", p)
}

// suggestionPage loads the suggestion of the request, or answers 404 to those who may not
// see it (a member sees only their own).
func (h *Handlers) suggestionPage(c *gin.Context) (*suggestionPage, bool) {
	ctx := c.Request.Context()
	u := portal.UserFromContext(ctx)
	sg, err := h.Directory.FindSuggestion(ctx, c.Param("id"))
	if portal.ErrorCode(err) == portal.ENOTFOUND || err == nil && sg.By != u.ID && !portal.Can(u, portal.ActionEditDirectory) {
		h.NotFound(c)
		return nil, false
	}
	if err != nil {
		h.Error(c, err)
		return nil, false
	}
	d, err := h.Directory.Directory(ctx)
	if err != nil {
		h.Error(c, err)
		return nil, false
	}
	p := &suggestionPage{Page: h.page(c, "", "directory"), S: sg, ServiceURL: portal.ServicePath(sg.ServiceID),
		CanDecide: portal.Can(u, portal.ActionEditDirectory) && sg.Status == portal.SuggestionPending}
	p.Title = p.T("directory.review.one")
	cur, _ := d.Service(sg.ServiceID)
	if cur == nil {
		p.Gone, p.CanDecide = true, false
		cur = &sg.Base
	}
	p.ServiceName = cur.Name.In(p.Lang)
	base, prop, now := directory.Fields(&sg.Base, p.Lang), directory.Fields(&sg.Proposed, p.Lang), directory.Fields(cur, p.Lang)
	for i := range base {
		if base[i].Value == prop[i].Value {
			continue
		}
		p.Rows = append(p.Rows, diffRow{Label: p.T("directory.field." + base[i].Key), Base: base[i].Value,
			Proposed: prop[i].Value, Current: now[i].Value,
			ChangedSince: sg.Status == portal.SuggestionPending && now[i].Value != base[i].Value})
	}
	return p, true
}

// HandleSuggestionAccept serves POST /directory/suggestions/:id/accept.
func (h *Handlers) HandleSuggestionAccept(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	if err := h.Editor.Accept(ctx, portal.UserFromContext(ctx), id); err != nil {
		h.decisionError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, suggestionPath(id)+"?notice=accepted")
}

// HandleSuggestionReject serves POST /directory/suggestions/:id/reject, with a reason.
func (h *Handlers) HandleSuggestionReject(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	reason := postField(c, "reason")
	errs := fieldErrors{}
	if errs.text("reason", reason, maxNote, true); len(errs) > 0 {
		p, ok := h.suggestionPage(c)
		if !ok {
			return
		}
		p.Reason = reason
		p.refuse(&p.Page, "", errs.messages(&p.Page), "reason@directory.review.reason")
		c.Header("Cache-Control", "private, no-store")
		h.render(c, http.StatusBadRequest, "directory-suggestion", p)
		return
	}
	if err := h.Editor.Reject(ctx, portal.UserFromContext(ctx), id, reason); err != nil {
		h.decisionError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, suggestionPath(id)+"?notice=rejected")
}

// decisionError shows the suggestion again with why the decision failed: decided by
// someone else meanwhile, or the result would not be a valid entry.
func (h *Handlers) decisionError(c *gin.Context, err error) {
	code := portal.ErrorCode(err)
	if code != portal.ECONFLICT && code != portal.EINVALID {
		h.Error(c, err)
		return
	}
	p, ok := h.suggestionPage(c)
	if !ok {
		return
	}
	message := p.T("directory.review.conflict")
	if code == portal.EINVALID {
		message = p.T("directory.review.invalid")
	}
	p.refuse(&p.Page, message, nil)
	c.Header("Cache-Control", "private, no-store")
	h.render(c, http.StatusConflict, "directory-suggestion", p)
}
