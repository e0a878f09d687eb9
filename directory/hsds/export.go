package hsds

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gobidialogue/portal"
)

// hsdsDataPackage is the HSDS 3.0 Tabular Data Package (hsds/SOURCE.md): the tables, their
// fields in order, and their keys.
//
//go:embed spec/datapackage.json
var hsdsDataPackage []byte

// dpField is a field of a table of the data package.
type dpField struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format"`
	Constraints struct {
		Required bool     `json:"required"`
		Unique   bool     `json:"unique"`
		Enum     []string `json:"enum"`
	} `json:"constraints"`
}

// dpForeignKey is a foreign key of a table: the field, and the table whose id it names.
type dpForeignKey struct {
	Fields    string `json:"fields"`
	Reference struct {
		Resource string `json:"resource"`
		Fields   string `json:"fields"`
	} `json:"reference"`
}

// dpResource is a table of the data package, with its JSON as published.
type dpResource struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Schema struct {
		PrimaryKey  string         `json:"primaryKey"`
		Fields      []dpField      `json:"fields"`
		ForeignKeys []dpForeignKey `json:"foreignKeys"`
	} `json:"schema"`
	raw json.RawMessage
}

// field returns the field called name, or nil.
func (r *dpResource) field(name string) *dpField {
	for i := range r.Schema.Fields {
		if r.Schema.Fields[i].Name == name {
			return &r.Schema.Fields[i]
		}
	}
	return nil
}

// hsdsResources returns the data package's tables in its order, parsed once.
var hsdsResources = sync.OnceValue(func() []*dpResource {
	var pkg struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(hsdsDataPackage, &pkg); err != nil {
		panic("hsds: embedded datapackage.json: " + err.Error())
	}
	out := make([]*dpResource, len(pkg.Resources))
	for i, raw := range pkg.Resources {
		r := &dpResource{raw: raw}
		if err := json.Unmarshal(raw, r); err != nil {
			panic("hsds: embedded datapackage.json: " + err.Error())
		}
		out[i] = r
	}
	return out
})

// hsdsResource returns the table called name; it panics on a name the package lacks, which
// is a mistake in this file.
func hsdsResource(name string) *dpResource {
	for _, r := range hsdsResources() {
		if r.Name == name {
			return r
		}
	}
	panic("content: HSDS has no table " + name)
}

// hsdsTables are the tables the export writes and the import reads. programs.csv and
// contacts.csv are written without rows: phones and services have foreign keys to them.
var hsdsTables = []string{"organization", "program", "service", "attribute", "service_at_location", "location",
	"phone", "contact", "address", "schedule", "service_area", "language", "taxonomy_term",
	"organization_identifier", "taxonomy"}

// Summary says what an HSDS export wrote.
type Summary struct {
	Languages     []portal.Language
	Organisations int
	Services      int
	Locations     int
	Files         int
}

// Export writes the directory as HSDS 3.0 to dir, one complete dataset per language in
// dir/mn and dir/en with the same ids: services.json (every service fully nested),
// organizations.json, taxonomy_terms.json, the CSV tables and a datapackage.json that
// lists them. d should be the public directory; a confidential location's address and
// coordinates are left out whatever d holds. Two exports of the same data are
// byte-identical.
func Export(d *portal.Directory, terms []portal.TaxonomyTerm, g *portal.Gazetteer, dir string) (*Summary, error) {
	files, sum, err := Files(d, terms, g)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, fmt.Errorf("content: hsds export: %w", err)
		}
		if err := os.WriteFile(full, files[name], 0o644); err != nil {
			return nil, fmt.Errorf("content: hsds export: %w", err)
		}
	}
	return sum, nil
}

// Files returns what Export writes, by slash-separated path under the export
// folder ("mn/services.csv").
func Files(d *portal.Directory, terms []portal.TaxonomyTerm, g *portal.Gazetteer) (map[string][]byte, *Summary, error) {
	files := map[string][]byte{}
	sum := &Summary{Languages: portal.Languages}
	for _, lang := range portal.Languages {
		ds, err := hsdsDataset(NewMapper(lang, g, terms), d)
		if err != nil {
			return nil, nil, err
		}
		for name, data := range ds.files {
			files[path.Join(string(lang), name)] = data
		}
		sum.Organisations, sum.Services, sum.Locations = ds.orgs, ds.services, ds.locations
	}
	sum.Files = len(files)
	return files, sum, nil
}

// dataset is the export in one language.
type dataset struct {
	files                     map[string][]byte
	tables                    map[string][]map[string]string
	seen                      map[string]bool // table + " " + id
	orgs, services, locations int
}

// add flattens v, an HSDS object, into a row of table: its one-to-one properties, by
// field name. A property the table lacks is an error; a row whose id is there already
// (a location's attributes met twice) is skipped.
func (ds *dataset) add(table string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("content: hsds %s: %w", table, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return fmt.Errorf("content: hsds %s: %w", table, err)
	}
	res := hsdsResource(table)
	row := map[string]string{}
	for k, x := range obj {
		var s string
		switch x := x.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		case bool:
			s = strconv.FormatBool(x)
		default:
			continue // nested objects and arrays are rows of other tables
		}
		if res.field(k) == nil {
			return fmt.Errorf("content: hsds: table %s has no field %q", table, k)
		}
		row[k] = s
	}
	key := table + " " + row["id"]
	if !ds.seen[key] {
		ds.seen[key] = true
		ds.tables[table] = append(ds.tables[table], row)
	}
	return nil
}

// hsdsDataset maps the whole directory in m's language.
func hsdsDataset(m *Mapper, d *portal.Directory) (*dataset, error) {
	ds := &dataset{files: map[string][]byte{}, tables: map[string][]map[string]string{}, seen: map[string]bool{}}
	var orgs []Organisation
	var services []Service
	var errs []error
	add := func(table string, v any) { errs = append(errs, ds.add(table, v)) }
	addAttrs := func(attrs []Attribute) {
		for _, a := range attrs {
			add("attribute", a)
		}
	}
	addPhones := func(phones []Phone) {
		for _, p := range phones {
			add("phone", p)
			addAttrs(p.Attributes)
		}
	}
	for _, o := range d.Orgs {
		org := m.Organisation(o)
		orgs = append(orgs, org)
		add("organization", org)
		for _, id := range org.OrganisationIdentifiers {
			add("organization_identifier", id)
		}
		addPhones(org.Phones)
		for _, l := range org.Locations {
			add("location", l)
			for _, a := range l.Addresses {
				add("address", a)
			}
			addAttrs(l.Attributes)
		}
		addAttrs(org.Attributes)
		ds.orgs++
		ds.locations += len(org.Locations)
		for i := range o.Services {
			svc := m.Service(o, &o.Services[i])
			services = append(services, svc)
			add("service", svc)
			addPhones(svc.Phones)
			for _, s := range svc.Schedules {
				add("schedule", s)
			}
			for _, a := range svc.ServiceAreas {
				add("service_area", a)
			}
			for _, l := range svc.Languages {
				add("language", l)
			}
			for _, sal := range svc.ServiceAtLocations {
				add("service_at_location", sal)
			}
			addAttrs(svc.Attributes)
			ds.services++
		}
	}
	terms := m.TaxonomyTerms()
	for _, t := range terms {
		add("taxonomy_term", t)
	}
	for _, t := range m.Taxonomies() {
		add("taxonomy", t)
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for name, v := range map[string]any{"services.json": services, "organizations.json": orgs, "taxonomy_terms.json": terms} {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("content: hsds %s: %w", name, err)
		}
		ds.files[name] = append(b, '\n')
	}
	for _, table := range hsdsTables {
		b, err := writeCSV(hsdsResource(table), ds.tables[table])
		if err != nil {
			return nil, err
		}
		ds.files[hsdsResource(table).Path] = b
	}
	b, err := dataPackage(m.Language())
	if err != nil {
		return nil, err
	}
	ds.files["datapackage.json"] = b
	return ds, nil
}

// writeCSV writes rows under a header of the table's fields in order; a field a row has
// not is empty. Every cell is defused for spreadsheets (defuseCell).
func writeCSV(res *dpResource, rows []map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	header := make([]string, len(res.Schema.Fields))
	for i, f := range res.Schema.Fields {
		header[i] = f.Name
	}
	writeCSVRecord(&buf, header)
	rec := make([]string, len(header))
	for _, row := range rows {
		for i, name := range header {
			rec[i] = row[name]
		}
		writeCSVRecord(&buf, rec)
	}
	return buf.Bytes(), nil
}

// writeCSVRecord writes one line of CSV (RFC 4180, as encoding/csv writes it, lines ending
// in \n), quoting a cell that holds a comma, a quote or a line end, that starts with white
// space, or that defuseCell changed.
func writeCSVRecord(buf *bytes.Buffer, rec []string) {
	for i, cell := range rec {
		if i > 0 {
			buf.WriteByte(',')
		}
		cell, defused := defuseCell(cell)
		first, _ := utf8.DecodeRuneInString(cell)
		if !defused && !strings.ContainsAny(cell, ",\"\r\n") && (cell == "" || !unicode.IsSpace(first)) && cell != `\.` {
			buf.WriteString(cell)
			continue
		}
		buf.WriteByte('"')
		buf.WriteString(strings.ReplaceAll(cell, `"`, `""`))
		buf.WriteByte('"')
	}
	buf.WriteByte('\n')
}

// formulaStart reports whether a spreadsheet reads a cell that starts with b as a formula
// (=, +, -, @) or may do so after dropping it (tab, carriage return): OWASP's list for CSV
// injection.
func formulaStart(b byte) bool {
	return b == '=' || b == '+' || b == '-' || b == '@' || b == '\t' || b == '\r'
}

// plainNumber matches a decimal number, which a spreadsheet reads as the number: nothing
// to defuse, and a coordinate stays a number.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// defuseCell makes a cell safe to open in a spreadsheet, as OWASP's guidance on CSV
// injection says: a cell that starts like a formula ("=cmd|' /C calc'!A0", "@SUM(...)", a
// phone number "+976 ...") gets a single quote in front, which spreadsheets show as text,
// and is quoted. A cell that starts with a quote followed by such a character, or another
// quote, gets one too, so that undefuseCell gives every cell back exactly. It reports
// whether it changed the cell.
func defuseCell(s string) (string, bool) {
	switch {
	case s == "":
		return s, false
	case formulaStart(s[0]) && !plainNumber.MatchString(s),
		s[0] == '\'' && len(s) > 1 && (formulaStart(s[1]) || s[1] == '\''):
		return "'" + s, true
	}
	return s, false
}

// undefuseCell takes away the quote that defuseCell put in front of a cell.
func undefuseCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && (formulaStart(s[1]) || s[1] == '\'') {
		return s[1:]
	}
	return s
}

var languageTitles = map[portal.Language]string{portal.Mongolian: "Mongolian", portal.English: "English"}

// dataPackage returns the datapackage.json of the export in lang: the HSDS tables the
// export writes, with their schemas as published.
func dataPackage(lang portal.Language) ([]byte, error) {
	type source struct {
		Title string `json:"title"`
		Path  string `json:"path"`
	}
	pkg := struct {
		Profile     string            `json:"profile"`
		Name        string            `json:"name"`
		Title       string            `json:"title"`
		Description string            `json:"description"`
		Sources     []source          `json:"sources"`
		Resources   []json.RawMessage `json:"resources"`
	}{
		Profile: "tabular-data-package",
		Name:    "gobi-dialogue-referral-directory-" + string(lang),
		Title:   "Gobi Dialogue Portal referral directory (" + languageTitles[lang] + ")",
		Description: "The referral directory of the Gobi Dialogue Portal as Open Referral HSDS 3.0, texts in " +
			languageTitles[lang] + ". The directory in the other language has the same ids. Entries marked " +
			"with the portal-example attribute are invented example data. The table schemas are those of " +
			"the Human Services Data Specification 3.0, an Open Referral resource (https://openreferral.org/), " +
			"licensed CC BY-SA 4.0.",
		Sources: []source{{Title: "Human Services Data Specification 3.0: an Open Referral resource", Path: "https://openreferral.org/"}},
	}
	written := map[string]bool{}
	for _, t := range hsdsTables {
		written[t] = true
	}
	for _, r := range hsdsResources() {
		if written[r.Name] {
			pkg.Resources = append(pkg.Resources, r.raw)
		}
	}
	b, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("content: hsds datapackage.json: %w", err)
	}
	return append(b, '\n'), nil
}
