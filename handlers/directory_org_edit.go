package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
)

// Limits of the organisation and location forms' fields, in bytes.
const (
	maxURL   = 500
	maxCoord = 20
)

// orgFormPage edits an organisation's own fields.
type orgFormPage struct {
	Page
	formState
	Org    *portal.DirectoryOrg
	Action string
	Values map[string]string
	Groups []option
	// Member is the member organisation whose listing Org is, nil for none: its group is
	// the listing's, set on the organisations page (MemberURL), not here.
	Member    *portal.Organisation
	MemberURL string
}

// Field returns the text field name, labelled by the catalog key label.
func (p *orgFormPage) Field(name, label string, oneLine bool) textField {
	return textField{Name: name, Label: p.T(label), Value: p.Values[name], Error: p.Errors[name], OneLine: oneLine}
}

// orgFormFields are the organisation form's fields from top to bottom, for its error summary.
var orgFormFields = []string{"name_mn@directory.field.name.mn", "name_en@directory.field.name.en",
	"description_mn@directory.field.description.mn", "description_en@directory.field.description.en",
	"group@admin.orgs.group", "email@directory.field.email", "website@directory.field.website", "phones@directory.field.phones"}

func orgEditPath(id string) string { return "/directory/organizations/" + url.PathEscape(id) + "/edit" }

// orgTarget returns the directory organisation of the request, or answers 404.
func (h *Handlers) orgTarget(c *gin.Context) (*portal.DirectoryOrg, bool) {
	d, err := h.Directory.Directory(c.Request.Context())
	if err != nil {
		h.Error(c, err)
		return nil, false
	}
	o := d.Org(c.Param("org"))
	if o == nil {
		h.NotFound(c)
		return nil, false
	}
	return o, true
}

func (h *Handlers) newOrgForm(c *gin.Context, o *portal.DirectoryOrg) *orgFormPage {
	p := &orgFormPage{Page: h.page(c, "", "directory"), Org: o, Action: orgEditPath(o.ID)}
	p.Title = p.T("directory.edit.org_title")
	return p
}

func (p *orgFormPage) groups(selected string) {
	p.Groups = nil
	for _, g := range portal.StakeholderGroups {
		p.Groups = append(p.Groups, option{Value: string(g), Label: p.T("group." + string(g)), Selected: string(g) == selected})
	}
}

// HandleOrgEdit serves GET /directory/organizations/:org/edit.
func (h *Handlers) HandleOrgEdit(c *gin.Context) {
	o, ok := h.orgTarget(c)
	if !ok {
		return
	}
	p := h.newOrgForm(c, o)
	if !h.withMember(c, p) {
		return
	}
	p.Values = map[string]string{
		"name_mn": o.Name.MN, "name_en": o.Name.EN, "description_mn": o.Description.MN,
		"description_en": o.Description.EN, "email": o.Email, "website": o.Website,
		"phones": directory.FormatPhones(o.Phones),
	}
	p.groups(string(o.Group))
	h.render(c, http.StatusOK, "directory-org-edit", p)
}

// HandleOrgEditPost serves POST /directory/organizations/:org/edit.
func (h *Handlers) HandleOrgEditPost(c *gin.Context) {
	o, ok := h.orgTarget(c)
	if !ok {
		return
	}
	p := h.newOrgForm(c, o)
	if !h.withMember(c, p) {
		return
	}
	errs := fieldErrors{}
	p.Values = map[string]string{}
	for _, f := range []struct {
		name    string
		max     int
		oneLine bool
	}{{"name_mn", maxServiceName, true}, {"name_en", maxServiceName, true}, {"description_mn", maxServiceText, false},
		{"description_en", maxServiceText, false}, {"email", maxEmail, true}, {"website", maxURL, true},
		{"phones", maxServiceText, false}} {
		v := multiline(c.PostForm(f.name))
		p.Values[f.name] = v
		errs.checkText(f.name, v, f.max, f.oneLine)
	}
	group := postField(c, "group")
	if p.Member != nil {
		group = string(p.Member.Group)
	}
	p.groups(group)
	edited := o.Clone()
	v := p.Values
	edited.Name = portal.Text{MN: v["name_mn"], EN: v["name_en"]}
	edited.Description = portal.Text{MN: v["description_mn"], EN: v["description_en"]}
	edited.Group, edited.Email, edited.Website = portal.StakeholderGroup(group), v["email"], v["website"]
	if edited.Name.Empty() {
		errs.add("name_mn", "form.required")
	}
	if !edited.Group.Valid() {
		errs.add("group", "admin.field.invalid")
	}
	if edited.Email != "" && portal.ValidEmail(edited.Email) != nil {
		errs.add("email", "admin.field.email")
	}
	if edited.Website != "" && portal.ValidURL(edited.Website) != nil {
		errs.add("website", "directory.edit.website")
	}
	edited.Phones = readPhones(errs, v["phones"], o.Phones)
	if len(errs) == 0 {
		ctx := c.Request.Context()
		err := h.Editor.SaveOrgDetails(ctx, portal.UserFromContext(ctx), edited)
		if !h.refused(c, err, orgReturnPath(o), errs, "org", o.ID) {
			return
		}
	}
	p.refuse(&p.Page, p.T("directory.edit.fix"), errorMessages(&p.Page, errs), orgFormFields...)
	h.render(c, http.StatusBadRequest, "directory-org-edit", p)
}

// refused finishes a secretariat form after its save, which returned err: on success, a
// redirect to back with the saved notice; an invalid value, logged by the fields' names
// (never their values) and marked on the form; any other error, answered. It reports
// whether the form is to be shown again, with errs.
func (h *Handlers) refused(c *gin.Context, err error, back string, errs fieldErrors, what, id string) bool {
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, back+"?notice=saved")
		return false
	case portal.ErrorCode(err) != portal.EINVALID:
		h.Error(c, err)
		return false
	}
	h.Logger.InfoContext(c.Request.Context(), "directory form refused", what, id, "fields", fieldNames(err))
	errs.add("name_mn", "directory.edit.invalid")
	return true
}

// orgReturnPath is where an edit of an organisation returns to: its first service's page,
// which shows the organisation; the directory when it has none.
func orgReturnPath(o *portal.DirectoryOrg) string {
	if len(o.Services) > 0 {
		return portal.ServicePath(o.Services[0].ID)
	}
	return "/directory"
}

// multiline returns a posted text with its line ends as "\n", trimmed.
func multiline(v string) string { return strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n")) }

// locationFormPage edits one location, its confidential address included.
type locationFormPage struct {
	Page
	formState
	Org          *portal.DirectoryOrg
	Location     *portal.Location
	Action       string
	Values       map[string]string
	Confidential bool
	Places       []optionGroup
}

// Field returns the text field name, labelled by the catalog key label.
func (p *locationFormPage) Field(name, label string, oneLine bool) textField {
	return textField{Name: name, Label: p.T(label), Value: p.Values[name], Error: p.Errors[name], OneLine: oneLine}
}

// locationFormFields are the location form's fields from top to bottom, for its error summary.
var locationFormFields = []string{"name_mn@directory.field.location_name.mn", "name_en@directory.field.location_name.en",
	"confidential@directory.edit.confidential", "address_mn@directory.field.address.mn", "address_en@directory.field.address.en",
	"place@directory.field.place", "latitude@directory.field.latitude", "longitude@directory.field.longitude",
	"public_contact_mn@directory.field.public_contact.mn", "public_contact_en@directory.field.public_contact.en"}

func locationEditPath(org, loc string) string {
	return "/directory/organizations/" + url.PathEscape(org) + "/locations/" + url.PathEscape(loc) + "/edit"
}

func (h *Handlers) locationTarget(c *gin.Context) (*portal.DirectoryOrg, *portal.Location, bool) {
	o, ok := h.orgTarget(c)
	if !ok {
		return nil, nil, false
	}
	l := o.Location(c.Param("loc"))
	if l == nil {
		h.NotFound(c)
		return nil, nil, false
	}
	return o, l, true
}

func (h *Handlers) newLocationForm(c *gin.Context, o *portal.DirectoryOrg, l *portal.Location) *locationFormPage {
	p := &locationFormPage{Page: h.page(c, "", "directory"), Org: o, Location: l, Action: locationEditPath(o.ID, l.ID)}
	p.Title = p.T("directory.edit.location_title")
	return p
}

// places fills the place choices: every aimag, then each of its soums.
func (p *locationFormPage) places(h *Handlers, selected string) {
	p.Places = nil
	for _, a := range h.Gazetteer.Aimags {
		g := optionGroup{Label: a.Name.In(p.Lang)}
		g.Options = append(g.Options, option{Value: a.ID, Label: a.Name.In(p.Lang) + " · " + p.T("directory.edit.whole_aimag"), Selected: selected == a.ID})
		for _, s := range a.Soums {
			v := a.ID + "/" + s.ID
			g.Options = append(g.Options, option{Value: v, Label: s.Name.In(p.Lang), Selected: selected == v})
		}
		p.Places = append(p.Places, g)
	}
}

// HandleLocationEdit serves GET /directory/organizations/:org/locations/:loc/edit. The
// secretariat sees and edits the confidential address here, so the page is never stored.
func (h *Handlers) HandleLocationEdit(c *gin.Context) {
	o, l, ok := h.locationTarget(c)
	if !ok {
		return
	}
	loc := *l
	if l.Confidential {
		hidden, err := h.Directory.ConfidentialPlaces(c.Request.Context(), []string{l.ID})
		if err != nil {
			h.Error(c, err)
			return
		}
		if cp, ok := hidden[l.ID]; ok {
			loc.Address, loc.Latitude, loc.Longitude = cp.Address, cp.Latitude, cp.Longitude
		}
	}
	p := h.newLocationForm(c, o, l)
	p.Confidential = loc.Confidential
	p.Values = map[string]string{
		"name_mn": loc.Name.MN, "name_en": loc.Name.EN, "address_mn": loc.Address.MN, "address_en": loc.Address.EN,
		"public_contact_mn": loc.PublicContact.MN, "public_contact_en": loc.PublicContact.EN,
		"latitude": coordText(loc.Latitude), "longitude": coordText(loc.Longitude),
	}
	p.places(h, strings.TrimSuffix(loc.Aimag+"/"+loc.Soum, "/"))
	h.renderPrivate(c, "directory-location-edit", p)
}

func coordText(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// HandleLocationEditPost serves POST /directory/organizations/:org/locations/:loc/edit.
func (h *Handlers) HandleLocationEditPost(c *gin.Context) {
	o, l, ok := h.locationTarget(c)
	if !ok {
		return
	}
	p := h.newLocationForm(c, o, l)
	errs := fieldErrors{}
	p.Values = map[string]string{}
	for _, f := range []struct {
		name    string
		max     int
		oneLine bool
	}{{"name_mn", maxServiceName, true}, {"name_en", maxServiceName, true}, {"address_mn", maxServiceText, false},
		{"address_en", maxServiceText, false}, {"public_contact_mn", maxServiceText, false},
		{"public_contact_en", maxServiceText, false}, {"latitude", maxCoord, true}, {"longitude", maxCoord, true}} {
		v := multiline(c.PostForm(f.name))
		p.Values[f.name] = v
		errs.checkText(f.name, v, f.max, f.oneLine)
	}
	p.Confidential = errs.yesNo("confidential", c.PostForm("confidential"))
	place := postField(c, "place")
	p.places(h, place)
	v := p.Values
	loc := portal.Location{ID: l.ID, Confidential: p.Confidential,
		Name:          portal.Text{MN: v["name_mn"], EN: v["name_en"]},
		Address:       portal.Text{MN: v["address_mn"], EN: v["address_en"]},
		PublicContact: portal.Text{MN: v["public_contact_mn"], EN: v["public_contact_en"]}}
	loc.Aimag, loc.Soum, _ = strings.Cut(place, "/")
	switch {
	case h.Gazetteer.FindAimag(loc.Aimag) == nil:
		errs.add("place", "directory.edit.place")
	case loc.Soum != "" && h.Gazetteer.FindSoum(loc.Aimag, loc.Soum) == nil:
		errs.add("place", "directory.edit.place")
	}
	if loc.Name.Empty() {
		errs.add("name_mn", "form.required")
	}
	if loc.Confidential && loc.PublicContact.Empty() {
		errs.add("public_contact_mn", "directory.edit.public_contact_required")
	}
	lat, latErr := coordinate(v["latitude"])
	lon, lonErr := coordinate(v["longitude"])
	switch {
	case latErr:
		errs.add("latitude", "directory.edit.coordinate")
	case lonErr:
		errs.add("longitude", "directory.edit.coordinate")
	case (lat == nil) != (lon == nil):
		errs.add("latitude", "directory.edit.both_coordinates")
	case lat != nil && !h.Gazetteer.InMongolia(*lat, *lon):
		errs.add("latitude", "directory.edit.outside_mongolia")
	}
	loc.Latitude, loc.Longitude = lat, lon
	if len(errs) == 0 {
		ctx := c.Request.Context()
		err := h.Editor.SaveLocation(ctx, portal.UserFromContext(ctx), o.ID, loc)
		if !h.refused(c, err, orgReturnPath(o), errs, "location", l.ID) {
			return
		}
	}
	p.refuse(&p.Page, p.T("directory.edit.fix"), errorMessages(&p.Page, errs), locationFormFields...)
	c.Header("Cache-Control", "private, no-store")
	h.render(c, http.StatusBadRequest, "directory-location-edit", p)
}

// coordinate reads a latitude or longitude; empty is none, and bad reports a value that is
// not a finite decimal number.
func coordinate(s string) (f *float64, bad bool) {
	if s == "" {
		return nil, false
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || v != v || v > 1e6 || v < -1e6 {
		return nil, true
	}
	return &v, false
}
