package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
)

// orgsData is what the organisations page is built from: every organisation once, the
// directory (nil when the portal has none) and how many people sign in for each.
type orgsData struct {
	entries []portal.OrgEntry
	dir     *portal.Directory
	people  map[string]int // by organisation id; nil unless asked for
}

// loadOrgs reads the member records and the directory and joins them, in the order of
// their names in the request's language; with people, it also counts the people of each
// organisation (one read of every person).
func (h *Handlers) loadOrgs(ctx context.Context, people bool) (*orgsData, error) {
	lang := portal.LanguageFromContext(ctx)
	orgs, err := h.Accounts.Store.FindOrganisations(ctx)
	if err != nil {
		return nil, err
	}
	data := &orgsData{}
	if h.Directory != nil {
		if data.dir, err = h.Directory.Directory(ctx); err != nil {
			return nil, err
		}
	}
	if people {
		users, err := h.Accounts.Store.FindUsers(ctx, portal.UserFilter{})
		if err != nil {
			return nil, err
		}
		data.people = map[string]int{}
		for _, u := range users {
			if u.OrgID != "" {
				data.people[u.OrgID]++
			}
		}
	}
	data.entries = portal.JoinOrganisations(orgs, data.dir, lang)
	return data, nil
}

// record returns the entry of the member record with id, or nil.
func (d *orgsData) record(id string) *portal.OrgEntry {
	for i := range d.entries {
		if e := &d.entries[i]; e.Org != nil && e.Org.ID == id {
			return e
		}
	}
	return nil
}

// linkChoices returns the listings the record of e may be linked to, as the form posts
// them: "" for none, then its listing if it has one, then every listing no record has.
// It is nil when there is no directory, or when the directory has a listing of the
// record's own id: that listing is the record's for good.
func (d *orgsData) linkChoices(e *portal.OrgEntry) []string {
	if d.dir == nil || d.dir.Org(e.Org.ID) != nil {
		return nil
	}
	choices := []string{""}
	if e.Listing != nil {
		choices = append(choices, e.Listing.ID)
	}
	for i := range d.entries {
		if x := &d.entries[i]; x.Org == nil {
			choices = append(choices, x.Listing.ID)
		}
	}
	return choices
}

// linkable reports whether the record id may be linked to the listing of the form value
// listing; ENOTFOUND when there is no such record.
func (h *Handlers) linkable(ctx context.Context, id, listing string) (bool, error) {
	data, err := h.loadOrgs(ctx, false)
	if err != nil {
		return false, err
	}
	e := data.record(id)
	if e == nil {
		return false, portal.Errorf(portal.ENOTFOUND, "there is no organisation %q", id)
	}
	return slices.Contains(data.linkChoices(e), listing), nil
}

// listingFollows gives the directory listing of o the stakeholder group of o: the group is
// set in one place, the organisation's record, and its listing shows the same. The
// directory's editor stores and audits the change.
func (h *Handlers) listingFollows(ctx context.Context, actor *portal.User, o *portal.Organisation) error {
	if h.Directory == nil || h.Editor == nil {
		return nil
	}
	d, err := h.Directory.Directory(ctx)
	if err != nil {
		return err
	}
	l := d.Org(o.ListingID())
	if l == nil || l.Group == o.Group {
		return nil
	}
	edited := l.Clone()
	edited.Group = o.Group
	return h.Editor.SaveOrgDetails(ctx, actor, edited)
}

// conflictOn reports whether err is an ECONFLICT that marks field.
func conflictOn(err error, field string) bool {
	var pe *portal.Error
	return errors.As(err, &pe) && pe.Code == portal.ECONFLICT && pe.Fields[field] != ""
}

// orgsShows are the values of the list's ?show= filter: "" shows every organisation.
var orgsShows = []string{"", "members", "directory"}

// renderOrgs renders the organisations page with v.
func (h *Handlers) renderOrgs(c *gin.Context, status int, v orgsView) {
	p := orgsPage{Page: h.page(c, "", "admin"), New: v.New}
	p.Title = p.T("admin.orgs.title")
	show := c.Query("show")
	if !slices.Contains(orgsShows, show) {
		h.Error(c, badRequest(&p.Page, "admin.orgs.bad_show"))
		return
	}
	data, err := h.loadOrgs(c.Request.Context(), true)
	if err == nil && v.Refused != nil && data.record(v.Refused.ID) == nil {
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
	p.Directory = data.dir != nil
	members := 0
	for i := range data.entries {
		e := &data.entries[i]
		if e.Org != nil {
			members++
		}
		if show == "members" && e.Org == nil || show == "directory" && e.Org != nil {
			continue
		}
		row := h.orgRow(&p, data, e)
		if v.Refused != nil && e.Org != nil && e.Org.ID == v.Refused.ID {
			row.Form, row.Errors, row.Open = *v.Refused, v.Errors.messages(&p.Page), true
			row.Listings = listingOptions(&p.Page, data, data.linkChoices(e), row.Form.Listing)
			p.summarize("", row.Errors, adminOrgFields(e.Org.ID, false)...)
		}
		p.Orgs = append(p.Orgs, row)
	}
	if p.Directory {
		counts := []int{len(data.entries), members, len(data.entries) - members}
		for i, s := range orgsShows {
			u := "/admin/organisations"
			if s != "" {
				u += "?show=" + s
			}
			p.Filters = append(p.Filters, filterLink{Label: p.T("admin.orgs.show."+cmp.Or(s, "all"), counts[i]), URL: u, Current: s == show})
		}
	}
	h.render(c, status, "admin-organisations", p)
}

// orgRow returns the row of the organisation e.
func (h *Handlers) orgRow(p *orgsPage, data *orgsData, e *portal.OrgEntry) orgRow {
	row := orgRow{Org: e.Org, ID: e.ID(), Label: e.Name(p.Lang), GroupName: p.T("group." + string(e.Group())), Listing: e.Listing}
	if l := e.Listing; l != nil {
		row.ListingName = l.Name.In(p.Lang)
		if portal.Can(p.User, portal.ActionEditDirectory) {
			row.ListingEdit = orgEditPath(l.ID)
		}
	}
	if e.Org == nil {
		// The form that makes a member record for the listing, as the new organisation's
		// form would.
		row.Form = orgForm{ID: e.Listing.ID, NameMN: e.Listing.Name.MN, NameEN: e.Listing.Name.EN, Group: string(e.Listing.Group)}
		return row
	}
	o := e.Org
	row.URL, row.People = "/admin/organisations/"+url.PathEscape(o.ID), data.people[o.ID]
	row.Form = orgForm{ID: o.ID, NameMN: o.NameMN, NameEN: o.NameEN, Group: string(o.Group), Listing: o.DirectoryID}
	row.Listings = listingOptions(&p.Page, data, data.linkChoices(e), row.Form.Listing)
	return row
}

// listingOptions labels the listing choices, selected marking one.
func listingOptions(p *Page, data *orgsData, choices []string, selected string) []option {
	var opts []option
	for _, id := range choices {
		label := p.T("admin.orgs.no_listing")
		if l := data.dir.Org(id); l != nil {
			label = l.Name.In(p.Lang) + " · " + id
		}
		opts = append(opts, option{Value: id, Label: label, Selected: id == selected})
	}
	return opts
}

// withMember gives p the member organisation whose listing p.Org is, if any; it reports
// whether the page goes on (an error was answered otherwise).
func (h *Handlers) withMember(c *gin.Context, p *orgFormPage) bool {
	data, err := h.loadOrgs(c.Request.Context(), false)
	if err != nil {
		h.Error(c, err)
		return false
	}
	for i := range data.entries {
		if e := &data.entries[i]; e.Org != nil && e.Listing != nil && e.Listing.ID == p.Org.ID {
			p.Member, p.MemberURL = e.Org, orgsURL(e.Org.ID)
		}
	}
	return true
}
