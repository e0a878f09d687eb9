package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/PuerkitoBio/goquery"
	"net/url"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// searchServer is editServer with the starter guidelines, a hostile service and an index
// of everything, on the fixed clock; down, when set, makes the engine fail as if it were
// unreachable.
func searchServer(t *testing.T, down *bool) *portaltest.Portal {
	t.Helper()
	return editServerWith(t, portaltest.Options{StarterGuidelines: true, Orgs: []*portal.DirectoryOrg{hostileDirectoryOrg()},
		Search: portaltest.IndexOnce, Now: now, Configure: func(h *handlers.Handlers) {
			if down != nil {
				h.Search = &flakyEngine{Searcher: h.Search, down: down}
			}
		}})
}

// flakyEngine fails every call while *down.
type flakyEngine struct {
	portal.Searcher
	down *bool
}

func (f *flakyEngine) Search(ctx context.Context, q portal.SearchQuery) (*portal.SearchResult, error) {
	if *f.down {
		return nil, errors.New("dial tcp 127.0.0.1:7700: connection refused")
	}
	return f.Searcher.Search(ctx, q)
}

func TestSearchPage(t *testing.T) {
	h := searchServer(t, nil).Router
	tests := []struct {
		name, target string
		status       int
		first        string // the first hit's link starts with it
		contains     string // a hit's title contains it
	}{
		{"Umnugovi shelter", "/search?q=Umnugovi+shelter&lang=en", 200, "/directory/services/", "helter"},
		{"Cyrillic place", "/search?q=Өмнөговь+хамгаалах+байр", 200, "/directory/services/", "байр"},
		{"guideline paragraph", "/search?q=cab+card&kind=guideline&lang=en", 200, "/guidelines/truck-drivers?lang=en#", ""},
		{"typo", "/search?q=sheltr+Dalanzadgat&lang=en", 200, "/directory/services/", ""},
		{"filters", "/search?q=shelter&kind=service&aimag=umnugovi&type=shelter&language=en&lang=en", 200, "/directory/services/", ""},
		{"empty", "/search", 200, "", ""},
		{"operators", "/search?q=" + url.QueryEscape(`"shelter* AND (Umnugovi:) -[x] \ NOT`), 200, "", ""},
		{"long", "/search?q=" + strings.Repeat("хамгаалах+", 120), 200, "", ""},
		{"control characters", "/search?q=%00%01shelter%1b", 200, "", ""},
		{"unknown kind", "/search?q=x&kind=<script>alert(1)</script>&lang=en", 400, "", ""},
		{"unknown aimag", "/search?q=x&aimag=narnia", 400, "", ""},
		{"bad year", "/search?q=x&year=twenty", 400, "", ""},
		{"escaping", "/search?q=" + url.QueryEscape(`<script>alert(1)</script>`) + "&lang=en", 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, h, "GET", tt.target)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d\n%.1500s", r.Code, tt.status, r.body)
			}
			if strings.Contains(r.body, "<script>alert") || r.doc.Find("main script, main img").Length() > 0 {
				t.Fatal("markup from the query or a record reached the page")
			}
			if tt.first != "" {
				href := r.doc.Find(".hits .hit h3 a").First().AttrOr("href", "")
				if !strings.HasPrefix(href, tt.first) {
					t.Errorf("first hit %q, want %q…", href, tt.first)
				}
			}
			if tt.contains != "" && !strings.Contains(r.doc.Find(".hits .hit h3 a").First().Text(), tt.contains) {
				t.Errorf("first hit %q, want it to contain %q", r.doc.Find(".hits .hit h3 a").First().Text(), tt.contains)
			}
			if tt.status == 400 && r.text(".form-error") == "" {
				t.Error("no message for the bad filter")
			}
		})
	}
}

// Every spelling of a place finds the same records.
func TestSearchTransliterations(t *testing.T) {
	h := searchServer(t, nil).Router
	count := func(q string) string {
		r := get(t, h, "GET", "/search?lang=en&kind=service&q="+url.QueryEscape(q))
		return r.text(".search-count")
	}
	for _, group := range [][]string{
		{"Өмнөговь", "Ömnögovi", "Omnogovi", "Umnugovi"},
		{"Замын-Үүд", "Zamiin-Uud", "Zamyn-Üüd", "Zamin Uud"},
	} {
		want := count(group[0])
		if want == "" || want == "Nothing found." {
			t.Fatalf("%s finds nothing", group[0])
		}
		for _, q := range group[1:] {
			if got := count(q); got != want {
				t.Errorf("%s: %q, but %s: %q", q, got, group[0], want)
			}
		}
	}
}

func TestSearchMarksMatchesSafely(t *testing.T) {
	h := searchServer(t, nil).Router
	r := get(t, h, "GET", "/search?lang=en&q=alert")
	if r.doc.Find(".hits .hit").Length() == 0 {
		t.Fatalf("the hostile service is not found\n%.2000s", r.body)
	}
	if r.doc.Find(".snippet mark").Length() == 0 {
		t.Error("no match marked in the snippets")
	}
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, "<img") {
		t.Error("a snippet lets markup through")
	}
}

func TestSearchEngineOutage(t *testing.T) {
	down := false
	h := searchServer(t, &down).Router
	down = true
	r := get(t, h, "GET", "/search?q=shelter&lang=en")
	if r.Code != 503 || !strings.Contains(r.text("main .notice"), "Search is not available") {
		t.Fatalf("search during an outage: %d %q", r.Code, r.text("main .notice"))
	}
	// The rest of the site keeps working; the directory's text box matches in memory.
	if r := get(t, h, "GET", "/guidelines?lang=en"); r.Code != 200 {
		t.Errorf("guidelines during an outage: %d", r.Code)
	}
	r = get(t, h, "GET", "/directory?q=shelter&lang=en")
	if r.Code != 200 || r.doc.Find(".dir-list .svc").Length() == 0 || r.text("main .notice") == "" {
		t.Errorf("directory during an outage: %d, %d hits, notice %q", r.Code, r.doc.Find(".dir-list .svc").Length(), r.text("main .notice"))
	}
	if r := get(t, h, "GET", "/search/suggest?q=shelter"); r.Code != 503 || !strings.Contains(r.body, `"suggestions":[]`) {
		t.Errorf("suggest during an outage: %d %s", r.Code, r.body)
	}
	if cc := r.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("the directory's answer during an outage may be kept: Cache-Control %q", cc)
	}
	down = false
	if r := get(t, h, "GET", "/search?q=shelter&lang=en"); r.Code != 200 {
		t.Errorf("after the outage: %d", r.Code)
	}
	// The answer made during the outage was not kept: the page cache renders it anew.
	if r := get(t, h, "GET", "/directory?q=shelter&lang=en"); r.Code != 200 || r.text("main .notice") != "" {
		t.Errorf("directory after the outage: %d, notice %q", r.Code, r.text("main .notice"))
	}
}

// The directory's text box uses the engine: a Latin spelling finds Cyrillic entries.
func TestDirectoryTextUsesEngine(t *testing.T) {
	h := searchServer(t, nil).Router
	r := get(t, h, "GET", "/directory?lang=mn&q=Umnugovi+hamgaalah&type=shelter")
	if r.Code != 200 || r.doc.Find(".dir-list .svc").Length() == 0 {
		t.Fatalf("directory q=Umnugovi hamgaalah: %d, %d hits\n%.1500s", r.Code, r.doc.Find(".dir-list .svc").Length(), r.body)
	}
	r.doc.Find(".dir-list .svc > p.meta").Each(func(_ int, s *goquery.Selection) {
		if !strings.Contains(s.Text(), "Өмнөговь") {
			t.Errorf("a hit does not serve Ömnögovi: %q", s.Text())
		}
	})
}

func TestSuggest(t *testing.T) {
	h := searchServer(t, nil).Router
	r := get(t, h, "GET", "/search/suggest?q=Umnugovi+shel")
	var out struct {
		Suggestions []struct{ Title, URL, Kind string }
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil || r.Code != 200 {
		t.Fatalf("%d %v %s", r.Code, err, r.body)
	}
	if len(out.Suggestions) == 0 || len(out.Suggestions) > 8 || !strings.HasPrefix(out.Suggestions[0].URL, "/") {
		t.Errorf("suggestions %+v", out.Suggestions)
	}
	if r := get(t, h, "GET", "/search/suggest?q="); r.Code != 200 || !strings.Contains(r.body, `"suggestions":[]`) {
		t.Errorf("empty suggest: %d %s", r.Code, r.body)
	}
	if r := get(t, h, "GET", "/search/suggest?q="+url.QueryEscape("<script>")); strings.Contains(r.body, "<script>") {
		t.Errorf("suggest echoes markup: %s", r.body)
	}
}
