package portal

import (
	"strings"
	"testing"
	"time"
)

func TestValidPhone(t *testing.T) {
	for _, tc := range []struct {
		number string
		ok     bool
	}{
		{"108", true},
		{"102", true},
		{"199", true},
		{"+976 7053 0100", true},
		{"+976-9911-0101", true},
		{"+97699110101", true},
		{"+86 10 1234 5678", true},
		{"+7 495 123 4567", true},
		{"200", false},
		{"99", false},
		{"9911 0101", false},
		{"+976 7053 010", false},
		{"+976 7053 01000", false},
		{"+1 234", false},
		{"+1234567890123456", false},
		{"+976 7053 O100", false},
		{"", false},
		{"<script>", false},
	} {
		err := ValidPhone(tc.number)
		if (err == nil) != tc.ok {
			t.Errorf("ValidPhone(%q) = %v, want ok %v", tc.number, err, tc.ok)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("ValidPhone(%q): code %q, want EINVALID", tc.number, ErrorCode(err))
		}
	}
}

func TestValidEmailURL(t *testing.T) {
	for _, s := range []string{"info@gobi-women.example.mn", "a.b@example.org"} {
		if err := ValidEmail(s); err != nil {
			t.Errorf("ValidEmail(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"", "info", "info@localhost", "Name <info@example.mn>", "a@b@example.mn"} {
		if err := ValidEmail(s); ErrorCode(err) != EINVALID {
			t.Errorf("ValidEmail(%q) = %v, want EINVALID", s, err)
		}
	}
	for _, s := range []string{"https://gobi-women.example.mn", "http://example.org/path?q=1"} {
		if err := ValidURL(s); err != nil {
			t.Errorf("ValidURL(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"", "gobi-women.example.mn", "javascript:alert(1)", "ftp://example.org",
		"https://", "https://user:pw@example.org", "https://exa mple.org", "/relative"} {
		if err := ValidURL(s); ErrorCode(err) != EINVALID {
			t.Errorf("ValidURL(%q) = %v, want EINVALID", s, err)
		}
	}
}

var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

func TestValidSchedules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hours []Schedule
		field string // "" when valid
	}{
		{"none", nil, ""},
		{"weekdays", []Schedule{{weekdays, "09:00", "18:00"}}, ""},
		{"split day", []Schedule{{weekdays, "09:00", "12:00"}, {weekdays, "13:00", "18:00"}}, ""},
		{"adjacent", []Schedule{{weekdays, "09:00", "12:00"}, {weekdays, "12:00", "18:00"}}, ""},
		{"same hours other days", []Schedule{{weekdays, "09:00", "18:00"}, {[]time.Weekday{time.Saturday}, "09:00", "18:00"}}, ""},
		{"late", []Schedule{{weekdays, "00:00", "23:59"}}, ""},
		{"no days", []Schedule{{nil, "09:00", "18:00"}}, "hours[0].days"},
		{"across midnight", []Schedule{{weekdays, "22:00", "06:00"}}, "hours[0].closes"},
		{"24:00", []Schedule{{weekdays, "18:00", "24:00"}}, "hours[0].closes"},
		{"closes when opens", []Schedule{{weekdays, "09:00", "09:00"}}, "hours[0].closes"},
		{"bad opens", []Schedule{{weekdays, "9:00", "18:00"}}, "hours[0].opens"},
		{"bad minutes", []Schedule{{weekdays, "09:00", "18:60"}}, "hours[0].closes"},
		{"overlap", []Schedule{{weekdays, "09:00", "13:00"}, {[]time.Weekday{time.Friday}, "12:00", "18:00"}}, "hours[1]"},
		{"day twice", []Schedule{{[]time.Weekday{time.Monday, time.Monday}, "09:00", "13:00"}}, "hours[0].days[1]"},
		{"bad day", []Schedule{{[]time.Weekday{9}, "09:00", "13:00"}}, "hours[0].days[0]"},
	} {
		err := ValidSchedules(tc.hours)
		checkField(t, tc.name, err, tc.field)
	}
}

// checkField asserts that err is nil when field is empty, and otherwise an EINVALID error
// marking exactly field.
func checkField(t *testing.T, name string, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Errorf("%s: unexpected error %v", name, err)
		}
		return
	}
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID || len(e.Fields) != 1 || e.Fields[field] == "" {
		t.Errorf("%s: error %#v, want EINVALID marking %s", name, err, field)
	}
}

func TestOpenAt(t *testing.T) {
	s := &Service{Hours: []Schedule{
		{weekdays, "09:00", "12:00"},
		{weekdays, "13:00", "18:00"},
		{[]time.Weekday{time.Saturday}, "10:00", "14:00"},
	}}
	mon := func(hm string) time.Time { // Monday 6 April 2026 in Ulaanbaatar
		tm, err := time.ParseInLocation("2006-01-02 15:04", "2026-04-06 "+hm, MongoliaTime)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		at   time.Time
		open bool
	}{
		{mon("08:59"), false},
		{mon("09:00"), true},
		{mon("11:59"), true},
		{mon("12:00"), false},
		{mon("17:59"), true},
		{mon("18:00"), false},
		{mon("10:00").AddDate(0, 0, 5), true},  // Saturday
		{mon("15:00").AddDate(0, 0, 5), false}, // Saturday afternoon
		{mon("10:00").AddDate(0, 0, 6), false}, // Sunday
		// 02:00 UTC is 10:00 in Ulaanbaatar: the zone of now must not matter.
		{time.Date(2026, 4, 6, 2, 0, 0, 0, time.UTC), true},
		// Sunday 20:00 UTC is Monday 04:00 in Ulaanbaatar.
		{time.Date(2026, 4, 5, 20, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 4, 5, 23, 30, 0, 0, time.UTC), false},
		{time.Date(2026, 4, 6, 1, 30, 0, 0, time.UTC), true},
	} {
		if got := s.OpenAt(tc.at); got != tc.open {
			t.Errorf("OpenAt(%v) = %v, want %v", tc.at, got, tc.open)
		}
	}
	always := &Service{Always: true}
	if !always.OpenAt(mon("03:00")) {
		t.Error("a 24-hour service is closed")
	}
	if (&Service{}).OpenAt(mon("10:00")) {
		t.Error("a service without hours is open")
	}
}

func TestStale(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, MongoliaTime)
	for _, tc := range []struct {
		assured time.Time
		stale   bool
	}{
		{time.Time{}, true},
		{time.Date(2026, 10, 15, 0, 0, 0, 0, MongoliaTime), false},
		{time.Date(2025, 11, 2, 0, 0, 0, 0, MongoliaTime), false},
		{time.Date(2025, 10, 31, 0, 0, 0, 0, MongoliaTime), true},
		{time.Date(2025, 6, 1, 0, 0, 0, 0, MongoliaTime), true},
	} {
		s := &Service{AssuredDate: tc.assured}
		if got := s.Stale(now); got != tc.stale {
			t.Errorf("Stale with assured date %v = %v, want %v", tc.assured, got, tc.stale)
		}
	}
}

func TestText(t *testing.T) {
	both := Text{MN: "Хамгаалах байр", EN: "Shelter"}
	if both.In(Mongolian) != "Хамгаалах байр" || both.In(English) != "Shelter" {
		t.Errorf("In: %q, %q", both.In(Mongolian), both.In(English))
	}
	if (Text{MN: "Өмнөговь"}).In(English) != "Өмнөговь" || (Text{EN: "Ömnögovi"}).In(Mongolian) != "Ömnögovi" {
		t.Error("In does not fall back to the other language")
	}
	// Shown names the language In returns, for the lang attribute of a fallback.
	for _, tt := range []struct {
		t          Text
		lang, want Language
	}{
		{both, Mongolian, Mongolian}, {both, English, English},
		{Text{EN: "Shelter"}, Mongolian, English}, {Text{MN: "Өмнөговь"}, English, Mongolian},
		{Text{}, Mongolian, Mongolian}, {Text{}, English, English},
	} {
		if got := tt.t.Shown(tt.lang); got != tt.want {
			t.Errorf("%+v shown in %s: %s, want %s", tt.t, tt.lang, got, tt.want)
		}
	}
}

func f64(v float64) *float64 { return &v }

func testGazetteer() *Gazetteer {
	return &Gazetteer{
		Bounds: Bounds{MinLat: 41.5, MaxLat: 52.2, MinLon: 87.7, MaxLon: 119.95},
		Aimags: []Aimag{
			{ID: "umnugovi", Name: Text{"Өмнөговь", "Ömnögovi"}, Soums: []Soum{{ID: "khanbogd"}, {ID: "dalanzadgad"}}},
			{ID: "ulaanbaatar", Soums: []Soum{{ID: "bayangol"}}},
		},
	}
}

func TestGazetteer(t *testing.T) {
	g := testGazetteer()
	if g.FindAimag("umnugovi") == nil || g.FindAimag("gobi") != nil {
		t.Error("FindAimag")
	}
	if g.FindSoum("umnugovi", "khanbogd") == nil || g.FindSoum("ulaanbaatar", "khanbogd") != nil || g.FindSoum("x", "khanbogd") != nil {
		t.Error("FindSoum")
	}
	for _, tc := range []struct {
		lat, lon float64
		in       bool
	}{
		{47.92, 106.92, true},  // Ulaanbaatar
		{43.19, 107.19, true},  // Khanbogd
		{43.72, 111.90, true},  // Zamiin-Uud
		{39.90, 116.40, false}, // Beijing
		{40.84, 111.75, false}, // Hohhot
		{55.75, 37.62, false},  // Moscow
		{0, 0, false},
	} {
		if got := g.InMongolia(tc.lat, tc.lon); got != tc.in {
			t.Errorf("InMongolia(%v, %v) = %v, want %v", tc.lat, tc.lon, got, tc.in)
		}
	}
}

// validOrg returns a complete, valid organisation in both languages.
func validOrg() *DirectoryOrg {
	return &DirectoryOrg{
		ID:          "gobi-women-network",
		Name:        Text{"Говийн эмэгтэйчүүдийн сүлжээ (жишээ)", "Gobi Women's Network (example)"},
		Description: Text{"Хүн худалдаалах гэмт хэрэг, хүчирхийлэлд өртсөн эмэгтэйчүүдэд", "Shelter"},
		Group:       GroupCivilSociety,
		Email:       "info@gobi-women.example.mn",
		Website:     "https://gobi-women.example.mn",
		Phones:      []Phone{{Number: "+976 7053 0100", Example: true}},
		Locations: []Location{
			{ID: "khanbogd", Name: Text{"Ханбогд", "Khanbogd"}, Confidential: true, Aimag: "umnugovi", Soum: "khanbogd",
				Latitude: f64(43.19), Longitude: f64(107.19), PublicContact: Text{"Тусламжийн утсаар холбогдоно уу", "Call the hotline"}},
			{ID: "dalanzadgad", Name: Text{"Даланзадгад", ""}, Aimag: "umnugovi", Soum: "dalanzadgad"},
		},
		Services: []Service{
			{ID: "shelter", OrgID: "gobi-women-network", Name: Text{"Хамгаалах байр", "Shelter"}, Types: []string{"shelter"},
				Languages: []string{"mn"}, Always: true, Area: []Place{{Aimag: "umnugovi"}}, LocationIDs: []string{"khanbogd"},
				Phones: []Phone{{Number: "108"}}},
			{ID: "drop-in", Name: Text{"Түр саатах төв", ""}, Types: []string{"drop-in-centre", "shelter"},
				Hours: []Schedule{{weekdays, "09:00", "18:00"}}, Area: []Place{{Aimag: "umnugovi", Soum: "dalanzadgad"}}},
			{ID: "hotline", Name: Text{"", "Hotline"}, Types: []string{"hotline"}, Always: true},
		},
	}
}

func TestDirectoryOrgValidate(t *testing.T) {
	terms := map[string]bool{"shelter": true, "drop-in-centre": true, "hotline": true}
	for _, tc := range []struct {
		name   string
		change func(o *DirectoryOrg)
		field  string
	}{
		{"valid", func(*DirectoryOrg) {}, ""},
		{"mongolian text only", func(o *DirectoryOrg) {
			o.Name = Text{MN: "Өмнөговь аймгийн <b>Цагдаагийн</b> газар"}
		}, ""},
		{"no name", func(o *DirectoryOrg) { o.Name = Text{MN: " "} }, "name"},
		{"bad id", func(o *DirectoryOrg) { o.ID = "Gobi Women" }, "id"},
		{"bad group", func(o *DirectoryOrg) { o.Group = "ngo" }, "group"},
		{"bad email", func(o *DirectoryOrg) { o.Email = "info@" }, "email"},
		{"bad website", func(o *DirectoryOrg) { o.Website = "javascript:alert(1)" }, "website"},
		{"bad org phone", func(o *DirectoryOrg) { o.Phones[0].Number = "7053 0100" }, "phones[0].number"},
		{"bad service phone", func(o *DirectoryOrg) { o.Services[0].Phones[0].Number = "1080" }, "services[0].phones[0].number"},
		{"unknown aimag", func(o *DirectoryOrg) { o.Locations[1].Aimag = "gobi-altai" }, "locations[1].aimag"},
		{"unknown soum", func(o *DirectoryOrg) { o.Locations[1].Soum = "sainshand" }, "locations[1].soum"},
		{"coordinates in China", func(o *DirectoryOrg) { o.Locations[0].Latitude, o.Locations[0].Longitude = f64(40.84), f64(111.75) }, "locations[0].latitude"},
		{"half coordinates", func(o *DirectoryOrg) { o.Locations[0].Longitude = nil }, "locations[0].latitude"},
		{"confidential without contact", func(o *DirectoryOrg) { o.Locations[0].PublicContact = Text{} }, "locations[0].public_contact"},
		{"duplicate location", func(o *DirectoryOrg) { o.Locations[1].ID = "khanbogd" }, "locations[1].id"},
		{"duplicate service", func(o *DirectoryOrg) { o.Services[2].ID = "shelter" }, "services[2].id"},
		{"unknown type", func(o *DirectoryOrg) { o.Services[1].Types[1] = "spa" }, "services[1].types[1]"},
		{"no type", func(o *DirectoryOrg) { o.Services[1].Types = nil }, "services[1].types"},
		{"bad language", func(o *DirectoryOrg) { o.Services[0].Languages = []string{"Mongolian"} }, "services[0].languages[0]"},
		{"no hours", func(o *DirectoryOrg) { o.Services[2].Always = false }, "services[2].hours"},
		{"across midnight", func(o *DirectoryOrg) {
			o.Services[2].Always = false
			o.Services[2].Hours = []Schedule{{weekdays, "09:00", "18:00"}, {weekdays, "20:00", "08:00"}}
		}, "services[2].hours[1].closes"},
		{"overlap", func(o *DirectoryOrg) {
			o.Services[1].Hours = append(o.Services[1].Hours, Schedule{[]time.Weekday{time.Wednesday}, "17:00", "20:00"})
		}, "services[1].hours[1]"},
		{"unknown area soum", func(o *DirectoryOrg) { o.Services[1].Area[0].Soum = "zamiin-uud" }, "services[1].area[0].soum"},
		{"area without aimag", func(o *DirectoryOrg) { o.Services[1].Area[0].Aimag = "" }, "services[1].area[0].aimag"},
		{"foreign location", func(o *DirectoryOrg) { o.Services[0].LocationIDs = []string{"khanbogd", "sainshand"} }, "services[0].locations[1]"},
		{"wrong org", func(o *DirectoryOrg) { o.Services[0].OrgID = "other" }, "services[0].org"},
		// The texts, as the forms check them.
		{"NUL in a name", func(o *DirectoryOrg) { o.Name.EN = "Gobi\x00Women" }, "name.en"},
		{"bidi override in a name", func(o *DirectoryOrg) { o.Name.MN = "ТББ \u202egnp.exe" }, "name.mn"},
		{"line end in a service name", func(o *DirectoryOrg) { o.Services[2].Name.EN = "Hot\nline" }, "services[2].name.en"},
		{"oversize service name", func(o *DirectoryOrg) { o.Services[0].Name.MN = strings.Repeat("я", 151) }, "services[0].name.mn"},
		{"terminal escape in a description", func(o *DirectoryOrg) { o.Services[1].Description.EN = "ok \x1b[2J" }, "services[1].description.en"},
		{"100 KB description", func(o *DirectoryOrg) { o.Description.MN = strings.Repeat("ж", 50<<10) }, "description.mn"},
		{"invalid UTF-8 in an address", func(o *DirectoryOrg) { o.Locations[0].Address.MN = "\xff" }, "locations[0].address.mn"},
		{"control in a public contact", func(o *DirectoryOrg) { o.Locations[0].PublicContact.EN = "Call\x07" }, "locations[0].public_contact.en"},
		{"isolate in a location name", func(o *DirectoryOrg) { o.Locations[1].Name.MN = "\u2067Даланзадгад" }, "locations[1].name.mn"},
		{"mark in a phone description", func(o *DirectoryOrg) { o.Phones[0].Description.EN = "office\u200f" }, "phones[0].description.en"},
		{"line end in a verifier", func(o *DirectoryOrg) { o.Services[0].AssuredBy = "Council\r\nsecretariat" }, "services[0].assured_by"},
		{"multi-line description", func(o *DirectoryOrg) {
			o.Services[1].Description = Text{"Нэг мөр\nХоёр мөр\tтаб", "<script>alert(1)</script>\u202e in a paragraph"}
		}, ""},
	} {
		o := validOrg()
		tc.change(o)
		checkField(t, tc.name, o.Validate(testGazetteer(), terms), tc.field)
	}
	// Without a gazetteer and terms, places and types are not looked up.
	o := validOrg()
	o.Services[1].Types[1] = "spa"
	o.Locations[1].Soum = "sainshand"
	if err := o.Validate(nil, nil); err != nil {
		t.Errorf("Validate(nil, nil) = %v", err)
	}
	if err := validOrg().Validate(testGazetteer(), terms); err != nil || strings.Contains(validOrg().Name.In(English), "<") {
		t.Errorf("valid organisation: %v", err)
	}
}
