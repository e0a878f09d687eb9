package handlers

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
)

// orgsPage is the data of the admin list of organisations: a form for a new one, and each
// organisation with its own form.
type orgsPage struct {
	Page
	formState          // of the new organisation's form
	New       orgForm  // the new organisation's form as typed
	Groups    []option // the stakeholder groups, in the UI's order
	Orgs      []orgRow
}

// orgRow is one organisation with its form.
type orgRow struct {
	*portal.Organisation
	formState
	URL       string
	Label     string // the name in the UI's language
	GroupName string
	Form      orgForm // as stored, or as typed when refused
	Open      bool    // the form is shown open: it was refused
}

// orgForm is what the organisation forms post.
type orgForm struct {
	ID, NameMN, NameEN, Group string
}

func readOrgForm(c *gin.Context) orgForm {
	return orgForm{ID: postField(c, "id"), NameMN: postField(c, "name_mn"), NameEN: postField(c, "name_en"),
		Group: postField(c, "group")}
}

// Validate checks the form; the ID only when it makes a new organisation.
func (f *orgForm) Validate(isNew bool) fieldErrors {
	errs := fieldErrors{}
	if isNew {
		errs.text("id", f.ID, maxOrgID, true)
		if _, bad := errs["id"]; !bad && !portal.ValidSlug(f.ID) {
			errs.add("id", "admin.orgs.bad_id")
		}
	}
	errs.text("name_mn", f.NameMN, maxOrgName, f.NameEN == "")
	errs.text("name_en", f.NameEN, maxOrgName, false)
	errs.text("group", f.Group, maxChoice, true)
	if !portal.StakeholderGroup(f.Group).Valid() {
		errs.add("group", "admin.field.invalid")
	}
	return errs
}

func (f *orgForm) organisation() *portal.Organisation {
	return &portal.Organisation{ID: f.ID, NameMN: f.NameMN, NameEN: f.NameEN, Group: portal.StakeholderGroup(f.Group)}
}

// orgsView is what the organisations page shows besides the list: the new
// organisation's form as typed and its problems, or an organisation's form as typed when
// it was refused, and its problems.
type orgsView struct {
	New     orgForm
	Refused *orgForm
	Errors  fieldErrors
}

// HandleOrganisations serves GET /admin/organisations.
func (h *Handlers) HandleOrganisations(c *gin.Context) {
	h.renderOrgs(c, http.StatusOK, orgsView{})
}

// HandleOrganisationCreate serves POST /admin/organisations: a new organisation.
func (h *Handlers) HandleOrganisationCreate(c *gin.Context) {
	f := readOrgForm(c)
	if errs := f.Validate(true); len(errs) > 0 {
		h.renderOrgs(c, http.StatusBadRequest, orgsView{New: f, Errors: errs})
		return
	}
	ctx := c.Request.Context()
	err := h.Accounts.CreateOrganisation(ctx, portal.UserFromContext(ctx), f.organisation())
	switch {
	case portal.ErrorCode(err) == portal.ECONFLICT:
		h.renderOrgs(c, http.StatusConflict, orgsView{New: f, Errors: fieldErrors{"id": "admin.orgs.id_taken"}})
	case err != nil:
		h.Error(c, err)
	default:
		c.Redirect(http.StatusSeeOther, orgsURL(f.ID))
	}
}

// HandleOrganisationUpdate serves POST /admin/organisations/{id}: its names and group.
func (h *Handlers) HandleOrganisationUpdate(c *gin.Context) {
	f := readOrgForm(c)
	f.ID = c.Param("id")
	if errs := f.Validate(false); len(errs) > 0 {
		h.renderOrgs(c, http.StatusBadRequest, orgsView{Refused: &f, Errors: errs})
		return
	}
	ctx := c.Request.Context()
	if err := h.Accounts.UpdateOrganisation(ctx, portal.UserFromContext(ctx), f.organisation()); err != nil {
		h.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, orgsURL(f.ID))
}

// HandleOrganisationVerify serves POST /admin/organisations/{id}/verify: verified=1
// verifies it, verified=0 withdraws the verification.
func (h *Handlers) HandleOrganisationVerify(c *gin.Context) {
	errs := fieldErrors{}
	verified := errs.yesNo("verified", postField(c, "verified"))
	if len(errs) > 0 {
		p := h.page(c, "", "admin")
		h.Error(c, badRequest(&p, "admin.orgs.bad_verify"))
		return
	}
	ctx, id := c.Request.Context(), c.Param("id")
	if err := h.Accounts.VerifyOrganisation(ctx, portal.UserFromContext(ctx), id, verified); err != nil {
		h.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, orgsURL(id))
}

// renderOrgs renders the organisations page with v.
func (h *Handlers) renderOrgs(c *gin.Context, status int, v orgsView) {
	p := orgsPage{Page: h.page(c, "", "admin"), New: v.New}
	p.Title = p.T("admin.orgs.title")
	orgs, err := h.Accounts.Store.FindOrganisations(c.Request.Context())
	if err == nil && v.Refused != nil && findOrg(orgs, v.Refused.ID) == nil {
		err = portal.Errorf(portal.ENOTFOUND, "there is no organisation %q", v.Refused.ID)
	}
	if err != nil {
		h.Error(c, err)
		return
	}
	if v.Refused == nil {
		p.Errors = v.Errors.messages(&p.Page)
		p.summarize("", p.Errors, adminOrgFields("new", true)...)
	}
	for _, g := range portal.StakeholderGroups {
		p.Groups = append(p.Groups, option{Value: string(g), Label: p.T("group." + string(g))})
	}
	for _, o := range orgs {
		row := orgRow{Organisation: o, URL: "/admin/organisations/" + url.PathEscape(o.ID), Label: o.Name(p.Lang),
			GroupName: p.T("group." + string(o.Group)), Form: orgForm{ID: o.ID, NameMN: o.NameMN, NameEN: o.NameEN, Group: string(o.Group)}}
		if v.Refused != nil && o.ID == v.Refused.ID {
			row.Form, row.Errors, row.Open = *v.Refused, v.Errors.messages(&p.Page), true
			p.summarize("", row.Errors, adminOrgFields(o.ID, false)...)
		}
		p.Orgs = append(p.Orgs, row)
	}
	h.render(c, status, "admin-organisations", p)
}

// adminOrgFields are the fields of an organisation form for its error summary: their
// ids start with prefix, "new" for the new organisation's form, the organisation's id for
// its own.
func adminOrgFields(prefix string, isNew bool) []string {
	var fields []string
	if isNew {
		fields = append(fields, "id#"+prefix+"-id")
	}
	for _, f := range []string{"name_mn", "name_en", "group"} {
		fields = append(fields, f+"#"+prefix+"-"+f)
	}
	return fields
}

// orgsURL is the organisations page, at the organisation with id.
func orgsURL(id string) string { return "/admin/organisations#org-" + url.PathEscape(id) }
