package handlers

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
)

// servicePage is the data of /directory/services/{id}.
type servicePage struct {
	Page
	Notice       string // after an edit, a verification or a suggestion
	Card         serviceCard
	Description  string
	DescLang     string // Description's language when it is not the page's (see otherLang)
	Eligibility  string
	Apply        string // how to get help
	Fees         string
	Hours        []string // one range a line, in the page's language; none when Always
	ClockNow     string   // the day and time in Mongolia, which "open now" was computed at
	Spoken       []string // the languages the service speaks, named in the page's language
	Locations    []locationView
	Contacts     []string // the public contact points of its confidential locations, shown first
	Org          orgView
	AssuredBy    string
	Confidential bool // the page shows confidential data
	CanSuggest   bool
	CanEdit      bool
	SuggestURL   string
	EditURL      string
	OrgEditURL   string
	VerifyURL    string
	SheetURL     string
}

// locationView is a location of a service. For a confidential location Address, Coords
// and MapURL are empty unless the viewer may see them (Shown).
type locationView struct {
	Name          string
	Place         string
	Address       string
	Coords        string
	MapURL        string
	Confidential  bool
	Shown         bool
	PublicContact string
	EditURL       string // the secretariat's form
}

// orgView is the organisation of a service.
type orgView struct {
	Name, Description, Website, Email string
	Phones                            phoneList
}

// HandleService serves GET /directory/services/{id}: the full entry of a service. The
// address and coordinates of its confidential locations are shown only to those the policy
// allows (portal.CanSeeConfidential), and such a page is kept out of every cache.
func (h *Handlers) HandleService(c *gin.Context) {
	p := servicePage{Page: h.page(c, "", "directory")}
	ctx := c.Request.Context()
	d, err := h.Directory.Directory(ctx)
	if err != nil {
		h.Error(c, err)
		return
	}
	id := c.Param("id")
	s, o := d.Service(id)
	if s == nil {
		h.Error(c, notFound(&p.Page, "directory.not_found", shorten(id)))
		return
	}
	now := h.Now()
	p.fill(h, s, o, now)
	p.Notice = notice(c, &p.Page)
	hidden, err := h.confidentialPlaces(ctx, p.User, s, o)
	if err != nil {
		h.Error(c, err)
		return
	}
	p.Locations = h.locations(&p.Page, s, o, hidden)
	for _, l := range p.Locations {
		if l.Confidential && l.PublicContact != "" && !slices.Contains(p.Contacts, l.PublicContact) {
			p.Contacts = append(p.Contacts, l.PublicContact)
		}
	}
	p.Confidential = len(hidden) > 0
	p.CanSuggest = portal.Can(p.User, portal.ActionSuggestEdit)
	p.CanEdit = portal.Can(p.User, portal.ActionEditDirectory)
	if p.Confidential {
		h.renderPrivate(c, "directory-service", p)
		return
	}
	h.render(c, http.StatusOK, "directory-service", p)
}

// fill sets what the entry shows of s and its organisation o at now.
func (p *servicePage) fill(h *Handlers, s *portal.Service, o *portal.DirectoryOrg, now time.Time) {
	lang := p.Lang
	p.Card = h.card(&p.Page, s, o, now)
	p.Title = p.Card.Name
	p.Description, p.DescLang = s.Description.In(lang), otherLang(s.Description, lang)
	p.Eligibility = s.Eligibility.In(lang)
	p.Apply = s.ApplicationProcess.In(lang)
	p.Fees = s.Fees.In(lang)
	if !s.Always && len(s.Hours) > 0 {
		p.Hours = strings.Split(directory.FormatHours(false, s.Hours, lang), "\n")
	}
	t := now.In(portal.MongoliaTime)
	p.ClockNow = directory.FormatDays([]time.Weekday{t.Weekday()}, lang) + " " + t.Format("15:04")
	for _, l := range s.Languages {
		p.Spoken = append(p.Spoken, languageName(&p.Page, l))
	}
	p.Org = orgView{Name: o.Name.In(lang), Description: o.Description.In(lang), Website: o.Website,
		Email: o.Email, Phones: phones(&p.Page, o.Phones)}
	p.AssuredBy = s.Verifier().In(p.Lang)
	base := portal.ServicePath(s.ID)
	p.SuggestURL, p.EditURL, p.VerifyURL = base+"/suggest", base+"/edit", base+"/verify"
	p.OrgEditURL = orgEditPath(o.ID)
	p.SheetURL = "/directory/print?" + url.Values{"s": {s.ID}, "lang": {string(lang)}}.Encode()
}

// confidentialPlaces returns the hidden parts of the confidential locations of s when u may
// see them, and nothing otherwise. u's organisation decides (it must be verified), so it is
// looked up only when there is something to show.
func (h *Handlers) confidentialPlaces(ctx context.Context, u *portal.User, s *portal.Service, o *portal.DirectoryOrg) (map[string]portal.ConfidentialPlace, error) {
	var ids []string
	for _, id := range s.LocationIDs {
		if l := o.Location(id); l != nil && l.Confidential {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || !portal.Can(u, portal.ActionViewConfidential) {
		return nil, nil
	}
	var org *portal.Organisation
	if u.OrgID != "" {
		found, err := h.Accounts.Store.FindOrganisation(ctx, u.OrgID)
		if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
			return nil, err
		}
		org = found
	}
	if !portal.CanSeeConfidential(u, org) {
		return nil, nil
	}
	return h.Directory.ConfidentialPlaces(ctx, ids)
}

// locations returns the locations of s, with the hidden parts of confidential ones from
// hidden (nil for everyone not allowed to see them).
func (h *Handlers) locations(p *Page, s *portal.Service, o *portal.DirectoryOrg, hidden map[string]portal.ConfidentialPlace) []locationView {
	var out []locationView
	for _, id := range s.LocationIDs {
		l := o.Location(id)
		if l == nil {
			continue
		}
		v := locationView{Name: l.Name.In(p.Lang), Place: h.placeName(portal.Place{Aimag: l.Aimag, Soum: l.Soum}, p.Lang),
			Confidential: l.Confidential, PublicContact: l.PublicContact.In(p.Lang), EditURL: locationEditPath(o.ID, l.ID)}
		switch cp, ok := hidden[id]; {
		case !l.Confidential:
			v.Address, v.Coords = l.Address.In(p.Lang), coords(l.Latitude, l.Longitude)
			// A map link only for a public place: following it tells the map's server
			// where one is looking.
			if v.Coords != "" {
				lat, lon := fmtCoord(*l.Latitude), fmtCoord(*l.Longitude)
				v.MapURL = "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lon + "#map=16/" + lat + "/" + lon
			}
		case ok:
			v.Shown = true
			v.Address, v.Coords = cp.Address.In(p.Lang), coords(cp.Latitude, cp.Longitude)
		}
		out = append(out, v)
	}
	return out
}

func coords(lat, lon *float64) string {
	if lat == nil || lon == nil {
		return ""
	}
	return fmtCoord(*lat) + ", " + fmtCoord(*lon)
}

func fmtCoord(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// printPage is the data of /directory/print.
type printPage struct {
	Page
	Items      []printItem
	Printed    time.Time
	AnyExample bool
	Source     string // the directory's address, printed for readers of the paper
}

// printItem is a service on the referral sheet.
type printItem struct {
	serviceCard
	Hours  string
	Places []locationView
}

// HandlePrint serves GET /directory/print?s=ID&s=ID: one A4 referral sheet of up to 30
// services, in the page's language (?lang= chooses).
//
// DECISION: the sheet never shows a confidential address or its coordinates, not even to a
// member who may see them on the entry page. Paper leaves the building: it is handed to the
// person referred, left on desks, photographed. A confidential location prints as its
// public contact point only, so the sheet is the same for every reader and may be cached.
func (h *Handlers) HandlePrint(c *gin.Context) {
	p := printPage{Page: h.page(c, "", "directory"), Printed: h.Now(), Source: h.linkURL("/directory")}
	p.Title = p.T("directory.print.title")
	ids := c.QueryArray("s")
	if len(ids) > maxPrintServices {
		h.Error(c, badRequest(&p.Page, "directory.print.too_many", len(ids), maxPrintServices))
		return
	}
	if len(ids) == 0 {
		h.render(c, http.StatusOK, "directory-print", p) // a sheet of nothing says how to choose
		return
	}
	res, err := h.Finder.Find(c.Request.Context(), directory.Query{IDs: ids, Now: p.Printed})
	if err != nil {
		h.Error(c, err)
		return
	}
	if len(res.Missing) > 0 {
		unknown := make([]string, len(res.Missing))
		for i, id := range res.Missing {
			unknown[i] = "“" + shorten(id) + "”"
		}
		h.Error(c, badRequest(&p.Page, "directory.print.unknown", strings.Join(unknown, ", ")))
		return
	}
	for _, hit := range res.Hits {
		p.Items = append(p.Items, h.printItem(&p.Page, hit.Service, hit.Org, p.Printed))
		p.AnyExample = p.AnyExample || hit.Service.Example || hit.Org.Example
	}
	h.render(c, http.StatusOK, "directory-print", p)
}

// printItem returns service s of org o as the sheet prints it: confidential locations as
// their public contact only (see HandlePrint).
func (h *Handlers) printItem(p *Page, s *portal.Service, o *portal.DirectoryOrg, now time.Time) printItem {
	it := printItem{serviceCard: h.card(p, s, o, now), Places: h.locations(p, s, o, nil)}
	if s.Always {
		it.Hours = p.T("directory.always_long")
	} else {
		it.Hours = strings.ReplaceAll(directory.FormatHours(false, s.Hours, p.Lang), "\n", "; ")
	}
	for i := range it.Places {
		it.Places[i].MapURL = "" // paper has no links
	}
	return it
}
