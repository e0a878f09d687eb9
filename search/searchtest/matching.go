package searchtest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

func testFolding(t *testing.T, s portal.Searcher) {
	omnogovi := rec("service:mn:omnogovi", "Хамгаалах байр", "Өмнөговь аймгийн хохирогчдод туслах байр.")
	omnogovi.Language = portal.Mongolian
	zamiinUud := rec("service:mn:zamiin-uud", "Замын-Үүд сумын эмнэлэг", "Хилийн боомтын эмнэлэг.")
	zamiinUud.Language = portal.Mongolian
	khanbogd := rec("service:en:khanbogd", "Khanbogd soum hotline", "Call any time.")
	sainshand := rec("service:en:sainshand", "Drop-in centre", "Near the market in Sainshand.")
	index(t, s, omnogovi, zamiinUud, khanbogd, sainshand)

	for _, tt := range []struct {
		id      string
		queries []string
	}{
		{omnogovi.ID, []string{"Өмнөговь", "Ömnögovi", "Omnogovi", "Umnugovi", "өмнөговь", "ӨМНӨГОВЬ", "Ємнєговь", "Ѳмнѳговь"}},
		{zamiinUud.ID, []string{"Замын-Үүд", "Zamiin-Uud", "Zamyn-Üüd", "Zamin Uud", "zamiin uud", "Замын Vvд", "Замын-Їїд"}},
		{khanbogd.ID, []string{"Ханбогд", "Hanbogd", "khanbogd"}}, // Latin-written, Cyrillic query
		{sainshand.ID, []string{"Сайншанд", "Saynshand"}},
	} {
		for _, q := range tt.queries {
			res := text(t, s, q)
			if !contains(res, tt.id) {
				t.Errorf("%q does not find %s: %v", q, tt.id, ids(res))
			}
			if len(res.Hits) != 1 {
				t.Errorf("%q finds %v, want only %s", q, ids(res), tt.id)
			}
		}
	}
}

// ranking runs a query with and without filters that select every record, as the
// directory page sends them, and checks the order of the hits.
func ranking(t *testing.T, s portal.Searcher, text string, want ...string) {
	t.Helper()
	for _, q := range []portal.SearchQuery{
		{Text: text},
		{Text: text, Kind: portal.KindService, Language: portal.English},
	} {
		if got := ids(find(t, s, q)); !slices.Equal(got, want) {
			t.Errorf("%+v: hits %v, want %v", q, got, want)
		}
	}
}

func testExactSpellingFirst(t *testing.T, s portal.Searcher) {
	index(t, s, rec("cyrillic", "Өмнөговь office", "Open on weekdays."),
		rec("latin", "Umnugovi office", "Open on weekdays."))
	ranking(t, s, "Өмнөговь", "cyrillic", "latin")
	ranking(t, s, "Umnugovi", "latin", "cyrillic")
}

func testTitleFirst(t *testing.T, s portal.Searcher) {
	index(t, s, rec("mention", "Hotline", "Refers callers to a shelter near them, day and night."),
		rec("title", "Women's shelter", "Safe rooms for women and children, day and night."))
	ranking(t, s, "shelter", "title", "mention")
	ranking(t, s, "night shelter", "title", "mention")
}

func testTypos(t *testing.T, s portal.Searcher) {
	shelter := rec("shelter", "Women's shelter", "Safe rooms for women and children.")
	dalanzadgad := rec("dalanzadgad", "Legal aid in Dalanzadgad", "Advice on contracts.")
	index(t, s, shelter, dalanzadgad)
	for q, id := range map[string]string{
		"shleter":     shelter.ID,
		"sheltr":      shelter.ID,
		"Dalanzadgat": dalanzadgad.ID,
		"Dalanzdagad": dalanzadgad.ID,
	} {
		if res := text(t, s, q); !contains(res, id) {
			t.Errorf("%q does not find %s: %v", q, id, ids(res))
		}
	}
}

func testAllWords(t *testing.T, s portal.Searcher) {
	index(t, s,
		rec("dornogovi", "Shelter in Dornogovi", "Beds for twelve."),
		rec("umnugovi", "Shelter in Umnugovi", "Beds for eight."),
		rec("hotline", "Hotline", "Call 108 from Dornogovi."))
	sameSet(t, "shelter Dornogovi", text(t, s, "shelter Dornogovi"), "dornogovi")
	sameSet(t, "Dornogovi", text(t, s, "Dornogovi"), "dornogovi", "hotline")
	sameSet(t, "shelter nowhere", text(t, s, "shelter Zzyzx"))
}

func testPrefix(t *testing.T, s portal.Searcher) {
	index(t, s,
		rec("dalanzadgad", "Legal aid in Dalanzadgad", "Advice on contracts."),
		rec("sainshand", "Legal aid in Sainshand", "Advice on contracts."))
	sameSet(t, "a word being typed", text(t, s, "legal Dalanz"), "dalanzadgad")
	sameSet(t, "Cyrillic being typed", text(t, s, "Даланз"), "dalanzadgad")
}

func testPlaceNames(t *testing.T, s portal.Searcher) {
	place := rec("service:en:dalanzadgad-shelter", "Shelter for women and children", "Beds, meals and counselling.")
	place.Places = "Өмнөговь Ömnögovi Umnugovi Dalanzadgad Даланзадгад"
	place.Aimags = []string{"omnogovi"}
	other := rec("service:en:ub-shelter", "Shelter", "A shelter in the capital, shelter for all.")
	other.Places = "Улаанбаатар Ulaanbaatar"
	mention := rec("service:en:hotline", "Hotline", "Refers callers to a shelter near them.")
	index(t, s, mention, other, place)
	for _, q := range []string{"Umnugovi shelter", "shelter Өмнөговь", "Даланзадгад shelter", "Omnogovi"} {
		res := text(t, s, q)
		if got := ids(res); len(got) == 0 || got[0] != place.ID {
			t.Errorf("%q: hits %v, want %s first", q, got, place.ID)
		}
	}
}

// badQueries are texts a search box may send; every one is a query, none an error.
var badQueries = []string{
	"", " ", strings.Repeat("shelter ", 128), strings.Repeat("ab", 512), strings.Repeat("ж", 600),
	"\x00\x01\x1f\x7f", "\u200b\ufeff", "\xff\xfe shelter", `"`, `"shelter`, `*`, `shel*`, `:`, `title:shelter`,
	`-`, `-shelter`, `+shelter`, `(`, `)`, `[`, `]`, `{`, `}`, `\`, `\\"`, `shelter~2`, `shelter^5`,
	`/shel.*/`, `AND OR NOT`, `shelter AND NOT women`, `!`, `?`, `%`, `'`, `<script>`, "😀", "\ue000\ue001",
}

func testBadQueries(t *testing.T, s portal.Searcher) {
	index(t, s, rec("shelter", "Women's shelter", "Safe rooms."))
	for _, q := range badQueries {
		for _, filtered := range []bool{false, true} {
			sq := portal.SearchQuery{Text: q}
			if filtered {
				sq.Kind, sq.Language = portal.KindService, portal.English
			}
			if res, err := s.Search(context.Background(), sq); err != nil || res == nil {
				t.Errorf("Search(%q, filtered %v) = %v, %v: want a result", q, filtered, res, err)
			}
		}
	}
	// Operators are characters: these are the word shelter.
	for _, q := range []string{`"shelter"`, `shelter*`, `(shelter)`, `+shelter`, `[shelter]`, `shelter:`} {
		if res := text(t, s, q); !contains(res, "shelter") {
			t.Errorf("%q does not find the shelter: %v", q, ids(res))
		}
	}
}
