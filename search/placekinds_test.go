package search_test

import (
	"testing"

	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/search"
)

func TestPlaceKindsStrip(t *testing.T) {
	g, _, _ := starter(t)
	p := search.NewPlaceKinds(g)
	for in, want := range map[string]string{
		// A place with its kind, in either script and order, finds what the place finds.
		"Өмнөговь аймаг":       "Өмнөговь",
		"Omnogovi province":    "Omnogovi",
		"Umnugovi aimag":       "Umnugovi",
		"OMNOGOVI PROVINCE":    "OMNOGOVI",
		"аймаг Өмнөговь":       "Өмнөговь",
		"province of Omnogovi": "province of Omnogovi", // "of" is no place
		"Сүхбаатар дүүрэг":     "Сүхбаатар",
		"Sukhbaatar district":  "Sukhbaatar",
		"Сүхбаатар district":   "Сүхбаатар",
		"Suhbaatar düüreg":     "Suhbaatar",
		"Даланзадгад сум":      "Даланзадгад",
		"Dalanzadgad soum":     "Dalanzadgad",
		"Dalanzadgad city":     "Dalanzadgad",
		"Даланзадгад хот":      "Даланзадгад",
		"Улаанбаатар хот":      "Улаанбаатар",
		"Ulaanbaatar city":     "Ulaanbaatar",
		"Ulan Bator city":      "Ulan Bator",
		"хот Улаанбаатар":      "Улаанбаатар",
		"South Gobi aimag":     "South Gobi",
		// With other words, and a place of two words.
		"Өмнөговь аймгийн хамгаалах байр": "Өмнөговь хамгаалах байр",
		"shelter Khan-Uul district":       "shelter Khan-Uul",
		"Хан-Уул дүүргийн эмнэлэг":        "Хан-Уул эмнэлэг",
		"Zamiin-Uud soum hotline":         "Zamiin-Uud hotline",
		"Замын-Үүд сумын эмнэлэг":         "Замын-Үүд эмнэлэг",
		"Zamin Uud sum": "Zamin Uud",
		// A kind word alone, or next to no place of its kind, stays.
		"хот":                      "хот",
		"city":                     "city",
		"district":                 "district",
		"city hall":                "city hall",
		"хот Өмнөговь":             "хот Өмнөговь",    // a province is no city
		"Сүхбаатар аймаг":          "Сүхбаатар аймаг", // the gazetteer's Sükhbaatar is a district
		"Umnugovi district":        "Umnugovi district",
		"Ulaanbaatar аймаг":        "Ulaanbaatar аймаг",
		"shelter city Ulaanbaatar": "shelter city Ulaanbaatar", // before a place only at the start
		"":                         "",
		`"Өмнөговь" <script>`:      `"Өмнөговь" <script>`,
	} {
		if got := p.Strip(in); got != want {
			t.Errorf("Strip(%q) = %q, want %q", in, got, want)
		}
	}
	var none *search.PlaceKinds
	if got := none.Strip("Өмнөговь аймаг"); got != "Өмнөговь аймаг" {
		t.Errorf("no gazetteer: %q", got)
	}
	if got := search.NewPlaceKinds(nil).Strip("Өмнөговь аймаг"); got != "Өмнөговь аймаг" {
		t.Errorf("an empty gazetteer: %q", got)
	}
}

func BenchmarkPlaceKindsStrip(b *testing.B) {
	g, _, _, err := directory.LoadStarter()
	if err != nil {
		b.Fatal(err)
	}
	p := search.NewPlaceKinds(g)
	b.ReportAllocs()
	for b.Loop() {
		p.Strip("Sukhbaatar district shelter")
		p.Strip("free legal aid for drivers")
	}
}
