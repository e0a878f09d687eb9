package hsds

import (
	"crypto/sha1"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
)

// The referral directory as Open Referral HSDS 3.0 objects (https://openreferral.org/),
// shared by the API (handlers/hsds.go), the export and the import. Where HSDS is silent:
//
//   - Ids. HSDS ids are UUIDs; ours are slugs. ID derives a UUIDv5 in a fixed portal
//     namespace from the kind and the slug ("service:ub-safe-house-shelter"); an id that is
//     already a UUID is kept. Rows that have no id of their own here (phones, schedules,
//     languages, areas, addresses, links) get a UUIDv5 of their parent's HSDS id and
//     position or key, so two exports of the same data have the same ids, also after a
//     round trip through an import that kept a parent's UUID as its id.
//   - Languages. Our texts are bilingual, HSDS texts are not: a mapper writes one language,
//     falling back to the other where a text has none in it (as the pages do). The export
//     writes one complete dataset per language with the same ids.
//   - What HSDS has no field for is an attribute linking a term of the portal's own
//     taxonomy (PortalTaxonomy): example data, a confidential location, free of charge,
//     who last verified a service (assurer_email needs an e-mail address, and we keep a
//     name), the stakeholder group of an organisation, and the gazetteer ids of a
//     location's aimag and soum. Service types are attributes linking the terms of
//     ServiceTypesTaxonomy, whose codes are our term ids.
//   - Opening hours are one weekly schedule per range, times in Mongolia's time zone
//     (opens_at "09:00:00+08:00", timezone 8). A service open 24 hours has one schedule:
//     every day from 00:00:00 to 23:59:59, described as open 24 hours.
//   - A service area is named in the language (soum, aimag) and carries the gazetteer ids
//     in its uri: urn:gobi-dialogue-portal:place:AIMAG[:SOUM].
//   - A confidential location never has an address or coordinates here, whatever it is
//     given: its description is its public contact point and an attribute marks it.
//   - Example phone numbers say so in their description too, "(example)" / "(жишээ)",
//     so nobody reading only the number and its description mistakes one for a referral.

// hsdsNamespace is the UUIDv5 namespace of the portal's HSDS ids. Never change it: every
// id ever exported is derived from it.
var hsdsNamespace = [16]byte{0x2a, 0x0a, 0xf9, 0x16, 0x56, 0xa3, 0x4b, 0xbc, 0xaa, 0x72, 0xef, 0x86, 0x32, 0x90, 0x82, 0x10}

// Names of the portal's schemes and taxonomies in HSDS data.
const (
	// PortalScheme is the identifier_scheme of an organisation's directory id, and the
	// external_identifier_type of a location's.
	PortalScheme = "gobi-dialogue-portal"
	// ServiceTypesTaxonomy is the taxonomy of the service types.
	ServiceTypesTaxonomy = "gobi-dialogue-service-types"
	// PortalTaxonomy is the taxonomy of the attributes HSDS has no field for.
	PortalTaxonomy = "gobi-dialogue-portal"
	// placeURN starts the uri of a service area.
	placeURN = "urn:gobi-dialogue-portal:place:"
	// mongoliaOffset is Mongolia's UTC offset, in hours, for schedules.
	mongoliaOffset = 8
)

// Codes of the terms of PortalTaxonomy.
const (
	termExample      = "portal-example"
	termConfidential = "portal-confidential"
	termFree         = "portal-free"
	termAssuredBy    = "portal-assured-by"
	termGroup        = "portal-stakeholder-group"
	termPlace        = "portal-place"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s is a UUID in the 8-4-4-4-12 hexadecimal form.
func IsUUID(s string) bool { return uuidPattern.MatchString(s) }

// ID returns the HSDS id of the record of kind (organization, service, location,
// taxonomy, taxonomy_term...) whose portal id is id: id itself, in lower case, when it is
// a UUID already, else the UUIDv5 of kind+":"+id in the portal's namespace.
func ID(kind, id string) string {
	if IsUUID(id) {
		return strings.ToLower(id)
	}
	h := sha1.New()
	h.Write(hsdsNamespace[:])
	h.Write([]byte(kind + ":" + id))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	s := hex.EncodeToString(u)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// The HSDS 3.0 objects the portal writes, with the properties it fills, in the schemas'
// order. No HSDS property allows null, so every optional property is omitted when empty;
// required ones are always written.

// Organisation is an HSDS organization.
type Organisation struct {
	ID                      string                   `json:"id"`
	Name                    string                   `json:"name"`
	Description             string                   `json:"description"`
	Email                   string                   `json:"email,omitempty"`
	Website                 string                   `json:"website,omitempty"`
	Phones                  []Phone                  `json:"phones,omitempty"`
	Locations               []Location               `json:"locations,omitempty"`
	OrganisationIdentifiers []OrganisationIdentifier `json:"organization_identifiers,omitempty"`
	Attributes              []Attribute              `json:"attributes,omitempty"`
	// Services is filled only by the API's organization answers (the compiled
	// organization of the HSDS API); the export's organizations.json has none.
	Services []Service `json:"services,omitempty"`
}

// OrganisationIdentifier is an HSDS organization_identifier.
type OrganisationIdentifier struct {
	ID               string `json:"id"`
	OrganisationID   string `json:"organization_id,omitempty"`
	IdentifierScheme string `json:"identifier_scheme,omitempty"`
	IdentifierType   string `json:"identifier_type"`
	Identifier       string `json:"identifier"`
}

// Service is an HSDS service; fully nested, or with one-to-one fields only.
type Service struct {
	ID                     string              `json:"id"`
	OrganisationID         string              `json:"organization_id,omitempty"`
	Name                   string              `json:"name"`
	Description            string              `json:"description,omitempty"`
	Status                 string              `json:"status"`
	ApplicationProcess     string              `json:"application_process,omitempty"`
	FeesDescription        string              `json:"fees_description,omitempty"`
	EligibilityDescription string              `json:"eligibility_description,omitempty"`
	AssuredDate            string              `json:"assured_date,omitempty"`
	LastModified           string              `json:"last_modified,omitempty"`
	Phones                 []Phone             `json:"phones,omitempty"`
	Schedules              []Schedule          `json:"schedules,omitempty"`
	ServiceAreas           []ServiceArea       `json:"service_areas,omitempty"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages              []Language          `json:"languages,omitempty"`
	Organisation           *Organisation       `json:"organization,omitempty"`
	Attributes             []Attribute         `json:"attributes,omitempty"`
}

// Location is an HSDS location.
type Location struct {
	ID                     string      `json:"id"`
	LocationType           string      `json:"location_type"`
	OrganisationID         string      `json:"organization_id,omitempty"`
	Name                   string      `json:"name,omitempty"`
	Description            string      `json:"description,omitempty"`
	Latitude               *float64    `json:"latitude,omitempty"`
	Longitude              *float64    `json:"longitude,omitempty"`
	ExternalIdentifier     string      `json:"external_identifier,omitempty"`
	ExternalIdentifierType string      `json:"external_identifier_type,omitempty"`
	Addresses              []Address   `json:"addresses,omitempty"`
	Attributes             []Attribute `json:"attributes,omitempty"`
}

// Address is an HSDS address. postal_code is required by HSDS but the gazetteer has
// no postal codes: it is written empty.
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Address1      string `json:"address_1"`
	City          string `json:"city"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

// ServiceAtLocation is an HSDS service_at_location, with its location nested.
type ServiceAtLocation struct {
	ID         string    `json:"id"`
	ServiceID  string    `json:"service_id,omitempty"`
	LocationID string    `json:"location_id,omitempty"`
	Location   *Location `json:"location,omitempty"`
}

// Phone is an HSDS phone.
type Phone struct {
	ID             string      `json:"id"`
	ServiceID      string      `json:"service_id,omitempty"`
	OrganisationID string      `json:"organization_id,omitempty"`
	Number         string      `json:"number"`
	Description    string      `json:"description,omitempty"`
	Attributes     []Attribute `json:"attributes,omitempty"`
}

// Schedule is an HSDS schedule: weekly, on some days, between two times.
type Schedule struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Timezone    int    `json:"timezone,omitempty"`
	Freq        string `json:"freq,omitempty"`
	Byday       string `json:"byday,omitempty"`
	Description string `json:"description,omitempty"`
	OpensAt     string `json:"opens_at,omitempty"`
	ClosesAt    string `json:"closes_at,omitempty"`
}

// Language is an HSDS language a service speaks.
type Language struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Code      string `json:"code,omitempty"`
}

// ServiceArea is an HSDS service_area: an aimag, or a soum of one.
type ServiceArea struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Name      string `json:"name,omitempty"`
	URI       string `json:"uri,omitempty"`
}

// Taxonomy is an HSDS taxonomy.
type Taxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// TaxonomyTerm is an HSDS taxonomy_term.
type TaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy,omitempty"`
	Language    string `json:"language,omitempty"`
	TaxonomyID  string `json:"taxonomy_id,omitempty"`
}

// Attribute is an HSDS attribute: a taxonomy term linked to a record, with a value for
// some of the portal's terms.
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id,omitempty"`
	LinkEntity     string        `json:"link_entity,omitempty"`
	Value          string        `json:"value,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
}

// hsdsTaxonomy is a taxonomy of the portal, in both languages.
type hsdsTaxonomy struct {
	id                string
	name, description portal.Text
}

var (
	serviceTypes = hsdsTaxonomy{ServiceTypesTaxonomy,
		portal.Text{MN: "Үйлчилгээний төрөл", EN: "Service types"},
		portal.Text{MN: "Говийн яриа хэлэлцээний порталын шилжүүлгийн лавлахад ашиглах үйлчилгээний төрлүүд.",
			EN: "Service types used by the Gobi Dialogue Portal referral directory."}}
	portalAttributes = hsdsTaxonomy{PortalTaxonomy,
		portal.Text{MN: "Порталын тэмдэглэгээ", EN: "Portal attributes"},
		portal.Text{MN: "HSDS-д тусгай талбаргүй, Говийн яриа хэлэлцээний порталын шилжүүлгийн лавлахын мэдээлэл.",
			EN: "What the Gobi Dialogue Portal referral directory records and HSDS has no field for."}}
)

// portalTerms are the terms of PortalTaxonomy, by code.
var portalTerms = []portal.TaxonomyTerm{
	{ID: termExample, Name: portal.Text{MN: "Жишээ мэдээлэл", EN: "Example data"},
		Description: portal.Text{MN: "Зохиомол мэдээлэл: энэ хаяг, утсаар хэнийг ч бүү шилжүүлээрэй.",
			EN: "Invented data: do not refer anyone to this contact."}},
	{ID: termConfidential, Name: portal.Text{MN: "Нууц байршил", EN: "Confidential location"},
		Description: portal.Text{MN: "Хаяг, байршлыг нийтэд зарладаггүй: тайлбарт бичсэн олон нийтэд зориулсан холбоо барих хаягаар хандана уу.",
			EN: "The address and coordinates are not published: use the public contact point in the description."}},
	{ID: termFree, Name: portal.Text{MN: "Үнэ төлбөргүй", EN: "Free of charge"},
		Description: portal.Text{MN: "Үйлчилгээ үнэ төлбөргүй.", EN: "The service costs nothing."}},
	{ID: termAssuredBy, Name: portal.Text{MN: "Сүүлд баталгаажуулсан", EN: "Last verified by"},
		Description: portal.Text{MN: "Үйлчилгээний мэдээллийг сүүлд баталгаажуулсан хүн, байгууллага (утга нь нэр).",
			EN: "Who last verified the service's information; the value is their name."}},
	{ID: termGroup, Name: portal.Text{MN: "Оролцогч талын бүлэг", EN: "Stakeholder group"},
		Description: portal.Text{MN: "Байгууллагын оролцогч талын бүлэг; утга нь government, mining_company, civil_society, international_organisation эсвэл council_secretariat.",
			EN: "The organisation's stakeholder group; the value is government, mining_company, civil_society, international_organisation or council_secretariat."}},
	{ID: termPlace, Name: portal.Text{MN: "Аймаг, сум", EN: "Aimag and soum"},
		Description: portal.Text{MN: "Байршлын аймаг, сум (дүүрэг)-ын лавлах дахь дугаар; утга нь AIMAG эсвэл AIMAG/SUM.",
			EN: "The gazetteer ids of the location's aimag and soum (district); the value is AIMAG or AIMAG/SOUM."}},
}

// exampleMarks are what an example phone's description ends with, per language.
var exampleMarks = map[portal.Language]string{portal.Mongolian: "(жишээ)", portal.English: "(example)"}

// alwaysDescription describes the schedule of a service open 24 hours.
var alwaysDescription = portal.Text{MN: "24 цаг, өдөр бүр нээлттэй", EN: "Open 24 hours, every day"}

// languageNames names the languages services speak; a code missing here is named by its
// code.
var languageNames = map[string]portal.Text{
	"mn": {MN: "Монгол хэл", EN: "Mongolian"},
	"en": {MN: "Англи хэл", EN: "English"},
	"zh": {MN: "Хятад хэл", EN: "Chinese"},
	"ru": {MN: "Орос хэл", EN: "Russian"},
	"kk": {MN: "Казах хэл", EN: "Kazakh"},
	"ko": {MN: "Солонгос хэл", EN: "Korean"},
	"ja": {MN: "Япон хэл", EN: "Japanese"},
	"de": {MN: "Герман хэл", EN: "German"},
	"fr": {MN: "Франц хэл", EN: "French"},
	"tr": {MN: "Турк хэл", EN: "Turkish"},
}

// identifierType is the human-readable identifier_type of an organisation's directory id.
var identifierType = portal.Text{MN: "Говийн яриа хэлэлцээний порталын лавлахын дугаар", EN: "Gobi Dialogue Portal directory id"}

// rruleDays are the iCalendar names of the days, by time.Weekday.
var rruleDays = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// Mapper writes the directory as HSDS objects in one language. Make one with
// NewMapper; it is cheap, and safe for concurrent use once made.
type Mapper struct {
	lang      portal.Language
	gazetteer *portal.Gazetteer
	types     []portal.TaxonomyTerm
	terms     map[string]TaxonomyTerm // by code, both taxonomies
}

// NewMapper returns a mapper writing texts in lang, naming places from g (nil names
// them by id) and service types from terms.
func NewMapper(lang portal.Language, g *portal.Gazetteer, terms []portal.TaxonomyTerm) *Mapper {
	m := &Mapper{lang: lang, gazetteer: g, types: terms, terms: map[string]TaxonomyTerm{}}
	for _, t := range terms {
		m.terms[t.ID] = m.term(serviceTypes, t)
	}
	for _, t := range portalTerms {
		m.terms[t.ID] = m.term(portalAttributes, t)
	}
	return m
}

// Language returns the language the mapper writes.
func (m *Mapper) Language() portal.Language { return m.lang }

func (m *Mapper) text(t portal.Text) string { return t.In(m.lang) }

func (m *Mapper) term(tx hsdsTaxonomy, t portal.TaxonomyTerm) TaxonomyTerm {
	desc := m.text(t.Description)
	if desc == "" {
		desc = m.text(t.Name) // required by HSDS
	}
	return TaxonomyTerm{ID: ID("taxonomy_term", t.ID), Code: t.ID, Name: m.text(t.Name),
		Description: desc, Taxonomy: tx.id, Language: string(m.lang), TaxonomyID: ID("taxonomy", tx.id)}
}

// Taxonomies returns the service types' taxonomy and the portal's own.
func (m *Mapper) Taxonomies() []Taxonomy {
	var out []Taxonomy
	for _, tx := range []hsdsTaxonomy{serviceTypes, portalAttributes} {
		out = append(out, Taxonomy{ID: ID("taxonomy", tx.id), Name: m.text(tx.name), Description: m.text(tx.description)})
	}
	return out
}

// TaxonomyTerms returns the service types, then the terms of the portal's taxonomy.
func (m *Mapper) TaxonomyTerms() []TaxonomyTerm {
	var out []TaxonomyTerm
	for _, t := range m.types {
		out = append(out, m.terms[t.ID])
	}
	for _, t := range portalTerms {
		out = append(out, m.terms[t.ID])
	}
	return out
}

// attribute links the term with code to the record of entity (an HSDS table name) whose
// HSDS id is linkID.
func (m *Mapper) attribute(entity, linkID, code, value string) Attribute {
	t := m.terms[code]
	return Attribute{ID: ID("attribute", entity+":"+linkID+":"+code), LinkID: linkID,
		TaxonomyTermID: t.ID, LinkEntity: entity, Value: value, TaxonomyTerm: &t}
}

// OrganisationSummary returns the organisation's one-to-one fields.
func (m *Mapper) OrganisationSummary(o *portal.DirectoryOrg) Organisation {
	return Organisation{ID: ID("organization", o.ID), Name: m.text(o.Name),
		Description: m.text(o.Description), Email: o.Email, Website: o.Website}
}

// Organisation returns the organisation with its phones, locations, identifier and
// attributes, but not its services.
func (m *Mapper) Organisation(o *portal.DirectoryOrg) Organisation {
	org := m.OrganisationSummary(o)
	for i, p := range o.Phones {
		ph := m.phone("organization", org.ID, i, p)
		ph.OrganisationID = org.ID
		org.Phones = append(org.Phones, ph)
	}
	for i := range o.Locations {
		org.Locations = append(org.Locations, m.Location(o, &o.Locations[i]))
	}
	if !IsUUID(o.ID) {
		org.OrganisationIdentifiers = []OrganisationIdentifier{{ID: ID("organization_identifier", org.ID),
			OrganisationID: org.ID, IdentifierScheme: PortalScheme, IdentifierType: m.text(identifierType), Identifier: o.ID}}
	}
	if o.Group != "" {
		org.Attributes = append(org.Attributes, m.attribute("organization", org.ID, termGroup, string(o.Group)))
	}
	if o.Example {
		org.Attributes = append(org.Attributes, m.attribute("organization", org.ID, termExample, ""))
	}
	return org
}

// Location returns a location of o. A confidential location never carries an address or
// coordinates, even when l has them: its description is its public contact point.
func (m *Mapper) Location(o *portal.DirectoryOrg, l *portal.Location) Location {
	loc := Location{ID: ID("location", l.ID), LocationType: "physical", OrganisationID: ID("organization", o.ID),
		Name: m.text(l.Name), Description: m.text(l.PublicContact)}
	if !IsUUID(l.ID) {
		loc.ExternalIdentifier, loc.ExternalIdentifierType = l.ID, PortalScheme
	}
	if !l.Confidential {
		if l.Latitude != nil && l.Longitude != nil {
			lat, lon := *l.Latitude, *l.Longitude
			loc.Latitude, loc.Longitude = &lat, &lon
		}
		if addr := m.text(l.Address); addr != "" {
			city, province := m.placeNames(l.Aimag, l.Soum)
			loc.Addresses = []Address{{ID: ID("address", loc.ID), LocationID: loc.ID, Address1: addr,
				City: city, StateProvince: province, Country: "MN", AddressType: "physical"}}
		}
	}
	if l.Aimag != "" {
		loc.Attributes = append(loc.Attributes, m.attribute("location", loc.ID, termPlace, placeValue(l.Aimag, l.Soum)))
	}
	if l.Confidential {
		loc.Attributes = append(loc.Attributes, m.attribute("location", loc.ID, termConfidential, ""))
	}
	return loc
}

// placeValue writes an aimag and an optional soum as "aimag/soum".
func placeValue(aimag, soum string) string {
	if soum == "" {
		return aimag
	}
	return aimag + "/" + soum
}

// placeNames returns the names of the soum (or the aimag when there is none) and of the
// aimag, in the mapper's language.
func (m *Mapper) placeNames(aimag, soum string) (city, province string) {
	province, city = aimag, soum
	if m.gazetteer != nil {
		if a := m.gazetteer.FindAimag(aimag); a != nil {
			province = m.text(a.Name)
		}
		if s := m.gazetteer.FindSoum(aimag, soum); s != nil {
			city = m.text(s.Name)
		}
	}
	if city == "" {
		city = province
	}
	return city, province
}

// phone returns the i-th phone of the record of entity whose HSDS id is owner.
func (m *Mapper) phone(entity, owner string, i int, p portal.Phone) Phone {
	ph := Phone{ID: ID("phone", entity+":"+owner+":"+strconv.Itoa(i)), Number: p.Number, Description: m.text(p.Description)}
	if p.Example {
		ph.Description = strings.TrimSpace(ph.Description + " " + exampleMarks[m.lang])
		ph.Attributes = []Attribute{m.attribute("phone", ph.ID, termExample, "")}
	}
	return ph
}

// ServiceSummary returns the service's one-to-one fields and its organisation's, as the
// HSDS API lists services.
func (m *Mapper) ServiceSummary(o *portal.DirectoryOrg, s *portal.Service) Service {
	org := m.OrganisationSummary(o)
	svc := Service{ID: ID("service", s.ID), OrganisationID: org.ID, Name: m.text(s.Name),
		Description: m.text(s.Description), Status: "active", ApplicationProcess: m.text(s.ApplicationProcess),
		FeesDescription: m.text(s.Fees), EligibilityDescription: m.text(s.Eligibility), Organisation: &org}
	if !s.AssuredDate.IsZero() {
		svc.AssuredDate = s.AssuredDate.In(portal.MongoliaTime).Format(time.DateOnly)
	}
	if !s.Modified.IsZero() {
		svc.LastModified = s.Modified.UTC().Format(hsdsTimeLayout)
	}
	return svc
}

// hsdsTimeLayout is RFC 3339 with milliseconds, as HSDS asks of last_modified.
const hsdsTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// Service returns the fully nested service, as GET /services/{id} of the HSDS API answers.
func (m *Mapper) Service(o *portal.DirectoryOrg, s *portal.Service) Service {
	svc := m.ServiceSummary(o, s)
	for i, p := range s.Phones {
		ph := m.phone("service", svc.ID, i, p)
		ph.ServiceID = svc.ID
		svc.Phones = append(svc.Phones, ph)
	}
	svc.Schedules = m.schedules(s, svc.ID)
	for _, a := range s.Area {
		city, province := m.placeNames(a.Aimag, a.Soum)
		name := province
		if a.Soum != "" {
			name = city + ", " + province
		}
		uri := placeURN + a.Aimag
		if a.Soum != "" {
			uri += ":" + a.Soum
		}
		svc.ServiceAreas = append(svc.ServiceAreas, ServiceArea{ID: ID("service_area", svc.ID+":"+placeValue(a.Aimag, a.Soum)),
			ServiceID: svc.ID, Name: name, URI: uri})
	}
	for _, id := range s.LocationIDs {
		l := o.Location(id)
		if l == nil {
			continue
		}
		loc := m.Location(o, l)
		svc.ServiceAtLocations = append(svc.ServiceAtLocations, ServiceAtLocation{
			ID: ID("service_at_location", svc.ID+":"+loc.ID), ServiceID: svc.ID, LocationID: loc.ID, Location: &loc})
	}
	for _, code := range s.Languages {
		name := code
		if n, ok := languageNames[code]; ok {
			name = m.text(n)
		}
		svc.Languages = append(svc.Languages, Language{ID: ID("language", svc.ID+":"+code), ServiceID: svc.ID, Name: name, Code: code})
	}
	for _, t := range s.Types {
		if _, ok := m.terms[t]; ok {
			svc.Attributes = append(svc.Attributes, m.attribute("service", svc.ID, t, ""))
		}
	}
	if s.Free {
		svc.Attributes = append(svc.Attributes, m.attribute("service", svc.ID, termFree, ""))
	}
	if s.AssuredBy != "" {
		svc.Attributes = append(svc.Attributes, m.attribute("service", svc.ID, termAssuredBy, m.text(s.Verifier())))
	}
	if s.Example {
		svc.Attributes = append(svc.Attributes, m.attribute("service", svc.ID, termExample, ""))
	}
	return svc
}

// schedules writes a service's hours, one weekly schedule per range.
func (m *Mapper) schedules(s *portal.Service, serviceID string) []Schedule {
	if s.Always {
		return []Schedule{{ID: ID("schedule", serviceID+":always"), ServiceID: serviceID, Timezone: mongoliaOffset,
			Freq: "WEEKLY", Byday: "MO,TU,WE,TH,FR,SA,SU", Description: m.text(alwaysDescription),
			OpensAt: "00:00:00+08:00", ClosesAt: "23:59:59+08:00"}}
	}
	var out []Schedule
	for i, h := range s.Hours {
		days := make([]string, 0, len(h.Days))
		for _, d := range h.Days {
			if d >= 0 && d <= 6 {
				days = append(days, rruleDays[d])
			}
		}
		out = append(out, Schedule{ID: ID("schedule", serviceID+":"+strconv.Itoa(i)), ServiceID: serviceID, Timezone: mongoliaOffset,
			Freq: "WEEKLY", Byday: strings.Join(days, ","), Description: directory.FormatHours(false, []portal.Schedule{h}, m.lang),
			OpensAt: h.Opens + ":00+08:00", ClosesAt: h.Closes + ":00+08:00"})
	}
	return out
}
