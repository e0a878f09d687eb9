package portal

import (
	"context"
	"sort"
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

// DirectoryStore keeps the referral directory.
type DirectoryStore interface {
	// Directory returns the public directory. It is cheap to call on every request: the
	// store keeps it in memory while the version in the database is unchanged.
	Directory(ctx context.Context) (*Directory, error)
	// DirectoryVersion returns the version of the directory, which changes on every write
	// to it ("" while it was never written), read with one _id lookup: what the search
	// indexer follows. Directory().Version is the version of the copy it returns.
	DirectoryVersion(ctx context.Context) (string, error)
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
