package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/directory/hsds"
)

// The HSDS API: the public referral directory as Open Referral HSDS 3.0 JSON, in the shape
// of the HSDS API reference (schema/openapi.json), in the request's language. It reads only
// the public directory, so a confidential location's address and coordinates cannot reach
// it; the mapping leaves them out besides. It answers every GET from any origin
// (Access-Control-Allow-Origin: *): the data is public, answers never depend on who asks,
// and browsers send no cookies with such requests.

// HSDS API constants: the version of HSDS served, and where it is described.
const (
	hsdsVersion    = "3.0"
	hsdsProfileURL = "https://docs.openreferral.org/en/3.0/"
	hsdsOpenAPIURL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
)

// Paging limits of the HSDS API.
const (
	hsdsPerPage    = 50
	hsdsMaxPerPage = 200
	hsdsMaxSearch  = 200 // characters
)

// hsdsMeta is the answer of GET /api/hsds/.
type hsdsMeta struct {
	Version    string `json:"version"`
	Profile    string `json:"profile"`
	OpenAPIURL string `json:"openapi_url"`
}

// hsdsPage is a page of a list, as the HSDS API's Page schema has it. Size is the page
// size asked for, as in the paging of the frameworks the schema follows; contents may hold
// fewer on the last page.
type hsdsPage struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   any  `json:"contents"`
}

// hsdsErrorBody is the answer to a request that failed.
type hsdsErrorBody struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// hsdsRequest is what every HSDS handler starts with: the page (for the language and its
// strings), the public directory and a mapper in the request's language.
type hsdsRequest struct {
	p   Page
	d   *portal.Directory
	m   *hsds.Mapper
	q   url.Values
	off int // paging: the first item
	per int
	num int
}

// hsds loads what a handler needs, or answers with an error and returns nil.
func (h *Handlers) hsds(c *gin.Context) *hsdsRequest {
	r := &hsdsRequest{p: h.page(c, "", ""), q: c.Request.URL.Query()}
	if f := r.q.Get("format"); f != "" && f != "json" {
		h.hsdsError(c, &r.p, badRequest(&r.p, "hsds.error.bad_format", f))
		return nil
	}
	d, err := h.Directory.Directory(c.Request.Context())
	if err != nil {
		h.hsdsError(c, &r.p, err)
		return nil
	}
	r.d, r.m = d, hsds.NewMapper(r.p.Lang, h.Gazetteer, h.Taxonomy)
	return r
}

// paging reads page and per_page.
func (r *hsdsRequest) paging() error {
	var err error
	if r.num, err = intParam(&r.p, r.q, "page", 1, 1, 1<<20); err != nil {
		return err
	}
	if r.per, err = intParam(&r.p, r.q, "per_page", hsdsPerPage, 1, hsdsMaxPerPage); err != nil {
		return err
	}
	r.off = (r.num - 1) * r.per
	return nil
}

// page returns the page of n items, with the contents from items, which maps the range
// [from, to) of them.
func (r *hsdsRequest) page(n int, items func(from, to int) any) hsdsPage {
	from, to := min(r.off, n), min(r.off+r.per, n)
	pages := (n + r.per - 1) / r.per
	return hsdsPage{TotalItems: n, TotalPages: pages, PageNumber: r.num, Size: r.per, FirstPage: r.num == 1,
		LastPage: r.num >= pages, Empty: from == to, Contents: items(from, to)}
}

func intParam(p *Page, q url.Values, name string, def, lo, hi int) (int, error) {
	v, ok := q[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < lo || n > hi {
		return 0, badRequest(p, "hsds.error.bad_number", name, lo, hi, v[0])
	}
	return n, nil
}

func boolParam(p *Page, q url.Values, name string) (bool, error) {
	v, ok := q[name]
	if !ok || v[0] == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v[0])
	if err != nil {
		return false, badRequest(p, "hsds.error.bad_bool", name, v[0])
	}
	return b, nil
}

// searchParam reads search: at most hsdsMaxSearch characters of text.
func searchParam(p *Page, q url.Values) (string, error) {
	s := strings.TrimSpace(q.Get("search"))
	switch {
	case utf8.RuneCountInString(s) > hsdsMaxSearch:
		return "", badRequest(p, "hsds.error.search_too_long", hsdsMaxSearch)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		// As the directory page refuses them: the same words find the same services.
		return "", badRequest(p, "hsds.error.bad_search")
	}
	return s, nil
}

// writeJSON writes v as JSON, with an ETag so an unchanged answer costs a 304.
func (h *Handlers) writeJSON(c *gin.Context, status int, v any) {
	b, err := json.Marshal(v) // escapes <, > and &, so no answer reads as markup
	if err != nil {
		h.Logger.ErrorContext(c.Request.Context(), "hsds json", "path", LogPath(c), "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"status":500,"message":"internal error"}`)
	}
	c.Header("Access-Control-Allow-Origin", "*")
	if status == http.StatusOK {
		sum := sha256.Sum256(b)
		etag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
		c.Header("ETag", etag)
		keepCacheControl(c, "public, no-cache")
		if c.GetHeader("If-None-Match") == etag {
			c.Status(http.StatusNotModified)
			return
		}
	}
	c.Data(status, "application/json; charset=utf-8", b)
}

// hsdsError answers err as JSON: a user error with its message, any other error by its
// code with the catalog's words for the status. Internal errors are logged.
func (h *Handlers) hsdsError(c *gin.Context, p *Page, err error) {
	var ue *userError
	if errors.As(err, &ue) {
		h.writeJSON(c, ue.status, hsdsErrorBody{ue.status, ue.detail})
		return
	}
	status := statusOf(portal.ErrorCode(err))
	msg := p.T("error." + statusKey(status) + ".title")
	if status == http.StatusInternalServerError || status == http.StatusServiceUnavailable {
		h.Logger.ErrorContext(c.Request.Context(), "request failed", "path", LogPath(c), "err", err)
		msg = p.T("hsds.error.internal")
	}
	h.writeJSON(c, status, hsdsErrorBody{status, msg})
}

// HandleHSDSMeta serves GET /api/hsds/.
func (h *Handlers) HandleHSDSMeta(c *gin.Context) {
	h.writeJSON(c, http.StatusOK, hsdsMeta{Version: hsdsVersion, Profile: hsdsProfileURL, OpenAPIURL: hsdsOpenAPIURL})
}

// serviceFilter is what GET /api/hsds/services selects by: the directory query, and the
// attributes that only HSDS shows.
type serviceFilter struct {
	q          directory.Query
	term       string // a term of the portal's own taxonomy, by code
	taxonomyID string
	full       bool
}

// parseServiceFilter reads search, taxonomy_term_id, taxonomy_id, organization_id,
// modified_after and full_service (or full).
func (r *hsdsRequest) parseServiceFilter(types map[string]bool) (*serviceFilter, error) {
	f := &serviceFilter{}
	var err error
	if f.q.Text, err = searchParam(&r.p, r.q); err != nil {
		return nil, err
	}
	if v := r.q.Get("taxonomy_term_id"); v != "" {
		code := r.termCode(v)
		switch {
		case code == "":
			return nil, badRequest(&r.p, "hsds.error.unknown_term", v)
		case types[code]:
			f.q.Type = code
		default:
			f.term = code
		}
	}
	if v := r.q.Get("taxonomy_id"); v != "" {
		if f.taxonomyID = r.taxonomyID(v); f.taxonomyID == "" {
			return nil, badRequest(&r.p, "hsds.error.unknown_taxonomy", v)
		}
	}
	if v := r.q.Get("organization_id"); v != "" {
		o := findHSDSOrg(r.d, v)
		if o == nil {
			return nil, badRequest(&r.p, "hsds.error.unknown_organization", v)
		}
		f.q.OrgID = o.ID
	}
	if v := r.q.Get("modified_after"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if t, err = time.ParseInLocation(time.DateOnly, v, portal.MongoliaTime); err != nil {
				return nil, badRequest(&r.p, "hsds.error.bad_date", v)
			}
		}
		f.q.ModifiedAfter = t.Add(-time.Nanosecond) // HSDS: modified on or after
	}
	for _, name := range []string{"full_service", "full"} {
		b, err := boolParam(&r.p, r.q, name)
		if err != nil {
			return nil, err
		}
		f.full = f.full || b
	}
	return f, nil
}

// termCode returns the code of the taxonomy term named by its HSDS id or code, or "".
func (r *hsdsRequest) termCode(v string) string {
	for _, t := range r.m.TaxonomyTerms() {
		if t.Code == v || t.ID == strings.ToLower(v) {
			return t.Code
		}
	}
	return ""
}

// taxonomyID returns the HSDS id of the taxonomy named by its id or name, or "".
func (r *hsdsRequest) taxonomyID(v string) string {
	for _, name := range []string{hsds.ServiceTypesTaxonomy, hsds.PortalTaxonomy} {
		if id := hsds.ID("taxonomy", name); v == name || strings.ToLower(v) == id {
			return id
		}
	}
	return ""
}

// findHSDSOrg returns the organisation with the HSDS id or directory id v, or nil.
func findHSDSOrg(d *portal.Directory, v string) *portal.DirectoryOrg {
	if o := d.Org(v); o != nil {
		return o
	}
	if !hsds.IsUUID(v) {
		return nil
	}
	v = strings.ToLower(v)
	for _, o := range d.Orgs {
		if hsds.ID("organization", o.ID) == v {
			return o
		}
	}
	return nil
}

// findHSDSService returns the service with the HSDS id or directory id v, and its
// organisation, or nils.
func findHSDSService(d *portal.Directory, v string) (*portal.Service, *portal.DirectoryOrg) {
	if s, o := d.Service(v); s != nil {
		return s, o
	}
	if !hsds.IsUUID(v) {
		return nil, nil
	}
	v = strings.ToLower(v)
	for _, s := range d.Services() {
		if hsds.ID("service", s.ID) == v {
			return d.Service(s.ID)
		}
	}
	return nil, nil
}

// keeps reports whether the service has the attributes f asks for.
func (f *serviceFilter) keeps(m *hsds.Mapper, hit directory.Hit) bool {
	if f.term == "" && f.taxonomyID == "" {
		return true
	}
	s := m.Service(hit.Org, hit.Service)
	for _, a := range s.Attributes {
		if t := a.TaxonomyTerm; t != nil && (f.term == "" || t.Code == f.term) && (f.taxonomyID == "" || t.TaxonomyID == f.taxonomyID) {
			return true
		}
	}
	return false
}

// HandleHSDSServices serves GET /api/hsds/services: a page of services with their
// one-to-one fields, or fully nested with full_service=true.
func (h *Handlers) HandleHSDSServices(c *gin.Context) {
	r := h.hsds(c)
	if r == nil {
		return
	}
	types := map[string]bool{}
	for _, t := range h.Taxonomy {
		types[t.ID] = true
	}
	f, err := r.parseServiceFilter(types)
	if err == nil {
		err = r.paging()
	}
	if err != nil {
		h.hsdsError(c, &r.p, err)
		return
	}
	f.q.SortLanguage = r.p.Lang
	res, err := h.Finder.FindIn(c.Request.Context(), r.d, f.q)
	if err != nil {
		h.hsdsError(c, &r.p, err)
		return
	}
	if res.Degraded {
		noStore(c) // as the directory page: an answer for while the engine is down
	}
	var hits []directory.Hit
	for _, hit := range res.Hits {
		if f.keeps(r.m, hit) {
			hits = append(hits, hit)
		}
	}
	h.writeJSON(c, http.StatusOK, r.page(len(hits), func(from, to int) any {
		out := []hsds.Service{}
		for _, hit := range hits[from:to] {
			if f.full {
				out = append(out, r.m.Service(hit.Org, hit.Service))
			} else {
				out = append(out, r.m.ServiceSummary(hit.Org, hit.Service))
			}
		}
		return out
	}))
}

// HandleHSDSService serves GET /api/hsds/services/{id}: the fully nested service, by its
// HSDS id or its directory id.
func (h *Handlers) HandleHSDSService(c *gin.Context) {
	r := h.hsds(c)
	if r == nil {
		return
	}
	s, o := findHSDSService(r.d, c.Param("id"))
	if s == nil {
		h.hsdsError(c, &r.p, notFound(&r.p, "hsds.not_found.service", c.Param("id")))
		return
	}
	h.writeJSON(c, http.StatusOK, r.m.Service(o, s))
}

// HandleHSDSOrganisations serves GET /api/hsds/organizations: a page of organisations,
// flat; with full=true with their locations and phones, with full_service=true also with
// their services fully nested.
func (h *Handlers) HandleHSDSOrganisations(c *gin.Context) {
	r := h.hsds(c)
	if r == nil {
		return
	}
	search, err := searchParam(&r.p, r.q)
	var full, fullService bool
	if err == nil {
		full, err = boolParam(&r.p, r.q, "full")
	}
	if err == nil {
		fullService, err = boolParam(&r.p, r.q, "full_service")
	}
	if err == nil {
		err = r.paging()
	}
	if err != nil {
		h.hsdsError(c, &r.p, err)
		return
	}
	var orgs []*portal.DirectoryOrg
	for _, o := range r.d.Orgs {
		if matchesWords(search, o.Name.MN, o.Name.EN, o.Description.MN, o.Description.EN) {
			orgs = append(orgs, o)
		}
	}
	h.writeJSON(c, http.StatusOK, r.page(len(orgs), func(from, to int) any {
		out := []hsds.Organisation{}
		for _, o := range orgs[from:to] {
			switch {
			case fullService:
				out = append(out, r.organization(o, true))
			case full:
				out = append(out, r.m.Organisation(o))
			default:
				out = append(out, r.m.OrganisationSummary(o))
			}
		}
		return out
	}))
}

// organization returns o fully nested with its services: their one-to-one fields, or
// fully nested when full.
func (r *hsdsRequest) organization(o *portal.DirectoryOrg, full bool) hsds.Organisation {
	org := r.m.Organisation(o)
	org.Services = []hsds.Service{}
	for i := range o.Services {
		svc := r.m.ServiceSummary(o, &o.Services[i])
		if full {
			svc = r.m.Service(o, &o.Services[i])
		}
		svc.Organisation = nil // it is the organisation answered
		org.Services = append(org.Services, svc)
	}
	return org
}

// matchesWords reports whether the texts contain every word of search, ignoring case.
func matchesWords(search string, texts ...string) bool {
	hay := strings.ToLower(strings.Join(texts, "\n"))
	for _, w := range strings.Fields(strings.ToLower(search)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// HandleHSDSOrganisation serves GET /api/hsds/organizations/{id}: the organisation fully
// nested, with its services (fully nested with full_service=true).
func (h *Handlers) HandleHSDSOrganisation(c *gin.Context) {
	r := h.hsds(c)
	if r == nil {
		return
	}
	full, err := boolParam(&r.p, r.q, "full_service")
	if err != nil {
		h.hsdsError(c, &r.p, err)
		return
	}
	o := findHSDSOrg(r.d, c.Param("id"))
	if o == nil {
		h.hsdsError(c, &r.p, notFound(&r.p, "hsds.not_found.organization", c.Param("id")))
		return
	}
	h.writeJSON(c, http.StatusOK, r.organization(o, full))
}

// HandleHSDSTaxonomyTerms serves GET /api/hsds/taxonomy_terms: a page of the service types
// and of the portal's own terms, filtered by search and taxonomy_id.
func (h *Handlers) HandleHSDSTaxonomyTerms(c *gin.Context) {
	r := h.hsds(c)
	if r == nil {
		return
	}
	search, err := searchParam(&r.p, r.q)
	taxonomy := ""
	if v := r.q.Get("taxonomy_id"); v != "" && err == nil {
		if taxonomy = r.taxonomyID(v); taxonomy == "" {
			err = badRequest(&r.p, "hsds.error.unknown_taxonomy", v)
		}
	}
	if err == nil {
		err = r.paging()
	}
	if err != nil {
		h.hsdsError(c, &r.p, err)
		return
	}
	var terms []hsds.TaxonomyTerm
	for _, t := range r.m.TaxonomyTerms() {
		if (taxonomy == "" || t.TaxonomyID == taxonomy) && matchesWords(search, t.Code, t.Name, t.Description) {
			terms = append(terms, t)
		}
	}
	h.writeJSON(c, http.StatusOK, r.page(len(terms), func(from, to int) any {
		return append([]hsds.TaxonomyTerm{}, terms[from:to]...)
	}))
}

// HandleHSDSTaxonomyTerm serves GET /api/hsds/taxonomy_terms/{id}, by HSDS id or code.
func (h *Handlers) HandleHSDSTaxonomyTerm(c *gin.Context) {
	r := h.hsds(c)
	if r == nil {
		return
	}
	code := r.termCode(c.Param("id"))
	for _, t := range r.m.TaxonomyTerms() {
		if code != "" && t.Code == code {
			h.writeJSON(c, http.StatusOK, t)
			return
		}
	}
	h.hsdsError(c, &r.p, notFound(&r.p, "hsds.not_found.taxonomy_term", c.Param("id")))
}

// HandleHSDSTaxonomies serves GET /api/hsds/taxonomies: the service types' taxonomy and
// the portal's own, as a page.
func (h *Handlers) HandleHSDSTaxonomies(c *gin.Context) {
	r := h.hsds(c)
	if r == nil {
		return
	}
	if err := r.paging(); err != nil {
		h.hsdsError(c, &r.p, err)
		return
	}
	all := r.m.Taxonomies()
	h.writeJSON(c, http.StatusOK, r.page(len(all), func(from, to int) any {
		return append([]hsds.Taxonomy{}, all[from:to]...)
	}))
}

// HandleHSDSTaxonomy serves GET /api/hsds/taxonomies/{id}, by HSDS id or name.
func (h *Handlers) HandleHSDSTaxonomy(c *gin.Context) {
	r := h.hsds(c)
	if r == nil {
		return
	}
	id := r.taxonomyID(c.Param("id"))
	for _, t := range r.m.Taxonomies() {
		if id != "" && t.ID == id {
			h.writeJSON(c, http.StatusOK, t)
			return
		}
	}
	h.hsdsError(c, &r.p, notFound(&r.p, "hsds.not_found.taxonomy", c.Param("id")))
}
