package handlers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory/hsds"
)

// apiPage is a page of the HSDS API.
type apiPage struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

// ids returns the ids of the page's contents, sorted.
func (p *apiPage) ids(t *testing.T) []string {
	t.Helper()
	ids := p.inOrder(t)
	slices.Sort(ids)
	return ids
}

// inOrder returns the ids of the page's contents in the order of the page.
func (p *apiPage) inOrder(t *testing.T) []string {
	t.Helper()
	var ids []string
	for _, c := range p.Contents {
		var x struct{ ID string }
		if err := json.Unmarshal(c, &x); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	return ids
}

// hsdsIDs returns the HSDS ids of the services with directory ids, sorted.
func hsdsIDs(kind string, ids ...string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, hsds.ID(kind, id))
	}
	slices.Sort(out)
	return out
}

func TestHSDSAPI(t *testing.T) {
	s := directorySite(t)
	all := append(s.starterIDs(func(*portal.Service) bool { return true }), "hostile-service")
	shelters := append(s.starterIDs(func(x *portal.Service) bool { return slices.Contains(x.Types, "shelter") }), "hostile-service")
	free := s.starterIDs(func(x *portal.Service) bool { return x.Free })
	en, mn := []string{"Accept-Language", "en"}, []string{"Accept-Language", "mn"}
	tests := []struct {
		name   string
		target string
		header []string
		status int
		page   func(t *testing.T, p *apiPage) // for lists
		body   []string                       // substrings the body must contain
		absent []string                       // substrings it must not
	}{
		{name: "meta", target: "/api/hsds/", status: 200,
			body: []string{`"version":"3.0"`, `"openapi_url":"https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"`}},
		{name: "services, first page", target: "/api/hsds/services", status: 200, page: func(t *testing.T, p *apiPage) {
			if p.TotalItems != len(all) || p.Size != 50 || p.PageNumber != 1 || !p.FirstPage || !p.LastPage || p.Empty ||
				!slices.Equal(p.ids(t), hsdsIDs("service", all...)) {
				t.Errorf("page %+v", *p)
			}
		}},
		{name: "services, a middle page", target: "/api/hsds/services?per_page=10&page=2", status: 200, page: func(t *testing.T, p *apiPage) {
			if len(p.Contents) != 10 || p.TotalPages != 5 || p.PageNumber != 2 || p.FirstPage || p.LastPage || p.Size != 10 {
				t.Errorf("page %+v", *p)
			}
		}},
		{name: "services, the last page", target: "/api/hsds/services?per_page=10&page=5", status: 200, page: func(t *testing.T, p *apiPage) {
			if len(p.Contents) != len(all)-40 || !p.LastPage || p.Empty {
				t.Errorf("page %+v", *p)
			}
		}},
		{name: "services, past the end", target: "/api/hsds/services?per_page=10&page=9", status: 200, page: func(t *testing.T, p *apiPage) {
			if len(p.Contents) != 0 || !p.Empty || p.TotalItems != len(all) {
				t.Errorf("page %+v", *p)
			}
		}, body: []string{`"contents":[]`}},
		{name: "by term code", target: "/api/hsds/services?taxonomy_term_id=shelter&per_page=200", status: 200, page: func(t *testing.T, p *apiPage) {
			if !slices.Equal(p.ids(t), hsdsIDs("service", shelters...)) {
				t.Errorf("shelters %v", p.ids(t))
			}
		}},
		{name: "by term UUID", target: "/api/hsds/services?taxonomy_term_id=" + strings.ToUpper(hsds.ID("taxonomy_term", "shelter")), status: 200,
			page: func(t *testing.T, p *apiPage) {
				if p.TotalItems != len(shelters) {
					t.Errorf("%d shelters", p.TotalItems)
				}
			}},
		{name: "by a portal term: free of charge", target: "/api/hsds/services?taxonomy_term_id=portal-free&per_page=200", status: 200,
			page: func(t *testing.T, p *apiPage) {
				if !slices.Equal(p.ids(t), hsdsIDs("service", free...)) {
					t.Errorf("free %v", p.ids(t))
				}
			}},
		{name: "by taxonomy", target: "/api/hsds/services?taxonomy_id=gobi-dialogue-service-types", status: 200, page: func(t *testing.T, p *apiPage) {
			if p.TotalItems != len(all) {
				t.Errorf("%d services have a service type", p.TotalItems)
			}
		}},
		{name: "by organisation slug", target: "/api/hsds/services?organization_id=ub-safe-house", status: 200, page: func(t *testing.T, p *apiPage) {
			if !slices.Equal(p.ids(t), hsdsIDs("service", "ub-safe-house-reintegration", "ub-safe-house-shelter")) {
				t.Errorf("services %v", p.ids(t))
			}
		}},
		{name: "by organisation UUID and search", target: "/api/hsds/services?search=vocational&organization_id=" + hsds.ID("organization", "ub-safe-house"),
			status: 200, page: func(t *testing.T, p *apiPage) {
				if !slices.Equal(p.ids(t), hsdsIDs("service", "ub-safe-house-reintegration")) {
					t.Errorf("services %v", p.ids(t))
				}
			}},
		{name: "modified after, in the future", target: "/api/hsds/services?modified_after=2100-01-01", status: 200, page: func(t *testing.T, p *apiPage) {
			if p.TotalItems != 0 {
				t.Errorf("%d services", p.TotalItems)
			}
		}},
		{name: "modified after, date and time", target: "/api/hsds/services?modified_after=2000-01-01T00:00:00Z", status: 200},
		{name: "full services", target: "/api/hsds/services?full_service=true&organization_id=ub-safe-house", status: 200,
			body: []string{`"schedules":[`, `"service_at_locations":[`, `"taxonomy_term":{`}},
		{name: "list services are flat", target: "/api/hsds/services?organization_id=ub-safe-house", status: 200,
			body: []string{`"organization":{`}, absent: []string{`"schedules"`, `"phones"`}},
		{name: "service by slug, English", target: "/api/hsds/services/ub-safe-house-shelter", header: en, status: 200,
			body: []string{`"id":"` + hsds.ID("service", "ub-safe-house-shelter") + `"`, `"name":"Shelter for victims of trafficking (example)"`, `"byday":"MO,TU,WE,TH,FR,SA,SU"`}},
		{name: "service by UUID, Mongolian", target: "/api/hsds/services/" + hsds.ID("service", "ub-safe-house-shelter") + "?lang=mn", status: 200,
			body: []string{`"name":"Хүн худалдаалах гэмт хэргийн хохирогчдын хамгаалах байр (жишээ)"`}},
		{name: "unknown service, English", target: "/api/hsds/services/no-such-service", header: en, status: 404,
			body: []string{`"status":404`, `There is no service \"no-such-service\"`}},
		{name: "unknown service, Mongolian", target: "/api/hsds/services/00000000-0000-4000-8000-000000000000", header: mn, status: 404,
			body: []string{`олдсонгүй`}},
		{name: "hostile service: JSON-escaped, never markup", target: "/api/hsds/services/hostile-service", status: 200,
			body: []string{`\u003cscript\u003ealert(1)\u003c/script\u003e`, `\"\u003e\u003cimg src=x onerror=alert(1)\u003e`}, absent: []string{"<script>", "<img"}},
		{name: "hostile search is echoed escaped", target: "/api/hsds/services?taxonomy_term_id=%3Cscript%3E", header: en, status: 400,
			body: []string{`There is no taxonomy term \"\u003cscript\u003e\"`}, absent: []string{"<script>"}},
		{name: "search with control characters", target: "/api/hsds/services?search=shelter%00%1B", header: en, status: 400,
			body: []string{"control characters"}},
		{name: "search with control characters, Mongolian", target: "/api/hsds/services?search=%07", header: mn, status: 400,
			body: []string{"хяналтын тэмдэгт"}},
		{name: "search too long", target: "/api/hsds/services?search=" + strings.Repeat("%D0%B0", 201), header: en, status: 400,
			body: []string{"longer than 200 characters"}},
		{name: "search of 200 Cyrillic letters", target: "/api/hsds/services?search=" + strings.Repeat("%D0%B0", 200), status: 200},
		{name: "page 0", target: "/api/hsds/services?page=0", header: en, status: 400, body: []string{"The parameter page must be a whole number from 1"}},
		{name: "per_page too big, Mongolian", target: "/api/hsds/services?per_page=500", header: mn, status: 400, body: []string{"per_page параметр нь хамгийн багадаа 1, хамгийн ихдээ 200 бүхэл тоо"}},
		{name: "page not a number", target: "/api/hsds/organizations?page=two", header: en, status: 400, body: []string{`not \"two\"`}},
		{name: "bad boolean", target: "/api/hsds/services?full_service=maybe", header: mn, status: 400, body: []string{"true эсвэл false"}},
		{name: "bad date", target: "/api/hsds/services?modified_after=yesterday", header: en, status: 400, body: []string{"modified_after must be a date"}},
		{name: "unknown term, Mongolian", target: "/api/hsds/services?taxonomy_term_id=nope", header: mn, status: 400, body: []string{"ангиллын нэр томьёо алга"}},
		{name: "unknown taxonomy", target: "/api/hsds/services?taxonomy_id=nope", header: en, status: 400, body: []string{"There is no taxonomy"}},
		{name: "unknown organisation", target: "/api/hsds/services?organization_id=nope", header: en, status: 400, body: []string{"There is no organization"}},
		{name: "other formats", target: "/api/hsds/services?format=ndjson", header: en, status: 400, body: []string{"Only format=json"}},
		{name: "organisations", target: "/api/hsds/organizations?per_page=200", status: 200, page: func(t *testing.T, p *apiPage) {
			if p.TotalItems != len(s.orgs)+1 || len(p.Contents) != p.TotalItems {
				t.Errorf("page %+v", *p)
			}
		}, absent: []string{`"locations"`}},
		{name: "organisations, searched, full", target: "/api/hsds/organizations?search=safe+house&full=true", header: en, status: 200,
			page: func(t *testing.T, p *apiPage) {
				if !slices.Equal(p.ids(t), hsdsIDs("organization", "ub-safe-house")) {
					t.Errorf("organisations %v", p.ids(t))
				}
			}, body: []string{`"locations":[`, `"identifier":"ub-safe-house"`}},
		{name: "organisation with its services", target: "/api/hsds/organizations/ub-safe-house", status: 200,
			body: []string{`"services":[{"id":"` + hsds.ID("service", "ub-safe-house-shelter")}, absent: []string{`"schedules"`}},
		{name: "organisation with full services", target: "/api/hsds/organizations/" + hsds.ID("organization", "ub-safe-house") + "?full_service=true",
			status: 200, body: []string{`"schedules":[`}},
		{name: "unknown organisation by id", target: "/api/hsds/organizations/nope", header: en, status: 404, body: []string{"There is no organization"}},
		{name: "taxonomy terms", target: "/api/hsds/taxonomy_terms", status: 200, page: func(t *testing.T, p *apiPage) {
			if p.TotalItems != 16 {
				t.Errorf("%d terms", p.TotalItems)
			}
		}},
		{name: "taxonomy terms of the service types", target: "/api/hsds/taxonomy_terms?taxonomy_id=" + hsds.ID("taxonomy", hsds.ServiceTypesTaxonomy),
			status: 200, page: func(t *testing.T, p *apiPage) {
				if p.TotalItems != 10 {
					t.Errorf("%d terms", p.TotalItems)
				}
			}},
		{name: "a taxonomy term, English", target: "/api/hsds/taxonomy_terms/shelter", header: en, status: 200, body: []string{`"name":"Shelter"`, `"language":"en"`}},
		{name: "unknown taxonomy term", target: "/api/hsds/taxonomy_terms/nope", header: en, status: 404, body: []string{"There is no taxonomy term"}},
		{name: "taxonomies", target: "/api/hsds/taxonomies", status: 200, page: func(t *testing.T, p *apiPage) {
			if p.TotalItems != 2 {
				t.Errorf("%d taxonomies", p.TotalItems)
			}
		}},
		{name: "a taxonomy", target: "/api/hsds/taxonomies/gobi-dialogue-portal", header: en, status: 200, body: []string{`"name":"Portal attributes"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s.Router, "GET", tt.target, tt.header...)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Code, tt.status, r.body)
			}
			if ct := r.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if r.Header().Get("Access-Control-Allow-Origin") != "*" || r.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("headers %v", r.Header())
			}
			if !json.Valid([]byte(r.body)) {
				t.Fatalf("not JSON: %s", r.body)
			}
			for _, want := range tt.body {
				if !strings.Contains(r.body, want) {
					t.Errorf("body lacks %s:\n%.600s", want, r.body)
				}
			}
			for _, bad := range tt.absent {
				if strings.Contains(r.body, bad) {
					t.Errorf("body contains %s", bad)
				}
			}
			if tt.page != nil {
				var p apiPage
				if err := json.Unmarshal([]byte(r.body), &p); err != nil {
					t.Fatal(err)
				}
				tt.page(t, &p)
			}
		})
	}
}

func TestHSDSAPIConditional(t *testing.T) {
	s := directorySite(t)
	r := get(t, s.Router, "GET", "/api/hsds/services/ub-safe-house-shelter")
	etag := r.Header().Get("ETag")
	if r.Code != 200 || etag == "" {
		t.Fatalf("%d, ETag %q", r.Code, etag)
	}
	if r := get(t, s.Router, "GET", "/api/hsds/services/ub-safe-house-shelter", "If-None-Match", etag); r.Code != http.StatusNotModified {
		t.Errorf("unchanged: %d, want 304", r.Code)
	}
	if r := get(t, s.Router, "GET", "/api/hsds/services/ub-safe-house-shelter?lang=en", "If-None-Match", etag); r.Code != 200 {
		t.Errorf("in English: %d, want 200", r.Code)
	}
}

// TestHSDSAPIConfidential asks for everything the API serves, in both languages: no
// confidential address and no coordinate of a confidential location is in any answer.
func TestHSDSAPIConfidential(t *testing.T) {
	s := directorySite(t)
	hidden := map[string]bool{} // HSDS ids of the confidential locations
	var addresses []string
	for _, o := range append(slices.Clone(s.orgs), hostileDirectoryOrg()) {
		for _, l := range o.Locations {
			if l.Confidential {
				hidden[hsds.ID("location", l.ID)] = true
				if o.ID != "hostile-org" { // its address is the text of every field
					addresses = append(addresses, l.Address.MN, l.Address.EN)
				}
			}
		}
	}
	targets := []string{"/api/hsds/services?full_service=true&per_page=200", "/api/hsds/organizations?full_service=true&per_page=200",
		"/api/hsds/organizations?full=true&per_page=200"}
	for _, o := range s.orgs {
		targets = append(targets, "/api/hsds/organizations/"+o.ID+"?full_service=true")
		for _, sv := range o.Services {
			targets = append(targets, "/api/hsds/services/"+sv.ID)
		}
	}
	targets = append(targets, "/api/hsds/services/hostile-service", "/api/hsds/organizations/hostile-org?full_service=true")
	checked := 0
	for _, target := range targets {
		for _, lang := range portal.Languages {
			r := get(t, s.Router, "GET", target+sep(target)+"lang="+string(lang))
			if r.Code != 200 {
				t.Fatalf("%s: %d", target, r.Code)
			}
			for _, a := range addresses {
				if strings.Contains(r.body, a) {
					t.Errorf("%s (%s) carries the confidential address %q", target, lang, a)
				}
			}
			var doc any
			if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
				t.Fatal(err)
			}
			checked += checkHidden(t, target, doc, hidden)
		}
	}
	if checked < 20 {
		t.Errorf("only %d confidential locations seen in the answers", checked)
	}
}

func sep(target string) string {
	if strings.Contains(target, "?") {
		return "&"
	}
	return "?"
}

// checkHidden walks a JSON answer and fails on a confidential location with coordinates
// or an address. It returns how many confidential locations it saw.
func checkHidden(t *testing.T, target string, v any, hidden map[string]bool) int {
	t.Helper()
	n := 0
	switch v := v.(type) {
	case map[string]any:
		if id, _ := v["id"].(string); hidden[id] {
			n++
			for _, key := range []string{"latitude", "longitude", "addresses"} {
				if _, ok := v[key]; ok {
					t.Errorf("%s: confidential location %s has %s", target, id, key)
				}
			}
		}
		for _, x := range v {
			n += checkHidden(t, target, x, hidden)
		}
	case []any:
		for _, x := range v {
			n += checkHidden(t, target, x, hidden)
		}
	}
	return n
}

// TestHSDSAPIValidates checks the API's services and organisations against the official
// HSDS schemas (the copies in directory/hsds/testdata/hsds-schema).
func TestHSDSAPIValidates(t *testing.T) {
	s := directorySite(t)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	names, _ := filepath.Glob("../directory/hsds/testdata/hsds-schema/*.json")
	if len(names) < 15 {
		t.Fatalf("%d schema files", len(names))
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource("https://hsds.test/"+filepath.Base(name), doc); err != nil {
			t.Fatal(err)
		}
	}
	schema := map[string]*jsonschema.Schema{}
	for _, n := range []string{"service", "organization", "taxonomy_term", "taxonomy"} {
		schema[n] = c.MustCompile("https://hsds.test/" + n + ".json")
	}
	for _, tc := range []struct{ target, schema string }{
		{"/api/hsds/services?full_service=true&per_page=200", "service"},
		{"/api/hsds/services?per_page=200", "service"},
		{"/api/hsds/organizations?full_service=true&per_page=200", "organization"},
		{"/api/hsds/taxonomy_terms", "taxonomy_term"},
		{"/api/hsds/taxonomies", "taxonomy"},
	} {
		for _, lang := range portal.Languages {
			r := get(t, s.Router, "GET", tc.target+sep(tc.target)+"lang="+string(lang))
			var p struct{ Contents []any }
			if err := json.Unmarshal([]byte(r.body), &p); err != nil || len(p.Contents) == 0 {
				t.Fatalf("%s: %v", tc.target, err)
			}
			for i, item := range p.Contents {
				if err := schema[tc.schema].Validate(item); err != nil {
					t.Errorf("%s [%d]: %v", tc.target, i, err)
				}
			}
		}
	}
	r := get(t, s.Router, "GET", "/api/hsds/services/ub-safe-house-shelter")
	var one any
	if err := json.Unmarshal([]byte(r.body), &one); err != nil {
		t.Fatal(err)
	}
	if err := schema["service"].Validate(one); err != nil {
		t.Errorf("a service: %v", err)
	}
}

// Under /api/ even a mistyped address or a bad language is answered in JSON.
func TestHSDSErrorsAreJSON(t *testing.T) {
	h := editServer(t).Router
	for _, target := range []string{"/api/hsds/nothing-here", "/api/hsds/services?lang=xx", "/api/other"} {
		r := get(t, h, "GET", target)
		if r.Code/100 != 4 || !strings.HasPrefix(r.Header().Get("Content-Type"), "application/json") || !strings.HasPrefix(r.body, `{"status":4`) {
			t.Errorf("%s: %d %q %.200s", target, r.Code, r.Header().Get("Content-Type"), r.body)
		}
	}
}
