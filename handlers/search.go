package handlers

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
)

// Search limits: a query longer than maxSearch bytes is cut (a pasted paragraph still
// searches); a page holds searchPerPage hits, and pages past maxSearchPages are not served
// (the engine's cost grows with the depth); suggestions are at most suggestLimit.
const (
	maxSearch      = 500
	searchPerPage  = 20
	maxSearchPages = 1000
	suggestLimit   = 8
	maxYear        = 2200
	minYear        = 1990
)

// searchKinds are the kinds a search may be narrowed to.
var searchKinds = []string{portal.KindGuideline, portal.KindMinutes, portal.KindDecision, portal.KindService}

// searchPage is the data of /search.
type searchPage struct {
	Page
	Q           string
	Filters     searchFilters
	Unavailable bool // the engine did not answer
	Message     string
	Total       int
	Hits        []searchHitView
	Facets      []facetView
	Active      []facetLink // the filters in use, each a link that removes it
	PageNum     int
	Pages       int
	PrevURL     string
	NextURL     string
}

// searchFilters are the facet filters of a search, as the query gives them.
type searchFilters struct {
	Kind, Aimag, Type, Language string
	Year                        int
}

// searchHitView is a hit as the page shows it: one service, paragraph or other thing,
// in the page's language when its record in it matched, else in another (OtherLanguage,
// marked, with its language named in the page's).
type searchHitView struct {
	Title, URL, Kind string
	Language         portal.Language
	OtherLanguage    bool   // the hit is not in the page's language
	LanguageName     string // of the hit's language, in the page's
	Snippet          []portal.SnippetPart
	Phones           phoneList // a service's, to call from the results
}

// facetView is one facet with its values.
type facetView struct {
	Name   string // the facet's label
	Values []facetLink
}

// facetLink is a facet value: a link that adds it to the search (or removes it).
type facetLink struct {
	Label   string
	Count   int
	URL     string
	Current bool
}

// cleanQuery makes any text a query: valid UTF-8, no control characters, at most maxSearch
// bytes cut at a character boundary, spaces collapsed.
func cleanQuery(q string) string {
	q = strings.ToValidUTF8(q, " ")
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r >= 0xE000 && r <= 0xF8FF {
			return ' '
		}
		return r
	}, q)
	q = strings.Join(strings.Fields(q), " ")
	for len(q) > maxSearch {
		_, size := utf8.DecodeLastRuneInString(q)
		q = q[:len(q)-size]
	}
	return strings.TrimSpace(q)
}

// readSearchFilters reads and checks the facet filters; a value no facet offers is a
// problem named by its parameter.
func (h *Handlers) readSearchFilters(c *gin.Context) (searchFilters, string) {
	f := searchFilters{Kind: c.Query("kind"), Aimag: c.Query("aimag"), Type: c.Query("type"), Language: c.Query("language")}
	switch {
	case f.Kind != "" && !slices.Contains(searchKinds, f.Kind):
		return f, "kind"
	case f.Aimag != "" && (h.Gazetteer == nil || h.Gazetteer.FindAimag(f.Aimag) == nil):
		return f, "aimag"
	case f.Type != "" && h.term(f.Type) == nil:
		return f, "type"
	case f.Language != "" && !slices.Contains(portal.Languages, portal.Language(f.Language)):
		return f, "language"
	}
	if y := c.Query("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < minYear || n > maxYear {
			return f, "year"
		}
		f.Year = n
	}
	return f, ""
}

// values returns the filters and q as a query string, with page when above 1.
func (f searchFilters) values(q string, page int) url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"q", q}, {"kind", f.Kind}, {"aimag", f.Aimag}, {"type", f.Type}, {"language", f.Language}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if f.Year != 0 {
		v.Set("year", strconv.Itoa(f.Year))
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

func searchURL(v url.Values) string {
	if len(v) == 0 {
		return "/search"
	}
	return "/search?" + v.Encode()
}

// HandleSearch serves GET /search?q=: everything a visitor may see, with facets and paging.
func (h *Handlers) HandleSearch(c *gin.Context) {
	p := searchPage{Page: h.page(c, "", "search"), Q: cleanQuery(c.Query("q"))}
	p.Title = p.T("search.title")
	if p.Q != "" {
		p.Title = p.T("search.title_q", p.Q)
	}
	filters, bad := h.readSearchFilters(c)
	p.Filters = filters
	if bad != "" {
		p.Message = p.T("search.error.filter", p.T("search.facet."+bad), c.Query(bad))
		h.render(c, http.StatusBadRequest, "search", p)
		return
	}
	page := 1
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageNumber {
			p.Message = p.T("directory.error.page_number", shorten(v))
			h.render(c, http.StatusBadRequest, "search", p)
			return
		}
		page = n
	}
	p.PageNum = page
	if p.Q == "" && filters == (searchFilters{}) {
		h.render(c, http.StatusOK, "search", p)
		return
	}
	if h.Search == nil {
		p.Unavailable = true
		h.render(c, http.StatusServiceUnavailable, "search", p)
		return
	}
	ctx := c.Request.Context()
	enginePage := page
	if page > maxSearchPages {
		enginePage = 1 // past the pages served: the first page's count tells how many there are
	}
	res, err := h.Search.Search(ctx, portal.SearchQuery{Text: h.searchText(p.Q), Kind: filters.Kind, Aimag: filters.Aimag,
		Type: filters.Type, Language: portal.Language(filters.Language), Year: filters.Year, Page: enginePage, PerPage: searchPerPage,
		Things: true, Prefer: p.Lang})
	if err != nil && ctx.Err() != nil {
		h.Error(c, err) // the client went away
		return
	}
	if err != nil {
		// The engine is down: say so politely; the rest of the site keeps working.
		h.Logger.WarnContext(ctx, "search failed", "err", err)
		p.Unavailable = true
		h.render(c, http.StatusServiceUnavailable, "search", p)
		return
	}
	h.fillSearch(&p, res, page)
	h.searchPhones(ctx, &p, res)
	if page > p.Pages {
		p.Message = pastEnd(&p.Page, page, p.Pages, p.Total).Error()
		h.render(c, http.StatusNotFound, "search", p)
		return
	}
	h.render(c, http.StatusOK, "search", p)
}

// fillSearch puts a result on the page: hits, facets as links, the active filters, paging.
func (h *Handlers) fillSearch(p *searchPage, res *portal.SearchResult, page int) {
	p.Total = res.Total
	p.Pages = min(max((res.Total+searchPerPage-1)/searchPerPage, 1), maxSearchPages)
	for _, hit := range res.Hits {
		v := searchHitView{Title: hit.Title, URL: safeLocalURL(hit.URL), Kind: p.T("search.kind." + hit.Kind),
			Language: hit.Language, OtherLanguage: hit.Language != "" && hit.Language != p.Lang, Snippet: hit.Snippet}
		if v.OtherLanguage {
			v.LanguageName = languageName(&p.Page, string(hit.Language))
		}
		p.Hits = append(p.Hits, v)
	}
	f := p.Filters
	if page > 1 {
		p.PrevURL = searchURL(f.values(p.Q, page-1))
	}
	if page < p.Pages {
		p.NextURL = searchURL(f.values(p.Q, page+1))
	}
	for _, name := range portal.Facets {
		fv := facetView{Name: p.T("search.facet." + name)}
		for _, c := range res.Facets[name] {
			label := h.facetLabel(&p.Page, name, c.Value)
			if label == "" {
				continue
			}
			with, current := f, false
			switch name {
			case "kind":
				current, with.Kind = f.Kind == c.Value, c.Value
			case "aimag":
				current, with.Aimag = f.Aimag == c.Value, c.Value
			case "type":
				current, with.Type = f.Type == c.Value, c.Value
			case "language":
				current, with.Language = f.Language == c.Value, c.Value
			case "year":
				y, _ := strconv.Atoi(c.Value)
				current, with.Year = f.Year == y && y != 0, y
			}
			fv.Values = append(fv.Values, facetLink{Label: label, Count: c.Count, URL: searchURL(with.values(p.Q, 1)), Current: current})
		}
		if len(fv.Values) > 0 {
			p.Facets = append(p.Facets, fv)
		}
	}
	for _, a := range []struct {
		name, value string
		clear       func(*searchFilters)
	}{
		{"kind", f.Kind, func(x *searchFilters) { x.Kind = "" }},
		{"aimag", f.Aimag, func(x *searchFilters) { x.Aimag = "" }},
		{"type", f.Type, func(x *searchFilters) { x.Type = "" }},
		{"language", f.Language, func(x *searchFilters) { x.Language = "" }},
		{"year", yearText(f.Year), func(x *searchFilters) { x.Year = 0 }},
	} {
		if a.value == "" {
			continue
		}
		without := f
		a.clear(&without)
		p.Active = append(p.Active, facetLink{Label: h.facetLabel(&p.Page, a.name, a.value), URL: searchURL(without.values(p.Q, 1)), Current: true})
	}
}

// searchText is what a query asks the engine for: the words typed, less a word that names
// the kind of a place typed with it ("Сүхбаатар дүүрэг", "Omnogovi province"), so that the
// place finds what it finds alone.
func (h *Handlers) searchText(q string) string {
	h.placeKindsOnce.Do(func() { h.placeKinds = search.NewPlaceKinds(h.Gazetteer) })
	return h.placeKinds.Strip(q)
}

// searchPhones gives the service hits their phones, from the directory, so that a
// caseworker can call from the results. The directory is the public one, held in memory;
// when it cannot be read, the hits are shown without.
func (h *Handlers) searchPhones(ctx context.Context, p *searchPage, res *portal.SearchResult) {
	if h.Directory == nil || !slices.ContainsFunc(res.Hits, func(hit portal.SearchHit) bool { return hit.Kind == portal.KindService }) {
		return
	}
	d, err := h.Directory.Directory(ctx)
	if err != nil {
		h.Logger.WarnContext(ctx, "search: the directory for the phones", "err", err)
		return
	}
	for i, hit := range res.Hits {
		if id, ok := search.ServiceID(hit); ok && i < len(p.Hits) {
			if s, _ := d.Service(id); s != nil {
				p.Hits[i].Phones = phones(&p.Page, s.Phones)
			}
		}
	}
}

func yearText(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// facetLabel names a facet value in the page's language; "" for a value the page does not
// know, which it leaves out.
func (h *Handlers) facetLabel(p *Page, facet, value string) string {
	switch facet {
	case "kind":
		if slices.Contains(searchKinds, value) {
			return p.T("search.kind." + value)
		}
	case "aimag":
		if h.Gazetteer != nil {
			if a := h.Gazetteer.FindAimag(value); a != nil {
				return a.Name.In(p.Lang)
			}
		}
	case "type":
		if t := h.term(value); t != nil {
			return t.Name.In(p.Lang)
		}
	case "language":
		if slices.Contains(portal.Languages, portal.Language(value)) {
			return languageName(p, value)
		}
	case "year":
		if y, err := strconv.Atoi(value); err == nil && y >= minYear && y <= maxYear {
			return value
		}
	}
	return ""
}

// safeLocalURL keeps a hit's link on the site: an engine's record can only send people to
// a path of the portal.
func safeLocalURL(u string) string {
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") && !strings.ContainsAny(u, "\\\r\n") {
		return u
	}
	return "/search"
}

// suggestion is one type-ahead answer.
type suggestion struct {
	Title string `json:"title"`
	URL   string `json:"url"`
	Kind  string `json:"kind"`
}

// HandleSuggest serves GET /search/suggest?q=: the titles of the top hits as JSON, for
// type-ahead. The search page works without it.
func (h *Handlers) HandleSuggest(c *gin.Context) {
	q := cleanQuery(c.Query("q"))
	out := struct {
		Query       string       `json:"query"`
		Suggestions []suggestion `json:"suggestions"`
	}{Query: q, Suggestions: []suggestion{}}
	c.Header("Cache-Control", "public, max-age=60")
	if q == "" || h.Search == nil {
		c.JSON(http.StatusOK, out)
		return
	}
	res, err := h.Search.Search(c.Request.Context(), portal.SearchQuery{Text: h.searchText(q), PerPage: suggestLimit * 2,
		Things: true, Prefer: portal.LanguageFromContext(c.Request.Context())})
	if err != nil && c.Request.Context().Err() != nil {
		h.Error(c, err) // the client went away
		return
	}
	if err != nil {
		h.Logger.WarnContext(c.Request.Context(), "suggest failed", "err", err)
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusServiceUnavailable, out)
		return
	}
	seen := map[string]bool{}
	for _, hit := range res.Hits {
		if seen[hit.Title] || len(out.Suggestions) == suggestLimit {
			continue
		}
		seen[hit.Title] = true
		out.Suggestions = append(out.Suggestions, suggestion{Title: hit.Title, URL: safeLocalURL(hit.URL), Kind: hit.Kind})
	}
	c.JSON(http.StatusOK, out)
}
