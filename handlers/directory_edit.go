package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
)

// Limits of the service form's fields, in bytes.
const (
	maxServiceName = 300
	maxServiceText = 5000
	maxNote        = 2000
	maxFormList    = 60 // checkboxes of one name
)

// formLanguages are the languages the service form offers besides those already listed.
var formLanguages = []string{"mn", "en", "zh", "ru", "kk"}

// serviceFormPage is the form that edits a service (the secretariat) or suggests an edit of
// it (a member).
type serviceFormPage struct {
	Page
	formState
	Suggest   bool // a member's suggestion, not an edit
	Action    string
	Service   *portal.Service
	OrgName   string
	ViewURL   string
	Values    map[string]string // the text fields, by name
	Free      bool
	Types     []checkOption
	Spoken    []checkOption // languages spoken
	Areas     []areaGroup
	Locations []checkOption
	Note      string
}

// checkOption is one checkbox of a group.
type checkOption struct {
	Value, Label string
	Checked      bool
}

// areaGroup is an aimag's checkboxes: the whole aimag, then its soums.
type areaGroup struct {
	Label string
	Whole checkOption
	Soums []checkOption
}

// Open reports whether the group shows opened: something in it is checked.
func (g areaGroup) Open() bool {
	return g.Whole.Checked || slices.ContainsFunc(g.Soums, func(o checkOption) bool { return o.Checked })
}

// textField is one text field of the form, as the template draws it.
type textField struct {
	Name, Label, Value, Error string
	OneLine                   bool
}

// Lang is the language of the field's text, by its name ("name_en" holds English): the
// template marks the field with it, so that the English text of an entry on a Mongolian
// page is read out (and spell-checked) as English. "" for a field of no one language.
func (f textField) Lang() string {
	for _, l := range portal.Languages {
		if strings.HasSuffix(f.Name, "_"+string(l)) {
			return string(l)
		}
	}
	return ""
}

// Field returns the text field name, labelled by the catalog key label.
func (p *serviceFormPage) Field(name, label string, oneLine bool) textField {
	return textField{Name: name, Label: p.T(label), Value: p.Values[name], Error: p.Errors[name], OneLine: oneLine}
}

// serviceTextFields are the text fields of the form: input name, then whether it is one line.
var serviceTextFields = []struct {
	name    string
	oneLine bool
}{
	{"name_mn", true}, {"name_en", true}, {"description_mn", false}, {"description_en", false},
	{"eligibility_mn", false}, {"eligibility_en", false}, {"application_process_mn", false},
	{"application_process_en", false}, {"fees_mn", false}, {"fees_en", false},
	{"hours", false}, {"phones", false},
}

// serviceFormFields are the service form's fields from top to bottom, with their labels,
// for its error summary; a group of check boxes links to its first box, which has the
// group's name as id.
var serviceFormFields = []string{"name_mn@directory.field.name.mn", "name_en@directory.field.name.en",
	"description_mn@directory.field.description.mn", "description_en@directory.field.description.en",
	"eligibility_mn@directory.field.eligibility.mn", "eligibility_en@directory.field.eligibility.en",
	"application_process_mn@directory.field.application_process.mn", "application_process_en@directory.field.application_process.en",
	"fees_mn@directory.field.fees.mn", "fees_en@directory.field.fees.en", "free@directory.field.free",
	"types@directory.field.types", "languages@directory.field.languages", "hours@directory.field.hours",
	"area@directory.field.area", "locations@directory.field.locations", "phones@directory.field.phones",
	"note@directory.suggest.note"}

// formKey maps a form field to the ServiceFieldKeys name: "name_mn" → "name.mn".
func formKey(name string) string {
	if i := strings.LastIndex(name, "_"); i > 0 && (strings.HasSuffix(name, "_mn") || strings.HasSuffix(name, "_en")) {
		return name[:i] + "." + name[i+1:]
	}
	return name
}

// formField is the inverse of formKey.
func formField(key string) string { return strings.Replace(key, ".", "_", 1) }

// editTarget returns the service of the request and its organisation, or answers 404.
func (h *Handlers) editTarget(c *gin.Context) (*portal.Service, *portal.DirectoryOrg, bool) {
	d, err := h.Directory.Directory(c.Request.Context())
	if err != nil {
		h.Error(c, err)
		return nil, nil, false
	}
	s, o := d.Service(c.Param("id"))
	if s == nil {
		h.NotFound(c)
		return nil, nil, false
	}
	return s, o, true
}

// HandleServiceEdit serves GET /directory/services/:id/edit, the secretariat's form.
func (h *Handlers) HandleServiceEdit(c *gin.Context) { h.serviceForm(c, false) }

// HandleServiceSuggest serves GET /directory/services/:id/suggest, a member's form.
func (h *Handlers) HandleServiceSuggest(c *gin.Context) { h.serviceForm(c, true) }

func (h *Handlers) serviceForm(c *gin.Context, suggest bool) {
	s, o, ok := h.editTarget(c)
	if !ok {
		return
	}
	p := h.newServiceForm(c, s, o, suggest)
	p.fillFrom(h, s, o)
	h.render(c, http.StatusOK, "directory-edit", p)
}

func (h *Handlers) newServiceForm(c *gin.Context, s *portal.Service, o *portal.DirectoryOrg, suggest bool) *serviceFormPage {
	p := &serviceFormPage{Page: h.page(c, "", "directory"), Suggest: suggest, Service: s,
		OrgName: o.Name.In(portal.LanguageFromContext(c.Request.Context())), ViewURL: portal.ServicePath(s.ID)}
	if suggest {
		p.Title, p.Action = p.T("directory.suggest.title"), portal.ServicePath(s.ID)+"/suggest"
	} else {
		p.Title, p.Action = p.T("directory.edit.title"), portal.ServicePath(s.ID)+"/edit"
	}
	return p
}

// fillFrom sets the form's values from s, a service of o.
func (p *serviceFormPage) fillFrom(h *Handlers, s *portal.Service, o *portal.DirectoryOrg) {
	p.Values = map[string]string{}
	for _, f := range directory.Fields(s, p.Lang) {
		p.Values[formField(f.Key)] = f.Value
	}
	p.Values["hours"] = directory.FormatHours(s.Always, s.Hours, p.Lang)
	p.Free = s.Free
	p.options(h, s.Types, s.Languages, s.Area, s.LocationIDs, o)
}

// options builds the checkbox groups with the given values checked.
func (p *serviceFormPage) options(h *Handlers, types, langs []string, area []portal.Place, locs []string, o *portal.DirectoryOrg) {
	p.Types = nil
	for _, t := range h.Taxonomy {
		p.Types = append(p.Types, checkOption{t.ID, t.Name.In(p.Lang), slices.Contains(types, t.ID)})
	}
	p.Spoken = nil
	for _, l := range append(slices.Clone(formLanguages), langs...) {
		if !slices.ContainsFunc(p.Spoken, func(x checkOption) bool { return x.Value == l }) {
			p.Spoken = append(p.Spoken, checkOption{l, languageName(&p.Page, l), slices.Contains(langs, l)})
		}
	}
	has := func(pl portal.Place) bool { return slices.Contains(area, pl) }
	p.Areas = nil
	for _, a := range h.Gazetteer.Aimags {
		g := areaGroup{Label: a.Name.In(p.Lang), Whole: checkOption{a.ID, p.T("directory.edit.whole_aimag"), has(portal.Place{Aimag: a.ID})}}
		for _, s := range a.Soums {
			g.Soums = append(g.Soums, checkOption{a.ID + "/" + s.ID, s.Name.In(p.Lang), has(portal.Place{Aimag: a.ID, Soum: s.ID})})
		}
		p.Areas = append(p.Areas, g)
	}
	p.Locations = nil
	for _, l := range o.Locations {
		label := l.Name.In(p.Lang)
		if l.Confidential {
			label += " · " + p.T("directory.edit.confidential_location")
		}
		p.Locations = append(p.Locations, checkOption{l.ID, label, slices.Contains(locs, l.ID)})
	}
}

// readServiceForm reads the posted form into a copy of s. Problems are catalog keys by
// form field; the page is filled with what was posted either way.
func (h *Handlers) readServiceForm(c *gin.Context, p *serviceFormPage, s *portal.Service, o *portal.DirectoryOrg) (*portal.Service, fieldErrors) {
	errs := fieldErrors{}
	p.Values = map[string]string{}
	for _, f := range serviceTextFields {
		v := multiline(c.PostForm(f.name))
		p.Values[f.name] = v
		limit := maxServiceText
		if f.oneLine {
			limit = maxServiceName
		}
		errs.checkText(f.name, v, limit, f.oneLine)
	}
	p.Free = errs.yesNo("free", c.PostForm("free"))
	lists := map[string][]string{}
	for _, name := range []string{"types", "languages", "area", "locations"} {
		vs := c.PostFormArray(name)
		if len(vs) > maxFormList {
			errs.add(name, "form.too_long")
			vs = vs[:maxFormList]
		}
		lists[name] = vs
	}
	var area []portal.Place
	for _, v := range lists["area"] {
		a, soum, _ := strings.Cut(v, "/")
		area = append(area, portal.Place{Aimag: a, Soum: soum})
	}
	p.options(h, lists["types"], lists["languages"], area, lists["locations"], o)
	for _, name := range []string{"types", "languages", "area", "locations"} {
		if checkedCount(p, name) != len(lists[name]) {
			errs.add(name, "admin.field.invalid") // a value the form never offered
		}
	}

	out := s.Clone()
	v := p.Values
	out.Name = portal.Text{MN: v["name_mn"], EN: v["name_en"]}
	out.Description = portal.Text{MN: v["description_mn"], EN: v["description_en"]}
	out.Eligibility = portal.Text{MN: v["eligibility_mn"], EN: v["eligibility_en"]}
	out.ApplicationProcess = portal.Text{MN: v["application_process_mn"], EN: v["application_process_en"]}
	out.Fees = portal.Text{MN: v["fees_mn"], EN: v["fees_en"]}
	out.Free = p.Free
	out.Types, out.Languages, out.Area, out.LocationIDs = lists["types"], lists["languages"], area, lists["locations"]
	if out.Name.Empty() {
		errs.add("name_mn", "form.required")
	}
	if len(out.Types) == 0 {
		errs.add("types", "directory.edit.types_required")
	}
	if _, bad := errs["hours"]; !bad {
		always, hours, err := directory.ParseHours(v["hours"])
		var le *directory.LineError
		switch {
		case errors.As(err, &le):
			errs.add("hours", "directory.edit.hours."+le.Kind+"|"+strconv.Itoa(le.Line))
		case v["hours"] == "":
			errs.add("hours", "directory.edit.hours.required")
		}
		out.Always, out.Hours = always, hours
	}
	out.Phones = readPhones(errs, v["phones"], s.Phones)
	return out, errs
}

// readPhones reads a phones field (directory.ParsePhones), recording a problem in errs by
// its line; nothing when the field is in error already.
func readPhones(errs fieldErrors, text string, old []portal.Phone) []portal.Phone {
	if _, bad := errs["phones"]; bad {
		return nil
	}
	phones, err := directory.ParsePhones(text, old)
	var le *directory.LineError
	if errors.As(err, &le) {
		errs.add("phones", "directory.edit.phones."+le.Kind+"|"+strconv.Itoa(le.Line))
	}
	return phones
}

// checkedCount counts the checked options of a group, to tell a value the form offered
// from one it did not.
func checkedCount(p *serviceFormPage, name string) int {
	n := 0
	count := func(opts []checkOption) {
		for _, o := range opts {
			if o.Checked {
				n++
			}
		}
	}
	switch name {
	case "types":
		count(p.Types)
	case "languages":
		count(p.Spoken)
	case "locations":
		count(p.Locations)
	case "area":
		for _, g := range p.Areas {
			count([]checkOption{g.Whole})
			count(g.Soums)
		}
	}
	return n
}

// errorMessages turns the form's problems into messages in p's language; a key with
// "|N" is a problem on line N of a multi-line field.
func errorMessages(p *Page, errs fieldErrors) map[string]string {
	m := make(map[string]string, len(errs))
	for field, key := range errs {
		if k, line, ok := strings.Cut(key, "|"); ok {
			n, _ := strconv.Atoi(line)
			m[field] = p.T(k, n)
			continue
		}
		m[field] = p.T(key)
	}
	return m
}

// HandleServiceEditPost serves POST /directory/services/:id/edit.
func (h *Handlers) HandleServiceEditPost(c *gin.Context) { h.serviceFormPost(c, false) }

// HandleServiceSuggestPost serves POST /directory/services/:id/suggest.
func (h *Handlers) HandleServiceSuggestPost(c *gin.Context) { h.serviceFormPost(c, true) }

func (h *Handlers) serviceFormPost(c *gin.Context, suggest bool) {
	s, o, ok := h.editTarget(c)
	if !ok {
		return
	}
	p := h.newServiceForm(c, s, o, suggest)
	edited, errs := h.readServiceForm(c, p, s, o)
	if suggest {
		p.Note = postField(c, "note")
		errs.text("note", strings.ReplaceAll(p.Note, "\n", " "), maxNote, false)
	}
	if len(errs) > 0 {
		p.refuse(&p.Page, p.T("directory.edit.fix"), errorMessages(&p.Page, errs), serviceFormFields...)
		h.render(c, http.StatusBadRequest, "directory-edit", p)
		return
	}
	ctx := c.Request.Context()
	u := portal.UserFromContext(ctx)
	var err error
	var done string
	if suggest {
		var sg *portal.Suggestion
		sg, err = h.Editor.Suggest(ctx, u, edited, p.Note)
		if err == nil {
			done = "/directory/suggestions/" + url.PathEscape(sg.ID) + "?notice=suggested"
		}
	} else {
		err = h.Editor.SaveService(ctx, u, edited)
		done = portal.ServicePath(s.ID) + "?notice=saved"
	}
	if err != nil {
		if portal.ErrorCode(err) != portal.EINVALID {
			h.Error(c, err)
			return
		}
		errs := map[string]string{}
		var pe *portal.Error
		if errors.As(err, &pe) {
			for f := range pe.Fields {
				errs[formField(f)] = p.T("directory.edit.invalid")
			}
		}
		// The form's own checks catch nearly everything; what the editor's validation of the
		// whole entry finds is marked on its field, the detail logged for the secretariat.
		h.Logger.InfoContext(ctx, "directory form refused", "service", s.ID, "fields", fieldNames(err))
		message := p.T("directory.edit.invalid_entry")
		if len(errs) == 0 && strings.Contains(portal.ErrorMessage(err), "changes nothing") {
			message = p.T("directory.suggest.nothing")
		}
		p.refuse(&p.Page, message, errs, serviceFormFields...)
		h.render(c, http.StatusBadRequest, "directory-edit", p)
		return
	}
	c.Redirect(http.StatusSeeOther, done)
}

// HandleServiceVerify serves POST /directory/services/:id/verify: the secretariat checked
// the entry today.
func (h *Handlers) HandleServiceVerify(c *gin.Context) {
	s, _, ok := h.editTarget(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if err := h.Editor.VerifyService(ctx, portal.UserFromContext(ctx), s.ID); err != nil {
		h.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, portal.ServicePath(s.ID)+"?notice=verified")
}

// fieldNames lists the fields an error marks, for a log line that carries no values.
func fieldNames(err error) []string {
	var pe *portal.Error
	var names []string
	if errors.As(err, &pe) {
		for f := range pe.Fields {
			names = append(names, f)
		}
	}
	slices.Sort(names)
	return names
}
