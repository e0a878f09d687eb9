package hsds

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
)

// starterHSDS returns the starter directory: the gazetteer, the service types, the full
// organisations (with their confidential addresses) and the public directory.
func starterHSDS(t testing.TB) (*portal.Gazetteer, []portal.TaxonomyTerm, []*portal.DirectoryOrg, *portal.Directory) {
	t.Helper()
	g, terms, orgs, err := directory.LoadStarter()
	if err != nil {
		t.Fatalf("starter directory: %v", err)
	}
	var public []*portal.DirectoryOrg
	for i, o := range orgs {
		p, _ := o.Public()
		// Give the services a modification time, as the store does.
		for j := range p.Services {
			p.Services[j].Modified = time.Date(2026, 11, 1, 10, 30, i, j*1e6, time.UTC)
		}
		public = append(public, p)
	}
	return g, terms, orgs, portal.NewDirectory(public, "test")
}

// exportHSDS returns the files of the HSDS export of d.
func exportHSDS(t testing.TB, d *portal.Directory, terms []portal.TaxonomyTerm, g *portal.Gazetteer) map[string][]byte {
	t.Helper()
	files, _, err := Files(d, terms, g)
	if err != nil {
		t.Fatalf("Files: %v", err)
	}
	return files
}

func mapFS(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func TestHSDSID(t *testing.T) {
	// The value Python's uuid.uuid5 gives for the same namespace and name.
	if got, want := ID("service", "ub-safe-house-shelter"), "adf36f38-f848-5520-a3ad-a59d8c44bad4"; got != want {
		t.Errorf("ID = %s, want %s", got, want)
	}
	if got := ID("service", "3F7B145D-84AF-42D7-8FAE-EACA714B02B2"); got != "3f7b145d-84af-42d7-8fae-eaca714b02b2" {
		t.Errorf("a UUID id became %s", got)
	}
	if ID("service", "x") == ID("location", "x") {
		t.Error("a service and a location with the same slug share an HSDS id")
	}
}

// schemaBase is where the test puts the HSDS schemas; the files refer to each other by
// relative name.
const schemaBase = "https://hsds.test/"

// hsdsSchemas compiles the HSDS object schemas of testdata/hsds-schema (copies of the
// official ones, see SOURCE.md), by file name, with formats asserted. strict sets
// additionalProperties: false on every object, as upstream CI does for its examples, so a
// property HSDS lacks (a typo) fails.
func hsdsSchemas(t *testing.T, strict bool) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	names, err := filepath.Glob("testdata/hsds-schema/*.json")
	if err != nil || len(names) < 15 {
		t.Fatalf("schemas: %v, %d files", err, len(names))
	}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strict {
			closeObjects(doc)
		}
		if err := c.AddResource(schemaBase+filepath.Base(name), doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{"service.json", "organization.json", "taxonomy_term.json", "taxonomy.json"} {
		s, err := c.Compile(schemaBase + name)
		if err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

// closeObjects sets additionalProperties: false on every schema with properties.
func closeObjects(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["properties"]; ok {
			v["additionalProperties"] = false
		}
		for _, x := range v {
			closeObjects(x)
		}
	case []any:
		for _, x := range v {
			closeObjects(x)
		}
	}
}

// validateJSONArray validates every element of the JSON array data with s.
func validateJSONArray(t *testing.T, name string, data []byte, s *jsonschema.Schema) int {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	items, ok := doc.([]any)
	if !ok || len(items) == 0 {
		t.Fatalf("%s is not a non-empty array", name)
	}
	for i, item := range items {
		if err := s.Validate(item); err != nil {
			t.Errorf("%s[%d] (%v): %v", name, i, item.(map[string]any)["id"], err)
		}
	}
	return len(items)
}

func TestHSDSExportValidatesAgainstSchemas(t *testing.T) {
	g, terms, _, d := starterHSDS(t)
	files := exportHSDS(t, d, terms, g)
	for _, strict := range []bool{false, true} {
		schemas := hsdsSchemas(t, strict)
		for _, lang := range portal.Languages {
			dir := string(lang) + "/"
			if n := validateJSONArray(t, dir+"services.json", files[dir+"services.json"], schemas["service.json"]); n != 47 {
				t.Errorf("%sservices.json has %d services, want 47", dir, n)
			}
			if n := validateJSONArray(t, dir+"organizations.json", files[dir+"organizations.json"], schemas["organization.json"]); n != 22 {
				t.Errorf("%sorganizations.json has %d organisations, want 22", dir, n)
			}
			validateJSONArray(t, dir+"taxonomy_terms.json", files[dir+"taxonomy_terms.json"], schemas["taxonomy_term.json"])
		}
	}
}

// TestHSDSExportCSV checks the CSV tables against the data package: headers, required
// fields, enums, formats, unique primary keys and foreign keys that resolve; and that the
// datapackage.json lists exactly the tables written.
func TestHSDSExportCSV(t *testing.T) {
	g, terms, _, d := starterHSDS(t)
	files := exportHSDS(t, d, terms, g)
	for _, lang := range portal.Languages {
		t.Run(string(lang), func(t *testing.T) {
			checkDataPackage(t, files, string(lang))
		})
	}
	// The same ids in both languages, and the JSON and the CSV agree.
	for _, table := range []string{"organizations", "services", "locations", "phones", "schedules", "attributes"} {
		mn, en := column(t, files["mn/"+table+".csv"], "id"), column(t, files["en/"+table+".csv"], "id")
		if !reflect.DeepEqual(mn, en) || len(mn) == 0 {
			t.Errorf("%s.csv: the ids differ between mn and en", table)
		}
	}
	var services []Service
	if err := json.Unmarshal(files["en/services.json"], &services); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range services {
		ids = append(ids, s.ID)
	}
	if got := column(t, files["en/services.csv"], "id"); !reflect.DeepEqual(got, ids) {
		t.Error("services.csv and services.json list different services")
	}
}

// column returns one column of a CSV file.
func column(t *testing.T, data []byte, name string) []string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	i := indexOf(rows[0], name)
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}

// checkDataPackage is a small Frictionless validator for the subset HSDS uses.
func checkDataPackage(t *testing.T, files map[string][]byte, dir string) {
	t.Helper()
	var pkg struct {
		Profile   string
		Resources []dpResource
	}
	if err := json.Unmarshal(files[dir+"/datapackage.json"], &pkg); err != nil {
		t.Fatalf("datapackage.json: %v", err)
	}
	if pkg.Profile != "tabular-data-package" {
		t.Errorf("profile %q", pkg.Profile)
	}
	listed := map[string]bool{}
	ids := map[string]map[string]bool{} // resource → ids
	tables := map[string][]map[string]string{}
	for _, res := range pkg.Resources {
		listed[res.Path] = true
		data, ok := files[dir+"/"+res.Path]
		if !ok {
			t.Errorf("datapackage.json lists %s, which was not written", res.Path)
			continue
		}
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Errorf("%s: %v", res.Path, err)
			continue
		}
		var want []string
		for _, f := range res.Schema.Fields {
			want = append(want, f.Name)
		}
		if !reflect.DeepEqual(rows[0], want) {
			t.Errorf("%s: header %v, want %v", res.Path, rows[0], want)
			continue
		}
		ids[res.Name] = map[string]bool{}
		for n, rec := range rows[1:] {
			row := map[string]string{}
			for i, f := range res.Schema.Fields {
				row[f.Name] = rec[i]
				if msg := checkCell(res.Name, f, rec[i]); msg != "" {
					t.Errorf("%s line %d, %s: %s", res.Path, n+2, f.Name, msg)
				}
			}
			if ids[res.Name][row["id"]] {
				t.Errorf("%s line %d: id %s is not unique", res.Path, n+2, row["id"])
			}
			ids[res.Name][row["id"]] = true
			tables[res.Name] = append(tables[res.Name], row)
		}
	}
	for name := range files {
		if strings.HasPrefix(name, dir+"/") && strings.HasSuffix(name, ".csv") && !listed[strings.TrimPrefix(name, dir+"/")] {
			t.Errorf("%s was written but datapackage.json does not list it", name)
		}
	}
	for _, res := range pkg.Resources {
		for _, fk := range res.Schema.ForeignKeys {
			if ids[fk.Reference.Resource] == nil {
				t.Errorf("%s: foreign key %s names %s, which datapackage.json does not list", res.Path, fk.Fields, fk.Reference.Resource)
			}
			for n, row := range tables[res.Name] {
				if v := row[fk.Fields]; v != "" && !ids[fk.Reference.Resource][v] {
					t.Errorf("%s line %d: %s %s names no %s", res.Path, n+2, fk.Fields, v, fk.Reference.Resource)
				}
			}
		}
	}
	for _, want := range []string{"organization", "service", "location", "service_at_location", "address", "phone",
		"schedule", "language", "service_area", "taxonomy", "taxonomy_term", "attribute", "organization_identifier"} {
		if len(tables[want]) == 0 {
			t.Errorf("table %s has no rows", want)
		}
	}
	// Every attribute links a row of the table it names.
	for n, a := range tables["attribute"] {
		if !ids[a["link_entity"]][a["link_id"]] {
			t.Errorf("attributes.csv line %d: link_id %s names no %s", n+2, a["link_id"], a["link_entity"])
		}
	}
}

var (
	timeCell     = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-][0-9]{2}:[0-9]{2})?$`)
	dateTimeCell = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)
)

// knownGaps are the required fields the export may leave empty, by table.field: the
// gazetteer has no postal codes, and an organisation may have no description.
var knownGaps = map[string]bool{"address.postal_code": true, "organization.description": true}

// checkCell checks one value against its field, as Frictionless would.
func checkCell(table string, f dpField, v string) string {
	if v == "" {
		if f.Constraints.Required && !knownGaps[table+"."+f.Name] {
			return "required, but empty"
		}
		return ""
	}
	if len(f.Constraints.Enum) > 0 && indexOf(f.Constraints.Enum, v) < 0 {
		return fmt.Sprintf("%q is not in the enum", v)
	}
	switch {
	case f.Format == "uuid" && !IsUUID(v):
		return fmt.Sprintf("%q is not a UUID", v)
	case f.Format == "email" && !strings.Contains(v, "@"):
		return fmt.Sprintf("%q is not an e-mail address", v)
	case f.Format == "uri" && !strings.Contains(v, "://"):
		return fmt.Sprintf("%q is not a URI", v)
	case f.Type == "date":
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return err.Error()
		}
	case f.Type == "datetime" && !dateTimeCell.MatchString(v):
		return fmt.Sprintf("%q is not a datetime", v)
	case f.Type == "time" && !timeCell.MatchString(v):
		return fmt.Sprintf("%q is not a time", v)
	case f.Type == "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return err.Error()
		}
	}
	return ""
}

func TestHSDSExportIsDeterministic(t *testing.T) {
	g, terms, _, d := starterHSDS(t)
	dir1, dir2 := t.TempDir(), t.TempDir()
	sum, err := Export(d, terms, g, dir1)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Organisations != 22 || sum.Services != 47 || sum.Files != 2*19 {
		t.Errorf("summary %+v", sum)
	}
	// A directory built again from the same data, in another order, writes the same bytes.
	_, _, _, again := starterHSDS(t)
	orgs := append([]*portal.DirectoryOrg(nil), again.Orgs...)
	sort.Slice(orgs, func(i, j int) bool { return orgs[i].ID > orgs[j].ID })
	if _, err := Export(portal.NewDirectory(orgs, "again"), terms, g, dir2); err != nil {
		t.Fatal(err)
	}
	for name, data := range exportHSDS(t, d, terms, g) {
		a, err1 := os.ReadFile(filepath.Join(dir1, name))
		b, err2 := os.ReadFile(filepath.Join(dir2, name))
		if err1 != nil || err2 != nil || !bytes.Equal(a, data) || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two exports (%v, %v)", name, err1, err2)
		}
	}
}

// TestHSDSRoundTrip exports the public starter directory and imports it back.
func TestHSDSRoundTrip(t *testing.T) {
	g, terms, _, d := starterHSDS(t)
	files := exportHSDS(t, d, terms, g)
	got, err := Import(mapFS(files), ImportOptions{Gazetteer: g, Terms: terms, Existing: d})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if len(got) != len(d.Orgs) {
		t.Fatalf("%d organisations, want %d", len(got), len(d.Orgs))
	}
	for i, o := range got {
		if !reflect.DeepEqual(normal(o), normal(d.Orgs[i])) {
			t.Errorf("%s changed on the way:\n got %+v\nwant %+v", d.Orgs[i].ID, normal(o), normal(d.Orgs[i]))
		}
	}

	// Into an empty directory, organisations and locations keep their slugs (they carry
	// them); services get their UUIDs as ids.
	fresh, err := Import(mapFS(files), ImportOptions{Gazetteer: g, Terms: terms})
	if err != nil {
		t.Fatalf("import into an empty directory: %v", err)
	}
	o := fresh[indexOrg(fresh, "ub-safe-house")]
	if o.Locations[0].ID != "ub-safe-house-shelter" || o.Services[0].ID != ID("service", "ub-safe-house-shelter") ||
		o.Services[0].LocationIDs[0] != "ub-safe-house-shelter" || o.Group != portal.GroupCivilSociety {
		t.Errorf("fresh import: %s %s %v %s", o.Locations[0].ID, o.Services[0].ID, o.Services[0].LocationIDs, o.Group)
	}

	// One language only: the other language's texts are empty.
	mnOnly := map[string][]byte{}
	for name, data := range files {
		if strings.HasPrefix(name, "mn/") {
			mnOnly[name] = data
		}
	}
	only, err := Import(mapFS(mnOnly), ImportOptions{Gazetteer: g, Terms: terms, Existing: d})
	if err != nil {
		t.Fatalf("import of mn only: %v", err)
	}
	s, want := only[0].Services[0], d.Orgs[0].Services[0]
	if s.Name.MN != want.Name.MN || s.Name.EN != "" || s.Phones[0].Description.EN != "" || s.Phones[0].Number != want.Phones[0].Number {
		t.Errorf("mn only: %+v", s)
	}
}

func indexOrg(orgs []*portal.DirectoryOrg, id string) int {
	for i, o := range orgs {
		if o.ID == id {
			return i
		}
	}
	panic("no organisation " + id)
}

// normal returns o with what HSDS does not carry set aside, and times in one zone, for
// comparing.
func normal(o *portal.DirectoryOrg) *portal.DirectoryOrg {
	c := o.Clone()
	c.Modified = time.Time{}
	for i := range c.Services {
		s := &c.Services[i]
		s.OrgID = o.ID
		s.AssuredDate = s.AssuredDate.In(time.UTC)
		s.Modified = s.Modified.In(time.UTC)
		if len(s.Hours) == 0 {
			s.Hours = nil
		}
	}
	return c
}

// TestHSDSConfidential exports the full starter directory, confidential addresses and all,
// as if the caller had forgotten to make it public: no confidential address or coordinate
// appears in any file, and the public contact point does.
func TestHSDSConfidential(t *testing.T) {
	g, terms, full, _ := starterHSDS(t)
	files := exportHSDS(t, portal.NewDirectory(full, "full"), terms, g)
	var all bytes.Buffer
	for _, data := range files {
		all.Write(data)
	}
	public := map[string]bool{} // coordinates of public locations, which may equal a hidden one
	for _, o := range full {
		for _, l := range o.Locations {
			if !l.Confidential && l.Latitude != nil {
				public[fmtFloat(*l.Latitude)], public[fmtFloat(*l.Longitude)] = true, true
			}
		}
	}
	n := 0
	for _, o := range full {
		for _, l := range o.Locations {
			if !l.Confidential {
				continue
			}
			n++
			for _, s := range []string{l.Address.MN, l.Address.EN} {
				if s != "" && bytes.Contains(all.Bytes(), []byte(s)) {
					t.Errorf("%s: the confidential address %q is in the export", l.ID, s)
				}
			}
			if l.Latitude != nil {
				for _, c := range []string{fmtFloat(*l.Latitude), fmtFloat(*l.Longitude)} {
					// As a whole number: 43.19 must not match 43.197.
					whole := regexp.MustCompile(`(^|[^0-9.])` + regexp.QuoteMeta(c) + `([^0-9]|$)`)
					if !public[c] && whole.Match(all.Bytes()) {
						t.Errorf("%s: the confidential coordinate %s is in the export", l.ID, c)
					}
				}
			}
			id := ID("location", l.ID)
			for _, lang := range portal.Languages {
				row := csvRow(t, files[string(lang)+"/locations.csv"], id)
				if row["latitude"] != "" || row["longitude"] != "" || row["description"] != l.PublicContact.In(lang) {
					t.Errorf("%s/%s: %v", lang, l.ID, row)
				}
				if csvRow(t, files[string(lang)+"/addresses.csv"], ID("address", ID("location", l.ID))) != nil {
					t.Errorf("%s/%s: the confidential location has an address row", lang, l.ID)
				}
			}
		}
	}
	if n < 6 {
		t.Errorf("%d confidential locations checked", n)
	}
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// csvRow returns the row of a CSV file with id, or nil.
func csvRow(t *testing.T, data []byte, id string) map[string]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		if r[0] == id {
			row := map[string]string{}
			for i, h := range rows[0] {
				row[h] = r[i]
			}
			return row
		}
	}
	return nil
}

// editCSV changes the first row of file for which match holds: set a field, or, with field
// "", append a copy of the row with a new id. It returns the CSV line of the row edited or
// added.
func editCSV(t *testing.T, files map[string][]byte, file string, match func(map[string]string) bool, field, value string) int {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(files[file])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	line := 0
	for n, r := range rows[1:] {
		row := map[string]string{}
		for i, h := range rows[0] {
			row[h] = r[i]
		}
		if !match(row) {
			continue
		}
		if field == "" {
			c := append([]string(nil), r...)
			c[0] = value
			rows = append(rows, c)
			line = len(rows)
		} else {
			r[indexOf(rows[0], field)] = value
			line = n + 2
		}
		break
	}
	if line == 0 {
		t.Fatalf("%s: no row matches", file)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(rows)
	files[file] = buf.Bytes()
	return line
}

func anyRow(map[string]string) bool { return true }

func has(field, value string) func(map[string]string) bool {
	return func(r map[string]string) bool { return r[field] == value }
}

func TestHSDSImportReportsProblems(t *testing.T) {
	g, terms, _, d := starterHSDS(t)
	shelter := ID("service", "ub-safe-house-shelter")
	tests := []struct {
		name string
		// change breaks the files and returns the keys file:line:field of the problems
		// wanted.
		change func(t *testing.T, f map[string][]byte) []string
	}{
		{"unknown taxonomy term", func(t *testing.T, f map[string][]byte) []string {
			editCSV(t, f, "mn/taxonomy_terms.csv", has("code", "shelter"), "code", "no-such-type")
			line := editCSV(t, f, "mn/attributes.csv", has("taxonomy_term_id", ID("taxonomy_term", "shelter")), "value", "")
			return []string{fmt.Sprintf("mn/attributes.csv:%d:taxonomy_term_id", line)}
		}},
		{"unknown aimag", func(t *testing.T, f map[string][]byte) []string {
			line := editCSV(t, f, "en/service_areas.csv", anyRow, "uri", placeURN+"gobi-altai")
			return []string{fmt.Sprintf("en/service_areas.csv:%d:uri", line)}
		}},
		{"unknown soum", func(t *testing.T, f map[string][]byte) []string {
			line := editCSV(t, f, "mn/attributes.csv", has("value", "umnugovi/khanbogd"), "value", "umnugovi/no-such-soum")
			return []string{fmt.Sprintf("mn/attributes.csv:%d:value", line)}
		}},
		{"bad phone, e-mail and website, all reported", func(t *testing.T, f map[string][]byte) []string {
			l1 := editCSV(t, f, "mn/phones.csv", anyRow, "number", "12345")
			l2 := editCSV(t, f, "mn/organizations.csv", anyRow, "email", "not-an-address")
			l3 := editCSV(t, f, "mn/organizations.csv", has("id", ID("organization", "ub-safe-house")), "website", "ftp://safe-house.example.mn")
			return []string{fmt.Sprintf("mn/phones.csv:%d:number", l1), fmt.Sprintf("mn/organizations.csv:%d:email", l2),
				fmt.Sprintf("mn/organizations.csv:%d:website", l3)}
		}},
		{"coordinates outside Mongolia", func(t *testing.T, f map[string][]byte) []string {
			line := editCSV(t, f, "mn/locations.csv", func(r map[string]string) bool { return r["latitude"] != "" }, "latitude", "10.5")
			return []string{fmt.Sprintf("mn/locations.csv:%d:latitude", line)}
		}},
		{"overlapping hours", func(t *testing.T, f map[string][]byte) []string {
			reint := ID("service", "ub-safe-house-reintegration")
			line := editCSV(t, f, "mn/schedules.csv", has("service_id", reint), "", "00000000-0000-4000-8000-000000000001")
			return []string{fmt.Sprintf("mn/schedules.csv:%d:opens_at", line)}
		}},
		{"times in another time zone", func(t *testing.T, f map[string][]byte) []string {
			line := editCSV(t, f, "en/schedules.csv", anyRow, "opens_at", "09:00:00-05:00")
			return []string{fmt.Sprintf("en/schedules.csv:%d:opens_at", line)}
		}},
		{"service of a missing organization", func(t *testing.T, f map[string][]byte) []string {
			line := editCSV(t, f, "mn/services.csv", has("id", shelter), "organization_id", "00000000-0000-4000-8000-000000000002")
			return []string{fmt.Sprintf("mn/services.csv:%d:organization_id", line)}
		}},
		{"duplicate id", func(t *testing.T, f map[string][]byte) []string {
			first := csvRow(t, f["mn/organizations.csv"], ID("organization", "ub-safe-house"))
			line := editCSV(t, f, "mn/organizations.csv", has("id", first["id"]), "", first["id"])
			return []string{fmt.Sprintf("mn/organizations.csv:%d:id", line)}
		}},
		{"wrong header", func(t *testing.T, f map[string][]byte) []string {
			f["en/services.csv"] = bytes.Replace(f["en/services.csv"], []byte(",name,"), []byte(",nmae,"), 1)
			return []string{"en/services.csv:1:nmae"}
		}},
		{"missing required column", func(t *testing.T, f map[string][]byte) []string {
			f["mn/phones.csv"] = bytes.Replace(f["mn/phones.csv"], []byte(",number,"), []byte(",numbers,"), 1)
			return []string{"mn/phones.csv:1:number", "mn/phones.csv:1:numbers"}
		}},
		{"not a UUID", func(t *testing.T, f map[string][]byte) []string {
			line := editCSV(t, f, "en/languages.csv", anyRow, "id", "language-1")
			return []string{fmt.Sprintf("en/languages.csv:%d:id", line)}
		}},
		{"phone of a location", func(t *testing.T, f map[string][]byte) []string {
			loc := ID("location", "ub-safe-house-office")
			line := editCSV(t, f, "mn/phones.csv", anyRow, "location_id", loc)
			return []string{fmt.Sprintf("mn/phones.csv:%d:location_id", line)}
		}},
		{"malformed CSV", func(t *testing.T, f map[string][]byte) []string {
			f["en/organizations.csv"] = append(f["en/organizations.csv"], []byte("\"unterminated,x\n")...)
			return []string{fmt.Sprintf("en/organizations.csv:%d:", 24)}
		}},
		// What the forms refuse, all reported at once: a NUL, a terminal's escape, a line
		// end and a bidi control where one line is kept, a 100 KB description, invalid
		// UTF-8 in a confidential address, a control in a column the directory does not
		// keep.
		{"what the forms refuse", func(t *testing.T, f map[string][]byte) []string {
			org := ID("organization", "ub-safe-house")
			l1 := editCSV(t, f, "mn/organizations.csv", has("id", org), "name", "Хамгаалах\x00байр")
			l2 := editCSV(t, f, "en/services.csv", has("id", shelter), "description", "Shelter \x1b]0;owned\x07\x1b[2J")
			l3 := editCSV(t, f, "mn/services.csv", has("id", shelter), "description", strings.Repeat("тайлбар ", 100<<10/15))
			l4 := editCSV(t, f, "en/locations.csv", anyRow, "name", "Office \u202egnp.exe")
			l5 := editCSV(t, f, "en/services.csv", has("id", shelter), "name", "Shelter\nsecond line")
			l6 := editCSV(t, f, "mn/addresses.csv", anyRow, "address_1", "\xff")
			l7 := editCSV(t, f, "mn/phones.csv", anyRow, "description", "утас\u2066")
			l8 := editCSV(t, f, "en/organizations.csv", has("id", org), "alternate_name", "Safe\x00House")
			return []string{fmt.Sprintf("mn/organizations.csv:%d:name", l1), fmt.Sprintf("en/services.csv:%d:description", l2),
				fmt.Sprintf("mn/services.csv:%d:description", l3), fmt.Sprintf("en/locations.csv:%d:name", l4),
				fmt.Sprintf("en/services.csv:%d:name", l5), fmt.Sprintf("mn/addresses.csv:%d:address_1", l6),
				fmt.Sprintf("mn/phones.csv:%d:description", l7), fmt.Sprintf("en/organizations.csv:%d:alternate_name", l8)}
		}},
		{"no service name", func(t *testing.T, f map[string][]byte) []string {
			l1 := editCSV(t, f, "mn/services.csv", has("id", shelter), "name", "")
			l2 := editCSV(t, f, "en/services.csv", has("id", shelter), "name", "")
			return []string{fmt.Sprintf("mn/services.csv:%d:name", l1), fmt.Sprintf("en/services.csv:%d:name", l2)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := exportHSDS(t, d, terms, g)
			want := tt.change(t, files)
			orgs, err := Import(mapFS(files), ImportOptions{Gazetteer: g, Terms: terms, Existing: d})
			var e *portal.Error
			if !errors.As(err, &e) || e.Code != portal.EINVALID || orgs != nil {
				t.Fatalf("got %d organisations and %v, want none and EINVALID", len(orgs), err)
			}
			for _, key := range want {
				if _, ok := e.Fields[key]; !ok {
					t.Errorf("no problem at %s; problems:\n%s", key, e.Message)
				}
			}
		})
	}
	t.Run("a service moved from an organisation left out", func(t *testing.T) {
		o := d.Org("child-family-agency").Clone()
		moved, _ := d.Service("ub-safe-house-shelter")
		s := *moved.Clone()
		s.OrgID, s.LocationIDs = o.ID, []string{o.Locations[0].ID}
		o.Services = append(o.Services, s)
		files := exportHSDS(t, portal.NewDirectory([]*portal.DirectoryOrg{o}, "moved"), terms, g)
		_, err := Import(mapFS(files), ImportOptions{Gazetteer: g, Terms: terms, Existing: d})
		line := len(o.Services) + 1
		if e, ok := err.(*portal.Error); !ok || e.Fields[fmt.Sprintf("mn/services.csv:%d:organization_id", line)] == "" {
			t.Errorf("moved service: %v", err)
		}
	})
	t.Run("nothing there", func(t *testing.T) {
		_, err := Import(fstest.MapFS{}, ImportOptions{Gazetteer: g, Terms: terms})
		if portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "organizations.csv") {
			t.Errorf("empty folder: %v", err)
		}
	})
}

// TestHSDSEscaping sends hostile text through the export and the import: CSV quoting
// keeps commas, quotes and newlines (in a multi-line text: a name has none), and JSON
// escapes markup.
func TestHSDSEscaping(t *testing.T) {
	g, terms, _, d := starterHSDS(t)
	o := d.Org("ub-safe-house").Clone()
	hostile := "<script>alert(\"x\")</script>, a \"quoted\" name"
	o.Services[0].Name = portal.Text{MN: hostile + " мн", EN: hostile}
	o.Services[0].Description = portal.Text{MN: hostile + ",\nand a second line", EN: "line one\r\nline two"}
	o.Phones[0].Description = portal.Text{MN: "=cmd|' /C calc'!A0", EN: "=cmd|' /C calc'!A0"}
	dir := portal.NewDirectory([]*portal.DirectoryOrg{o}, "hostile")
	files := exportHSDS(t, dir, terms, g)
	if bytes.Contains(files["en/services.json"], []byte("<script>")) || !bytes.Contains(files["en/services.json"], []byte(`\u003cscript\u003e`)) {
		t.Error("services.json carries unescaped markup")
	}
	got, err := Import(mapFS(files), ImportOptions{Gazetteer: g, Terms: terms, Existing: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Services[0].Name != o.Services[0].Name {
		t.Errorf("name came back as %q", got[0].Services[0].Name)
	}
	// encoding/csv reads \r\n inside a quoted field as \n.
	if want := (portal.Text{MN: hostile + ",\nand a second line", EN: "line one\nline two"}); got[0].Services[0].Description != want {
		t.Errorf("description came back as %q", got[0].Services[0].Description)
	}
	if got[0].Phones[0].Description != o.Phones[0].Description {
		t.Errorf("phone description came back as %q", got[0].Phones[0].Description)
	}
}

// TestCSVInjectionDefused: no cell of the CSV export starts as a spreadsheet formula
// (OWASP's =, +, -, @, tab and carriage return): each such cell is quoted and starts with
// a single quote, read back with encoding/csv; plain numbers stay numbers; the import
// takes the quote away, so every value comes back as it was.
func TestCSVInjectionDefused(t *testing.T) {
	g, terms, _, d := starterHSDS(t)
	o := d.Org("ub-safe-house").Clone()
	s := &o.Services[0]
	s.Name = portal.Text{MN: `=HYPERLINK("http://evil.example","Тусламж")`, EN: "@SUM(1+1)*cmd|' /C calc'!A0"}
	s.Description = portal.Text{MN: "\tТабаар эхэлсэн тайлбар", EN: "-2+3+cmd|' /C notepad'!A1"}
	s.Eligibility = portal.Text{MN: "'=already quoted", EN: "''two quotes"}
	s.Fees = portal.Text{MN: "+1 for each visit", EN: "'plain quote"}
	o.Phones[0].Description = portal.Text{MN: "=1+1", EN: "-"}
	dir := portal.NewDirectory([]*portal.DirectoryOrg{o}, "hostile")
	files := exportHSDS(t, dir, terms, g)

	defused := 0
	for name, data := range files {
		if !strings.HasSuffix(name, ".csv") {
			continue
		}
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s does not parse: %v", name, err)
		}
		for n, row := range rows {
			for i, cell := range row {
				if cell == "" {
					continue
				}
				if strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !plainNumber.MatchString(cell) {
					t.Errorf("%s line %d, %s: %q starts as a formula", name, n+1, rows[0][i], cell)
				}
				if len(cell) > 1 && cell[0] == '\'' && strings.ContainsRune("=+-@\t\r'", rune(cell[1])) {
					defused++
					if !bytes.Contains(data, []byte(`"`+strings.ReplaceAll(cell, `"`, `""`)+`"`)) {
						t.Errorf("%s: the defused cell %q is not quoted", name, cell)
					}
				}
			}
		}
	}
	// The ten texts of the test, and the starter's phone numbers.
	if defused < 10 {
		t.Errorf("%d cells defused, want at least the 10 of the test", defused)
	}
	for _, l := range o.Locations {
		if row := csvRow(t, files["mn/locations.csv"], ID("location", l.ID)); strings.HasPrefix(row["latitude"], "'") {
			t.Errorf("a coordinate was defused: %q", row["latitude"])
		}
	}
	if !bytes.Contains(files["en/services.json"], []byte(`"@SUM(1+1)*cmd|' /C calc'!A0"`)) {
		t.Error("the JSON export is changed too: only CSV is opened in spreadsheets")
	}

	got, err := Import(mapFS(files), ImportOptions{Gazetteer: g, Terms: terms, Existing: dir})
	if err != nil {
		t.Fatal(err)
	}
	gs := got[0].Services[0]
	for _, f := range []struct {
		name      string
		got, want portal.Text
	}{{"name", gs.Name, s.Name}, {"description", gs.Description, s.Description}, {"eligibility", gs.Eligibility, s.Eligibility},
		{"fees", gs.Fees, s.Fees}, {"phone description", got[0].Phones[0].Description, o.Phones[0].Description}} {
		if f.got != f.want {
			t.Errorf("%s came back as %q, want %q", f.name, f.got, f.want)
		}
	}
	if got[0].Phones[0].Number != o.Phones[0].Number {
		t.Errorf("phone number came back as %q, want %q", got[0].Phones[0].Number, o.Phones[0].Number)
	}
}

func TestDefuseCell(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"", ""}, {"plain", "plain"}, {"=1+1", "'=1+1"}, {"+976 7011 0100", "'+976 7011 0100"}, {"-", "'-"},
		{"@cmd", "'@cmd"}, {"\tx", "'\tx"}, {"\rx", "'\rx"}, {"43.19", "43.19"}, {"-45.5", "-45.5"}, {"+8", "+8"},
		{"-1+1", "'-1+1"}, {"'=x", "''=x"}, {"''", "'''"}, {"'", "'"}, {"'abc", "'abc"}, {"Ханбогд", "Ханбогд"},
	} {
		out, changed := defuseCell(tc.in)
		if out != tc.out || changed != (tc.in != tc.out) {
			t.Errorf("defuseCell(%q) = %q, %v; want %q", tc.in, out, changed, tc.out)
		}
		if back := undefuseCell(out); back != tc.in {
			t.Errorf("undefuseCell(%q) = %q, want %q", out, back, tc.in)
		}
	}
}

// FuzzImport replaces one table of a valid export with arbitrary bytes: the import must
// not panic, and must either fail with EINVALID and no organisations, or return
// organisations that validate. Seeds are in testdata/fuzz/FuzzImport.
func FuzzImport(f *testing.F) {
	g, terms, _, d := starterHSDS(f)
	o := d.Org("ub-safe-house")
	small := portal.NewDirectory([]*portal.DirectoryOrg{o}, "small")
	base := exportHSDS(f, small, terms, g)
	var names []string
	for name := range base {
		if strings.HasSuffix(name, ".csv") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for i, name := range names {
		f.Add(uint8(i), base[name])
	}
	known := map[string]bool{}
	for _, t := range terms {
		known[t.ID] = true
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		files := map[string][]byte{}
		for name, b := range base {
			files[name] = b
		}
		name := names[int(which)%len(names)]
		files[name] = data
		orgs, err := Import(mapFS(files), ImportOptions{Gazetteer: g, Terms: terms, Existing: small})
		if err != nil {
			if portal.ErrorCode(err) != portal.EINVALID || orgs != nil {
				t.Fatalf("%s: %d organisations and %v", name, len(orgs), err)
			}
			return
		}
		for _, o := range orgs {
			if err := o.Validate(g, known); err != nil {
				t.Fatalf("%s: imported an invalid organisation: %v", path.Base(name), err)
			}
		}
	})
}
