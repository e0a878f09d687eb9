package themes

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

func TestPlurals(t *testing.T) {
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	en, mn := th.Translator(portal.English), th.Translator(portal.Mongolian)
	tests := []struct {
		tr   *Translator
		key  string
		args []any
		want string
	}{
		{en, "diff.unchanged_n", []any{1}, "1 unchanged paragraph"},
		{en, "diff.unchanged_n", []any{2}, "2 unchanged paragraphs"},
		{en, "diff.unchanged_n", []any{0}, "0 unchanged paragraphs"},
		{en, "diff.unchanged_n", []any{11}, "11 unchanged paragraphs"},
		{en, "diff.stats", []any{1, 2, 0, 1}, "1 paragraph changed, 2 added, 0 removed, 1 unchanged."},
		{en, "diff.stats", []any{3, 1, 1, 1}, "3 paragraphs changed, 1 added, 1 removed, 1 unchanged."},
		{en, "revisions.words", []any{1}, "1 word"},
		{en, "revisions.words", []any{1_201}, "1201 words"},
		{en, "login.throttled", []any{1}, "Too many attempts. Please wait 1 minute and try again."},
		{en, "login.throttled", []any{15}, "Too many attempts. Please wait 15 minutes and try again."},
		{en, "admin.people.more", []any{1}, "1 more matches: search to narrow the list."},
		{en, "admin.people.more", []any{40}, "40 more match: search to narrow the list."},
		// Mongolian nouns keep their form after a numeral.
		{mn, "diff.unchanged_n", []any{1}, "Өөрчлөгдөөгүй 1 догол мөр"},
		{mn, "diff.unchanged_n", []any{5}, "Өөрчлөгдөөгүй 5 догол мөр"},
		{mn, "revisions.words", []any{1}, "1 үг"},
		{mn, "login.throttled", []any{1}, "Хэт олон удаа оролдлоо. 1 минут хүлээгээд дахин оролдоно уу."},
		// A string without forms is what it was; the count is the first integer.
		{en, "guideline.revision_n", []any{1}, "Revision 1"},
		{en, "diff.unchanged_n", []any{"x", int64(1)}, "%!d(string=x) unchanged paragraph%!(EXTRA int64=1)"},
	}
	for _, tt := range tests {
		if got := tt.tr.T(tt.key, tt.args...); got != tt.want {
			t.Errorf("%s T(%q, %v) = %q, want %q", tt.tr.Lang(), tt.key, tt.args, got, tt.want)
		}
	}
	if !en.Has("diff.unchanged_n") || !strings.Contains(strings.Join(en.Keys(), " "), " diff.unchanged_n ") {
		t.Error("a string with plural forms is not a key of the catalog")
	}
	if f := en.Forms("revisions.words"); len(f) != 2 || f[0] != "%d word" {
		t.Errorf("Forms = %q", f)
	}
}

// TestCountsAgree looks for a count that may be 1 followed by a plural noun ("%d
// paragraphs") in a string without plural forms: "1 unchanged paragraphs". The strings
// listed are never about one thing.
func TestCountsAgree(t *testing.T) {
	never1 := map[string]string{
		"directory.error.page":       "a page past the end of two or more (directory.error.page_one says one)",
		"directory.print.too_many":   "more than the most a sheet holds",
		"reset.password.help":        "the shortest password, which is long",
		"hsds.error.search_too_long": "the longest search",
	}
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	en := th.Translator(portal.English)
	// A number, then up to two words, the last a plural: "%d words", "%d unchanged
	// paragraphs"; not a number that names something ("Line %d lists a day twice").
	plural := regexp.MustCompile(`%(\[\d+\])?d( [a-z]+)?( [a-z]+s)\b`)
	label := regexp.MustCompile(`(?i)(line|revision|page) $`)
	for _, k := range en.Keys() {
		forms := en.Forms(k)
		if len(forms) != 1 || never1[k] != "" {
			continue
		}
		for _, m := range plural.FindAllStringIndex(forms[0], -1) {
			if !label.MatchString(forms[0][:m[0]]) {
				t.Errorf("%s: %q reads wrong for 1: give it plural forms (one:, other:)", k, forms[0][m[0]:m[1]])
			}
		}
	}
}

func TestPluralFormsParsed(t *testing.T) {
	tests := []struct {
		yaml, err string
	}{
		{"a:\n  one: x\n  other: xs\n", ""},
		{"a:\n  other: xs\n", ""},
		{"a:\n  one: x\n", `plural forms without "other"`},
		{"a:\n  few: x\n  other: xs\n", `unknown plural form "few"`},
		{"a:\n  - x\n", "neither a string nor plural forms"},
	}
	for _, tt := range tests {
		_, err := parseCatalog(portal.English, []byte(tt.yaml))
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.err)
		}
	}
}
