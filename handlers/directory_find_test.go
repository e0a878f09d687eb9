package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/gobidialogue/portal/directory/hsds"
)

// pageServices returns the ids of every service the directory lists for query, in order,
// page after page.
func pageServices(t *testing.T, h http.Handler, query url.Values) []string {
	t.Helper()
	var ids []string
	for page := 1; ; page++ {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(page))
		r := get(t, h, "GET", "/directory?"+q.Encode())
		if r.Code != http.StatusOK {
			t.Fatalf("/directory?%s: %d", q.Encode(), r.Code)
		}
		got := listed(r)
		ids = append(ids, got...)
		if len(got) == 0 || r.doc.Find(`a[rel="next"]`).Length() == 0 {
			return ids
		}
	}
}

// apiServices returns the HSDS ids of every service the HSDS API answers for query, in
// order.
func apiServices(t *testing.T, h http.Handler, query url.Values) []string {
	t.Helper()
	q := url.Values{"per_page": {"200"}}
	for k, v := range query {
		q[k] = v
	}
	r := get(t, h, "GET", "/api/hsds/services?"+q.Encode())
	if r.Code != http.StatusOK {
		t.Fatalf("/api/hsds/services?%s: %d %s", q.Encode(), r.Code, r.body)
	}
	var p apiPage
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatal(err)
	}
	if p.TotalPages > 1 {
		t.Fatalf("%d pages of services: the test reads one", p.TotalPages)
	}
	return p.inOrder(t)
}

// TestDirectoryAndAPIFindAlike asks the directory page and the HSDS API the same words:
// they answer the same services in the same order (one Finder serves both), whatever the
// spelling of a place, the script, the language of the page, or markup in the words.
func TestDirectoryAndAPIFindAlike(t *testing.T) {
	h := searchServer(t, nil).Router
	found := map[string]int{}
	for _, words := range []string{
		"Zamiin-Uud", "Замын-Үүд", "Zamyn-Üüd", "zamiin uud",
		"Umnugovi", "Өмнөговь", "Omnogovi",
		"shelter", "хамгаалах байр", "legal aid", "хууль зүйн", "Dalanzadgad", "Даланзадгад",
		"108", "hotline 24", "<script>alert(1)</script>", "'\"><img src=x>", "nothing-matches-this-word",
	} {
		for _, lang := range []string{"mn", "en"} {
			page := pageServices(t, h, url.Values{"q": {words}, "lang": {lang}})
			api := apiServices(t, h, url.Values{"search": {words}, "lang": {lang}})
			want := make([]string, len(page))
			for i, id := range page {
				want[i] = hsds.ID("service", id)
			}
			if !slices.Equal(api, want) {
				t.Errorf("%q in %s: the API answers %d services, the page lists %d:\n api %v\npage %v", words, lang, len(api), len(want), api, want)
			}
			found[words] = len(page)
		}
	}
	// The comparison means something only if the words find services, and different ones.
	for _, words := range []string{"Zamiin-Uud", "Замын-Үүд", "Zamyn-Üüd", "Өмнөговь", "shelter", "хамгаалах байр"} {
		if found[words] == 0 {
			t.Errorf("%q finds nothing", words)
		}
	}
	if found["nothing-matches-this-word"] != 0 || found["Zamiin-Uud"] == found["Umnugovi"] {
		t.Errorf("the words do not narrow the directory: %v", found)
	}
	// The two spellings of one place find the same services.
	a := pageServices(t, h, url.Values{"q": {"Zamiin-Uud"}, "lang": {"en"}})
	b := pageServices(t, h, url.Values{"q": {"Замын-Үүд"}, "lang": {"en"}})
	slices.Sort(a)
	slices.Sort(b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("Zamiin-Uud finds %v, Замын-Үүд %v", a, b)
	}
	// With a filter besides the words, both still agree.
	page := pageServices(t, h, url.Values{"q": {"shelter"}, "type": {"shelter"}, "lang": {"en"}})
	api := apiServices(t, h, url.Values{"search": {"shelter"}, "taxonomy_term_id": {"shelter"}, "lang": {"en"}})
	want := make([]string, len(page))
	for i, id := range page {
		want[i] = hsds.ID("service", id)
	}
	if len(page) == 0 || len(page) >= found["shelter"] || !slices.Equal(api, want) {
		t.Errorf("shelters for \"shelter\": the page lists %v, the API answers %v", want, api)
	}
}
