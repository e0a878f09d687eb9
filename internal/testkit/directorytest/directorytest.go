// Package directorytest generates referral directories for tests and benchmarks: many
// plausible organisations and services spread over a gazetteer, made up but valid, the same
// for the same seed. Nothing it makes is committed data.
package directorytest

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/gobidialogue/portal"
)

// Assured is the date generated verifications are counted back from. It is fixed, not the
// clock, so that a seed always gives the same directory; entries verified more than
// portal.StaleAfter months before it are stale.
var Assured = time.Date(2026, 11, 1, 10, 0, 0, 0, portal.MongoliaTime)

// Languages are the languages generated services speak, besides Mongolian.
var Languages = []string{"en", "zh", "ru", "kk"}

// servicesPerOrg is how many services an organisation has on average.
const servicesPerOrg = 5

// Generate returns n services over about n/5 organisations, every one of which passes
// DirectoryOrg.Validate(g, terms). Organisations are placed in every soum of g in turn, so
// a large n covers the whole gazetteer; services cover every term of terms, and mix
// languages, opening hours, 24-hour and free services, confidential locations (about one
// organisation in four has a shelter) and stale verifications (about one in eight). The
// same n, seed, g and terms give the same directory. Everything is marked as example data.
func Generate(n int, seed int64, g *portal.Gazetteer, terms []portal.TaxonomyTerm) []*portal.DirectoryOrg {
	if n <= 0 || len(terms) == 0 {
		return nil
	}
	r := rand.New(rand.NewSource(seed))
	places := placesOf(g)
	norgs := (n + servicesPerOrg - 1) / servicesPerOrg
	orgs := make([]*portal.DirectoryOrg, norgs)
	for i := range orgs {
		orgs[i] = org(r, i, places[i%len(places)], g)
	}
	for i := range n {
		o := orgs[i%norgs]
		o.Services = append(o.Services, service(r, i, o, terms))
	}
	return orgs
}

// place is a soum with its aimag, or a whole aimag when it has no soums.
type place struct {
	aimag *portal.Aimag
	soum  *portal.Soum
}

func placesOf(g *portal.Gazetteer) []place {
	var out []place
	for i := range g.Aimags {
		a := &g.Aimags[i]
		if len(a.Soums) == 0 {
			out = append(out, place{aimag: a})
		}
		for j := range a.Soums {
			out = append(out, place{aimag: a, soum: &a.Soums[j]})
		}
	}
	return out
}

func (p place) id() portal.Place {
	if p.soum == nil {
		return portal.Place{Aimag: p.aimag.ID}
	}
	return portal.Place{Aimag: p.aimag.ID, Soum: p.soum.ID}
}

func (p place) name() portal.Text {
	if p.soum == nil {
		return p.aimag.Name
	}
	return p.soum.Name
}

// centre returns the known centre of the place, near which its locations are put.
func (p place) centre(g *portal.Gazetteer) (lat, lon *float64) {
	switch {
	case p.soum != nil && p.soum.Latitude != nil:
		return p.soum.Latitude, p.soum.Longitude
	case p.aimag.Latitude != nil:
		return p.aimag.Latitude, p.aimag.Longitude
	}
	return nil, nil
}

var groups = []portal.StakeholderGroup{portal.GroupCivilSociety, portal.GroupCivilSociety,
	portal.GroupGovernment, portal.GroupInternational, portal.GroupMining}

var orgKinds = []portal.Text{
	{MN: "Иргэдийн төлөө төв", EN: "Centre for Citizens"},
	{MN: "Эмэгтэйчүүдийн сүлжээ", EN: "Women's Network"},
	{MN: "Гэр бүлийн хүүхэд залуучуудын хэлтэс", EN: "Family, Children and Youth Department"},
	{MN: "Эрүүл мэндийн төв", EN: "Health Centre"},
	{MN: "Хууль зүйн туслалцааны төв", EN: "Legal Aid Centre"},
	{MN: "Шилжин ирсэн ажилчдын холбоо", EN: "Migrant Workers' Association"},
}

func org(r *rand.Rand, i int, at place, g *portal.Gazetteer) *portal.DirectoryOrg {
	id := fmt.Sprintf("gen-org-%05d", i)
	kind := orgKinds[i%len(orgKinds)]
	o := &portal.DirectoryOrg{
		ID:          id,
		Name:        portal.Text{MN: fmt.Sprintf("%s %s №%d (жишээ)", at.name().MN, kind.MN, i), EN: fmt.Sprintf("%s %s No. %d (example)", at.name().EN, kind.EN, i)},
		Description: portal.Text{MN: "Туршилтын зорилгоор үүсгэсэн жишээ байгууллага.", EN: "An example organisation generated for testing."},
		Group:       groups[r.Intn(len(groups))],
		Email:       fmt.Sprintf("info@%s.example.mn", id),
		Website:     fmt.Sprintf("https://%s.example.mn", id),
		Phones:      []portal.Phone{{Number: phone(r), Description: portal.Text{MN: "Оффис", EN: "Office"}, Example: true}},
		Example:     true,
		Modified:    Assured,
	}
	lat, lon := at.centre(g)
	office := portal.Location{ID: id + "-office", Name: portal.Text{MN: "Оффис (жишээ)", EN: "Office (example)"},
		Address: portal.Text{MN: fmt.Sprintf("%s, %d-р баг, %d тоот (жишээ)", at.name().MN, 1+r.Intn(9), 1+r.Intn(99)),
			EN: fmt.Sprintf("Room %d, bag %d, %s (example)", 1+r.Intn(99), 1+r.Intn(9), at.name().EN)},
		Aimag: at.id().Aimag, Soum: at.id().Soum}
	office.Latitude, office.Longitude = jitter(r, lat, lon)
	o.Locations = append(o.Locations, office)
	if i%4 == 0 {
		shelter := portal.Location{ID: id + "-shelter", Name: portal.Text{MN: "Хамгаалах байр (жишээ)", EN: "Shelter (example)"},
			Confidential: true,
			Address: portal.Text{MN: fmt.Sprintf("%s, нууц гудамж %d (жишээ)", at.name().MN, 1+r.Intn(99)),
				EN: fmt.Sprintf("Hidden street %d, %s (example)", 1+r.Intn(99), at.name().EN)},
			Aimag: at.id().Aimag, Soum: at.id().Soum,
			PublicContact: portal.Text{MN: "Шилжүүлэг авахын тулд оффисын утсаар холбогдоно уу.", EN: "Call the office to be referred."}}
		shelter.Latitude, shelter.Longitude = jitter(r, lat, lon)
		o.Locations = append(o.Locations, shelter)
	}
	return o
}

// jitter moves a point by up to about a kilometre, staying well inside the country.
func jitter(r *rand.Rand, lat, lon *float64) (*float64, *float64) {
	if lat == nil || lon == nil {
		return nil, nil
	}
	a, b := *lat+(r.Float64()-0.5)/50, *lon+(r.Float64()-0.5)/50
	return &a, &b
}

func phone(r *rand.Rand) string {
	return fmt.Sprintf("+976 7%03d %04d", r.Intn(1000), r.Intn(10000))
}

var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

// hourPatterns are the opening hours of services that are not open all the time.
var hourPatterns = [][]portal.Schedule{
	{{Days: weekdays, Opens: "09:00", Closes: "18:00"}},
	{{Days: weekdays, Opens: "08:30", Closes: "12:30"}, {Days: weekdays, Opens: "13:30", Closes: "17:30"}},
	{{Days: weekdays, Opens: "09:00", Closes: "17:00"}, {Days: []time.Weekday{time.Saturday}, Opens: "10:00", Closes: "14:00"}},
	{{Days: []time.Weekday{time.Monday, time.Wednesday, time.Friday}, Opens: "10:00", Closes: "16:00"}},
	{{Days: []time.Weekday{time.Saturday, time.Sunday}, Opens: "11:00", Closes: "20:00"}, {Days: weekdays, Opens: "17:00", Closes: "22:00"}},
}

func service(r *rand.Rand, i int, o *portal.DirectoryOrg, terms []portal.TaxonomyTerm) portal.Service {
	t := terms[i%len(terms)]
	types := []string{t.ID}
	if extra := terms[r.Intn(len(terms))].ID; extra != t.ID && r.Intn(3) == 0 {
		types = append(types, extra)
	}
	office := o.Locations[0]
	s := portal.Service{
		ID:    fmt.Sprintf("gen-svc-%06d", i),
		OrgID: o.ID,
		Name:  portal.Text{MN: fmt.Sprintf("%s №%d (жишээ)", t.Name.MN, i), EN: fmt.Sprintf("%s No. %d (example)", t.Name.EN, i)},
		Description: portal.Text{MN: t.Description.MN + " Туршилтын жишээ өгөгдөл.",
			EN: t.Description.EN + " Generated example data."},
		Eligibility:        portal.Text{MN: "Хүн бүр.", EN: "Everyone."},
		ApplicationProcess: portal.Text{MN: "Утсаар холбогдох эсвэл шууд ирнэ үү.", EN: "Call or walk in."},
		Types:              types,
		Languages:          []string{"mn"},
		Area:               []portal.Place{{Aimag: office.Aimag, Soum: office.Soum}},
		LocationIDs:        []string{office.ID},
		Phones:             []portal.Phone{{Number: phone(r), Description: portal.Text{MN: "Үйлчилгээ", EN: "Service"}, Example: true}},
		AssuredBy:          "Council secretariat (example)",
		Example:            true,
		Modified:           Assured,
	}
	if r.Intn(5) < 3 {
		s.Free = true
		s.Fees = portal.Text{MN: "Үнэ төлбөргүй", EN: "Free of charge"}
	} else {
		s.Fees = portal.Text{MN: "Зарим үйлчилгээ төлбөртэй.", EN: "Some services are charged for."}
	}
	for _, l := range Languages {
		if r.Intn(4) == 0 {
			s.Languages = append(s.Languages, l)
		}
	}
	if t.ID == "shelter" || t.ID == "hotline" || r.Intn(7) == 0 {
		s.Always = true
	} else {
		for _, h := range hourPatterns[r.Intn(len(hourPatterns))] {
			h.Days = append([]time.Weekday(nil), h.Days...)
			s.Hours = append(s.Hours, h)
		}
	}
	if r.Intn(3) == 0 {
		s.Area[0].Soum = "" // the whole aimag
	}
	if len(o.Locations) > 1 && (t.ID == "shelter" || r.Intn(3) == 0) {
		s.LocationIDs = append(s.LocationIDs, o.Locations[1].ID)
	}
	months := r.Intn(portal.StaleAfter)
	if r.Intn(8) == 0 {
		months = portal.StaleAfter + 1 + r.Intn(18)
	}
	s.AssuredDate = Assured.AddDate(0, -months, -r.Intn(28))
	return s
}
