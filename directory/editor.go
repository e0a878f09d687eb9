package directory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

// Editor is the one place where the directory changes once the starter directory is in:
// the secretariat's edits and verifications, members' suggestions and their review, and
// imports (import.go). Each operation checks the policy, validates the whole organisation
// it changes, stores it and records one audit entry; the handlers and the CLI call it.
type Editor struct {
	Store     portal.DirectoryStore
	Audit     portal.AuditLog
	Gazetteer *portal.Gazetteer
	Terms     []portal.TaxonomyTerm
	Now       portal.Clock
}

func (e *Editor) terms() map[string]bool {
	m := make(map[string]bool, len(e.Terms))
	for _, t := range e.Terms {
		m[t.ID] = true
	}
	return m
}

func forbidden(what string) error {
	return portal.Errorf(portal.EFORBIDDEN, "you may not %s", what)
}

// service returns a copy of the organisation of the service with id, and the service
// within it.
func (e *Editor) service(ctx context.Context, id string) (*portal.DirectoryOrg, *portal.Service, error) {
	d, err := e.Store.Directory(ctx)
	if err != nil {
		return nil, nil, err
	}
	_, o := d.Service(id)
	if o == nil {
		return nil, nil, portal.Errorf(portal.ENOTFOUND, "no service %q in the directory", id)
	}
	c := o.Clone()
	for i := range c.Services {
		if c.Services[i].ID == id {
			return c, &c.Services[i], nil
		}
	}
	return nil, nil, portal.Errorf(portal.ENOTFOUND, "no service %q in the directory", id)
}

// editable copies the fields a form edits from src onto dst (a service of the directory),
// keeping what the form does not show: id, organisation, verification, example mark.
func editable(dst, src *portal.Service) {
	ApplyFields(dst, src, ServiceFieldKeys)
}

// check validates o with a service changed in it, naming fields by their form keys:
// "hours", "phones", "name.mn" and so on, rather than services[3].hours[0].
func (e *Editor) check(o *portal.DirectoryOrg) error {
	return e.validate(o, "services", serviceFormKey)
}

// checkLocation validates o with a location changed in it, naming fields by their form
// keys.
func (e *Editor) checkLocation(o *portal.DirectoryOrg) error {
	return e.validate(o, "locations", func(f string) string { return f })
}

// validate validates o. The field in error is named as a form names it: its path within
// the list named within ("services[3].hours[0]") is cut to the field ("hours[0]"), which
// key turns into the form's name.
func (e *Editor) validate(o *portal.DirectoryOrg, within string, key func(string) string) error {
	err := o.Validate(e.Gazetteer, e.terms())
	pe, ok := err.(*portal.Error)
	if !ok {
		return err
	}
	for f, msg := range pe.Fields {
		if i := strings.Index(f, "]."); strings.HasPrefix(f, within+"[") && i > 0 {
			f = f[i+2:]
		}
		return &portal.Error{Code: portal.EINVALID, Message: pe.Message, Fields: map[string]string{key(f): msg}}
	}
	return err
}

// serviceFormKey names a field of a service as the edit form does.
func serviceFormKey(f string) string {
	for _, list := range []string{"hours", "phones", "area", "types", "languages", "locations"} {
		if strings.HasPrefix(f, list) {
			return list
		}
	}
	if f == "name" {
		return "name.mn"
	}
	return f
}

// SaveService applies the editable fields of edited to the service with edited.ID and
// stores it; only the secretariat may.
func (e *Editor) SaveService(ctx context.Context, actor *portal.User, edited *portal.Service) error {
	if !portal.Can(actor, portal.ActionEditDirectory) {
		return forbidden("edit the directory")
	}
	o, s, err := e.service(ctx, edited.ID)
	if err != nil {
		return err
	}
	before := s.Clone()
	editable(s, edited)
	if len(ChangedFields(before, s)) == 0 {
		return nil
	}
	if err := e.check(o); err != nil {
		return err
	}
	s.Modified = e.Now().UTC()
	if err := e.Store.SaveDirectoryOrg(ctx, o); err != nil {
		return err
	}
	return e.audit(ctx, actor.ID, "directory.service.edit", s.ID, changes(before, s), nil)
}

// VerifyService records that actor checked the service's entry today.
func (e *Editor) VerifyService(ctx context.Context, actor *portal.User, id string) error {
	if !portal.Can(actor, portal.ActionEditDirectory) {
		return forbidden("verify directory entries")
	}
	o, s, err := e.service(ctx, id)
	if err != nil {
		return err
	}
	before := s.AssuredDate
	now := e.Now().UTC()
	s.AssuredDate, s.AssuredByID, s.Modified = now, actor.ID, now
	s.SetVerifier(portal.Text{MN: actor.Name, EN: actor.Name})
	if err := e.Store.SaveDirectoryOrg(ctx, o); err != nil {
		return err
	}
	return e.audit(ctx, actor.ID, "directory.service.verify", id,
		map[string]string{"assured_date": mongoliaDate(before)}, map[string]string{"assured_date": mongoliaDate(now)})
}

// Suggest stores a member's suggested edit of the service with proposed.ID: proposed holds
// the service as the member would have it. It is refused when it changes nothing, or when
// the result would not be valid; a suggestion stored is audited with the fields it would
// change.
func (e *Editor) Suggest(ctx context.Context, actor *portal.User, proposed *portal.Service, note string) (*portal.Suggestion, error) {
	if !portal.Can(actor, portal.ActionSuggestEdit) {
		return nil, forbidden("suggest edits")
	}
	o, s, err := e.service(ctx, proposed.ID)
	if err != nil {
		return nil, err
	}
	base := s.Clone()
	editable(s, proposed)
	if len(ChangedFields(base, s)) == 0 {
		return nil, portal.Errorf(portal.EINVALID, "the suggestion changes nothing")
	}
	if err := e.check(o); err != nil {
		return nil, err
	}
	sg := &portal.Suggestion{
		ID: newID(), ServiceID: s.ID, OrgID: o.ID, By: actor.ID, ByName: actor.Name,
		Created: e.Now().UTC(), Base: *base, Proposed: *s, Note: strings.TrimSpace(note),
		Status: portal.SuggestionPending,
	}
	if err := e.Store.CreateSuggestion(ctx, sg); err != nil {
		return nil, err
	}
	// The fields it would change, not the member's note: the log keeps what was asked of
	// the directory, and the note stays with the suggestion.
	return sg, e.audit(ctx, actor.ID, "directory.suggestion.create", s.ID, nil,
		map[string]any{"suggestion": sg.ID, "changes": changes(base, s)})
}

// Accept applies a pending suggestion: the fields the member changed are copied onto the
// service as it is now (a field the secretariat changed since is overwritten, which the
// review page warns about), the service stored, the suggestion marked accepted, and both
// audited.
func (e *Editor) Accept(ctx context.Context, actor *portal.User, id string) error {
	if !portal.Can(actor, portal.ActionEditDirectory) {
		return forbidden("review suggestions")
	}
	sg, err := e.pending(ctx, id)
	if err != nil {
		return err
	}
	o, s, err := e.service(ctx, sg.ServiceID)
	if err != nil {
		return err
	}
	before := s.Clone()
	ApplyFields(s, &sg.Proposed, ChangedFields(&sg.Base, &sg.Proposed))
	if err := e.check(o); err != nil {
		return err
	}
	now := e.Now().UTC()
	s.Modified = now
	sg.Status, sg.DecidedBy, sg.DecidedByName, sg.DecidedAt = portal.SuggestionAccepted, actor.ID, actor.Name, now
	// The service first: should the decision then fail, the suggestion stays pending and
	// accepting it again changes nothing more.
	if err := e.Store.SaveDirectoryOrg(ctx, o); err != nil {
		return err
	}
	if err := e.Store.DecideSuggestion(ctx, sg); err != nil {
		return err
	}
	return e.audit(ctx, actor.ID, "directory.suggestion.accept", s.ID, changes(before, s), map[string]string{"suggestion": sg.ID, "by": sg.By})
}

// Reject marks a pending suggestion rejected, with the reason the member will see.
func (e *Editor) Reject(ctx context.Context, actor *portal.User, id, reason string) error {
	if !portal.Can(actor, portal.ActionEditDirectory) {
		return forbidden("review suggestions")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return portal.FieldError("reason", "give the reason, for the member who suggested it")
	}
	sg, err := e.pending(ctx, id)
	if err != nil {
		return err
	}
	sg.Status, sg.Reason = portal.SuggestionRejected, reason
	sg.DecidedBy, sg.DecidedByName, sg.DecidedAt = actor.ID, actor.Name, e.Now().UTC()
	if err := e.Store.DecideSuggestion(ctx, sg); err != nil {
		return err
	}
	return e.audit(ctx, actor.ID, "directory.suggestion.reject", sg.ServiceID, nil,
		map[string]string{"suggestion": sg.ID, "by": sg.By, "reason": reason})
}

func (e *Editor) pending(ctx context.Context, id string) (*portal.Suggestion, error) {
	sg, err := e.Store.FindSuggestion(ctx, id)
	if err != nil {
		return nil, err
	}
	if sg.Status != portal.SuggestionPending {
		return nil, portal.Errorf(portal.ECONFLICT, "the suggestion was %s already", sg.Status)
	}
	return sg, nil
}

// SaveLocation replaces a location of an organisation, its confidential address included;
// only the secretariat may. The audit entry records that a confidential address changed,
// never the address.
func (e *Editor) SaveLocation(ctx context.Context, actor *portal.User, orgID string, loc portal.Location) error {
	if !portal.Can(actor, portal.ActionEditDirectory) {
		return forbidden("edit the directory")
	}
	d, err := e.Store.Directory(ctx)
	if err != nil {
		return err
	}
	cur := d.Org(orgID)
	if cur == nil || cur.Location(loc.ID) == nil {
		return portal.Errorf(portal.ENOTFOUND, "no location %q in the directory", loc.ID)
	}
	o := cur.Clone()
	l := o.Location(loc.ID)
	// A location becoming confidential hides its old address too: it is now a shelter's.
	before := locationAudit(l, loc.Confidential)
	*l = loc
	if err := e.checkLocation(o); err != nil {
		return err
	}
	o.Modified = e.Now().UTC()
	if err := e.Store.SaveDirectoryOrg(ctx, o); err != nil {
		return err
	}
	return e.audit(ctx, actor.ID, "directory.location.edit", loc.ID, before, locationAudit(&loc, false))
}

// locationAudit is what the audit log keeps of a location: of a confidential one (or of any
// when hide), its address only as portal.ConfidentialMark and no coordinates, so the log
// never holds them.
func locationAudit(l *portal.Location, hide bool) map[string]any {
	m := map[string]any{"name": l.Name, "confidential": l.Confidential, "aimag": l.Aimag, "soum": l.Soum,
		"public_contact": l.PublicContact}
	if l.Confidential || hide {
		m["address"] = portal.ConfidentialMark
	} else {
		m["address"], m["latitude"], m["longitude"] = l.Address, l.Latitude, l.Longitude
	}
	return m
}

// changes returns the fields of a service that differ between before and after, each with
// its old and new text.
func changes(before, after *portal.Service) map[string][2]string {
	b, a := Fields(before, portal.English), Fields(after, portal.English)
	m := map[string][2]string{}
	for i := range b {
		if b[i].Value != a[i].Value {
			m[b[i].Key] = [2]string{b[i].Value, a[i].Value}
		}
	}
	return m
}

// audit records a change in the audit log (portal.Audit), at the editor's time.
func (e *Editor) audit(ctx context.Context, actorID, action, target string, before, after any) error {
	if err := portal.Audit(ctx, e.Audit, e.Now().UTC(), actorID, action, target, before, after); err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	return nil
}

// mongoliaDate writes the day of t in Mongolia, the day the pages show; "" for none.
func mongoliaDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(portal.MongoliaTime).Format(time.DateOnly)
}

// newID returns a random id of 16 hexadecimal digits.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// SaveOrgDetails replaces an organisation's own fields (names, description, stakeholder
// group, e-mail, website, phones), keeping its locations and services; only the
// secretariat may.
func (e *Editor) SaveOrgDetails(ctx context.Context, actor *portal.User, edited *portal.DirectoryOrg) error {
	if !portal.Can(actor, portal.ActionEditDirectory) {
		return forbidden("edit the directory")
	}
	d, err := e.Store.Directory(ctx)
	if err != nil {
		return err
	}
	cur := d.Org(edited.ID)
	if cur == nil {
		return portal.Errorf(portal.ENOTFOUND, "no organisation %q in the directory", edited.ID)
	}
	o := cur.Clone()
	before := orgAudit(o)
	o.Name, o.Description, o.Group = edited.Name, edited.Description, edited.Group
	o.Email, o.Website, o.Phones = edited.Email, edited.Website, edited.Phones
	after := orgAudit(o)
	if fmt.Sprint(before) == fmt.Sprint(after) {
		return nil
	}
	if err := o.Validate(e.Gazetteer, e.terms()); err != nil {
		return err
	}
	o.Modified = e.Now().UTC()
	if err := e.Store.SaveDirectoryOrg(ctx, o); err != nil {
		return err
	}
	return e.audit(ctx, actor.ID, "directory.org.edit", o.ID, before, after)
}

func orgAudit(o *portal.DirectoryOrg) map[string]any {
	return map[string]any{"name": o.Name, "description": o.Description, "group": o.Group,
		"email": o.Email, "website": o.Website, "phones": FormatPhones(o.Phones)}
}
