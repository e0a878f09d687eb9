package portal

import (
	"net/url"
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
	AssuredBy          string    // who verified it, as shown
	AssuredByID        string    // the user id of who verified it in the portal, if any
	Example            bool
	Modified           time.Time // last change of any field
}

// OpenAt reports whether the service is open at now, computed in Mongolia's time zone.
func (s *Service) OpenAt(now time.Time) bool {
	if s.Always {
		return true
	}
	t := now.In(MongoliaTime)
	hm := t.Format("15:04")
	for _, h := range s.Hours {
		for _, d := range h.Days {
			// "HH:MM" strings order like the times they name.
			if d == t.Weekday() && h.Opens <= hm && hm < h.Closes {
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
