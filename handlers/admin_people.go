package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// peopleLimit is how many people the people page lists; a search narrows it down.
const peopleLimit = 200

// peoplePage is the data of the admin list of people.
type peoplePage struct {
	Page
	formState
	Query  string
	People []personRow
	More   int // how many more matched than are listed
}

// personRow is one person as the admin pages show them.
type personRow struct {
	*portal.User
	URL      string
	RoleName string
	OrgName  string
}

// HandlePeople serves GET /admin/people?q=: everyone, or those whose name or e-mail
// contains q.
func (h *Handlers) HandlePeople(c *gin.Context) {
	p := peoplePage{Page: h.page(c, "", "admin"), Query: c.Query("q")}
	p.Title = p.T("admin.people.title")
	errs := fieldErrors{}
	if errs.text("q", p.Query, maxQuery, false); len(errs) > 0 {
		p.refuse(&p.Page, "", errs.messages(&p.Page), "q@admin.people.search")
		h.render(c, http.StatusBadRequest, "admin-people", p)
		return
	}
	ctx := c.Request.Context()
	people, err := h.Accounts.Store.FindUsers(ctx, portal.UserFilter{Query: p.Query})
	if err != nil {
		h.Error(c, err)
		return
	}
	orgs, err := h.Accounts.Store.FindOrganisations(ctx)
	if err != nil {
		h.Error(c, err)
		return
	}
	p.More = max(len(people)-peopleLimit, 0)
	for _, u := range people[:min(len(people), peopleLimit)] {
		p.People = append(p.People, describePerson(&p.Page, u, orgs))
	}
	h.render(c, http.StatusOK, "admin-people", p)
}

func describePerson(p *Page, u *portal.User, orgs []*portal.Organisation) personRow {
	row := personRow{User: u, URL: personURL(u.ID), RoleName: p.T("role." + string(u.Role)), OrgName: u.OrgID}
	if o := findOrg(orgs, u.OrgID); o != nil {
		row.OrgName = o.Name(p.Lang)
	}
	return row
}

// personPage is the data of the admin page of one person: their role, organisation and
// access, and a reset link made for them.
type personPage struct {
	Page
	formState
	Person       personRow
	Self         bool // the admin's own account, which they may not change here
	Roles, Orgs  []option
	Disabled     bool // as the form shows it
	ResetLink    string
	ResetExpires string
}

// personForm is what the person form posts.
type personForm struct {
	Role     portal.Role
	OrgID    string
	Disabled bool
}

// readPersonForm reads and checks the form against what actor may give and the
// organisations there are.
func readPersonForm(c *gin.Context, actor *portal.User, orgs []*portal.Organisation) (personForm, fieldErrors) {
	errs, role, org := fieldErrors{}, postField(c, "role"), postField(c, "org")
	errs.text("role", role, maxChoice, true)
	errs.text("org", org, maxOrgID, false)
	f := personForm{Role: portal.Role(role), OrgID: org, Disabled: errs.yesNo("disabled", postField(c, "disabled"))}
	switch {
	case len(errs) > 0:
	case f.Role.Rank() < 1:
		errs.add("role", "admin.field.invalid")
	case !portal.CanAssign(actor, f.Role):
		errs.add("role", "admin.field.role_forbidden")
	}
	if org != "" && findOrg(orgs, org) == nil {
		errs.add("org", "admin.field.no_org")
	}
	return f, errs
}

// HandlePerson serves GET /admin/people/{id}.
func (h *Handlers) HandlePerson(c *gin.Context) {
	p, orgs, ok := h.person(c)
	if !ok {
		return
	}
	p.fill(p.Person.Role, p.Person.OrgID, p.Person.Disabled, orgs)
	h.render(c, http.StatusOK, "admin-person", p)
}

// HandlePersonPost serves POST /admin/people/{id}: role, org and disabled. Everything is
// checked before anything changes; each change is its own audited call.
func (h *Handlers) HandlePersonPost(c *gin.Context) {
	p, orgs, ok := h.person(c)
	if !ok {
		return
	}
	f, errs := readPersonForm(c, p.User, orgs)
	if len(errs) > 0 {
		p.fill(f.Role, f.OrgID, f.Disabled, orgs)
		p.refuse(&p.Page, "", errs.messages(&p.Page), "role@profile.role", "org@profile.organisation", "disabled@admin.person.disable")
		h.render(c, http.StatusBadRequest, "admin-person", p)
		return
	}
	if err := h.changePerson(c.Request.Context(), p.User, p.Person.User, f); err != nil {
		h.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, p.Person.URL)
}

// changePerson makes the changes of f to u that are changes.
func (h *Handlers) changePerson(ctx context.Context, actor, u *portal.User, f personForm) error {
	if f.Role != u.Role {
		if err := h.Accounts.SetRole(ctx, actor, u.ID, f.Role); err != nil {
			return err
		}
	}
	if f.OrgID != u.OrgID {
		if err := h.Accounts.SetOrganisation(ctx, actor, u.ID, f.OrgID); err != nil {
			return err
		}
	}
	if f.Disabled != u.Disabled {
		return h.Accounts.SetDisabled(ctx, actor, u.ID, f.Disabled)
	}
	return nil
}

// HandlePersonResetLink serves POST /admin/people/{id}/reset-link: it makes a password
// reset link for the person and shows it, this once, for the admin to pass on.
func (h *Handlers) HandlePersonResetLink(c *gin.Context) {
	p, orgs, ok := h.person(c)
	if !ok {
		return
	}
	p.fill(p.Person.Role, p.Person.OrgID, p.Person.Disabled, orgs)
	token, link, err := h.Accounts.IssueResetLink(c.Request.Context(), p.User, p.Person.ID)
	switch {
	case errors.Is(err, accounts.ErrDisabled):
		p.refuse(&p.Page, p.T("admin.person.reset_disabled"), nil)
		h.render(c, http.StatusConflict, "admin-person", p)
		return
	case err != nil:
		h.Error(c, err)
		return
	}
	p.ResetLink = h.linkURL(resetURL(token))
	p.ResetExpires = dateTime(&p.Page, link.ExpiresAt)
	noStore(c)
	h.render(c, http.StatusCreated, "admin-person", p)
}

// person loads the person of the request and the organisations, or answers the request
// itself and returns false.
func (h *Handlers) person(c *gin.Context) (*personPage, []*portal.Organisation, bool) {
	p := &personPage{Page: h.page(c, "", "admin")}
	ctx := c.Request.Context()
	u, err := h.Accounts.Store.FindUser(ctx, c.Param("id"))
	var orgs []*portal.Organisation
	if err == nil {
		orgs, err = h.Accounts.Store.FindOrganisations(ctx)
	}
	if err != nil {
		h.Error(c, err)
		return nil, nil, false
	}
	p.Person, p.Self = describePerson(&p.Page, u, orgs), u.ID == p.User.ID
	p.Title = u.Name
	return p, orgs, true
}

// fill sets the form's choices and what they show.
func (p *personPage) fill(role portal.Role, org string, disabled bool, orgs []*portal.Organisation) {
	p.Roles, p.Orgs, p.Disabled = roleOptions(&p.Page, p.User, string(role)), orgOptions(&p.Page, orgs, org), disabled
}

// personURL is the path of the admin page of the person with id.
func personURL(id string) string { return "/admin/people/" + url.PathEscape(id) }
