package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

// orgListing is what a person's profile shows of their organisation's directory listing:
// its services, each with the way to suggest an edit of it (or, for the secretariat, to
// edit it). Only public fields are shown: a confidential location's address never is.
type orgListing struct {
	// State is "shown" (the listing and its services), "unverified" (the organisation has a
	// listing, shown once it is verified) or "none" (it has no listing).
	State    string
	Name     string
	Services []listingService
	Edit     bool // the person edits the directory: the services link to the edit form
}

// listingService is one service of the listing.
type listingService struct {
	Name, URL, ChangeURL string
	Types                string // its service types, in the page language
	Assured              time.Time
	Stale, Example       bool
}

// orgListing returns what the profile of p.User shows of the directory listing of org,
// their organisation; nil when it shows nothing: no organisation, no directory, or a person
// who may not suggest edits.
func (h *Handlers) orgListing(ctx context.Context, p *Page, org *portal.Organisation) (*orgListing, error) {
	u := p.User
	if org == nil || h.Directory == nil || org.ID != u.OrgID || !portal.Can(u, portal.ActionSuggestEdit) {
		return nil, nil
	}
	d, err := h.Directory.Directory(ctx)
	if err != nil {
		return nil, err
	}
	listing := d.Org(org.ListingID())
	switch {
	case listing == nil:
		return &orgListing{State: "none"}, nil
	case !org.Verified:
		return &orgListing{State: "unverified"}, nil
	}
	l := &orgListing{State: "shown", Name: listing.Name.In(p.Lang), Edit: portal.Can(u, portal.ActionEditDirectory)}
	now := h.Now()
	for i := range listing.Services {
		s := &listing.Services[i]
		ls := listingService{Name: s.Name.In(p.Lang), URL: portal.ServicePath(s.ID), Assured: s.AssuredDate,
			Stale: s.Stale(now), Example: s.Example, Types: h.typeNames(s.Types, p.Lang)}
		ls.ChangeURL = ls.URL + "/suggest"
		if l.Edit {
			ls.ChangeURL = ls.URL + "/edit"
		}
		l.Services = append(l.Services, ls)
	}
	return l, nil
}

// typeNames lists the names of the service types ids in lang, in the taxonomy's order.
func (h *Handlers) typeNames(ids []string, lang portal.Language) string {
	var names []string
	for _, t := range h.Taxonomy {
		for _, id := range ids {
			if t.ID == id {
				names = append(names, t.Name.In(lang))
			}
		}
	}
	return strings.Join(names, ", ")
}
