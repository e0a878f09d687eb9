package handlers

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
)

// orgsPage is the data of the admin list of organisations: every organisation of the
// platform once, those whose people sign in (a member record), those only listed in the
// referral directory, and those that are both (portal.JoinOrganisations); a form for a
// new one; and each member organisation with its own form.
type orgsPage struct {
	Page
	formState          // of the new organisation's form
	New       orgForm  // the new organisation's form as typed
	Groups    []option // the stakeholder groups, in the UI's order
	Orgs      []orgRow // those that Show selects
	Filters   []filterLink
	// Directory says whether the portal has a referral directory to link organisations to.
	Directory bool
}

// orgRow is one organisation: a member record with its form, or a directory listing that
// has none, with the form that makes one for it.
type orgRow struct {
	formState
	Org       *portal.Organisation // nil for a listing without a member record
	ID        string               // the record's id, or the listing's
	URL       string               // where the record's forms post
	Label     string               // the name in the UI's language
	GroupName string
	People    int // the people who sign in for it
	// Listing is its directory listing, nil for none; ListingEdit the secretariat's form
	// for it ("" for those who may not edit the directory).
	Listing     *portal.DirectoryOrg
	ListingName string
	ListingEdit string
	Listings    []option // the listings the record may be linked to, nil when it has its own
	Form        orgForm  // as stored, or as typed when refused
	Open        bool     // the form is shown open: it was refused
}

// orgForm is what the organisation forms post.
type orgForm struct {
	ID, NameMN, NameEN, Group string
	// Listing is the id of the directory listing the record is linked to, "" for the one
	// of its own id; Linking says the form posted one (it shows the choice only to a
	// record without a listing of its own id).
	Listing string
	Linking bool
}

func readOrgForm(c *gin.Context) orgForm {
	f := orgForm{ID: postField(c, "id"), NameMN: postField(c, "name_mn"), NameEN: postField(c, "name_en"),
		Group: postField(c, "group")}
	_, f.Linking = c.GetPostForm("listing")
	f.Listing = postField(c, "listing")
	return f
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
	errs.text("listing", f.Listing, maxOrgID, false)
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

// HandleOrganisations serves GET /admin/organisations: every organisation, or those that
// ?show= selects ("members": those whose people sign in; "directory": those only listed in
// the directory).
func (h *Handlers) HandleOrganisations(c *gin.Context) {
	h.renderOrgs(c, http.StatusOK, orgsView{})
}

// HandleOrganisationCreate serves POST /admin/organisations: a new organisation, typed in
// the new organisation's form or made for a directory listing from its row.
func (h *Handlers) HandleOrganisationCreate(c *gin.Context) {
	f := readOrgForm(c)
	f.Linking = false
	if errs := f.Validate(true); len(errs) > 0 {
		h.renderOrgs(c, http.StatusBadRequest, orgsView{New: f, Errors: errs})
		return
	}
	ctx := c.Request.Context()
	actor, o := portal.UserFromContext(ctx), f.organisation()
	err := h.Accounts.CreateOrganisation(ctx, actor, o)
	switch {
	case conflictOn(err, "listing"):
		h.renderOrgs(c, http.StatusConflict, orgsView{New: f, Errors: fieldErrors{"id": "admin.orgs.id_listing_taken"}})
		return
	case portal.ErrorCode(err) == portal.ECONFLICT:
		h.renderOrgs(c, http.StatusConflict, orgsView{New: f, Errors: fieldErrors{"id": "admin.orgs.id_taken"}})
		return
	case err == nil:
		// A listing of its id is its own: it shows the group given here.
		err = h.listingFollows(ctx, actor, o)
	}
	if err != nil {
		h.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, orgsURL(f.ID))
}

// HandleOrganisationUpdate serves POST /admin/organisations/{id}: its names, group and,
// for one without a listing of its own id, the directory listing it is linked to. Its
// listing takes the group it is given.
func (h *Handlers) HandleOrganisationUpdate(c *gin.Context) {
	f := readOrgForm(c)
	f.ID = c.Param("id")
	ctx := c.Request.Context()
	errs := f.Validate(false)
	if _, bad := errs["listing"]; !bad && f.Linking {
		if ok, err := h.linkable(ctx, f.ID, f.Listing); err != nil {
			h.Error(c, err)
			return
		} else if !ok {
			errs.add("listing", "admin.field.invalid")
		}
	}
	if len(errs) > 0 {
		h.renderOrgs(c, http.StatusBadRequest, orgsView{Refused: &f, Errors: errs})
		return
	}
	actor := portal.UserFromContext(ctx)
	o := f.organisation()
	var err error
	if f.Linking {
		// The link first: should its claim be refused, nothing is written.
		err = h.Accounts.LinkListing(ctx, actor, f.ID, f.Listing)
	}
	if err == nil {
		err = h.Accounts.UpdateOrganisation(ctx, actor, o) // o is then as stored, its link included
	}
	switch {
	case conflictOn(err, "listing"):
		h.renderOrgs(c, http.StatusConflict, orgsView{Refused: &f, Errors: fieldErrors{"listing": "admin.orgs.listing_taken"}})
		return
	case err == nil:
		err = h.listingFollows(ctx, actor, o)
	}
	if err != nil {
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

// adminOrgFields are the fields of an organisation form for its error summary: their
// ids start with prefix, "new" for the new organisation's form, the organisation's id for
// its own.
func adminOrgFields(prefix string, isNew bool) []string {
	var fields []string
	if isNew {
		fields = append(fields, "id#"+prefix+"-id@admin.orgs.id")
	}
	for _, f := range []string{"name_mn", "name_en", "group", "listing"} {
		fields = append(fields, f+"#"+prefix+"-"+f+"@admin.orgs."+f)
	}
	return fields
}

// orgsURL is the organisations page, at the organisation with id.
func orgsURL(id string) string { return "/admin/organisations#org-" + url.PathEscape(id) }
