package directory

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gobidialogue/portal"
)

// The YAML shapes of the directory's data files (starter/README.md).

type yText struct {
	MN string `yaml:"mn"`
	EN string `yaml:"en"`
}

func (t yText) text() portal.Text { return portal.Text{MN: t.MN, EN: t.EN} }

// yName is a name in both languages, {mn: ..., en: ...}, or one that is the same in both.
type yName struct{ yText }

// UnmarshalYAML implements yaml.Unmarshaler; checkKeys has already checked the shape.
func (t *yName) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		t.MN, t.EN = n.Value, n.Value
		return nil
	}
	return n.Decode(&t.yText)
}

type yPhone struct {
	Number      string `yaml:"number"`
	Description yText  `yaml:"description"`
	Example     bool   `yaml:"example"`
}

type ySchedule struct {
	Days   []string `yaml:"days"`
	Opens  string   `yaml:"opens"`
	Closes string   `yaml:"closes"`
}

// yHours is `hours: always` or a list of schedules.
type yHours struct {
	Always bool
	List   []ySchedule
}

// UnmarshalYAML implements yaml.Unmarshaler; checkKeys has already checked the shape.
func (h *yHours) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		h.Always = n.Value == "always"
		return nil
	}
	return n.Decode(&h.List)
}

type yPlace struct {
	Aimag string `yaml:"aimag"`
	Soum  string `yaml:"soum"`
}

type yLocation struct {
	ID            string   `yaml:"id"`
	Name          yText    `yaml:"name"`
	Confidential  bool     `yaml:"confidential"`
	Address       yText    `yaml:"address"`
	Aimag         string   `yaml:"aimag"`
	Soum          string   `yaml:"soum"`
	Latitude      *float64 `yaml:"latitude"`
	Longitude     *float64 `yaml:"longitude"`
	PublicContact yText    `yaml:"public_contact"`
}

type yService struct {
	ID                 string   `yaml:"id"`
	Name               yText    `yaml:"name"`
	Description        yText    `yaml:"description"`
	Types              []string `yaml:"types"`
	Eligibility        yText    `yaml:"eligibility"`
	ApplicationProcess yText    `yaml:"application_process"`
	Fees               yText    `yaml:"fees"`
	Free               bool     `yaml:"free"`
	Languages          []string `yaml:"languages"`
	Hours              yHours   `yaml:"hours"`
	Area               []yPlace `yaml:"area"`
	Locations          []string `yaml:"locations"`
	Phones             []yPhone `yaml:"phones"`
	AssuredDate        string   `yaml:"assured_date"`
	AssuredBy          yName    `yaml:"assured_by"`
	Example            bool     `yaml:"example"`
}

type yOrg struct {
	ID          string      `yaml:"id"`
	Example     bool        `yaml:"example"`
	Name        yText       `yaml:"name"`
	Description yText       `yaml:"description"`
	Group       string      `yaml:"group"`
	Email       string      `yaml:"email"`
	Website     string      `yaml:"website"`
	Phones      []yPhone    `yaml:"phones"`
	Locations   []yLocation `yaml:"locations"`
	Services    []yService  `yaml:"services"`
}

type yPlaceEntry struct {
	ID      string     `yaml:"id"`
	MN      string     `yaml:"mn"`
	EN      string     `yaml:"en"`
	Aliases []string   `yaml:"aliases"`
	Center  []*float64 `yaml:"center"`
}

type yAimag struct {
	yPlaceEntry `yaml:",inline"`
	Soums       []yPlaceEntry `yaml:"soums"`
	Districts   []yPlaceEntry `yaml:"districts"`
}

type yGazetteer struct {
	Bounds struct {
		MinLat float64 `yaml:"min_lat"`
		MaxLat float64 `yaml:"max_lat"`
		MinLon float64 `yaml:"min_lon"`
		MaxLon float64 `yaml:"max_lon"`
	} `yaml:"bounds"`
	Aimags []yAimag `yaml:"aimags"`
}

type yTerm struct {
	ID            string `yaml:"id"`
	MN            string `yaml:"mn"`
	EN            string `yaml:"en"`
	DescriptionMN string `yaml:"description_mn"`
	DescriptionEN string `yaml:"description_en"`
}

type yTaxonomy struct {
	Taxonomy struct {
		ID          string `yaml:"id"`
		Name        yText  `yaml:"name"`
		Description yText  `yaml:"description"`
	} `yaml:"taxonomy"`
	Terms []yTerm `yaml:"terms"`
}

// fileError is an EINVALID error naming the file, the field and, where known, the line.
func fileError(name, field string, line int, msg string) error {
	where := name
	if field != "" {
		where += ": " + field
	}
	if line > 0 {
		msg += fmt.Sprintf(" (line %d)", line)
	}
	return &portal.Error{Code: portal.EINVALID, Message: where + ": " + msg, Fields: map[string]string{field: msg}}
}

// decodeStrict decodes one YAML document into v after checking its shape against v's type:
// an unknown or repeated key, or a value of the wrong kind, is an error naming the file and
// the field. It returns the line of every field path, for later validation errors.
func decodeStrict(name string, data []byte, v any) (map[string]int, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fileError(name, "", 0, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return nil, fileError(name, "", 0, "the file is empty")
	}
	lines := map[string]int{}
	if err := checkKeys(doc.Content[0], reflect.TypeOf(v).Elem(), "", lines); err != nil {
		return nil, fileError(name, err.field, err.line, err.msg)
	}
	if err := doc.Content[0].Decode(v); err != nil {
		return nil, fileError(name, "", 0, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return lines, nil
}

type shapeError struct {
	field, msg string
	line       int
}

var (
	hoursType = reflect.TypeOf(yHours{})
	nameType  = reflect.TypeOf(yName{})
)

// checkKeys walks n against t, recording the line of each path in lines.
func checkKeys(n *yaml.Node, t reflect.Type, p string, lines map[string]int) *shapeError {
	lines[p] = n.Line
	if n.Kind == yaml.AliasNode {
		return &shapeError{p, "aliases are not allowed", n.Line}
	}
	if t == nameType {
		if n.Kind == yaml.ScalarNode {
			return nil
		}
		t = reflect.TypeOf(yText{})
	}
	if t == hoursType {
		if n.Kind == yaml.ScalarNode {
			if n.Value != "always" {
				return &shapeError{p, fmt.Sprintf("%q: use always or a list of hours", n.Value), n.Line}
			}
			return nil
		}
		t = reflect.TypeOf([]ySchedule{})
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return &shapeError{p, "must be a mapping of key: value", n.Line}
		}
		fields := map[string]reflect.Type{}
		collectFields(t, fields)
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kp := join(p, k.Value)
			ft, ok := fields[k.Value]
			switch {
			case !ok:
				return &shapeError{kp, fmt.Sprintf("unknown key %q", k.Value), k.Line}
			case seen[k.Value]:
				return &shapeError{kp, "the key appears twice", k.Line}
			}
			seen[k.Value] = true
			if err := checkKeys(v, ft, kp, lines); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return &shapeError{p, "must be a list", n.Line}
		}
		for i, c := range n.Content {
			if err := checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", p, i), lines); err != nil {
				return err
			}
		}
	default:
		if n.Kind != yaml.ScalarNode {
			return &shapeError{p, "must be a single value", n.Line}
		}
		if n.Tag == "!!null" {
			return nil
		}
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			return &shapeError{p, fmt.Sprintf("%q is not a %s", n.Value, kindName(t)), n.Line}
		}
	}
	return nil
}

// collectFields maps the YAML keys of struct t to their types, following inline fields.
func collectFields(t reflect.Type, fields map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == ",inline" {
			collectFields(f.Type, fields)
			continue
		}
		fields[tag] = f.Type
	}
}

func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.Float64:
		return "number"
	}
	return t.Kind().String()
}

func join(p, key string) string {
	if p == "" {
		return key
	}
	return p + "." + key
}

// LoadGazetteer reads the gazetteer at path in fsys.
func LoadGazetteer(fsys fs.FS, path string) (*portal.Gazetteer, error) {
	data, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("directory: gazetteer: %w", err)
	}
	var y yGazetteer
	if _, err := decodeStrict(path, data, &y); err != nil {
		return nil, err
	}
	b := y.Bounds
	g := &portal.Gazetteer{Bounds: portal.Bounds{MinLat: b.MinLat, MaxLat: b.MaxLat, MinLon: b.MinLon, MaxLon: b.MaxLon}}
	if b.MinLat >= b.MaxLat || b.MinLon >= b.MaxLon {
		return nil, fileError(path, "bounds", 0, "the box is empty")
	}
	for i, a := range y.Aimags {
		p := fmt.Sprintf("aimags[%d]", i)
		lat, lon, err := center(a.Center)
		if err != nil || !portal.ValidSlug(a.ID) || g.FindAimag(a.ID) != nil {
			return nil, fileError(path, p, 0, fmt.Sprintf("aimag %q needs a unique slug id and center [lat, lon]", a.ID))
		}
		aimag := portal.Aimag{ID: a.ID, Name: portal.Text{MN: a.MN, EN: a.EN}, Aliases: a.Aliases, Latitude: lat, Longitude: lon}
		for j, s := range append(a.Soums, a.Districts...) {
			lat, lon, err := center(s.Center)
			if err != nil || !portal.ValidSlug(s.ID) || hasSoum(aimag.Soums, s.ID) {
				return nil, fileError(path, fmt.Sprintf("%s.soums[%d]", p, j), 0, fmt.Sprintf("soum %q needs a unique slug id and center [lat, lon]", s.ID))
			}
			aimag.Soums = append(aimag.Soums, portal.Soum{ID: s.ID, Name: portal.Text{MN: s.MN, EN: s.EN}, Aliases: s.Aliases, Latitude: lat, Longitude: lon})
		}
		g.Aimags = append(g.Aimags, aimag)
	}
	return g, nil
}

// hasSoum reports whether soums has one with id.
func hasSoum(soums []portal.Soum, id string) bool {
	for _, s := range soums {
		if s.ID == id {
			return true
		}
	}
	return false
}

// center reads an optional [lat, lon].
func center(c []*float64) (lat, lon *float64, err error) {
	switch {
	case len(c) == 0:
		return nil, nil, nil
	case len(c) != 2 || c[0] == nil || c[1] == nil:
		return nil, nil, errors.New("center must be [latitude, longitude]")
	}
	return c[0], c[1], nil
}

// LoadTaxonomy reads the service types at path in fsys.
func LoadTaxonomy(fsys fs.FS, path string) ([]portal.TaxonomyTerm, error) {
	data, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("directory: taxonomy: %w", err)
	}
	var y yTaxonomy
	if _, err := decodeStrict(path, data, &y); err != nil {
		return nil, err
	}
	var terms []portal.TaxonomyTerm
	seen := map[string]bool{}
	for i, t := range y.Terms {
		if !portal.ValidSlug(t.ID) || seen[t.ID] || t.MN == "" || t.EN == "" {
			return nil, fileError(path, fmt.Sprintf("terms[%d]", i), 0, fmt.Sprintf("term %q needs a unique slug id and names in mn and en", t.ID))
		}
		seen[t.ID] = true
		terms = append(terms, portal.TaxonomyTerm{ID: t.ID, Name: portal.Text{MN: t.MN, EN: t.EN},
			Description: portal.Text{MN: t.DescriptionMN, EN: t.DescriptionEN}})
	}
	return terms, nil
}

// days maps the two-letter day names of the data files to weekdays.
var days = map[string]time.Weekday{
	"mo": time.Monday, "tu": time.Tuesday, "we": time.Wednesday, "th": time.Thursday,
	"fr": time.Friday, "sa": time.Saturday, "su": time.Sunday,
}

// LoadOrg reads one organisation file of the directory. name is used in errors.
// It checks the file's shape (unknown keys are errors) but not its content: call Validate.
func LoadOrg(name string, data []byte) (*portal.DirectoryOrg, error) {
	o, _, err := loadOrg(name, data)
	return o, err
}

func loadOrg(name string, data []byte) (*portal.DirectoryOrg, map[string]int, error) {
	var y yOrg
	lines, err := decodeStrict(name, data, &y)
	if err != nil {
		return nil, nil, err
	}
	o := &portal.DirectoryOrg{ID: y.ID, Name: y.Name.text(), Description: y.Description.text(),
		Group: portal.StakeholderGroup(y.Group), Email: y.Email, Website: y.Website,
		Phones: phones(y.Phones), Example: y.Example}
	for _, l := range y.Locations {
		o.Locations = append(o.Locations, portal.Location{ID: l.ID, Name: l.Name.text(),
			Confidential: l.Confidential, Address: l.Address.text(), Aimag: l.Aimag, Soum: l.Soum,
			Latitude: l.Latitude, Longitude: l.Longitude, PublicContact: l.PublicContact.text()})
	}
	for i, s := range y.Services {
		sv, field, msg := service(o.ID, s)
		if msg != "" {
			p := fmt.Sprintf("services[%d].%s", i, field)
			return nil, nil, fileError(name, p, lines[p], msg)
		}
		sv.Example = s.Example || y.Example
		o.Services = append(o.Services, sv)
	}
	return o, lines, nil
}

// service converts one service, or names the field it cannot read.
func service(org string, s yService) (sv portal.Service, field, msg string) {
	sv = portal.Service{ID: s.ID, OrgID: org, Name: s.Name.text(), Description: s.Description.text(),
		Eligibility: s.Eligibility.text(), ApplicationProcess: s.ApplicationProcess.text(),
		Fees: s.Fees.text(), Free: s.Free, Types: s.Types, Languages: s.Languages,
		Always: s.Hours.Always, LocationIDs: s.Locations, Phones: phones(s.Phones)}
	sv.SetVerifier(s.AssuredBy.text())
	for i, h := range s.Hours.List {
		sch := portal.Schedule{Opens: h.Opens, Closes: h.Closes}
		for j, d := range h.Days {
			wd, ok := days[d]
			if !ok {
				return sv, fmt.Sprintf("hours[%d].days[%d]", i, j), fmt.Sprintf("unknown day %q: use mo, tu, we, th, fr, sa or su", d)
			}
			sch.Days = append(sch.Days, wd)
		}
		sv.Hours = append(sv.Hours, sch)
	}
	for _, a := range s.Area {
		sv.Area = append(sv.Area, portal.Place{Aimag: a.Aimag, Soum: a.Soum})
	}
	if s.AssuredDate != "" {
		t, err := time.ParseInLocation(time.DateOnly, s.AssuredDate, portal.MongoliaTime)
		if err != nil {
			return sv, "assured_date", fmt.Sprintf("%q is not a date YYYY-MM-DD", s.AssuredDate)
		}
		sv.AssuredDate = t
	}
	return sv, "", ""
}

func phones(ys []yPhone) []portal.Phone {
	var ps []portal.Phone
	for _, p := range ys {
		ps = append(ps, portal.Phone{Number: p.Number, Description: p.Description.text(), Example: p.Example})
	}
	return ps
}

// validateOrg validates o and names the file, the field and its line in the error.
func validateOrg(name string, o *portal.DirectoryOrg, lines map[string]int, g *portal.Gazetteer, terms map[string]bool) error {
	err := o.Validate(g, terms)
	var e *portal.Error
	if err == nil || !errors.As(err, &e) || len(e.Fields) != 1 {
		return err
	}
	for f, msg := range e.Fields {
		line := lines[f]
		if line == 0 {
			line = lines[f[:max(0, strings.LastIndexByte(f, '.'))]]
		}
		return fileError(name, f, line, msg)
	}
	return err
}

// Load reads and validates directory data laid out as the starter directory is:
// dir/gazetteer.yaml, dir/taxonomy.yaml and dir/organizations/*.yaml. It reports every
// problem, each naming its file and field, joined in one error; the organisations returned
// are those without problems.
func Load(fsys fs.FS, dir string) (*portal.Gazetteer, []portal.TaxonomyTerm, []*portal.DirectoryOrg, error) {
	g, err := LoadGazetteer(fsys, path.Join(dir, "gazetteer.yaml"))
	if err != nil {
		return nil, nil, nil, err
	}
	terms, err := LoadTaxonomy(fsys, path.Join(dir, "taxonomy.yaml"))
	if err != nil {
		return nil, nil, nil, err
	}
	known := map[string]bool{}
	for _, t := range terms {
		known[t.ID] = true
	}
	names, err := fs.Glob(fsys, path.Join(dir, "organizations", "*.yaml"))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("directory: %w", err)
	}
	sort.Strings(names)
	var orgs []*portal.DirectoryOrg
	var problems []error
	ids := map[string]string{} // "kind id" → file
	for _, name := range names {
		o, err := loadOrgFile(fsys, name, g, known)
		if err == nil {
			err = uniqueIDs(name, o, ids)
		}
		if err != nil {
			problems = append(problems, err)
			continue
		}
		orgs = append(orgs, o)
	}
	return g, terms, orgs, errors.Join(problems...)
}

func loadOrgFile(fsys fs.FS, name string, g *portal.Gazetteer, known map[string]bool) (*portal.DirectoryOrg, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	o, lines, err := loadOrg(name, data)
	if err != nil {
		return nil, err
	}
	if want := strings.TrimSuffix(path.Base(name), ".yaml"); o.ID != want {
		return nil, fileError(name, "id", lines["id"], fmt.Sprintf("id %q must be the file name, %q", o.ID, want))
	}
	return o, validateOrg(name, o, lines, g, known)
}

// uniqueIDs checks that o's organisation, location and service ids are not used by another
// file, and records them in ids.
func uniqueIDs(name string, o *portal.DirectoryOrg, ids map[string]string) error {
	check := func(kind, id, field string) error {
		if other, ok := ids[kind+" "+id]; ok {
			return fileError(name, field, 0, fmt.Sprintf("%s id %q is also used in %s", kind, id, other))
		}
		ids[kind+" "+id] = name
		return nil
	}
	errs := []error{check("organisation", o.ID, "id")}
	for i, l := range o.Locations {
		errs = append(errs, check("location", l.ID, fmt.Sprintf("locations[%d].id", i)))
	}
	for i, s := range o.Services {
		errs = append(errs, check("service", s.ID, fmt.Sprintf("services[%d].id", i)))
	}
	return errors.Join(errs...)
}
