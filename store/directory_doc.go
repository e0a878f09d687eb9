package store

import (
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gobidialogue/portal"
)

// The referral directory is stored as one document per organisation (dir_orgs), holding its
// public locations and its services: a whole organisation is read and written by _id, which
// the embedded engine does fast, and the directory is rebuilt in memory from all of them (see
// directorySnapshot). What a confidential location hides, its address and coordinates, is
// in a separate collection (dir_confidential) that only ConfidentialPlaces reads, and which
// of them each organisation has in a third (dir_hidden_ids), so that a save finds them by
// _id.

type textDoc struct {
	MN string `bson:"mn,omitempty"`
	EN string `bson:"en,omitempty"`
}

func toText(t portal.Text) textDoc  { return textDoc{t.MN, t.EN} }
func (t textDoc) text() portal.Text { return portal.Text{MN: t.MN, EN: t.EN} }

type phoneDoc struct {
	Number      string  `bson:"number"`
	Description textDoc `bson:"description"`
	Example     bool    `bson:"example,omitempty"`
}

type scheduleDoc struct {
	Days   []int  `bson:"days"`
	Opens  string `bson:"opens"`
	Closes string `bson:"closes"`
}

type placeDoc struct {
	Aimag string `bson:"aimag"`
	Soum  string `bson:"soum,omitempty"`
}

// locationDoc is a public location: a confidential one has no address or coordinates here.
type locationDoc struct {
	ID            string   `bson:"id"`
	Name          textDoc  `bson:"name"`
	Confidential  bool     `bson:"confidential"`
	Address       textDoc  `bson:"address"`
	Aimag         string   `bson:"aimag"`
	Soum          string   `bson:"soum,omitempty"`
	Latitude      *float64 `bson:"latitude,omitempty"`
	Longitude     *float64 `bson:"longitude,omitempty"`
	PublicContact textDoc  `bson:"public_contact"`
}

type serviceDoc struct {
	ID                 string        `bson:"id"`
	Name               textDoc       `bson:"name"`
	Description        textDoc       `bson:"description"`
	Eligibility        textDoc       `bson:"eligibility"`
	ApplicationProcess textDoc       `bson:"application_process"`
	Fees               textDoc       `bson:"fees"`
	Free               bool          `bson:"free"`
	Types              []string      `bson:"types"`
	Languages          []string      `bson:"languages"`
	Always             bool          `bson:"always"`
	Hours              []scheduleDoc `bson:"hours"`
	Area               []placeDoc    `bson:"area"`
	LocationIDs        []string      `bson:"location_ids"`
	Phones             []phoneDoc    `bson:"phones"`
	AssuredDate        time.Time     `bson:"assured_date"`
	AssuredBy          string        `bson:"assured_by"`
	AssuredByMN        string        `bson:"assured_by_mn,omitempty"`
	AssuredByID        string        `bson:"assured_by_id,omitempty"`
	Example            bool          `bson:"example,omitempty"`
	Modified           time.Time     `bson:"modified"`
}

// dirOrgDoc is a document in the dir_orgs collection.
type dirOrgDoc struct {
	ID          string        `bson:"_id"`
	Name        textDoc       `bson:"name"`
	Description textDoc       `bson:"description"`
	Group       string        `bson:"group"`
	Email       string        `bson:"email,omitempty"`
	Website     string        `bson:"website,omitempty"`
	Phones      []phoneDoc    `bson:"phones"`
	Locations   []locationDoc `bson:"locations"`
	Services    []serviceDoc  `bson:"services"`
	Example     bool          `bson:"example,omitempty"`
	Modified    time.Time     `bson:"modified"`
}

// confidentialDoc is a document in the dir_confidential collection, keyed by location id.
type confidentialDoc struct {
	LocationID string   `bson:"_id"`
	OrgID      string   `bson:"org_id"`
	Address    textDoc  `bson:"address"`
	Latitude   *float64 `bson:"latitude,omitempty"`
	Longitude  *float64 `bson:"longitude,omitempty"`
}

// hiddenIDsDoc is a document in the dir_hidden_ids collection, keyed by organisation: the
// ids of the locations whose confidentialDoc it may have (see writeDirectoryOrg).
type hiddenIDsDoc struct {
	OrgID       string   `bson:"_id"`
	LocationIDs []string `bson:"location_ids"`
}

// A dirOrgDoc is stored as {_id, doc: the document itself in BSON, as binary}. The embedded
// engine stores a document as JSON with its types alongside, and decodes and encodes it
// again, field by field, to find, replace or return it: for an organisation of five services
// (about 9 KB, some 300 fields) that was 5 ms to read it by _id and 7 ms to replace it, most
// of a secretariat's edit, and most of the time a whole load of the directory took. As one
// binary field it is 1 ms and 2.4 ms. Nothing queries dir_orgs by a field other than _id,
// which stays outside. A document stored before, with the fields at the top level, is read
// as it is; its next save stores it the new way.
const dirOrgDocField = "doc"

// dirOrgFields is a dirOrgDoc without its BSON methods: its fields, as encoded inside.
type dirOrgFields dirOrgDoc

// MarshalBSON stores d as one binary field.
func (d dirOrgDoc) MarshalBSON() ([]byte, error) {
	inner, err := bson.Marshal(dirOrgFields(d))
	if err != nil {
		return nil, err
	}
	return bson.Marshal(bson.D{{Key: "_id", Value: d.ID}, {Key: dirOrgDocField, Value: bson.Binary{Data: inner}}})
}

// UnmarshalBSON reads d stored either way: as one binary field, or with its fields at the
// top level.
func (d *dirOrgDoc) UnmarshalBSON(b []byte) error {
	v, err := bson.Raw(b).LookupErr(dirOrgDocField)
	if err != nil {
		return bson.Unmarshal(b, (*dirOrgFields)(d))
	}
	_, inner, ok := v.BinaryOK()
	if !ok {
		return fmt.Errorf("directory organisation: %s is %s, not binary", dirOrgDocField, v.Type)
	}
	return bson.Unmarshal(inner, (*dirOrgFields)(d))
}

// suggestionDoc is a document in the dir_suggestions collection.
type suggestionDoc struct {
	ID            string     `bson:"_id"`
	ServiceID     string     `bson:"service_id"`
	OrgID         string     `bson:"org_id"`
	By            string     `bson:"by"`
	ByName        string     `bson:"by_name"`
	Created       time.Time  `bson:"created"`
	Base          serviceDoc `bson:"base"`
	Proposed      serviceDoc `bson:"proposed"`
	Note          string     `bson:"note"`
	Status        string     `bson:"status"`
	Reason        string     `bson:"reason"`
	DecidedBy     string     `bson:"decided_by"`
	DecidedByName string     `bson:"decided_by_name"`
	DecidedAt     time.Time  `bson:"decided_at"`
}

func toPhones(ps []portal.Phone) []phoneDoc {
	out := make([]phoneDoc, len(ps))
	for i, p := range ps {
		out[i] = phoneDoc{p.Number, toText(p.Description), p.Example}
	}
	return out
}

func phonesOf(ds []phoneDoc) []portal.Phone {
	var out []portal.Phone
	for _, d := range ds {
		out = append(out, portal.Phone{Number: d.Number, Description: d.Description.text(), Example: d.Example})
	}
	return out
}

func toServiceDoc(s *portal.Service) serviceDoc {
	d := serviceDoc{
		ID: s.ID, Name: toText(s.Name), Description: toText(s.Description), Eligibility: toText(s.Eligibility),
		ApplicationProcess: toText(s.ApplicationProcess), Fees: toText(s.Fees), Free: s.Free,
		Types: s.Types, Languages: s.Languages, Always: s.Always, LocationIDs: s.LocationIDs,
		Phones: toPhones(s.Phones), AssuredDate: s.AssuredDate.UTC(), AssuredBy: s.AssuredBy,
		AssuredByMN: s.AssuredByMN, AssuredByID: s.AssuredByID, Example: s.Example, Modified: s.Modified.UTC(),
	}
	for _, h := range s.Hours {
		sd := scheduleDoc{Opens: h.Opens, Closes: h.Closes}
		for _, day := range h.Days {
			sd.Days = append(sd.Days, int(day))
		}
		d.Hours = append(d.Hours, sd)
	}
	for _, p := range s.Area {
		d.Area = append(d.Area, placeDoc{p.Aimag, p.Soum})
	}
	return d
}

func (d *serviceDoc) service(orgID string) portal.Service {
	s := portal.Service{
		ID: d.ID, OrgID: orgID, Name: d.Name.text(), Description: d.Description.text(),
		Eligibility: d.Eligibility.text(), ApplicationProcess: d.ApplicationProcess.text(),
		Fees: d.Fees.text(), Free: d.Free, Types: d.Types, Languages: d.Languages, Always: d.Always,
		LocationIDs: d.LocationIDs, Phones: phonesOf(d.Phones), AssuredDate: utc(d.AssuredDate),
		AssuredBy: d.AssuredBy, AssuredByMN: d.AssuredByMN, AssuredByID: d.AssuredByID, Example: d.Example, Modified: utc(d.Modified),
	}
	for _, h := range d.Hours {
		sc := portal.Schedule{Opens: h.Opens, Closes: h.Closes}
		for _, day := range h.Days {
			sc.Days = append(sc.Days, time.Weekday(day))
		}
		s.Hours = append(s.Hours, sc)
	}
	for _, p := range d.Area {
		s.Area = append(s.Area, portal.Place{Aimag: p.Aimag, Soum: p.Soum})
	}
	return s
}

// utc returns t in UTC, and the zero time for the zero BSON date.
func utc(t time.Time) time.Time {
	if t.IsZero() || t.Unix() == (time.Time{}).Unix() {
		return time.Time{}
	}
	return t.UTC()
}

// toDirOrgDoc maps a public organisation: callers pass the result of DirectoryOrg.Public.
func toDirOrgDoc(o *portal.DirectoryOrg) dirOrgDoc {
	d := dirOrgDoc{
		ID: o.ID, Name: toText(o.Name), Description: toText(o.Description), Group: string(o.Group),
		Email: o.Email, Website: o.Website, Phones: toPhones(o.Phones), Example: o.Example,
		Modified: o.Modified.UTC(),
	}
	for _, l := range o.Locations {
		ld := locationDoc{ID: l.ID, Name: toText(l.Name), Confidential: l.Confidential,
			Aimag: l.Aimag, Soum: l.Soum, PublicContact: toText(l.PublicContact)}
		if !l.Confidential {
			ld.Address, ld.Latitude, ld.Longitude = toText(l.Address), l.Latitude, l.Longitude
		}
		d.Locations = append(d.Locations, ld)
	}
	for i := range o.Services {
		d.Services = append(d.Services, toServiceDoc(&o.Services[i]))
	}
	return d
}

func (d *dirOrgDoc) org() *portal.DirectoryOrg {
	o := &portal.DirectoryOrg{
		ID: d.ID, Name: d.Name.text(), Description: d.Description.text(),
		Group: portal.StakeholderGroup(d.Group), Email: d.Email, Website: d.Website,
		Phones: phonesOf(d.Phones), Example: d.Example, Modified: utc(d.Modified),
	}
	for _, l := range d.Locations {
		loc := portal.Location{ID: l.ID, Name: l.Name.text(), Confidential: l.Confidential,
			Aimag: l.Aimag, Soum: l.Soum, PublicContact: l.PublicContact.text()}
		if !l.Confidential {
			loc.Address, loc.Latitude, loc.Longitude = l.Address.text(), l.Latitude, l.Longitude
		}
		o.Locations = append(o.Locations, loc)
	}
	for i := range d.Services {
		o.Services = append(o.Services, d.Services[i].service(d.ID))
	}
	return o
}

func toSuggestionDoc(s *portal.Suggestion) suggestionDoc {
	return suggestionDoc{
		ID: s.ID, ServiceID: s.ServiceID, OrgID: s.OrgID, By: s.By, ByName: s.ByName,
		Created: s.Created.UTC(), Base: toServiceDoc(&s.Base), Proposed: toServiceDoc(&s.Proposed),
		Note: s.Note, Status: string(s.Status), Reason: s.Reason, DecidedBy: s.DecidedBy,
		DecidedByName: s.DecidedByName, DecidedAt: s.DecidedAt.UTC(),
	}
}

func (d *suggestionDoc) suggestion() *portal.Suggestion {
	return &portal.Suggestion{
		ID: d.ID, ServiceID: d.ServiceID, OrgID: d.OrgID, By: d.By, ByName: d.ByName,
		Created: utc(d.Created), Base: d.Base.service(d.OrgID), Proposed: d.Proposed.service(d.OrgID),
		Note: d.Note, Status: portal.SuggestionStatus(d.Status), Reason: d.Reason,
		DecidedBy: d.DecidedBy, DecidedByName: d.DecidedByName, DecidedAt: utc(d.DecidedAt),
	}
}
