package portal

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// The referral directory follows Open Referral HSDS 3 (organization, location, service,
// phone, schedule, service_area, taxonomy_term), with every text in both languages.

// Text is a text in both languages.
type Text struct {
	MN, EN string
}

// In returns the text in lang, or in the other language when it has none in lang.
func (t Text) In(lang Language) string {
	if lang == English && t.EN != "" || t.MN == "" {
		return t.EN
	}
	return t.MN
}

// Shown returns the language of the text that In(lang) returns: lang, or the other language
// when the text has none in lang.
func (t Text) Shown(lang Language) Language {
	switch {
	case t.MN == "" && t.EN == "":
		return lang
	case lang == English && t.EN != "" || t.MN == "":
		return English
	}
	return Mongolian
}

// Empty reports whether the text has no words in either language.
func (t Text) Empty() bool {
	return strings.TrimSpace(t.MN) == "" && strings.TrimSpace(t.EN) == ""
}

// Phone is a telephone number of an organisation or service.
type Phone struct {
	Number      string
	Description Text
	// Example marks an invented number, shown as example data so nobody mistakes it for a
	// verified referral.
	Example bool
}

// Schedule is one range of opening hours on some days of the week, in Mongolia's time zone.
// Times are "HH:MM" from 00:00 to 23:59; a range never crosses midnight.
type Schedule struct {
	Days          []time.Weekday
	Opens, Closes string
}

// Place is an aimag, or a soum (an Ulaanbaatar district) within it, by gazetteer id. An
// empty Soum means the whole aimag.
type Place struct {
	Aimag, Soum string
}

// Location is where a service is delivered. The address and coordinates of a confidential
// location (a shelter) are shown only to roles the policy allows; everyone else sees
// PublicContact.
type Location struct {
	ID                  string
	Name                Text
	Confidential        bool
	Address             Text
	Aimag, Soum         string
	Latitude, Longitude *float64
	PublicContact       Text
}

// ServicePath returns the address of a service's entry, /directory/services/{id}: the one
// place that builds it, for the pages, the search records and the links people are sent.
func ServicePath(id string) string { return "/directory/services/" + url.PathEscape(id) }

// Service is one referral service of an organisation.
type Service struct {
	ID                 string
	OrgID              string
	Name               Text
	Description        Text
	Eligibility        Text
	ApplicationProcess Text
	Fees               Text
	Free               bool
	Types              []string // taxonomy term ids
	Languages          []string // ISO 639-1 codes
	Always             bool     // open 24 hours, every day
	Hours              []Schedule
	Area               []Place
	LocationIDs        []string // ids of the organisation's locations
	Phones             []Phone
	AssuredDate        time.Time // last verified
	AssuredBy          string    // who verified it, as shown (in English when it differs: see Verifier)
	AssuredByMN        string    // who verified it in Mongolian, when it differs from AssuredBy: a body, not a person
	AssuredByID        string    // the user id of who verified it in the portal, if any
	Example            bool
	Modified           time.Time // last change of any field
}

// OpenAt reports whether the service is open at now, computed in Mongolia's time zone.
func (s *Service) OpenAt(now time.Time) bool {
	day, hm := WeekClock(now)
	return s.OpenOn(day, hm)
}

// WeekClock returns the day of the week and the "HH:MM" time of day of t in Mongolia, what
// Service.OpenOn takes: a list asking thousands of services whether they are open reads
// them once.
func WeekClock(t time.Time) (time.Weekday, string) {
	t = t.In(MongoliaTime)
	return t.Weekday(), t.Format("15:04")
}

// OpenOn reports whether the service is open on day at hm, a time of day as "HH:MM" (see
// WeekClock).
func (s *Service) OpenOn(day time.Weekday, hm string) bool {
	if s.Always {
		return true
	}
	for _, h := range s.Hours {
		for _, d := range h.Days {
			// "HH:MM" strings order like the times they name.
			if d == day && h.Opens <= hm && hm < h.Closes {
				return true
			}
		}
	}
	return false
}

// StaleAfter is how long a verification holds before the entry is flagged as out of date.
const StaleAfter = 12 // months

// Stale reports whether the service was last verified more than 12 months before now, or
// never.
func (s *Service) Stale(now time.Time) bool {
	return s.AssuredDate.IsZero() || s.AssuredDate.Before(now.AddDate(0, -StaleAfter, 0))
}

// DirectoryOrg is an organisation as the referral directory lists it, with its locations
// and services. It is distinct from Organisation, the member account: a directory entry
// may describe an organisation that has no account.
type DirectoryOrg struct {
	ID          string
	Name        Text
	Description Text
	Group       StakeholderGroup
	Email       string
	Website     string
	Phones      []Phone
	Locations   []Location
	Services    []Service
	Example     bool
	Modified    time.Time // last change of the organisation's own fields or locations
}

// Location returns the organisation's location with id, or nil.
func (o *DirectoryOrg) Location(id string) *Location {
	for i := range o.Locations {
		if o.Locations[i].ID == id {
			return &o.Locations[i]
		}
	}
	return nil
}

// TaxonomyTerm is a service type, such as shelter or hotline.
type TaxonomyTerm struct {
	ID          string
	Name        Text
	Description Text
}

// Gazetteer is the set of places services may be in or serve.
type Gazetteer struct {
	Aimags []Aimag
	Bounds Bounds
}

// Bounds is the box of latitudes and longitudes taken as inside Mongolia.
type Bounds struct {
	MinLat, MaxLat, MinLon, MaxLon float64
}

// Aimag is a province, or Ulaanbaatar; its soums are Ulaanbaatar's districts.
type Aimag struct {
	ID      string
	Name    Text
	Aliases []string
	Soums   []Soum
	// Latitude and Longitude are the centre, where it is known.
	Latitude, Longitude *float64
}

// Soum is a district of an aimag, or of Ulaanbaatar.
type Soum struct {
	ID      string
	Name    Text
	Aliases []string
	// Latitude and Longitude are the centre, where it is known.
	Latitude, Longitude *float64
}

// FindAimag returns the aimag with id, or nil.
func (g *Gazetteer) FindAimag(id string) *Aimag {
	for i := range g.Aimags {
		if g.Aimags[i].ID == id {
			return &g.Aimags[i]
		}
	}
	return nil
}

// FindSoum returns the soum with id in the aimag with id aimag, or nil.
func (g *Gazetteer) FindSoum(aimag, soum string) *Soum {
	a := g.FindAimag(aimag)
	if a == nil {
		return nil
	}
	for i := range a.Soums {
		if a.Soums[i].ID == soum {
			return &a.Soums[i]
		}
	}
	return nil
}

// InMongolia reports whether the point lies inside the gazetteer's bounds.
func (g *Gazetteer) InMongolia(lat, lon float64) bool {
	b := g.Bounds
	return lat >= b.MinLat && lat <= b.MaxLat && lon >= b.MinLon && lon <= b.MaxLon
}

// ConfidentialPlace is what a confidential location hides from everyone the policy does not
// allow (CanSeeConfidential): its street address and coordinates. The store keeps it apart
// from the public directory, so nothing that reads the directory (pages, the API, exports,
// the search index, feeds) can carry it by accident.
type ConfidentialPlace struct {
	LocationID          string
	Address             Text
	Latitude, Longitude *float64
}

// Public returns the organisation as anyone may see it: a copy whose confidential locations
// have no address and no coordinates, and the hidden parts by location id.
func (o *DirectoryOrg) Public() (*DirectoryOrg, []ConfidentialPlace) {
	c := o.Clone()
	var hidden []ConfidentialPlace
	for i := range c.Locations {
		l := &c.Locations[i]
		if !l.Confidential {
			continue
		}
		if !l.Address.Empty() || l.Latitude != nil {
			hidden = append(hidden, ConfidentialPlace{LocationID: l.ID, Address: l.Address,
				Latitude: l.Latitude, Longitude: l.Longitude})
		}
		l.Address, l.Latitude, l.Longitude = Text{}, nil, nil
	}
	return c, hidden
}

// Clone returns a deep copy of the organisation.
func (o *DirectoryOrg) Clone() *DirectoryOrg {
	c := *o
	c.Phones = append([]Phone(nil), o.Phones...)
	c.Locations = append([]Location(nil), o.Locations...)
	c.Services = make([]Service, len(o.Services))
	for i := range o.Services {
		c.Services[i] = *o.Services[i].Clone()
	}
	return &c
}

// Clone returns a deep copy of the service.
func (s *Service) Clone() *Service {
	c := *s
	c.Types = append([]string(nil), s.Types...)
	c.Languages = append([]string(nil), s.Languages...)
	c.Hours = make([]Schedule, len(s.Hours))
	for i, h := range s.Hours {
		h.Days = append([]time.Weekday(nil), h.Days...)
		c.Hours[i] = h
	}
	if s.Hours == nil {
		c.Hours = nil
	}
	c.Area = append([]Place(nil), s.Area...)
	c.LocationIDs = append([]string(nil), s.LocationIDs...)
	c.Phones = append([]Phone(nil), s.Phones...)
	return &c
}

// Directory is the whole public directory at one moment: every organisation with its
// locations and services, confidential locations without their address. It is shared
// between requests and must not be modified; change the store instead.
type Directory struct {
	// Orgs are in id order.
	Orgs []*DirectoryOrg
	// Version changes on every write to the directory.
	Version string

	orgs     layered[*DirectoryOrg]
	services layered[svcRef]
	all      []*Service // every service, in id order
}

// layered is a map shared by the directories that WithOrg derives from one another: a base
// that no one writes once built, and the changes made over it since, which each derived
// directory copies (a few entries) instead of the whole base (10,000 services). When the
// changes outgrow maxLayered, the next derived directory folds them into a new base.
type layered[V comparable] struct {
	base map[string]V
	over map[string]V // a zero V is a removal from base
}

// maxLayered is how many changes a layered map holds over its base: copying them costs a
// derivation little, and folding them in (copying the base) happens once per as many.
const maxLayered = 512

func (m layered[V]) get(id string) V {
	if v, ok := m.over[id]; ok {
		return v
	}
	return m.base[id]
}

// with returns m with changes (a zero value removes its key), leaving m as it is.
func (m layered[V]) with(changes map[string]V) layered[V] {
	var zero V
	if len(m.over)+len(changes) > maxLayered {
		base := maps.Clone(m.base)
		if base == nil {
			base = map[string]V{}
		}
		for _, set := range []map[string]V{m.over, changes} {
			for k, v := range set {
				if v == zero {
					delete(base, k)
				} else {
					base[k] = v
				}
			}
		}
		return layered[V]{base: base}
	}
	over := make(map[string]V, len(m.over)+len(changes))
	maps.Copy(over, m.over)
	maps.Copy(over, changes)
	return layered[V]{base: m.base, over: over}
}

type svcRef struct {
	org *DirectoryOrg
	svc *Service
}

// NewDirectory indexes orgs, which must be public (no confidential addresses) and are
// kept, not copied.
func NewDirectory(orgs []*DirectoryOrg, version string) *Directory {
	d := &Directory{Orgs: orgs, Version: version, orgs: layered[*DirectoryOrg]{base: make(map[string]*DirectoryOrg, len(orgs))},
		services: layered[svcRef]{base: map[string]svcRef{}}}
	sort.Slice(d.Orgs, func(i, j int) bool { return d.Orgs[i].ID < d.Orgs[j].ID })
	for _, o := range d.Orgs {
		d.orgs.base[o.ID] = o
		for i := range o.Services {
			s := &o.Services[i]
			d.services.base[s.ID] = svcRef{o, s}
			d.all = append(d.all, s)
		}
	}
	sort.Slice(d.all, func(i, j int) bool { return d.all[i].ID < d.all[j].ID })
	return d
}

// WithOrg returns the directory with o, which must be public and is kept, not copied, in
// place of the organisation of its id, or added, at version: the directory after a save of
// o. d is left as it is, and the two share every other organisation and the bulk of d's
// indexes (see layered); the cost is that of copying the list of services in id order, not
// of building the indexes (NewDirectory sorts every service).
func (d *Directory) WithOrg(o *DirectoryOrg, version string) *Directory {
	n := &Directory{Version: version}
	services := map[string]svcRef{}
	i, found := slices.BinarySearchFunc(d.Orgs, o.ID, func(x *DirectoryOrg, id string) int { return strings.Compare(x.ID, id) })
	n.Orgs = make([]*DirectoryOrg, 0, len(d.Orgs)+1)
	n.Orgs = append(append(n.Orgs, d.Orgs[:i]...), o)
	var old *DirectoryOrg
	if found {
		old = d.Orgs[i]
		i++
	}
	n.Orgs = append(n.Orgs, d.Orgs[i:]...)
	n.orgs = d.orgs.with(map[string]*DirectoryOrg{o.ID: o})

	// The old organisation's services leave, the new one's come in, each found by a
	// binary search in the services in id order.
	var gone []int // their places in d.all
	if old != nil {
		for j := range old.Services {
			s := &old.Services[j]
			if r := d.services.get(s.ID); r.svc == s {
				services[s.ID] = svcRef{} // removed, unless o has it too (below)
			}
			for k := serviceAt(d.all, s.ID); k < len(d.all) && d.all[k].ID == s.ID; k++ {
				if d.all[k] == s {
					gone = append(gone, k)
				}
			}
		}
	}
	slices.Sort(gone)
	n.all = make([]*Service, 0, len(d.all)-len(gone)+len(o.Services))
	from := 0
	for _, k := range gone {
		n.all, from = append(n.all, d.all[from:k]...), k+1
	}
	n.all = append(n.all, d.all[from:]...)
	for j := range o.Services {
		s := &o.Services[j]
		services[s.ID] = svcRef{o, s}
		n.all = slices.Insert(n.all, serviceAt(n.all, s.ID), s)
	}
	n.services = d.services.with(services)
	return n
}

// serviceAt returns the place of the first service with id in services, which are in id
// order, or where it would be.
func serviceAt(services []*Service, id string) int {
	k, _ := slices.BinarySearchFunc(services, id, func(s *Service, id string) int { return strings.Compare(s.ID, id) })
	return k
}

// Org returns the organisation with id, or nil.
func (d *Directory) Org(id string) *DirectoryOrg { return d.orgs.get(id) }

// Service returns the service with id and its organisation, or nils.
func (d *Directory) Service(id string) (*Service, *DirectoryOrg) {
	r := d.services.get(id)
	return r.svc, r.org
}

// Services returns every service in id order.
func (d *Directory) Services() []*Service { return d.all }

// Modified returns when the directory last changed, from the services' and organisations'
// modification times.
func (d *Directory) Modified() time.Time {
	var t time.Time
	for _, o := range d.Orgs {
		if o.Modified.After(t) {
			t = o.Modified
		}
		for i := range o.Services {
			if o.Services[i].Modified.After(t) {
				t = o.Services[i].Modified
			}
		}
	}
	return t
}

// DirectoryStore keeps the referral directory.
type DirectoryStore interface {
	// Directory returns the public directory. It is cheap to call on every request: the
	// store keeps it in memory while the version in the database is unchanged, and once
	// it holds one never makes a request wait for it to load again (a newer one loads in
	// the background while the copy held is returned).
	Directory(ctx context.Context) (*Directory, error)
	// DirectoryVersion returns the version of the directory, which changes on every write
	// to it ("" while it was never written), read with one _id lookup: what the search
	// indexer follows. Directory().Version is the version of the copy it returns; while a
	// newer copy loads, DirectoryVersion is that of the copy returned, so that a caller
	// that reads it and then the directory never gets a directory older than the version.
	DirectoryVersion(ctx context.Context) (string, error)
	// SaveDirectoryOrg creates or replaces an organisation with its locations and services.
	// The address and coordinates of its confidential locations are stored apart; a
	// confidential location saved without them keeps the ones stored before.
	SaveDirectoryOrg(ctx context.Context, o *DirectoryOrg) error
	// SaveDirectoryOrgs saves orgs as SaveDirectoryOrg saves each (of two with one id, the
	// later), in a few writes for all of them rather than a few for each: for imports. An
	// error part way may leave any of them saved and the others as they were.
	SaveDirectoryOrgs(ctx context.Context, orgs []*DirectoryOrg) error
	// ConfidentialPlaces returns the hidden parts of the given confidential locations, by
	// location id. Only callers that checked CanSeeConfidential may ask.
	ConfidentialPlaces(ctx context.Context, locationIDs []string) (map[string]ConfidentialPlace, error)
	// CreateSuggestion stores a new suggestion; ECONFLICT when the id is taken.
	CreateSuggestion(ctx context.Context, s *Suggestion) error
	// FindSuggestion returns the suggestion with id, or ENOTFOUND.
	FindSuggestion(ctx context.Context, id string) (*Suggestion, error)
	// FindSuggestions returns the suggestions that f selects, newest first.
	FindSuggestions(ctx context.Context, f SuggestionFilter) ([]*Suggestion, error)
	// DecideSuggestion records the decision on a pending suggestion; ECONFLICT when it was
	// decided already.
	DecideSuggestion(ctx context.Context, s *Suggestion) error
}
