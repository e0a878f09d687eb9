package themes

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"time"

	"github.com/gobidialogue/portal"
	"go.yaml.in/yaml/v3"
)

// Translator holds the UI strings of one language and formats dates the way its readers
// expect. Templates reach it through the page: {{.T "nav.guidelines"}}.
//
// A string that says how many of something there are may come in plural forms, a mapping
// instead of one string:
//
//	revisions.words:
//	  one: "%d word"
//	  other: "%d words"
//
// T picks the form by its first integer argument (the count: a translation that needs
// it elsewhere uses an argument index, %[1]d): "one" for 1, "other" for every other
// number, and "other" when there is no "one". English needs both; Mongolian nouns do not
// change after a numeral ("1 үг", "5 үг"), so mn.yaml keeps one string for every count.
type Translator struct {
	lang    portal.Language
	strings map[string]string
	plurals map[string]pluralForms
}

// pluralForms are the forms of a string that counts something, by CLDR plural category.
type pluralForms struct {
	One, Other string
}

func loadCatalog(fsys fs.FS) (map[portal.Language]*Translator, error) {
	catalog := map[portal.Language]*Translator{}
	for _, lang := range portal.Languages {
		name := "i18n/" + string(lang) + ".yaml"
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("themes: %w", err)
		}
		t, err := parseCatalog(lang, data)
		if err != nil {
			return nil, fmt.Errorf("themes: %s: %w", name, err)
		}
		catalog[lang] = t
	}
	return catalog, nil
}

// parseCatalog reads one language's strings: each key a string, or a mapping of plural
// forms with at least "other".
func parseCatalog(lang portal.Language, data []byte) (*Translator, error) {
	nodes := map[string]yaml.Node{}
	if err := yaml.Unmarshal(data, &nodes); err != nil {
		return nil, err
	}
	t := &Translator{lang: lang, strings: map[string]string{}, plurals: map[string]pluralForms{}}
	for key, n := range nodes {
		switch n.Kind {
		case yaml.ScalarNode:
			t.strings[key] = n.Value
		case yaml.MappingNode:
			forms := map[string]string{}
			if err := n.Decode(&forms); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			var p pluralForms
			for cat, v := range forms {
				switch cat {
				case "one":
					p.One = v
				case "other":
					p.Other = v
				default:
					return nil, fmt.Errorf("%s: unknown plural form %q (one, other)", key, cat)
				}
			}
			if _, ok := forms["other"]; !ok {
				return nil, fmt.Errorf("%s: plural forms without \"other\"", key)
			}
			t.plurals[key] = p
		default:
			return nil, fmt.Errorf("%s: neither a string nor plural forms", key)
		}
	}
	return t, nil
}

// Lang returns the translator's language.
func (t *Translator) Lang() portal.Language { return t.lang }

// T returns the string for key, formatted with args when there are any. A missing key
// returns the key itself, so a gap is visible rather than blank; a test keeps the
// catalogs complete.
func (t *Translator) T(key string, args ...any) string {
	s, ok := t.strings[key]
	if !ok {
		p, plural := t.plurals[key]
		if !plural {
			return key
		}
		s = p.Other
		if n, counted := firstCount(args); counted && n == 1 && p.One != "" {
			s = p.One
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// firstCount returns the first integer of args: the count that picks a plural form.
func firstCount(args []any) (int64, bool) {
	for _, a := range args {
		switch n := a.(type) {
		case int:
			return int64(n), true
		case int64:
			return n, true
		case int32:
			return int64(n), true
		case uint:
			return int64(n), true //nolint:gosec // a count
		case uint64:
			return int64(n), true //nolint:gosec // a count
		}
	}
	return 0, false
}

// Has reports whether key is translated.
func (t *Translator) Has(key string) bool {
	if _, ok := t.strings[key]; ok {
		return true
	}
	_, ok := t.plurals[key]
	return ok
}

// Keys returns every key of the catalog, sorted; a string with plural forms is one key.
func (t *Translator) Keys() []string {
	keys := make([]string, 0, len(t.strings)+len(t.plurals))
	for k := range t.strings {
		keys = append(keys, k)
	}
	for k := range t.plurals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Forms returns every form of key's string: the string, or its plural forms, "one"
// first. A test that reads every string (for a language's words, say) reads them all.
func (t *Translator) Forms(key string) []string {
	if s, ok := t.strings[key]; ok {
		return []string{s}
	}
	p, ok := t.plurals[key]
	switch {
	case !ok:
		return nil
	case p.One == "":
		return []string{p.Other}
	}
	return []string{p.One, p.Other}
}

var englishMonths = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// Date formats the calendar date of tm in Mongolia's time zone: "1 October 2026" in English,
// "2026 оны 10-р сарын 1" in Mongolian.
func (t *Translator) Date(tm time.Time) string {
	if tm.IsZero() {
		return ""
	}
	d := tm.In(portal.MongoliaTime)
	if t.lang == portal.English {
		return strconv.Itoa(d.Day()) + " " + englishMonths[d.Month()-1] + " " + strconv.Itoa(d.Year())
	}
	return fmt.Sprintf("%d оны %d-р сарын %d", d.Year(), int(d.Month()), d.Day())
}

// ISODate formats the calendar date of tm as YYYY-MM-DD for <time datetime>.
func (t *Translator) ISODate(tm time.Time) string {
	return tm.In(portal.MongoliaTime).Format(time.DateOnly)
}
