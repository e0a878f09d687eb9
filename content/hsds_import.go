package content

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

// HSDSImportOptions is what ImportHSDS checks the data against.
type HSDSImportOptions struct {
	// Gazetteer and Terms are the places and service types an entry may name.
	Gazetteer *portal.Gazetteer
	Terms     []portal.TaxonomyTerm
	// Existing is the directory the import goes into, or nil. An HSDS id that is the
	// UUIDv5 of one of its ids maps back to that id; a stakeholder group or a verifier's
	// account that HSDS does not carry is kept from it.
	Existing *portal.Directory
}

// HSDSProblem is one problem of an HSDS import, where it is.
type HSDSProblem struct {
	File    string // such as "mn/services.csv"
	Row     int    // the CSV line: 1 is the header, 0 the whole file
	Field   string // a column, or a path into the entry
	Message string
}

// String writes the problem for a person: "mn/services.csv row 3, name: ...".
func (p HSDSProblem) String() string {
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

// ImportHSDS reads the HSDS CSV tables of fsys's mn/ and en/ folders (either may be
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
func ImportHSDS(fsys fs.FS, opt HSDSImportOptions) ([]*portal.DirectoryOrg, error) {
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
	opt      HSDSImportOptions
	tables   map[string]*hsdsTable
	known    map[string]string // kind + " " + HSDS id → portal id
	problems []HSDSProblem
	dropped  int
}

func (im *hsdsImporter) problem(file string, row int, field, format string, args ...any) {
	if len(im.problems) >= maxHSDSProblems {
		im.dropped++
		return
	}
	im.problems = append(im.problems, HSDSProblem{file, row, field, fmt.Sprintf(format, args...)})
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
			row.vals[name] = im.checkValue(row, t.res, t.res.field(name), rec[i])
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

// hsdsOrg is an organisation being built, with the records each part came from, to say
// where a validation problem is.
type hsdsOrg struct {
	org       *portal.DirectoryOrg
	problems  int // found while building it
	rec       *hsdsRecord
	phones    []*hsdsRecord
	locations []*hsdsRecord
	services  []*hsdsService
}

type hsdsService struct {
	rec                                      *hsdsRecord
	phones, hours, area, langs, types, sites []*hsdsRecord
}

// children groups the records of table by the value of their field parent.
func (im *hsdsImporter) children(table, parent string) map[string][]*hsdsRecord {
	out := map[string][]*hsdsRecord{}
	for _, r := range im.tables[table].order {
		if v := r.get(parent); v != "" {
			out[v] = append(out[v], r)
		}
	}
	return out
}

// hsdsIndex holds the records of the tables by the record they belong to.
type hsdsIndex struct {
	attrs, identifiers, locations, addresses, services       map[string][]*hsdsRecord
	orgPhones, svcPhones, schedules, areas, languages, sites map[string][]*hsdsRecord
	termCodes                                                map[string]string // taxonomy term id → code
}

// build turns the records into organisations.
func (im *hsdsImporter) build() []*portal.DirectoryOrg {
	ix := &hsdsIndex{attrs: im.children("attribute", "link_id"), identifiers: im.children("organization_identifier", "organization_id"),
		locations: im.children("location", "organization_id"), addresses: im.children("address", "location_id"),
		services: im.children("service", "organization_id"), orgPhones: map[string][]*hsdsRecord{},
		svcPhones: im.children("phone", "service_id"), schedules: im.children("schedule", "service_id"),
		areas: im.children("service_area", "service_id"), languages: im.children("language", "service_id"),
		sites: im.children("service_at_location", "service_id"), termCodes: map[string]string{}}
	for _, r := range im.tables["taxonomy_term"].order {
		ix.termCodes[r.id] = r.get("code")
	}
	im.unsupported()
	for _, r := range im.tables["phone"].order {
		if r.get("service_id") == "" && r.get("organization_id") != "" {
			ix.orgPhones[r.get("organization_id")] = append(ix.orgPhones[r.get("organization_id")], r)
		}
	}
	im.learnIDs(ix)
	terms := map[string]bool{}
	for _, t := range im.opt.Terms {
		terms[t.ID] = true
	}
	var built []*hsdsOrg
	for _, r := range im.tables["organization"].order {
		built = append(built, im.buildOrg(ix, r, terms))
	}
	im.checkMoves(built)
	var orgs []*portal.DirectoryOrg
	for _, b := range built {
		if b.problems == 0 {
			im.validate(b)
		}
		orgs = append(orgs, b.org)
	}
	return orgs
}

// checkMoves reports a service or location that the existing directory has under another
// organisation that the import leaves as it is: saving would list it twice.
func (im *hsdsImporter) checkMoves(built []*hsdsOrg) {
	d := im.opt.Existing
	if d == nil {
		return
	}
	imported := map[string]bool{}
	for _, b := range built {
		imported[b.org.ID] = true
	}
	elsewhere := func(owner *portal.DirectoryOrg, o *portal.DirectoryOrg) bool {
		return owner != nil && owner.ID != o.ID && !imported[owner.ID]
	}
	for _, b := range built {
		for i, s := range b.org.Services {
			if _, owner := d.Service(s.ID); elsewhere(owner, b.org) {
				im.at(b.services[i].rec, "organization_id", "the service belongs to %s in the directory: import that organisation too", owner.ID)
				b.problems++
			}
		}
		for i, l := range b.org.Locations {
			for _, owner := range d.Orgs {
				if owner.Location(l.ID) != nil && elsewhere(owner, b.org) {
					im.at(b.locations[i], "organization_id", "the location belongs to %s in the directory: import that organisation too", owner.ID)
					b.problems++
				}
			}
		}
	}
}

// unsupported reports the rows that belong to something the directory does not have:
// phones, schedules and languages of locations or contacts, and the like.
func (im *hsdsImporter) unsupported() {
	check := func(table, field, what string) {
		for _, r := range im.tables[table].order {
			if r.get(field) != "" {
				im.at(r, field, "%s are not imported: the directory has none", what)
			}
		}
	}
	check("phone", "location_id", "phones of locations")
	check("phone", "contact_id", "phones of contacts")
	check("phone", "service_at_location_id", "phones of a service at one location")
	check("schedule", "location_id", "opening hours of locations")
	check("schedule", "service_at_location_id", "opening hours of a service at one location")
	check("language", "location_id", "languages of locations")
	check("language", "phone_id", "languages of phones")
	for _, r := range im.tables["phone"].order {
		if r.get("service_id") == "" && r.get("organization_id") == "" && r.get("location_id") == "" &&
			r.get("contact_id") == "" && r.get("service_at_location_id") == "" {
			im.at(r, "service_id", "the phone belongs to nothing: give service_id or organization_id")
		}
	}
	for _, table := range []string{"schedule", "language", "service_area"} {
		for _, r := range im.tables[table].order {
			if r.get("service_id") == "" && r.get("location_id") == "" && r.get("service_at_location_id") == "" && r.get("phone_id") == "" {
				im.at(r, "service_id", "the row belongs to no service: give service_id")
			}
		}
	}
	linkable := map[string]bool{"organization": true, "service": true, "location": true, "phone": true}
	for _, r := range im.tables["attribute"].order {
		e, id := r.get("link_entity"), r.get("link_id")
		switch {
		case e == "":
		case !linkable[e]:
			im.at(r, "link_entity", "attributes of %q are not imported: link an organization, service, location or phone", e)
		case IsUUID(id) && im.tables[e].byID[id] == nil:
			im.at(r, "link_id", "%s is in no row of %s", id, im.tables[e].res.Path)
		}
	}
	for _, r := range im.tables["location"].order {
		if r.get("organization_id") == "" {
			im.at(r, "organization_id", "the location belongs to no organization: give organization_id")
		}
	}
}

// learnIDs maps HSDS ids back to the portal's: the ids of the existing directory, and the
// directory ids that organisations and locations carry, when the UUID is theirs.
func (im *hsdsImporter) learnIDs(ix *hsdsIndex) {
	if d := im.opt.Existing; d != nil {
		for _, o := range d.Orgs {
			im.known["organization "+HSDSID("organization", o.ID)] = o.ID
			for _, l := range o.Locations {
				im.known["location "+HSDSID("location", l.ID)] = l.ID
			}
			for _, s := range o.Services {
				im.known["service "+HSDSID("service", s.ID)] = s.ID
			}
		}
	}
	for orgID, recs := range ix.identifiers {
		for _, r := range recs {
			if id := r.get("identifier"); r.get("identifier_scheme") == PortalScheme && portal.ValidSlug(id) && HSDSID("organization", id) == orgID {
				im.known["organization "+orgID] = id
			}
		}
	}
	for _, r := range im.tables["location"].order {
		if id := r.get("external_identifier"); r.get("external_identifier_type") == PortalScheme && portal.ValidSlug(id) && HSDSID("location", id) == r.id {
			im.known["location "+r.id] = id
		}
	}
}

// portalID returns the portal id of the record of kind with HSDS id id.
func (im *hsdsImporter) portalID(kind, id string) string {
	if p, ok := im.known[kind+" "+id]; ok {
		return p
	}
	return id
}

// attrs returns the attributes linked to r, checking that their link_entity is entity, and
// reports every attribute whose term want does not accept.
func (im *hsdsImporter) attrs(ix *hsdsIndex, r *hsdsRecord, entity string, want func(a *hsdsRecord, code string) bool) {
	for _, a := range ix.attrs[r.id] {
		if e := a.get("link_entity"); e != entity {
			im.at(a, "link_entity", "%q: the linked record is a %s", e, entity)
			continue
		}
		code, ok := ix.termCodes[a.get("taxonomy_term_id")]
		if !ok {
			continue // reported by checkKeys
		}
		if !want(a, code) {
			im.at(a, "taxonomy_term_id", "unknown taxonomy term %q for a %s", code, entity)
		}
	}
}

func (im *hsdsImporter) buildOrg(ix *hsdsIndex, r *hsdsRecord, terms map[string]bool) *hsdsOrg {
	before := len(im.problems) + im.dropped
	o := &portal.DirectoryOrg{ID: im.portalID("organization", r.id), Name: r.text("name"), Description: r.text("description"),
		Email: r.get("email"), Website: r.get("website")}
	var existing *portal.DirectoryOrg
	if im.opt.Existing != nil {
		existing = im.opt.Existing.Org(o.ID)
	}
	if existing != nil {
		o.Group, o.Modified = existing.Group, existing.Modified
	}
	im.attrs(ix, r, "organization", func(a *hsdsRecord, code string) bool {
		switch code {
		case termGroup:
			o.Group = portal.StakeholderGroup(a.get("value"))
			if !o.Group.Valid() {
				im.at(a, "value", "unknown stakeholder group %q", a.get("value"))
			}
		case termExample:
			o.Example = true
		default:
			return false
		}
		return true
	})
	if o.Email != "" && portal.ValidEmail(o.Email) != nil {
		im.at(r, "email", "%s", portal.ErrorMessage(portal.ValidEmail(o.Email)))
	}
	if o.Website != "" && portal.ValidURL(o.Website) != nil {
		im.at(r, "website", "%s", portal.ErrorMessage(portal.ValidURL(o.Website)))
	}
	b := &hsdsOrg{org: o, rec: r}
	b.phones = ix.orgPhones[r.id]
	o.Phones = im.phones(ix, b.phones)
	b.locations = ix.locations[r.id]
	for _, l := range b.locations {
		o.Locations = append(o.Locations, im.location(ix, l))
	}
	for _, s := range ix.services[r.id] {
		sv, where := im.service(ix, s, b, terms, existing)
		o.Services = append(o.Services, sv)
		b.services = append(b.services, where)
	}
	b.problems = len(im.problems) + im.dropped - before
	return b
}

// phones builds phones, taking away the example mark the export adds to descriptions.
func (im *hsdsImporter) phones(ix *hsdsIndex, recs []*hsdsRecord) []portal.Phone {
	var out []portal.Phone
	for _, r := range recs {
		p := portal.Phone{Number: r.get("number"), Description: r.text("description")}
		im.attrs(ix, r, "phone", func(_ *hsdsRecord, code string) bool {
			p.Example = p.Example || code == termExample
			return code == termExample
		})
		if p.Example {
			p.Description.MN = strings.TrimSpace(strings.TrimSuffix(p.Description.MN, exampleMarks[portal.Mongolian]))
			p.Description.EN = strings.TrimSpace(strings.TrimSuffix(p.Description.EN, exampleMarks[portal.English]))
		}
		if err := portal.ValidPhone(p.Number); err != nil {
			im.at(r, "number", "%s", portal.ErrorMessage(err))
		}
		out = append(out, p)
	}
	return out
}

func (im *hsdsImporter) location(ix *hsdsIndex, r *hsdsRecord) portal.Location {
	l := portal.Location{ID: im.portalID("location", r.id), Name: r.text("name"), PublicContact: r.text("description")}
	place := ""
	im.attrs(ix, r, "location", func(a *hsdsRecord, code string) bool {
		switch code {
		case termPlace:
			place = a.get("value")
			l.Aimag, l.Soum, _ = strings.Cut(place, "/")
			im.checkPlace(a, "value", l.Aimag, l.Soum)
		case termConfidential:
			l.Confidential = true
		default:
			return false
		}
		return true
	})
	for i, a := range ix.addresses[r.id] {
		if i > 0 {
			im.at(a, "location_id", "the location has an address already: give one address per location")
			continue
		}
		l.Address = a.text("address_1")
		if extra := a.text("address_2"); !extra.Empty() {
			l.Address = portal.Text{MN: joinNonEmpty(l.Address.MN, extra.MN), EN: joinNonEmpty(l.Address.EN, extra.EN)}
		}
		if place == "" {
			l.Aimag, l.Soum = im.placeByName(a, a.get("state_province"), a.get("city"))
		}
	}
	if place == "" && len(ix.addresses[r.id]) == 0 {
		im.at(r, "id", "the location has no aimag: link a %s attribute or give an address", termPlace)
	}
	lat, lon := r.get("latitude"), r.get("longitude")
	switch {
	case (lat == "") != (lon == ""):
		im.at(r, "latitude", "give both latitude and longitude, or neither")
	case lat != "":
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		if err1 != nil || err2 != nil {
			break // reported
		}
		l.Latitude, l.Longitude = &la, &lo
		if g := im.opt.Gazetteer; g != nil && !g.InMongolia(la, lo) {
			if l.Confidential { // its coordinates are not to be repeated, even to the terminal
				im.at(r, "latitude", "the coordinates are outside Mongolia")
			} else {
				im.at(r, "latitude", "%g, %g is outside Mongolia", la, lo)
			}
		}
	}
	return l
}

func joinNonEmpty(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + ", " + b
}

// placeByName finds an aimag, and a soum in it, by name in either language, id or alias;
// a city that names the aimag itself means no soum.
func (im *hsdsImporter) placeByName(r *hsdsRecord, aimagName, soumName string) (string, string) {
	g := im.opt.Gazetteer
	if g == nil {
		im.at(r, "state_province", "no gazetteer to find %q in", aimagName)
		return "", ""
	}
	for _, a := range g.Aimags {
		if !placeNamed(a.ID, a.Name, a.Aliases, aimagName) {
			continue
		}
		if soumName == "" || placeNamed(a.ID, a.Name, a.Aliases, soumName) {
			return a.ID, ""
		}
		for _, s := range a.Soums {
			if placeNamed(s.ID, s.Name, s.Aliases, soumName) {
				return a.ID, s.ID
			}
		}
		im.at(r, "city", "%q is no soum or district of %s", soumName, aimagName)
		return a.ID, ""
	}
	im.at(r, "state_province", "%q is no aimag of the gazetteer", aimagName)
	return "", ""
}

func placeNamed(id string, name portal.Text, aliases []string, s string) bool {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, id) || strings.EqualFold(s, name.MN) || strings.EqualFold(s, name.EN) {
		return true
	}
	for _, a := range aliases {
		if strings.EqualFold(s, a) {
			return true
		}
	}
	return false
}

// checkPlace reports an aimag or soum the gazetteer does not have.
func (im *hsdsImporter) checkPlace(r *hsdsRecord, field, aimag, soum string) {
	g := im.opt.Gazetteer
	switch {
	case g == nil || aimag == "":
	case g.FindAimag(aimag) == nil:
		im.at(r, field, "unknown aimag %q", aimag)
	case soum != "" && g.FindSoum(aimag, soum) == nil:
		im.at(r, field, "unknown soum or district %q in %s", soum, aimag)
	}
}

func (im *hsdsImporter) service(ix *hsdsIndex, r *hsdsRecord, b *hsdsOrg, terms map[string]bool, existingOrg *portal.DirectoryOrg) (portal.Service, *hsdsService) {
	o := b.org
	w := &hsdsService{rec: r, phones: ix.svcPhones[r.id], hours: ix.schedules[r.id], area: ix.areas[r.id],
		langs: ix.languages[r.id], sites: ix.sites[r.id]}
	s := portal.Service{ID: im.portalID("service", r.id), OrgID: o.ID, Name: r.text("name"), Description: r.text("description"),
		Eligibility: r.text("eligibility_description"), ApplicationProcess: r.text("application_process"),
		Fees: r.text("fees_description")}
	if st := r.get("status"); st != "" && st != "active" {
		im.at(r, "status", "%q: the directory lists only active services", st)
	}
	if d := r.get("assured_date"); d != "" {
		s.AssuredDate, _ = time.ParseInLocation(time.DateOnly, d, portal.MongoliaTime)
	}
	if m := r.get("last_modified"); m != "" {
		s.Modified, _ = time.Parse(time.RFC3339, m)
	}
	im.attrs(ix, r, "service", func(a *hsdsRecord, code string) bool {
		switch {
		case terms[code]:
			s.Types = append(s.Types, code)
			w.types = append(w.types, a)
		case code == termFree:
			s.Free = true
		case code == termAssuredBy:
			s.AssuredBy = a.get("value")
		case code == termExample:
			s.Example = true
		default:
			return false
		}
		return true
	})
	if existingOrg != nil {
		for _, old := range existingOrg.Services {
			if old.ID == s.ID && old.AssuredBy == s.AssuredBy && old.AssuredDate.Equal(s.AssuredDate) {
				s.AssuredByID = old.AssuredByID
			}
		}
	}
	s.Phones = im.phones(ix, w.phones)
	s.Always, s.Hours = im.hours(w.hours)
	for _, a := range w.area {
		s.Area = append(s.Area, im.area(a))
	}
	for _, l := range w.langs {
		code := strings.ToLower(l.get("code"))
		if len(code) != 2 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz") != "" {
			im.at(l, "code", "%q is not a two-letter language code (ISO 639-1)", l.get("code"))
		}
		s.Languages = append(s.Languages, code)
	}
	for _, site := range w.sites {
		if owner := im.locationOrg(site.get("location_id")); owner != "" && owner != b.rec.id {
			im.at(site, "location_id", "the location belongs to another organization")
		}
		s.LocationIDs = append(s.LocationIDs, im.portalID("location", site.get("location_id")))
	}
	return s, w
}

// locationOrg returns the organization id of the location with id.
func (im *hsdsImporter) locationOrg(id string) string {
	if r := im.tables["location"].byID[id]; r != nil {
		return r.get("organization_id")
	}
	return ""
}

// hours reads a service's weekly schedules; one schedule of every day from 00:00 to 23:59
// means open 24 hours.
func (im *hsdsImporter) hours(recs []*hsdsRecord) (bool, []portal.Schedule) {
	var hours []portal.Schedule
	for _, r := range recs {
		for _, f := range []string{"count", "until", "byweekno", "bymonthday", "byyearday"} {
			if r.get(f) != "" {
				im.at(r, f, "not supported: give weekly opening hours (freq WEEKLY, byday, opens_at, closes_at)")
			}
		}
		if f := r.get("freq"); f != "" && f != "WEEKLY" {
			im.at(r, "freq", "%q is not supported: give weekly opening hours", f)
		}
		if n := r.get("interval"); n != "" && n != "1" {
			im.at(r, "interval", "%q is not supported: give weekly opening hours", n)
		}
		if tz := r.get("timezone"); tz != "" && tz != strconv.Itoa(mongoliaOffset) {
			im.at(r, "timezone", "%q: give times in Mongolia's time zone (8)", tz)
		}
		h := portal.Schedule{}
		h.Opens, _ = parseHSDSTime(r.get("opens_at"))
		h.Closes, _ = parseHSDSTime(r.get("closes_at"))
		if r.get("opens_at") == "" || r.get("closes_at") == "" {
			im.at(r, "opens_at", "give opens_at and closes_at")
		}
		for _, d := range strings.Split(r.get("byday"), ",") {
			day := strings.ToUpper(strings.TrimSpace(d))
			i := indexOf(rruleDays[:], day)
			if i < 0 {
				im.at(r, "byday", "%q is not a day: use MO, TU, WE, TH, FR, SA or SU", d)
				continue
			}
			h.Days = append(h.Days, time.Weekday(i))
		}
		hours = append(hours, h)
	}
	if len(hours) == 1 && len(hours[0].Days) == 7 && hours[0].Opens == "00:00" && hours[0].Closes == "23:59" {
		return true, nil
	}
	return false, hours
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// area reads a service area: the gazetteer ids in its uri, or else its name.
func (im *hsdsImporter) area(r *hsdsRecord) portal.Place {
	var p portal.Place
	if uri := r.get("uri"); uri != "" {
		rest, ok := strings.CutPrefix(uri, placeURN)
		parts := strings.Split(rest, ":")
		if !ok || len(parts) > 2 || parts[0] == "" {
			im.at(r, "uri", "%q: use %sAIMAG or %sAIMAG:SOUM", uri, placeURN, placeURN)
			return p
		}
		p.Aimag = parts[0]
		if len(parts) == 2 {
			p.Soum = parts[1]
		}
		im.checkPlace(r, "uri", p.Aimag, p.Soum)
		return p
	}
	name := r.get("name")
	soum, aimag, ok := strings.Cut(name, ",")
	if !ok {
		soum, aimag = "", name
	}
	p.Aimag, p.Soum = im.placeByName(r, aimag, soum)
	return p
}

// validate checks the organisation as the directory does and reports the problem at the
// row it comes from.
func (im *hsdsImporter) validate(b *hsdsOrg) {
	var terms map[string]bool
	if im.opt.Terms != nil {
		terms = map[string]bool{}
		for _, t := range im.opt.Terms {
			terms[t.ID] = true
		}
	}
	err := b.org.Validate(im.opt.Gazetteer, terms)
	var e *portal.Error
	if err == nil {
		return
	}
	if !errors.As(err, &e) || len(e.Fields) != 1 {
		im.at(b.rec, "", "%s", portal.ErrorMessage(err))
		return
	}
	for path, msg := range e.Fields {
		r, field := b.locate(path)
		im.at(r, field, "%s", msg)
	}
}

var pathPart = regexp.MustCompile(`^([a-z_]+)\[(\d+)\]$`)

// locate finds the record and column a validation path such as services[2].hours[0].closes
// comes from; a path it cannot place is reported on the organisation's row.
func (b *hsdsOrg) locate(path string) (*hsdsRecord, string) {
	parts := strings.Split(path, ".")
	pick := func(recs []*hsdsRecord, part string) (*hsdsRecord, bool) {
		m := pathPart.FindStringSubmatch(part)
		if m == nil {
			return nil, false
		}
		i, _ := strconv.Atoi(m[2])
		if i >= len(recs) {
			return nil, false
		}
		return recs[i], true
	}
	column := map[string]string{"public_contact": "description", "org": "organization_id", "eligibility": "eligibility_description",
		"fees": "fees_description", "opens": "opens_at", "closes": "closes_at", "days": "byday", "aimag": "attributes", "soum": "attributes", "hours": "schedules", "types": "attributes",
		"area": "service_areas", "group": "attributes"}
	// A whole element of a list (hours[1]) is reported at the column that says most of it.
	element := map[string]string{"hours": "opens_at", "phones": "number", "area": "uri", "languages": "code",
		"types": "taxonomy_term_id", "locations": "location_id"}
	last := parts[len(parts)-1]
	col := last
	if m := pathPart.FindStringSubmatch(last); m != nil {
		col = element[m[1]]
	} else if c, ok := column[last]; ok {
		col = c
	}
	if len(parts) == 1 {
		return b.rec, col
	}
	switch {
	case strings.HasPrefix(parts[0], "phones["):
		if r, ok := pick(b.phones, parts[0]); ok {
			return r, col
		}
	case strings.HasPrefix(parts[0], "locations["):
		if r, ok := pick(b.locations, parts[0]); ok {
			return r, col
		}
	case strings.HasPrefix(parts[0], "services["):
		m := pathPart.FindStringSubmatch(parts[0])
		i, _ := strconv.Atoi(m[2])
		if i >= len(b.services) {
			break
		}
		w := b.services[i]
		if len(parts) == 2 && !strings.Contains(parts[1], "[") {
			return w.rec, col
		}
		lists := map[string][]*hsdsRecord{"phones": w.phones, "hours": w.hours, "area": w.area, "languages": w.langs,
			"types": w.types, "locations": w.sites}
		name, _, _ := strings.Cut(parts[1], "[")
		if r, ok := pick(lists[name], parts[1]); ok {
			return r, col
		}
		return w.rec, path
	}
	return b.rec, path
}
