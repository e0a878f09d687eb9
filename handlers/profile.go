package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
)

// profilePage is the data of a person's own profile.
type profilePage struct {
	Page
	Org       *portal.Organisation
	RoleName  string
	GroupName string
}

// HandleProfile serves GET /profile.
func (h *Handlers) HandleProfile(c *gin.Context) {
	p := profilePage{Page: h.page(c, "", "profile")}
	p.Title = p.T("profile.title")
	u := p.User
	p.RoleName = p.T("role." + string(portal.RoleOf(u)))
	if u.OrgID != "" {
		org, err := h.Accounts.Store.FindOrganisation(c.Request.Context(), u.OrgID)
		if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
			h.Error(c, err)
			return
		}
		p.Org = org
		if org != nil {
			p.GroupName = p.T("group." + string(org.Group))
		}
	}
	h.render(c, http.StatusOK, "profile", p)
}

// HandleEndSessions serves POST /profile/sessions/end: sign out everywhere.
func (h *Handlers) HandleEndSessions(c *gin.Context) {
	u := portal.UserFromContext(c.Request.Context())
	if err := h.Accounts.EndAllSessions(c.Request.Context(), u.ID, u.ID); err != nil {
		h.Error(c, err)
		return
	}
	h.ClearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/login")
}
