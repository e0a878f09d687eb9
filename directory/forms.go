package directory

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/gobidialogue/portal"
)

// The edit forms of the directory write opening hours and phones as lines of text, in
// either language. The parsers here read them; the formatters write what the parsers read.

// LineError is a problem on one line of a multi-line field. Kind names the problem for the
// form's message: "day", "time", "order", "overlap", "repeat", "phone", "too_many".
type LineError struct {
	Line int // from 1
	Kind string
	Text string // the offending piece of the line
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %s %q", e.Line, e.Kind, e.Text)
}

// Limits of the text forms, so a hostile form cannot make a huge entry.
const (
	MaxHourLines  = 21
	MaxPhoneLines = 10
)

// dayNames are the names a line of hours may use for each day, Monday first: English full
// names and abbreviations, Mongolian names and their two-letter abbreviations.
var dayNames = [7][]string{
	{"monday", "mon", "mo", "даваа", "да"},
	{"tuesday", "tue", "tu", "мягмар", "мя"},
	{"wednesday", "wed", "we", "лхагва", "лх"},
	{"thursday", "thu", "th", "пүрэв", "пү"},
	{"friday", "fri", "fr", "баасан", "ба"},
	{"saturday", "sat", "sa", "бямба", "бя"},
	{"sunday", "sun", "su", "ням", "ня"},
}

// dayIndex returns the Monday-first index of a day name, or -1.
func dayIndex(s string) int {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	for i, names := range dayNames {
		if slices.Contains(names, s) {
			return i
		}
	}
	return -1
}

func weekday(i int) time.Weekday { return time.Weekday((i + 1) % 7) }
func dayPos(d time.Weekday) int  { return (int(d) + 6) % 7 }

// alwaysWords mean "open 24 hours, every day" when they are the whole field.
var alwaysWords = []string{"always", "24/7", "24 hours", "24 цаг", "үргэлж"}

// ParseHours reads opening hours, one range per line: days, then times, such as
// "Mon-Fri 09:00-17:00", "Даваа-Баасан 09:00-13:00, 14:00-18:00" or "sat, sun 10:00-14:00".
// A field that says only "24/7" (or "always", "24 цаг") means open 24 hours. Blank lines
// are skipped. The result passes portal.ValidSchedules, or the error is a *LineError.
func ParseHours(text string) (always bool, hours []portal.Schedule, err error) {
	if slices.Contains(alwaysWords, strings.ToLower(strings.TrimSpace(text))) {
		return true, nil, nil
	}
	lines := strings.Split(text, "\n")
	var lineOf []int
	for n, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(hours) >= MaxHourLines {
			return false, nil, &LineError{n + 1, "too_many", ""}
		}
		cut := strings.IndexFunc(line, unicode.IsDigit)
		if cut < 0 {
			return false, nil, &LineError{n + 1, "time", line}
		}
		days, lerr := parseDays(strings.TrimSpace(line[:cut]))
		if lerr != nil {
			lerr.Line = n + 1
			return false, nil, lerr
		}
		for _, r := range strings.FieldsFunc(line[cut:], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			opens, closes, ok := strings.Cut(normDash(r), "-")
			if !ok || !hhmm.MatchString(pad(opens)) || !hhmm.MatchString(pad(closes)) {
				return false, nil, &LineError{n + 1, "time", r}
			}
			s := portal.Schedule{Days: days, Opens: pad(opens), Closes: pad(closes)}
			if s.Closes <= s.Opens {
				return false, nil, &LineError{n + 1, "order", r}
			}
			hours = append(hours, s)
			lineOf = append(lineOf, n+1)
		}
	}
	if err := portal.ValidSchedules(hours); err != nil {
		// The only problems left are overlaps and repeated days; find the line.
		for i := range hours {
			if portal.ValidSchedules(hours[:i+1]) != nil {
				kind := "overlap"
				if portal.ValidSchedules(hours[i:i+1]) != nil {
					kind = "repeat"
				}
				return false, nil, &LineError{lineOf[i], kind, ""}
			}
		}
		return false, nil, err
	}
	return false, hours, nil
}

// hhmm matches a time of day from 00:00 to 23:59, as portal.ValidSchedules wants it.
var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// normDash turns the dashes people type into "-".
func normDash(s string) string {
	return strings.NewReplacer("–", "-", "—", "-", "‒", "-", "−", "-").Replace(s)
}

// pad writes "9:00" as "09:00".
func pad(t string) string {
	if len(t) == 4 && t[1] == ':' {
		return "0" + t
	}
	return t
}

// parseDays reads "Mon-Fri", "sat, sun", "Даваа–Баасан", "mon-wed, fri".
func parseDays(s string) ([]time.Weekday, *LineError) {
	if s == "" {
		return nil, &LineError{Kind: "day", Text: s}
	}
	var days []time.Weekday
	seen := [7]bool{}
	for _, part := range strings.FieldsFunc(normDash(s), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		from, to, isRange := strings.Cut(part, "-")
		a, b := dayIndex(from), dayIndex(to)
		if !isRange {
			b = a
		}
		if a < 0 || b < 0 || b < a {
			return nil, &LineError{Kind: "day", Text: part}
		}
		for i := a; i <= b; i++ {
			if seen[i] {
				return nil, &LineError{Kind: "repeat", Text: part}
			}
			seen[i] = true
			days = append(days, weekday(i))
		}
	}
	if len(days) == 0 {
		return nil, &LineError{Kind: "day", Text: s}
	}
	return days, nil
}

// dayLabels are the day names FormatHours writes.
var dayLabels = map[portal.Language][7]string{
	portal.English:   {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
	portal.Mongolian: {"Даваа", "Мягмар", "Лхагва", "Пүрэв", "Баасан", "Бямба", "Ням"},
}

// FormatDays writes days in lang, with runs of three or more as ranges: "Mon–Fri, Sun".
func FormatDays(days []time.Weekday, lang portal.Language) string {
	labels, ok := dayLabels[lang]
	if !ok {
		labels = dayLabels[portal.Mongolian]
	}
	var on [7]bool
	for _, d := range days {
		if d >= 0 && d <= 6 {
			on[dayPos(d)] = true
		}
	}
	var parts []string
	for i := 0; i < 7; i++ {
		if !on[i] {
			continue
		}
		j := i
		for j+1 < 7 && on[j+1] {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, labels[i]+"–"+labels[j])
		case j == i+1:
			parts = append(parts, labels[i], labels[j])
		default:
			parts = append(parts, labels[i])
		}
		i = j
	}
	return strings.Join(parts, ", ")
}

// FormatHours writes hours as ParseHours reads them, a range per line, in lang; "24/7" for
// a service open all the time.
func FormatHours(always bool, hours []portal.Schedule, lang portal.Language) string {
	if always {
		return "24/7"
	}
	lines := make([]string, len(hours))
	for i, h := range hours {
		lines[i] = FormatDays(h.Days, lang) + " " + h.Opens + "–" + h.Closes
	}
	return strings.Join(lines, "\n")
}

// ParsePhones reads phones, one per line: the number, then optionally "|" and what it is in
// Mongolian, then "|" and in English: "+976 7011 0300 | Оффис | Office". A number that
// was in old keeps its example mark.
func ParsePhones(text string, old []portal.Phone) ([]portal.Phone, error) {
	var phones []portal.Phone
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(phones) >= MaxPhoneLines {
			return nil, &LineError{n + 1, "too_many", ""}
		}
		parts := strings.SplitN(line, "|", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		p := portal.Phone{Number: strings.TrimSpace(parts[0]),
			Description: portal.Text{MN: strings.TrimSpace(parts[1]), EN: strings.TrimSpace(parts[2])}}
		if portal.ValidPhone(p.Number) != nil || strings.ContainsFunc(line, unicode.IsControl) {
			return nil, &LineError{n + 1, "phone", p.Number}
		}
		for _, o := range old {
			if o.Number == p.Number {
				p.Example = o.Example
			}
		}
		phones = append(phones, p)
	}
	return phones, nil
}

// FormatPhones writes phones as ParsePhones reads them.
func FormatPhones(phones []portal.Phone) string {
	lines := make([]string, len(phones))
	for i, p := range phones {
		lines[i] = p.Number
		if !p.Description.Empty() {
			lines[i] += " | " + p.Description.MN + " | " + p.Description.EN
		}
	}
	return strings.Join(lines, "\n")
}

// ServiceField is one editable field of a service, written as text for comparing two
// versions field by field.
type ServiceField struct {
	Key   string // such as "name.mn", "hours"; a catalog key "directory.field.KEY" names it
	Value string
}

// serviceField is an editable field of a service: how it reads as text, and how it is
// copied from one service to another. The table below is the one list of them.
type serviceField struct {
	key  string
	text func(s *portal.Service, lang portal.Language) string
	copy func(dst, src *portal.Service)
}

// bilingual returns the two fields, Mongolian then English, of a Text of a service.
func bilingual(name string, t func(*portal.Service) *portal.Text) []serviceField {
	return []serviceField{
		{name + ".mn", func(s *portal.Service, _ portal.Language) string { return t(s).MN }, func(d, s *portal.Service) { t(d).MN = t(s).MN }},
		{name + ".en", func(s *portal.Service, _ portal.Language) string { return t(s).EN }, func(d, s *portal.Service) { t(d).EN = t(s).EN }},
	}
}

// sortedList writes a list as a set: a form lists checkboxes in its own order.
func sortedList(l []string) string { return strings.Join(slices.Sorted(slices.Values(l)), ", ") }

// serviceFields are the editable fields of a service, in form order. Copies share no
// slices with their source: ApplyFields clones it first.
var serviceFields = slices.Concat(
	bilingual("name", func(s *portal.Service) *portal.Text { return &s.Name }),
	bilingual("description", func(s *portal.Service) *portal.Text { return &s.Description }),
	bilingual("eligibility", func(s *portal.Service) *portal.Text { return &s.Eligibility }),
	bilingual("application_process", func(s *portal.Service) *portal.Text { return &s.ApplicationProcess }),
	bilingual("fees", func(s *portal.Service) *portal.Text { return &s.Fees }),
	[]serviceField{
		{"free", func(s *portal.Service, _ portal.Language) string {
			return map[bool]string{true: "✓", false: "—"}[s.Free]
		},
			func(d, s *portal.Service) { d.Free = s.Free }},
		{"types", func(s *portal.Service, _ portal.Language) string { return sortedList(s.Types) },
			func(d, s *portal.Service) { d.Types = s.Types }},
		{"languages", func(s *portal.Service, _ portal.Language) string { return sortedList(s.Languages) },
			func(d, s *portal.Service) { d.Languages = s.Languages }},
		{"hours", func(s *portal.Service, lang portal.Language) string { return FormatHours(s.Always, s.Hours, lang) },
			func(d, s *portal.Service) { d.Always, d.Hours = s.Always, s.Hours }},
		{"area", func(s *portal.Service, _ portal.Language) string {
			var area []string
			for _, p := range s.Area {
				area = append(area, strings.TrimSuffix(p.Aimag+"/"+p.Soum, "/"))
			}
			return sortedList(area)
		}, func(d, s *portal.Service) { d.Area = s.Area }},
		{"locations", func(s *portal.Service, _ portal.Language) string { return sortedList(s.LocationIDs) },
			func(d, s *portal.Service) { d.LocationIDs = s.LocationIDs }},
		{"phones", func(s *portal.Service, _ portal.Language) string { return FormatPhones(s.Phones) },
			func(d, s *portal.Service) { d.Phones = s.Phones }},
	},
)

// ServiceFieldKeys are the keys of the editable fields of a service, in form order.
var ServiceFieldKeys = func() []string {
	keys := make([]string, len(serviceFields))
	for i, f := range serviceFields {
		keys[i] = f.key
	}
	return keys
}()

// Fields returns the editable fields of s as text, in lang where a field is worded (hours).
func Fields(s *portal.Service, lang portal.Language) []ServiceField {
	out := make([]ServiceField, len(serviceFields))
	for i, f := range serviceFields {
		out[i] = ServiceField{f.key, f.text(s, lang)}
	}
	return out
}

// ChangedFields returns the keys of the fields where a and b differ.
func ChangedFields(a, b *portal.Service) []string {
	fa, fb := Fields(a, portal.English), Fields(b, portal.English)
	var keys []string
	for i := range fa {
		if fa[i].Value != fb[i].Value {
			keys = append(keys, fa[i].Key)
		}
	}
	return keys
}

// ApplyFields copies the fields named by keys from src to dst.
func ApplyFields(dst, src *portal.Service, keys []string) {
	src = src.Clone()
	for _, f := range serviceFields {
		if slices.Contains(keys, f.key) {
			f.copy(dst, src)
		}
	}
}
