package handlers_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
)

// TestDirectoryPlaceWithItsKind: on /directory and in the HSDS API's search, a place typed
// with the kind of place it is finds what the place alone finds, in the same order, as on
// /search (search.PlaceKinds, tested in the search package, keeps a kind word with no place of its kind beside it).
func TestDirectoryPlaceWithItsKind(t *testing.T) {
	p := searchServer(t, nil)
	h := p.Router
	tests := []struct {
		name, words, same string
	}{
		{name: "district, Cyrillic", words: "Сүхбаатар дүүрэг", same: "Сүхбаатар"},
		{name: "district, Latin", words: "Sukhbaatar district", same: "Sukhbaatar"},
		{name: "province", words: "Omnogovi province", same: "Omnogovi"},
		{name: "aimag, Cyrillic", words: "Өмнөговь аймаг", same: "Өмнөговь"},
		{name: "aimag before the place", words: "аймаг Дорноговь", same: "Дорноговь"},
		{name: "soum, Latin", words: "Dalanzadgad soum", same: "Dalanzadgad"},
		{name: "soum, Cyrillic", words: "Даланзадгад сум", same: "Даланзадгад"},
		{name: "city", words: "Ulaanbaatar city", same: "Ulaanbaatar"},
		{name: "with a type of help", words: "Өмнөговь аймгийн хамгаалах байр", same: "Өмнөговь хамгаалах байр"},
		{name: "escaping", words: `Өмнөговь аймаг "><script>alert(1)</script>`, same: `Өмнөговь "><script>alert(1)</script>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := func(words string) *response {
				return getPage(t, h, "/directory?words="+url.QueryEscape(words)+"&lang=en")
			}
			got, want := listed(page(tt.words)), listed(page(tt.same))
			if tt.name != "escaping" && len(want) == 0 {
				t.Fatalf("%q lists nothing: the test needs a place with services", tt.same)
			}
			if !slices.Equal(got, want) {
				t.Errorf("/directory?words=%s lists %v, want what %q lists: %v", tt.words, got, tt.same, want)
			}
			api := func(words string) []string {
				r := get(t, h, "GET", "/api/hsds/services?per_page=200&search="+url.QueryEscape(words))
				if r.Code != 200 {
					t.Fatalf("API search %q: status %d", words, r.Code)
				}
				var pg apiPage
				if err := json.Unmarshal([]byte(r.body), &pg); err != nil {
					t.Fatal(err)
				}
				return pg.inOrder(t)
			}
			if got, want := api(tt.words), api(tt.same); !slices.Equal(got, want) {
				t.Errorf("API search %q finds %v, want what %q finds: %v", tt.words, got, tt.same, want)
			}
		})
	}
}
