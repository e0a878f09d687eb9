package hsds

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

// ImportOptions is what Import checks the data against.
type ImportOptions struct {
	// Gazetteer and Terms are the places and service types an entry may name.
	Gazetteer *portal.Gazetteer
	Terms     []portal.TaxonomyTerm
	// Existing is the directory the import goes into, or nil. An HSDS id that is the
	// UUIDv5 of one of its ids maps back to that id; a stakeholder group or a verifier's
	// account that HSDS does not carry is kept from it.
	Existing *portal.Directory
}

// Problem is one problem of an HSDS import, where it is.
type Problem struct {
	File    string // such as "mn/services.csv"
	Row     int    // the CSV line: 1 is the header, 0 the whole file
	Field   string // a column, or a path into the entry
	Message string
}

// String writes the problem for a person: "mn/services.csv row 3, name: ...".
func (p Problem) String() string {
	s := p.File
	if p.Row > 0 {
		s += " row " + strconv.Itoa(p.Row)
	}
	if p.Field != "" {
		s += ", " + p.Field
	}
	return s + ": " + p.Message
}

// Limits of an import, so a hostile or broken file cannot exhaust memory or the terminal.
const (
	maxHSDSProblems = 200
	maxHSDSFileSize = 64 << 20
)

// relaxedRequired are the fields HSDS requires that the portal may write empty: the
// gazetteer has no postal codes, and an organisation may have no description.
var relaxedRequired = map[string]bool{"address.postal_code": true, "organization.description": true}

// Import reads the HSDS CSV tables of fsys's mn/ and en/ folders (either may be
// missing: the other language's texts are then empty; the ids match across languages)
// and returns the organisations they describe, with their locations and services, each
// validated. Any problem in any file fails the whole import: the error is EINVALID and
// lists every problem (up to 200) by file, CSV line and field, and no organisation is
// returned. Storing the result is the caller's job.
//
// It reads what the export writes (hsds.go says how the portal maps onto HSDS) and the
// same tables from elsewhere, with columns in any order. What the directory cannot hold
// is a problem, not silently dropped: programs and contacts, phones, schedules and
// languages of locations, schedules that are not weekly, services that are not active.
// Only texts may differ between the two languages' files. Places are read from the
// portal-place attribute and the service areas' uri, else matched by name against the
// gazetteer.
func Import(fsys fs.FS, opt ImportOptions) ([]*portal.DirectoryOrg, error) {
	im := &hsdsImporter{fsys: fsys, opt: opt, tables: map[string]*hsdsTable{}, known: map[string]string{}}
	for _, name := range hsdsTables {
		im.tables[name] = &hsdsTable{res: hsdsResource(name), byID: map[string]*hsdsRecord{}}
	}
	found := false
	for _, lang := range portal.Languages {
		if info, err := fs.Stat(fsys, string(lang)); err == nil && info.IsDir() {
			found = true
			for _, name := range hsdsTables {
				im.read(lang, im.tables[name])
			}
		}
	}
	if !found {
		im.problem("mn/organizations.csv", 0, "", "no HSDS data: there is neither an mn nor an en folder")
	}
	im.checkKeys()
	orgs := im.build()
	if len(im.problems) > 0 {
		return nil, im.err()
	}
	return orgs, nil
}

// hsdsRow is one CSV row: its file, line and values by column.
type hsdsRow struct {
	file string
	line int
	vals map[string]string
}

// hsdsRecord is a row of a table in one or both languages, merged by id.
type hsdsRecord struct {
	id   string
	rows map[portal.Language]*hsdsRow
	main *hsdsRow // Mongolian when there is one: where the fields that are not texts come from
}

func (r *hsdsRecord) get(field string) string { return r.main.vals[field] }

// text returns a column in both languages.
func (r *hsdsRecord) text(field string) portal.Text {
	var t portal.Text
	if row := r.rows[portal.Mongolian]; row != nil {
		t.MN = row.vals[field]
	}
	if row := r.rows[portal.English]; row != nil {
		t.EN = row.vals[field]
	}
	return t
}

type hsdsTable struct {
	res   *dpResource
	byID  map[string]*hsdsRecord
	order []*hsdsRecord
}

type hsdsImporter struct {
	fsys     fs.FS
	opt      ImportOptions
	tables   map[string]*hsdsTable
	known    map[string]string // kind + " " + HSDS id → portal id
	problems []Problem
	dropped  int
}

func (im *hsdsImporter) problem(file string, row int, field, format string, args ...any) {
	if len(im.problems) >= maxHSDSProblems {
		im.dropped++
		return
	}
	im.problems = append(im.problems, Problem{file, row, field, fmt.Sprintf(format, args...)})
}

// at reports a problem with the record's row.
func (im *hsdsImporter) at(r *hsdsRecord, field, format string, args ...any) {
	im.problem(r.main.file, r.main.line, field, format, args...)
}

func (im *hsdsImporter) err() error {
	sort.SliceStable(im.problems, func(i, j int) bool {
		a, b := im.problems[i], im.problems[j]
		return a.File < b.File || a.File == b.File && a.Row < b.Row
	})
	var b strings.Builder
	n := len(im.problems) + im.dropped
	fmt.Fprintf(&b, "HSDS import: %d problem(s), nothing was imported:", n)
	fields := map[string]string{}
	for _, p := range im.problems {
		b.WriteString("\n  " + p.String())
		fields[p.File+":"+strconv.Itoa(p.Row)+":"+p.Field] = p.Message
	}
	if im.dropped > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", im.dropped)
	}
	return &portal.Error{Code: portal.EINVALID, Message: b.String(), Fields: fields}
}

// read reads lang's file of table t, if there is one, checking its header and every value
// against the table's fields.
func (im *hsdsImporter) read(lang portal.Language, t *hsdsTable) {
	file := string(lang) + "/" + t.res.Path
	data, err := readLimited(im.fsys, file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return
	case err != nil:
		im.problem(file, 0, "", "%v", err)
		return
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	header, err := r.Read()
	if err != nil {
		im.problem(file, 1, "", "no header: %v", csvMessage(err))
		return
	}
	if !im.checkHeader(file, t.res, header) {
		return
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			im.problem(file, line, "", "%s", csvMessage(err))
			return
		}
		line, _ := r.FieldPos(0)
		row := &hsdsRow{file: file, line: line, vals: make(map[string]string, len(header))}
		for i, name := range header {
			v := undefuseCell(rec[i]) // the quote an export puts before a formula
			im.checkText(row, t.res.Name+"."+name, v)
			row.vals[name] = im.checkValue(row, t.res, t.res.field(name), v)
		}
		im.add(lang, t, row)
	}
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxHSDSFileSize+1))
	if err == nil && len(data) > maxHSDSFileSize {
		err = fmt.Errorf("the file is larger than %d MB", maxHSDSFileSize>>20)
	}
	return data, err
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "not valid CSV: " + pe.Err.Error()
	}
	return err.Error()
}

// checkHeader checks that every column is a field of the table, once, and that the
// required fields are there. Columns may come in any order.
func (im *hsdsImporter) checkHeader(file string, res *dpResource, header []string) bool {
	ok := true
	seen := map[string]bool{}
	for _, h := range header {
		switch {
		case res.field(h) == nil:
			im.problem(file, 1, h, "unknown column: %s has no field %q", res.Path, h)
			ok = false
		case seen[h]:
			im.problem(file, 1, h, "the column appears twice")
			ok = false
		}
		seen[h] = true
	}
	for _, f := range res.Schema.Fields {
		if f.Constraints.Required && !seen[f.Name] && !relaxedRequired[res.Name+"."+f.Name] {
			im.problem(file, 1, f.Name, "the required column is missing")
			ok = false
		}
	}
	return ok
}

// checkValue checks a value against its field's type, format and constraints, reports
// what is wrong, and returns the value with UUIDs in lower case.
func (im *hsdsImporter) checkValue(row *hsdsRow, res *dpResource, f *dpField, v string) string {
	bad := func(format string, args ...any) string {
		im.problem(row.file, row.line, f.Name, format, args...)
		return v
	}
	if v == "" {
		if f.Constraints.Required && !relaxedRequired[res.Name+"."+f.Name] {
			return bad("a value is required")
		}
		return v
	}
	if len(f.Constraints.Enum) > 0 && !containsString(f.Constraints.Enum, v) {
		return bad("%q is not one of %s", v, strings.Join(f.Constraints.Enum, ", "))
	}
	switch {
	case f.Format == "uuid":
		if !IsUUID(v) {
			return bad("%q is not a UUID", v)
		}
		return strings.ToLower(v)
	case f.Format == "email":
		if portal.ValidEmail(v) != nil {
			return bad("%q is not an e-mail address", v)
		}
	case f.Format == "uri":
		if u, err := url.Parse(v); err != nil || u.Scheme == "" {
			return bad("%q is not an absolute URI", v)
		}
	case f.Type == "number":
		if n, err := strconv.ParseFloat(v, 64); err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return bad("%q is not a number", v)
		}
	case f.Type == "date":
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return bad("%q is not a date YYYY-MM-DD", v)
		}
	case f.Type == "datetime":
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return bad("%q is not a date and time (RFC 3339)", v)
		}
	case f.Type == "time":
		if _, msg := parseHSDSTime(v); msg != "" {
			return bad("%s", msg)
		}
	}
	return v
}

// keptTexts are the columns whose text the directory keeps, with the limit the forms
// set on the field each becomes, and whether that field is one line.
var keptTexts = map[string]struct {
	max     int
	oneLine bool
}{
	"organization.name":               {portal.MaxLineBytes, true},
	"organization.description":        {portal.MaxTextBytes, false},
	"organization.email":              {254, true},
	"organization.website":            {500, true},
	"service.name":                    {portal.MaxLineBytes, true},
	"service.description":             {portal.MaxTextBytes, false},
	"service.eligibility_description": {portal.MaxTextBytes, false},
	"service.application_process":     {portal.MaxTextBytes, false},
	"service.fees_description":        {portal.MaxTextBytes, false},
	"location.name":                   {portal.MaxLineBytes, true},
	"location.description":            {portal.MaxTextBytes, false},
	"address.address_1":               {portal.MaxTextBytes, false},
	"address.address_2":               {portal.MaxTextBytes, false},
	"phone.number":                    {portal.MaxLineBytes, true},
	"phone.description":               {portal.MaxLineBytes, true},
	"attribute.value":                 {portal.MaxLineBytes, true},
}

// checkText checks a value as the directory's forms check the field it becomes
// (portal.CheckText): its length, and no control characters (a NUL, a terminal's escape),
// nor line ends or bidirectional controls in a one-line field. A column the directory does
// not keep as text may hold neither control characters but line ends and tabs. The
// problem never repeats the value: it may be a confidential address.
func (im *hsdsImporter) checkText(row *hsdsRow, column, v string) {
	limit := keptTexts[column] // for other columns: no limit, line ends allowed
	_, field, _ := strings.Cut(column, ".")
	if err := portal.ValidText(field, v, limit.max, limit.oneLine); err != nil {
		im.problem(row.file, row.line, field, "%s", portal.ErrorMessage(err))
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// textFields are the fields whose values are in the dataset's language; every other field
// of a record must be the same in both languages.
var textFields = map[string]bool{
	"organization.name": true, "organization.alternate_name": true, "organization.description": true,
	"service.name": true, "service.alternate_name": true, "service.description": true, "service.interpretation_services": true,
	"service.application_process": true, "service.fees_description": true, "service.eligibility_description": true,
	"service.alert": true, "service.wait_time": true, "service.fees": true, "service.accreditations": true, "service.licenses": true,
	"location.name": true, "location.alternate_name": true, "location.description": true, "location.transportation": true,
	"address.attention": true, "address.address_1": true, "address.address_2": true, "address.city": true,
	"address.region": true, "address.state_province": true, "phone.description": true,
	"schedule.description": true, "schedule.notes": true, "schedule.attending_type": true,
	"language.name": true, "language.note": true, "service_area.name": true, "service_area.description": true,
	"taxonomy_term.name": true, "taxonomy_term.description": true, "taxonomy_term.language": true,
	"taxonomy.name": true, "taxonomy.description": true, "organization_identifier.identifier_type": true,
	"attribute.value": true, // who last verified a service: a body is named in each language
}

// add merges a row into its table by id.
func (im *hsdsImporter) add(lang portal.Language, t *hsdsTable, row *hsdsRow) {
	id := row.vals["id"]
	if !IsUUID(id) {
		return // reported
	}
	r := t.byID[id]
	if r == nil {
		r = &hsdsRecord{id: id, rows: map[portal.Language]*hsdsRow{}, main: row}
		t.byID[id] = r
		t.order = append(t.order, r)
	}
	if prev := r.rows[lang]; prev != nil {
		im.problem(row.file, row.line, "id", "id %s is used by row %d already", id, prev.line)
		return
	}
	for _, f := range t.res.Schema.Fields {
		if other := r.main; other != row && !textFields[t.res.Name+"."+f.Name] && other.vals[f.Name] != row.vals[f.Name] {
			im.problem(row.file, row.line, f.Name, "%q differs from %q in %s row %d: only texts may differ between the languages",
				row.vals[f.Name], other.vals[f.Name], other.file, other.line)
		}
	}
	r.rows[lang] = row
	if lang == portal.Mongolian {
		r.main = row
	}
}

// checkKeys checks the foreign keys of every table: each id names a row of its table.
func (im *hsdsImporter) checkKeys() {
	for _, name := range hsdsTables {
		t := im.tables[name]
		for _, fk := range t.res.Schema.ForeignKeys {
			ref := im.tables[fk.Reference.Resource]
			for _, r := range t.order {
				v := r.get(fk.Fields)
				if v != "" && IsUUID(v) && (ref == nil || ref.byID[v] == nil) {
					refPath := fk.Reference.Resource
					if ref != nil {
						refPath = ref.res.Path
					}
					im.at(r, fk.Fields, "%s is in no row of %s", v, refPath)
				}
			}
		}
	}
	for _, name := range []string{"program", "contact"} {
		for _, r := range im.tables[name].order {
			im.at(r, "id", "the directory has no %ss: remove the rows of %s", name, im.tables[name].res.Path)
		}
	}
}

// hsdsTimePattern matches an HSDS time: HH:MM, optional seconds and fraction, optional
// UTC offset.
var hsdsTimePattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])(?::[0-5][0-9](?:\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$`)

// parseHSDSTime reads an opens_at or closes_at time in Mongolia's time zone as "HH:MM",
// dropping seconds, or says what is wrong with it.
func parseHSDSTime(s string) (string, string) {
	m := hsdsTimePattern.FindStringSubmatch(s)
	switch {
	case m == nil:
		return "", fmt.Sprintf("%q is not a time HH:MM:SS", s)
	case m[3] != "" && strings.ReplaceAll(m[3], ":", "") != "+0800":
		return "", fmt.Sprintf("%q: give times in Mongolia's time zone (+08:00)", s)
	}
	return m[1] + ":" + m[2], ""
}
