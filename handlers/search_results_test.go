package handlers_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// resultHit is a hit of /search as the page shows it.
type resultHit struct {
	href, lang, marker, snippet string
	phones                      []string // the numbers the hit's tel: links dial
}

// resultHits reads the hits of a search page.
func resultHits(r *response) []resultHit {
	var out []resultHit
	r.doc.Find(".hits > .hit").Each(func(_ int, s *goquery.Selection) {
		h := resultHit{href: s.Find("h3 a").AttrOr("href", ""), lang: s.AttrOr("lang", ""),
			marker: strings.TrimSpace(s.Find("p.meta .other-lang").Text()), snippet: s.Find(".snippet").Text()}
		s.Find(".hit-phones a.tel").Each(func(_ int, a *goquery.Selection) { h.phones = append(h.phones, a.Text()) })
		out = append(out, h)
	})
	return out
}

// thing is what a hit's link opens, without the language: a service or a paragraph.
func (h resultHit) thing() string {
	u, err := url.Parse(h.href)
	if err != nil {
		return h.href
	}
	return u.Path + "#" + u.Fragment
}

// facetCounts reads the facet chips of a search page: facet name → label → count.
func facetCounts(r *response) map[string]map[string]int {
	out := map[string]map[string]int{}
	r.doc.Find(".facets .facet").Each(func(_ int, f *goquery.Selection) {
		values := map[string]int{}
		f.Find("a.chip").Each(func(_ int, c *goquery.Selection) {
			n, _ := strconv.Atoi(c.Find(".count").Text())
			values[strings.TrimSpace(strings.TrimSuffix(c.Text(), c.Find(".count").Text()))] = n
		})
		out[f.Find("h3").Text()] = values
	})
	return out
}

// recordThings asks the engine for every record of text (a search for records, as /search
// made before) and returns the distinct things, with their kinds and the languages of
// their records: what the page must count.
func recordThings(t *testing.T, p *portaltest.Portal, text string) (kinds map[string]string, langs map[string]map[portal.Language]bool) {
	t.Helper()
	kinds, langs = map[string]string{}, map[string]map[portal.Language]bool{}
	for page := 1; ; page++ {
		res, err := p.Search.Search(context.Background(), portal.SearchQuery{Text: text, Page: page, PerPage: portal.MaxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			kinds[h.Thing] = h.Kind
			if langs[h.Thing] == nil {
				langs[h.Thing] = map[portal.Language]bool{}
			}
			langs[h.Thing][h.Language] = true
		}
		if len(res.Hits) < portal.MaxPerPage {
			return kinds, langs
		}
	}
}

// TestSearchResults checks the results of /search over the starter directory and
// guidelines: one result per service or paragraph, in the page's language when its record
// in it matched, else in the other, marked; facet counts per thing; phones on service
// results; separators in snippets; a place typed with its kind finds what the place finds.
func TestSearchResults(t *testing.T) {
	p := searchServer(t, nil)
	h := p.Router
	d, err := p.DB.Directory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, q  string
		lang     portal.Language
		fallback bool   // some hits are in the other language
		same     string // finds what this query finds, in the same order
	}{
		{name: "a place, in Mongolian", q: "Өмнөговь", lang: portal.Mongolian},
		{name: "a place, in English", q: "Umnugovi", lang: portal.English},
		{name: "an English word on a Mongolian page", q: "shelter", lang: portal.Mongolian, fallback: true},
		{name: "a Mongolian word on an English page", q: "хамгаалах байр", lang: portal.English, fallback: true},
		{name: "district, Cyrillic", q: "Сүхбаатар дүүрэг", lang: portal.Mongolian, same: "Сүхбаатар"},
		{name: "district, Latin", q: "Sukhbaatar district", lang: portal.English, same: "Sukhbaatar"},
		{name: "district, mixed", q: "Sükhbaatar дүүрэг", lang: portal.English, same: "Sükhbaatar"},
		{name: "province", q: "Omnogovi province", lang: portal.English, same: "Omnogovi"},
		{name: "aimag", q: "Өмнөговь аймаг", lang: portal.Mongolian, same: "Өмнөговь"},
		{name: "aimag, Latin", q: "Dornogovi aimag", lang: portal.Mongolian, same: "Dornogovi"},
		{name: "soum", q: "Даланзадгад сум", lang: portal.Mongolian, same: "Даланзадгад"},
		{name: "soum, Latin", q: "Dalanzadgad soum", lang: portal.English, same: "Dalanzadgad"},
		{name: "city", q: "Улаанбаатар хот", lang: portal.Mongolian, same: "Улаанбаатар"},
		{name: "city, Latin", q: "Ulaanbaatar city", lang: portal.English, same: "Ulaanbaatar"},
		{name: "a place with its kind and more words", q: "Өмнөговь аймгийн хамгаалах байр", lang: portal.Mongolian, same: "Өмнөговь хамгаалах байр"},
		{name: "a kind word alone is a word", q: "хот", lang: portal.Mongolian, fallback: true},
		{name: "escaping", q: `<script>alert(1)</script> Өмнөговь аймаг "><img src=x>`, lang: portal.English},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "/search?q=" + url.QueryEscape(tt.q) + "&lang=" + string(tt.lang)
			r := get(t, h, "GET", target)
			if r.Code != 200 {
				t.Fatalf("%s: status %d", target, r.Code)
			}
			if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") ||
				r.doc.Find("main script, main img").Length() > 0 {
				t.Fatal("markup from the query or a record reached the page")
			}
			if got := r.doc.Find("#search-q").AttrOr("value", ""); got != tt.q {
				t.Errorf("the search box holds %q, want the query as typed, %q", got, tt.q)
			}
			hits := resultHits(r)
			if tt.name == "escaping" {
				return
			}
			if len(hits) == 0 {
				t.Fatalf("%s finds nothing", tt.q)
			}
			// One result per thing, in the page's language when it can be; the others are
			// in the other language, marked as such, their text marked with its language.
			seen, other := map[string]bool{}, 0
			for _, hit := range hits {
				if seen[hit.thing()] {
					t.Errorf("%s is shown twice", hit.thing())
				}
				seen[hit.thing()] = true
				hitLang := portal.Language(strings.TrimPrefix(regexpLang(hit.href), "lang="))
				switch {
				case hitLang == tt.lang && (hit.lang != "" || hit.marker != ""):
					t.Errorf("%s is in the page's language, yet marked %q %q", hit.href, hit.lang, hit.marker)
				case hitLang != tt.lang:
					other++
					want := map[portal.Language]string{portal.Mongolian: "Англи хэлээр", portal.English: "In Mongolian"}[tt.lang]
					if hit.lang != string(hitLang) || hit.marker != want {
						t.Errorf("%s: a result in another language has lang %q and marker %q, want %q and %q",
							hit.href, hit.lang, hit.marker, hitLang, want)
					}
				}
				// A service result shows its phones; a snippet keeps its fields apart.
				if id, ok := strings.CutPrefix(strings.SplitN(hit.href, "?", 2)[0], "/directory/services/"); ok {
					s, _ := d.Service(id)
					if s == nil {
						t.Fatalf("%s: no such service", hit.href)
					}
					var want []string
					for _, ph := range s.Phones {
						want = append(want, ph.Number)
					}
					if strings.Join(hit.phones, ", ") != strings.Join(want, ", ") {
						t.Errorf("%s shows the phones %q, want %q", id, hit.phones, want)
					}
				}
			}
			if (other > 0) != tt.fallback {
				t.Errorf("%d results in the other language, want some: %v", other, tt.fallback)
			}
			// The count and the facets count things: the services and paragraphs whose
			// records the words find, each once.
			kinds, langs := recordThings(t, p, tt.q)
			if tt.same != "" {
				kinds, langs = recordThings(t, p, tt.same)
			}
			if got := r.text(".search-count"); !strings.HasSuffix(got, " "+strconv.Itoa(len(kinds))) {
				t.Errorf("count %q, want %d things", got, len(kinds))
			}
			facets := facetCounts(r)
			kindName, langName := map[portal.Language][2]string{portal.Mongolian: {"Төрөл", "Хэл"}, portal.English: {"Kind", "Language"}}[tt.lang][0],
				map[portal.Language][2]string{portal.Mongolian: {"Төрөл", "Хэл"}, portal.English: {"Kind", "Language"}}[tt.lang][1]
			services, inLang := 0, map[portal.Language]int{}
			for thing, kind := range kinds {
				if kind == portal.KindService {
					services++
				}
				for l := range langs[thing] {
					inLang[l]++
				}
			}
			label := map[portal.Language]string{portal.Mongolian: "Лавлахын үйлчилгээ", portal.English: "Referral service"}[tt.lang]
			if got := facets[kindName][label]; got != services {
				t.Errorf("facet %s %s = %d, want %d services (%v)", kindName, label, got, services, facets)
			}
			for l, n := range inLang {
				name := map[portal.Language]map[portal.Language]string{
					portal.Mongolian: {portal.Mongolian: "Монгол", portal.English: "Англи"},
					portal.English:   {portal.Mongolian: "Mongolian", portal.English: "English"},
				}[tt.lang][l]
				if got := facets[langName][name]; got != n {
					t.Errorf("facet %s %s = %d, want %d things with a record in it", langName, name, got, n)
				}
			}
			if tt.same != "" {
				alone := get(t, h, "GET", "/search?q="+url.QueryEscape(tt.same)+"&lang="+string(tt.lang))
				if got, want := resultHits(r), resultHits(alone); !sameHits(got, want) {
					t.Errorf("%q finds\n%v\nbut %q finds\n%v", tt.q, got, tt.same, want)
				}
				if r.text(".search-count") != alone.text(".search-count") {
					t.Errorf("%q: %q, %q: %q", tt.q, r.text(".search-count"), tt.same, alone.text(".search-count"))
				}
			}
		})
	}
}

func sameHits(a, b []resultHit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].href != b[i].href {
			return false
		}
	}
	return true
}

// regexpLang returns the lang= parameter of a hit's link.
func regexpLang(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	return "lang=" + u.Query().Get("lang")
}

// TestSearchSnippetSeparators: a service's snippet that runs across its fields shows where
// one ends, as the record keeps them apart.
func TestSearchSnippetSeparators(t *testing.T) {
	h := searchServer(t, nil).Router
	r := get(t, h, "GET", "/search?q="+url.QueryEscape("Police Department")+"&kind=service&lang=en")
	hits := resultHits(r)
	if len(hits) == 0 {
		t.Fatal("nothing found")
	}
	for _, hit := range hits {
		// "… Call 102 or come to the unit. · Free of charge · Ömnögovi Police Department …"
		if !strings.Contains(hit.snippet, " · Free of charge · ") {
			t.Errorf("%s: snippet %q runs its fields together", hit.href, hit.snippet)
		}
	}
}

// TestSuggestThings: type-ahead suggests a service once, in the page's language.
func TestSuggestThings(t *testing.T) {
	h := searchServer(t, nil).Router
	r := get(t, h, "GET", "/search/suggest?lang=en&q="+url.QueryEscape("Sukhbaatar district"))
	if r.Code != 200 || !strings.Contains(r.body, `"url":"/directory/services/migrant-rights-centre-legal-aid?lang=en"`) {
		t.Errorf("suggest: %d %s", r.Code, r.body)
	}
	if strings.Contains(r.body, "?lang=mn") {
		t.Errorf("suggest offers the Mongolian record of a service on an English page: %s", r.body)
	}
}
