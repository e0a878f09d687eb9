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
type Translator struct {
	lang    portal.Language
	strings map[string]string
}

func loadCatalog(fsys fs.FS) (map[portal.Language]*Translator, error) {
	catalog := map[portal.Language]*Translator{}
	for _, lang := range portal.Languages {
		name := "i18n/" + string(lang) + ".yaml"
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("themes: %w", err)
		}
		m := map[string]string{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("themes: %s: %w", name, err)
		}
		catalog[lang] = &Translator{lang: lang, strings: m}
	}
	return catalog, nil
}

// Lang returns the translator's language.
func (t *Translator) Lang() portal.Language { return t.lang }

// T returns the string for key, formatted with args when there are any. A missing key
// returns the key itself, so a gap is visible rather than blank; a test keeps the
// catalogs complete.
func (t *Translator) T(key string, args ...any) string {
	s, ok := t.strings[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key is translated.
func (t *Translator) Has(key string) bool { _, ok := t.strings[key]; return ok }

// Keys returns every key of the catalog, sorted.
func (t *Translator) Keys() []string {
	keys := make([]string, 0, len(t.strings))
	for k := range t.strings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
