package hsds

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

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
			im.known["organization "+ID("organization", o.ID)] = o.ID
			for _, l := range o.Locations {
				im.known["location "+ID("location", l.ID)] = l.ID
			}
			for _, s := range o.Services {
				im.known["service "+ID("service", s.ID)] = s.ID
			}
		}
	}
	for orgID, recs := range ix.identifiers {
		for _, r := range recs {
			if id := r.get("identifier"); r.get("identifier_scheme") == PortalScheme && portal.ValidSlug(id) && ID("organization", id) == orgID {
				im.known["organization "+orgID] = id
			}
		}
	}
	for _, r := range im.tables["location"].order {
		if id := r.get("external_identifier"); r.get("external_identifier_type") == PortalScheme && portal.ValidSlug(id) && ID("location", id) == r.id {
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
			s.SetVerifier(a.text("value"))
		case code == termExample:
			s.Example = true
		default:
			return false
		}
		return true
	})
	if existingOrg != nil {
		for _, old := range existingOrg.Services {
			if old.ID == s.ID && old.Verifier() == s.Verifier() && old.AssuredDate.Equal(s.AssuredDate) {
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
