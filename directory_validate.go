package portal

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// ValidPhone checks a telephone number: a national short number from 100 to 199 (such as
// 108, the child helpline), +976 and eight digits, or another country's +CC number of 7 to
// 15 digits. Spaces and hyphens may group the digits.
func ValidPhone(s string) error {
	d := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s))
	if n, err := strconv.Atoi(d); err == nil && d[0] != '+' && d[0] != '-' && n >= 100 && n <= 199 && len(d) == 3 {
		return nil
	}
	digits, ok := strings.CutPrefix(d, "+")
	if ok && digits != "" && strings.Trim(digits, "0123456789") == "" {
		switch {
		case strings.HasPrefix(digits, "976") && len(digits) == 3+8:
			return nil
		case !strings.HasPrefix(digits, "976") && digits[0] != '0' && len(digits) >= 7 && len(digits) <= 15:
			return nil
		}
	}
	return FieldError("phone", "%q is not a telephone number: use +976 and eight digits, or a short number such as 108", s)
}

// ValidEmail checks an e-mail address as NormalizeEmail does.
func ValidEmail(s string) error {
	_, err := NormalizeEmail(s)
	return err
}

// ValidURL checks a web address: http or https, with a host, and nothing else.
func ValidURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Hostname() == "" || strings.ContainsAny(s, " \t\r\n") {
		return FieldError("url", "%q is not a web address: use http:// or https:// and a host", s)
	}
	return nil
}

// hhmm matches a time of day from 00:00 to 23:59.
var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// ValidSchedules checks opening hours: each range has days, valid times, closes after opens
// (so never across midnight: split such a range in two), and no two ranges overlap on the
// same day.
func ValidSchedules(hours []Schedule) error {
	for i, h := range hours {
		p := fmt.Sprintf("hours[%d]", i)
		switch {
		case len(h.Days) == 0:
			return FieldError(p+".days", "give at least one day")
		case !hhmm.MatchString(h.Opens):
			return FieldError(p+".opens", "%q is not a time from 00:00 to 23:59", h.Opens)
		case !hhmm.MatchString(h.Closes):
			return FieldError(p+".closes", "%q is not a time from 00:00 to 23:59", h.Closes)
		case h.Closes <= h.Opens:
			return FieldError(p+".closes", "closes at %s, not after it opens at %s: a range may not cross midnight", h.Closes, h.Opens)
		}
		for k, d := range h.Days {
			if d < 0 || d > 6 {
				return FieldError(fmt.Sprintf("%s.days[%d]", p, k), "unknown day %d", d)
			}
		}
		for j := range i {
			if day, ok := overlap(hours[j], h); ok {
				return FieldError(p, "%s–%s overlaps hours[%d] (%s–%s) on %s", h.Opens, h.Closes, j, hours[j].Opens, hours[j].Closes, day)
			}
		}
		for k := range h.Days {
			for _, d := range h.Days[:k] {
				if d == h.Days[k] {
					return FieldError(fmt.Sprintf("%s.days[%d]", p, k), "%s is listed twice", d)
				}
			}
		}
	}
	return nil
}

// overlap reports a day on which ranges a and b overlap.
func overlap(a, b Schedule) (string, bool) {
	if !(a.Opens < b.Closes && b.Opens < a.Closes) {
		return "", false
	}
	for _, x := range a.Days {
		for _, y := range b.Days {
			if x == y {
				return x.String(), true
			}
		}
	}
	return "", false
}

// at moves the field of a validator's error to path.
func at(path string, err error) error {
	if err == nil {
		return nil
	}
	return FieldError(path, "%s", ErrorMessage(err))
}

// language matches an ISO 639-1 code.
var language = regexp.MustCompile(`^[a-z]{2}$`)

// Validate checks an organisation of the directory, with its locations and services, and
// returns the first problem as an EINVALID error whose field is a path such as
// services[2].hours[0].closes. Places are checked against g and service types against
// terms; a nil g or terms skips those checks.
func (o *DirectoryOrg) Validate(g *Gazetteer, terms map[string]bool) error {
	switch {
	case !ValidSlug(o.ID):
		return FieldError("id", "%q must be lower-case letters, digits and hyphens", o.ID)
	case o.Name.Empty():
		return FieldError("name", "an organisation needs a name")
	case !o.Group.Valid():
		return FieldError("group", "unknown stakeholder group %q", o.Group)
	case o.Email != "" && ValidEmail(o.Email) != nil:
		return at("email", ValidEmail(o.Email))
	case o.Website != "" && ValidURL(o.Website) != nil:
		return at("website", ValidURL(o.Website))
	}
	if err := validTexts("", textOf("name", o.Name, true), textOf("description", o.Description, false)); err != nil {
		return err
	}
	if err := validPhones("phones", o.Phones); err != nil {
		return err
	}
	for i := range o.Locations {
		if err := o.validLocation(i, g); err != nil {
			return err
		}
	}
	for i := range o.Services {
		if err := o.validService(i, g, terms); err != nil {
			return err
		}
	}
	return nil
}

func validPhones(path string, phones []Phone) error {
	for i, p := range phones {
		if err := ValidPhone(p.Number); err != nil {
			return at(fmt.Sprintf("%s[%d].number", path, i), err)
		}
		if err := validTexts(fmt.Sprintf("%s[%d].", path, i), textOf("description", p.Description, true)); err != nil {
			return err
		}
	}
	return nil
}

// textField is a text of the directory in both languages, and whether it is one line.
type textField struct {
	key     string
	text    Text
	oneLine bool
}

func textOf(key string, t Text, oneLine bool) textField { return textField{key, t, oneLine} }

// validTexts checks texts as the forms do (CheckText): a one-line text has at most
// MaxLineBytes and no line end or bidirectional control, a multi-line one at most
// MaxTextBytes; neither has another control character. The field in error is
// prefix+key+".mn" or ".en", as the forms name it.
func validTexts(prefix string, texts ...textField) error {
	for _, f := range texts {
		max := MaxTextBytes
		if f.oneLine {
			max = MaxLineBytes
		}
		if err := ValidText(prefix+f.key+".mn", f.text.MN, max, f.oneLine); err != nil {
			return err
		}
		if err := ValidText(prefix+f.key+".en", f.text.EN, max, f.oneLine); err != nil {
			return err
		}
	}
	return nil
}

func (o *DirectoryOrg) validLocation(i int, g *Gazetteer) error {
	l := &o.Locations[i]
	p := fmt.Sprintf("locations[%d]", i)
	switch {
	case !ValidSlug(l.ID):
		return FieldError(p+".id", "%q must be lower-case letters, digits and hyphens", l.ID)
	case o.Location(l.ID) != l:
		return FieldError(p+".id", "location id %q is used twice", l.ID)
	case l.Name.Empty():
		return FieldError(p+".name", "a location needs a name")
	case l.Confidential && l.PublicContact.Empty():
		return FieldError(p+".public_contact", "a confidential location needs a public contact point")
	case (l.Latitude == nil) != (l.Longitude == nil):
		return FieldError(p+".latitude", "give both latitude and longitude, or neither")
	}
	if err := validTexts(p+".", textOf("name", l.Name, true), textOf("address", l.Address, false),
		textOf("public_contact", l.PublicContact, false)); err != nil {
		return err
	}
	if err := validPlace(p, Place{l.Aimag, l.Soum}, g); err != nil {
		return err
	}
	if g != nil && l.Latitude != nil && !g.InMongolia(*l.Latitude, *l.Longitude) {
		if l.Confidential { // a shelter's coordinates are not repeated, not even in an error
			return FieldError(p+".latitude", "the coordinates are outside Mongolia")
		}
		return FieldError(p+".latitude", "%g, %g is outside Mongolia", *l.Latitude, *l.Longitude)
	}
	return nil
}

// validPlace checks that an aimag (required) and a soum (optional) are in the gazetteer.
func validPlace(path string, pl Place, g *Gazetteer) error {
	switch {
	case pl.Aimag == "":
		return FieldError(path+".aimag", "an aimag is required")
	case g == nil:
	case g.FindAimag(pl.Aimag) == nil:
		return FieldError(path+".aimag", "unknown aimag %q", pl.Aimag)
	case pl.Soum != "" && g.FindSoum(pl.Aimag, pl.Soum) == nil:
		return FieldError(path+".soum", "unknown soum or district %q in %s", pl.Soum, pl.Aimag)
	}
	return nil
}

func (o *DirectoryOrg) validService(i int, g *Gazetteer, terms map[string]bool) error {
	s := &o.Services[i]
	p := fmt.Sprintf("services[%d]", i)
	switch {
	case !ValidSlug(s.ID):
		return FieldError(p+".id", "%q must be lower-case letters, digits and hyphens", s.ID)
	case s.OrgID != "" && s.OrgID != o.ID:
		return FieldError(p+".org", "the service belongs to %q, not %q", s.OrgID, o.ID)
	case s.Name.Empty():
		return FieldError(p+".name", "a service needs a name")
	case len(s.Types) == 0:
		return FieldError(p+".types", "give at least one service type")
	case !s.Always && len(s.Hours) == 0:
		return FieldError(p+".hours", "give opening hours, or always")
	case s.Always && len(s.Hours) > 0:
		return FieldError(p+".hours", "a service open 24 hours has no other hours")
	}
	if err := validTexts(p+".", textOf("name", s.Name, true), textOf("description", s.Description, false),
		textOf("eligibility", s.Eligibility, false), textOf("application_process", s.ApplicationProcess, false),
		textOf("fees", s.Fees, false)); err != nil {
		return err
	}
	if err := ValidText(p+".assured_by", s.AssuredBy, MaxLineBytes, true); err != nil {
		return err
	}
	if err := ValidText(p+".assured_by_mn", s.AssuredByMN, MaxLineBytes, true); err != nil {
		return err
	}
	for j := range o.Services[:i] {
		if o.Services[j].ID == s.ID {
			return FieldError(p+".id", "service id %q is used twice", s.ID)
		}
	}
	for j, t := range s.Types {
		if terms != nil && !terms[t] {
			return FieldError(fmt.Sprintf("%s.types[%d]", p, j), "unknown service type %q", t)
		}
	}
	for j, l := range s.Languages {
		if !language.MatchString(l) {
			return FieldError(fmt.Sprintf("%s.languages[%d]", p, j), "%q is not a two-letter language code", l)
		}
	}
	if err := ValidSchedules(s.Hours); err != nil {
		return prefix(p, err)
	}
	for j, pl := range s.Area {
		if err := validPlace(fmt.Sprintf("%s.area[%d]", p, j), pl, g); err != nil {
			return err
		}
	}
	for j, id := range s.LocationIDs {
		if o.Location(id) == nil {
			return FieldError(fmt.Sprintf("%s.locations[%d]", p, j), "the organisation has no location %q", id)
		}
	}
	return validPhones(p+".phones", s.Phones)
}

// prefix puts path in front of the field of a validator's error.
func prefix(path string, err error) error {
	e, ok := err.(*Error)
	if !ok || len(e.Fields) != 1 {
		return err
	}
	for f := range e.Fields {
		return FieldError(path+"."+f, "%s", e.Message)
	}
	return err
}
