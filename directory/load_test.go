package directory

import (
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

func TestStarterDirectory(t *testing.T) {
	g, terms, orgs, err := LoadStarter()
	if err != nil {
		t.Fatalf("starter directory: %v", err)
	}
	if g.FindSoum("umnugovi", "khanbogd") == nil || g.FindSoum("dornogovi", "zamiin-uud") == nil || g.FindSoum("ulaanbaatar", "bayangol") == nil {
		t.Error("gazetteer lacks a soum or district")
	}
	if len(terms) != 10 || len(orgs) < 10 {
		t.Errorf("%d terms and %d organisations", len(terms), len(orgs))
	}
	used := map[string]int{}
	services, confidential := 0, 0
	for _, o := range orgs {
		for _, l := range o.Locations {
			if l.Confidential {
				confidential++
				if l.PublicContact.MN == "" || l.PublicContact.EN == "" {
					t.Errorf("%s: confidential location %s has no public contact in both languages", o.ID, l.ID)
				}
			}
		}
		for _, s := range o.Services {
			services++
			for _, ty := range s.Types {
				used[ty]++
			}
			if s.AssuredDate.IsZero() || s.OrgID != o.ID {
				t.Errorf("%s: assured date %v, org %q", s.ID, s.AssuredDate, s.OrgID)
			}
		}
	}
	if services < 40 {
		t.Errorf("%d services, want at least 40", services)
	}
	if confidential < 6 {
		t.Errorf("%d confidential locations, want at least 6", confidential)
	}
	for _, term := range terms {
		if used[term.ID] < 2 {
			t.Errorf("service type %s is used by %d services, want at least 2", term.ID, used[term.ID])
		}
	}
}

// brokenOrg is a valid organisation file; each test case breaks one line of it.
const brokenOrg = `id: test-org
example: true
name: {mn: "Туршилтын байгууллага (жишээ)", en: "Test organisation (example)"}
group: civil_society
email: info@test.example.mn
website: https://test.example.mn
phones:
  - {number: "+976 7053 0100", description: {mn: "Оффис", en: "Office"}, example: true}
locations:
  - id: test-shelter
    name: {mn: "Хамгаалах байр", en: "Shelter"}
    confidential: true
    aimag: umnugovi
    soum: khanbogd
    latitude: 43.19
    longitude: 107.19
    public_contact: {mn: "Утсаар холбогдоно уу", en: "Call the hotline"}
services:
  - id: test-shelter
    name: {mn: "Хамгаалах байр", en: "Shelter"}
    types: [shelter]
    languages: [mn]
    hours: always
    area: [{aimag: umnugovi, soum: khanbogd}]
    locations: [test-shelter]
    assured_date: 2026-10-15
  - id: test-centre
    name: {mn: "Төв", en: "Centre"}
    types: [drop-in-centre]
    hours:
      - {days: [mo, tu, we, th, fr], opens: "09:00", closes: "18:00"}
      - {days: [sa], opens: "10:00", closes: "14:00"}
    phones: [{number: "108"}]
    assured_date: 2025-06-01
`

func TestLoadOrgBroken(t *testing.T) {
	g, terms, _, err := LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, term := range terms {
		known[term.ID] = true
	}
	const name = "organizations/test-org.yaml"
	load := func(doc string) error {
		o, lines, err := loadOrg(name, []byte(doc))
		if err != nil {
			return err
		}
		return validateOrg(name, o, lines, g, known)
	}
	if err := load(brokenOrg); err != nil {
		t.Fatalf("valid document: %v", err)
	}
	for _, tc := range []struct {
		name, old, new, field string
	}{
		{"unknown key", "    soum: khanbogd\n", "    soum: khanbogd\n    street: Govi 14\n", "locations[0].street"},
		{"unknown nested key", `{number: "108"}`, `{number: "108", fax: "1"}`, "services[1].phones[0].fax"},
		{"repeated key", "group: civil_society\n", "group: civil_society\ngroup: government\n", "group"},
		{"bad phone", `{number: "108"}`, `{number: "7053 0100"}`, "services[1].phones[0].number"},
		{"bad org phone", `"+976 7053 0100"`, `"+976 7053 01"`, "phones[0].number"},
		{"unknown soum", "    soum: khanbogd\n", "    soum: sainshand\n", "locations[0].soum"},
		{"unknown area aimag", "{aimag: umnugovi, soum: khanbogd}", "{aimag: gobi}", "services[0].area[0].aimag"},
		{"overlapping hours", `{days: [sa], opens: "10:00"`, `{days: [fr], opens: "10:00"`, "services[1].hours[1]"},
		{"across midnight", `opens: "10:00", closes: "14:00"`, `opens: "22:00", closes: "06:00"`, "services[1].hours[1].closes"},
		{"unknown day", `{days: [sa]`, `{days: [saturday]`, "services[1].hours[1].days[0]"},
		{"bad hours", "hours: always", "hours: sometimes", "services[0].hours"},
		{"bad URL", "website: https://test.example.mn", "website: test.example.mn", "website"},
		{"bad email", "email: info@test.example.mn", "email: info at test", "email"},
		{"outside Mongolia", "    latitude: 43.19\n    longitude: 107.19", "    latitude: 39.90\n    longitude: 116.40", "locations[0].latitude"},
		{"latitude not a number", "latitude: 43.19", "latitude: north", "locations[0].latitude"},
		{"unknown type", "types: [drop-in-centre]", "types: [drop-in-centre, spa]", "services[1].types[1]"},
		{"confidential without public contact", `    public_contact: {mn: "Утсаар холбогдоно уу", en: "Call the hotline"}` + "\n", "", "locations[0].public_contact"},
		{"unknown location", "locations: [test-shelter]", "locations: [elsewhere]", "services[0].locations[0]"},
		{"bad date", "assured_date: 2025-06-01", "assured_date: 1 June 2025", "services[1].assured_date"},
		{"types not a list", "types: [shelter]", "types: shelter", "services[0].types"},
		{"bad group", "group: civil_society", "group: ngo", "group"},
	} {
		doc := strings.Replace(brokenOrg, tc.old, tc.new, 1)
		if doc == brokenOrg {
			t.Fatalf("%s: the change does not apply", tc.name)
		}
		err := load(doc)
		e, ok := err.(*portal.Error)
		if !ok || e.Code != portal.EINVALID || e.Fields[tc.field] == "" ||
			!strings.Contains(e.Message, name+": "+tc.field+": ") {
			t.Errorf("%s: error %v, want one naming %s and %s", tc.name, err, name, tc.field)
		}
	}
}

func TestLoadOrgSyntax(t *testing.T) {
	for _, doc := range []string{"", "id: [unclosed", "- a list\n", "id: x\n  bad: indent\n"} {
		_, err := LoadOrg("organizations/x.yaml", []byte(doc))
		if portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "organizations/x.yaml") {
			t.Errorf("%q: error %v, want EINVALID naming the file", doc, err)
		}
	}
}
