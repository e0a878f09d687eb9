package portal

import (
	"context"
	"sort"
	"strings"
	"time"
)

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

	orgs     map[string]*DirectoryOrg
	services map[string]svcRef
	all      []*Service // every service, in id order
}

type svcRef struct {
	org *DirectoryOrg
	svc *Service
}

// NewDirectory indexes orgs, which must be public (no confidential addresses) and are
// kept, not copied.
func NewDirectory(orgs []*DirectoryOrg, version string) *Directory {
	d := &Directory{Orgs: orgs, Version: version, orgs: make(map[string]*DirectoryOrg, len(orgs)),
		services: map[string]svcRef{}}
	sort.Slice(d.Orgs, func(i, j int) bool { return d.Orgs[i].ID < d.Orgs[j].ID })
	for _, o := range d.Orgs {
		d.orgs[o.ID] = o
		for i := range o.Services {
			s := &o.Services[i]
			d.services[s.ID] = svcRef{o, s}
			d.all = append(d.all, s)
		}
	}
	sort.Slice(d.all, func(i, j int) bool { return d.all[i].ID < d.all[j].ID })
	return d
}

// Org returns the organisation with id, or nil.
func (d *Directory) Org(id string) *DirectoryOrg { return d.orgs[id] }

// Service returns the service with id and its organisation, or nils.
func (d *Directory) Service(id string) (*Service, *DirectoryOrg) {
	r := d.services[id]
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

// DirectoryQuery selects services. Empty fields select everything.
type DirectoryQuery struct {
	Aimag, Soum string // the place where help is needed
	Type        string // a taxonomy term id
	Language    string // an ISO 639-1 code the service speaks
	OpenNow     bool   // open at the query's time, in Mongolia's time zone
	Always      bool   // open 24 hours
	Free        bool   // free of charge
	// Text keeps services whose name, organisation or description in either language
	// contains every word of it (case-insensitive). Issue 5's search engine takes over the
	// ranking of free text; this keeps the directory usable on its own.
	Text string
	// ModifiedAfter keeps services changed after it.
	ModifiedAfter time.Time
}

// Empty reports whether q selects everything.
func (q DirectoryQuery) Empty() bool { return q == DirectoryQuery{} }

// Hit is a service the query found, with its organisation and how near its area is to the
// place asked for: 0 at a location in the soum, 1 serving the soum, 2 serving the whole
// aimag, 3 when no place was asked for.
type Hit struct {
	Service   *Service
	Org       *DirectoryOrg
	Nearness  int
	SortTitle string
}

// Find returns the services q selects at now, nearest first, then by name in lang.
func (d *Directory) Find(q DirectoryQuery, now time.Time, lang Language) []Hit {
	words := strings.Fields(strings.ToLower(q.Text))
	var hits []Hit
	for _, s := range d.all {
		o := d.services[s.ID].org
		near := 3
		if q.Aimag != "" {
			near = nearness(o, s, q.Aimag, q.Soum)
			if near < 0 {
				continue
			}
		}
		switch {
		case q.Type != "" && !contains(s.Types, q.Type),
			q.Language != "" && !contains(s.Languages, q.Language),
			q.Always && !s.Always,
			q.Free && !s.Free,
			q.OpenNow && !s.OpenAt(now),
			!q.ModifiedAfter.IsZero() && !s.Modified.After(q.ModifiedAfter) && !o.Modified.After(q.ModifiedAfter),
			len(words) > 0 && !matchesAll(words, o, s):
			continue
		}
		hits = append(hits, Hit{Service: s, Org: o, Nearness: near, SortTitle: strings.ToLower(s.Name.In(lang))})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Nearness != hits[j].Nearness {
			return hits[i].Nearness < hits[j].Nearness
		}
		return hits[i].SortTitle < hits[j].SortTitle
	})
	return hits
}

// nearness says how near s comes to the place, or -1 when it does not serve it: 0 when
// it has a location there (in the soum, when one is asked for), 1 when it serves the
// soum, 2 when it serves the whole aimag or part of it.
func nearness(o *DirectoryOrg, s *Service, aimag, soum string) int {
	best := -1
	for _, a := range s.Area {
		n := -1
		switch {
		case a.Aimag != aimag:
		case soum != "" && a.Soum == soum:
			n = 1
		case a.Soum == "" || soum == "":
			// The whole aimag, or asked for the whole aimag: a service of one of its
			// soums serves part of it.
			n = 2
		}
		if n >= 0 && (best < 0 || n < best) {
			best = n
		}
	}
	if best < 0 {
		return -1
	}
	for _, id := range s.LocationIDs {
		if l := o.Location(id); l != nil && l.Aimag == aimag && (soum == "" || l.Soum == soum) {
			return 0
		}
	}
	return best
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func matchesAll(words []string, o *DirectoryOrg, s *Service) bool {
	hay := strings.ToLower(strings.Join([]string{s.Name.MN, s.Name.EN, o.Name.MN, o.Name.EN,
		s.Description.MN, s.Description.EN}, "\n"))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// DirectoryStore keeps the referral directory.
type DirectoryStore interface {
	// Directory returns the public directory. It is cheap to call on every request: the
	// store keeps it in memory while the version in the database is unchanged.
	Directory(ctx context.Context) (*Directory, error)
	// SaveDirectoryOrg creates or replaces an organisation with its locations and services.
	// The address and coordinates of its confidential locations are stored apart; a
	// confidential location saved without them keeps the ones stored before.
	SaveDirectoryOrg(ctx context.Context, o *DirectoryOrg) error
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

// SuggestionStatus is where a suggested edit stands.
type SuggestionStatus string

const (
	SuggestionPending  SuggestionStatus = "pending"
	SuggestionAccepted SuggestionStatus = "accepted"
	SuggestionRejected SuggestionStatus = "rejected"
)

// Suggestion is an edit of a service that a member proposed, waiting for the secretariat.
type Suggestion struct {
	ID        string
	ServiceID string
	OrgID     string // the directory organisation of the service
	By        string // user id
	ByName    string
	Created   time.Time
	// Base is the service as the member saw it, Proposed as they would have it: the
	// fields where the two differ are the suggestion.
	Base, Proposed Service
	Note           string // why, in the member's words
	Status         SuggestionStatus
	Reason         string // why it was rejected
	DecidedBy      string // user id
	DecidedByName  string
	DecidedAt      time.Time
}

// SuggestionFilter selects suggestions; empty fields select all.
type SuggestionFilter struct {
	Status    SuggestionStatus
	By        string
	ServiceID string
	Limit     int
}
