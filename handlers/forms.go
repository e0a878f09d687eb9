package handlers

import (
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// Limits of the account forms' fields, in bytes, besides those of the sign-in form.
const (
	maxQuery   = 200
	maxOrgID   = 100
	maxOrgName = 300
	maxChoice  = 40 // a role, a stakeholder group, a yes/no
)

// fieldErrors maps a form field to the catalog key of what is wrong with it. A form's
// Validate fills it; the page shows the messages in the user's language.
type fieldErrors map[string]string

// add records key for field unless the field has a problem already: the first one found
// is the one shown.
func (e fieldErrors) add(field, key string) {
	if _, ok := e[field]; !ok {
		e[field] = key
	}
}

// messages returns the problems in p's language.
func (e fieldErrors) messages(p *Page) map[string]string {
	m := make(map[string]string, len(e))
	for field, key := range e {
		m[field] = p.T(key)
	}
	return m
}

// text checks a one-line text field, already trimmed: present when required, and as
// checkText says.
func (e fieldErrors) text(field, value string, max int, required bool) {
	if value == "" && required {
		e.add(field, "form.required")
		return
	}
	e.checkText(field, value, max, true)
}

// checkText checks a text field, already trimmed, as portal.CheckText does: at most max
// bytes, valid UTF-8, no control characters but line ends and tabs in a multi-line field,
// and no bidirectional control in a one-line field.
func (e fieldErrors) checkText(field, value string, max int, oneLine bool) {
	if p := portal.CheckText(value, max, oneLine); p != "" {
		e.add(field, textProblems[p])
	}
}

// textProblems are the catalog keys of what portal.CheckText finds.
var textProblems = map[portal.TextProblem]string{
	portal.TextTooLong: "form.too_long",
	portal.TextInvalid: "admin.field.invalid",
	portal.TextBidi:    "form.bidi",
}

// email checks an e-mail field, already trimmed.
func (e fieldErrors) email(field, value string) {
	e.text(field, value, maxEmail, true)
	if _, ok := e[field]; !ok {
		if _, err := portal.NormalizeEmail(value); err != nil {
			e.add(field, "admin.field.email")
		}
	}
}

// newPassword checks a new password and its repetition. How strong it is, the account
// service decides (see passwordProblem).
func (e fieldErrors) newPassword(password, confirm string) {
	switch {
	case password == "":
		e.add("password", "form.required")
	case len(password) > maxPassword:
		e.add("password", "form.too_long")
	case !utf8.ValidString(password):
		e.add("password", "admin.field.invalid")
	}
	switch {
	case len(confirm) > maxPassword:
		e.add("confirm", "form.too_long")
	case confirm != password:
		e.add("confirm", "reset.password.mismatch")
	}
}

// yesNo reads a checkbox or a yes/no choice: "1" is yes, "" or "0" no, anything else a
// problem of field.
func (e fieldErrors) yesNo(field, value string) bool {
	if value != "" && value != "0" && value != "1" {
		e.add(field, "admin.field.invalid")
	}
	return value == "1"
}

// passwordProblem returns the catalog key of why the account service refused a password,
// or "" when err is about something else.
func passwordProblem(err error) string {
	if p := accounts.PasswordProblemOf(err); p != "" {
		return "reset.password." + string(p)
	}
	return ""
}

// postField returns the trimmed value of a posted form field.
func postField(c *gin.Context, name string) string { return strings.TrimSpace(c.PostForm(name)) }

// formState is what a page shows of its form after a refused submission.
type formState struct {
	Errors  map[string]string // field → message, in the user's language
	Message string            // about the whole form
}

// The error summary of a refused form follows the GOV.UK pattern: at the top of the page,
// before the heading, a box headed "There is a problem" that lists each problem as a link
// to its field; it takes the focus when the page loads (static/forms.js; without
// JavaScript it is still the first thing in the page, and its links still lead to the
// fields), and the page's title starts with "Error:". Each field keeps its own message
// beside it, which the field names in aria-describedby. Every form of the portal uses it,
// in three steps:
//
//  1. the handler that refuses a form calls p.summarize(message, errors, fields...) on its
//     Page (see summarize), or f.refuse(&p.Page, ...) on its formState, before rendering;
//     fields name the form's fields in page order, each with the catalog key of its label
//     ("password@reset.new_password"), so that each entry says which field it is about;
//  2. the template puts {{template "error-summary" .}} at the top of its content, after
//     the breadcrumbs and before the <h1> (the partial is in templates/_partials.html);
//  3. each field of the form has the id its summary entry links to, and shows its message
//     as <p class="field-error" id="ID-error">, with aria-invalid="true" and
//     aria-describedby="ID-error" on the field (the "edit-text" partial does it all for a
//     text field; a group of check boxes links to its first box).
//
// A new form (the profile's password form, the choose-password page) does the same; the
// handlers' tests check every form's summary with checkErrorSummary.

// ErrorSummary is what the summary of a refused form shows.
type ErrorSummary struct {
	Text     string    // about the whole form, under the heading; may be empty
	Problems []Problem // one per field in error, in the order of the fields on the page
}

// Problem is one entry of an error summary: the message, the id of the element it links
// to (a field, or the first box of a group; no link when ID is empty), and the field's
// label, which the link starts with ("Opening hours: Line 1: …") so that "This field is
// required" says which; none when Label is empty.
type Problem struct {
	ID, Label, Message string
}

// summarize gives p the error summary of a refused form, which also marks the page's
// title: text about the whole form (may be empty), then one problem per entry of errs
// (field name → message in p's language) in the order of fields, the form's field names
// from the top of the page to the bottom. A field's problem links to the element whose id
// is the field's name; write "name#id" when the id differs. A field may end with
// "@catalog.key", the key of its label, as the page shows it: "email@login.email". A field
// in errs but not in fields is listed last, without a link (the tests find it). With
// neither text nor errs, p gets no summary.
func (p *Page) summarize(text string, errs map[string]string, fields ...string) {
	if text == "" && len(errs) == 0 {
		p.ErrorSummary = nil
		return
	}
	s := &ErrorSummary{Text: text}
	listed := make(map[string]bool, len(fields))
	for _, f := range fields {
		f, labelKey, labelled := strings.Cut(f, "@")
		name, id, ok := strings.Cut(f, "#")
		if !ok {
			id = name
		}
		if msg, bad := errs[name]; bad && !listed[name] {
			pr := Problem{ID: id, Message: msg}
			if labelled {
				pr.Label = p.T(labelKey)
			}
			s.Problems = append(s.Problems, pr)
		}
		listed[name] = true
	}
	var rest []string
	for name := range errs {
		if !listed[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		s.Problems = append(s.Problems, Problem{Message: errs[name]})
	}
	p.ErrorSummary = s
}

// refuse shows f's form again: message about the whole form (may be empty), the problems
// errs by field (messages in p's language), and p's error summary of them, listed in the
// order of fields (see summarize).
func (f *formState) refuse(p *Page, message string, errs map[string]string, fields ...string) {
	f.Errors, f.Message = errs, message
	p.summarize(message, errs, fields...)
}

// option is one choice of a <select>.
type option struct {
	Value, Label string
	Selected     bool
}

// roleOptions returns the roles actor may give, labelled in p's language.
func roleOptions(p *Page, actor *portal.User, selected string) []option {
	var opts []option
	for _, r := range portal.Roles {
		if portal.CanAssign(actor, r) {
			opts = append(opts, option{Value: string(r), Label: p.T("role." + string(r)), Selected: string(r) == selected})
		}
	}
	return opts
}

// orgOptions returns "no organisation" and the organisations, labelled in p's language.
func orgOptions(p *Page, orgs []*portal.Organisation, selected string) []option {
	opts := []option{{Value: "", Label: p.T("profile.no_organisation"), Selected: selected == ""}}
	for _, o := range orgs {
		label := o.Name(p.Lang) + " · " + p.T("group."+string(o.Group))
		opts = append(opts, option{Value: o.ID, Label: label, Selected: o.ID == selected})
	}
	return opts
}

// findOrg returns the organisation of orgs with id, or nil.
func findOrg(orgs []*portal.Organisation, id string) *portal.Organisation {
	for _, o := range orgs {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// linkURL returns the address of path on the public site, for a link to pass on.
func (h *Handlers) linkURL(path string) string {
	return strings.TrimSuffix(h.BaseURL, "/") + path
}

// noStore keeps a page out of every cache, the browser's and the portal's public page cache
// too: a page that shows a one-time link, an answer made while the search engine is down.
func noStore(c *gin.Context) { c.Header("Cache-Control", "no-store") }

// hasField reports whether err is a *portal.Error that marks field.
func hasField(err error, field string) bool {
	var pe *portal.Error
	if errors.As(err, &pe) {
		_, ok := pe.Fields[field]
		return ok
	}
	return false
}
