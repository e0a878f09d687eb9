package themes

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

// verb matches a fmt verb with an optional explicit argument index: %s, %d, %[2]q, %%.
var verb = regexp.MustCompile(`%(\[(\d+)\])?[-+# 0]*\d*(\.\d+)?([a-zA-Z%])`)

// arguments returns what a format string does with its arguments, argument by argument
// ("1:s 2:d"), resolving implicit indexes as fmt does; "%%" takes none.
func arguments(format string) string {
	var args []string
	next := 1
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		if m[4] == "%" {
			continue
		}
		n := next
		if m[2] != "" {
			n, _ = strconv.Atoi(m[2])
		}
		args = append(args, fmt.Sprintf("%d:%s", n, m[4]))
		next = n + 1
	}
	sort.Strings(args)
	return strings.Join(args, " ")
}

// TestPlaceholdersAgree: every Mongolian string takes the same arguments, with the same
// verbs, as its English one, so a rephrased string never shows "%!s(MISSING)" or drops a
// name. Mongolian may put them in another order only through explicit indexes (%[2]s).
func TestPlaceholdersAgree(t *testing.T) {
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	mn, en := th.Translator(portal.Mongolian), th.Translator(portal.English)
	for _, k := range en.Keys() {
		enForms, mnForms := en.Forms(k), mn.Forms(k)
		if len(mnForms) == 0 {
			continue // TestCatalogsComplete reports it
		}
		want := arguments(enForms[len(enForms)-1]) // "other": "one" may spell the count out
		for _, f := range mnForms {
			if got := arguments(f); got != want {
				t.Errorf("%s: mn %q takes arguments %q, en takes %q", k, f, got, want)
			}
		}
	}
}

// gluedSuffix matches a case ending written onto an argument: "%s-ээр", "%[1]s-нд",
// "%d-ээс". Mongolian vowel harmony picks the ending by the word's sound, which a string
// cannot know for an arbitrary name, date or number ("Microsoft-ээр"). Only the ordinal
// "%d-р" (дугаар/дүгээр, written the same after every number) may follow a number.
var gluedSuffix = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*([a-zA-Z])-([а-яөүё]+)`)

// TestNoSuffixOnArgument keeps the Mongolian strings phrased so that no suffix attaches to
// an argument: "%s бүртгэлээр нэвтрэх", not "%s-ээр нэвтрэх".
func TestNoSuffixOnArgument(t *testing.T) {
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	mn := th.Translator(portal.Mongolian)
	for _, k := range mn.Keys() {
		for _, f := range mn.Forms(k) {
			for _, m := range gluedSuffix.FindAllStringSubmatch(f, -1) {
				if m[2] == "d" && m[3] == "р" {
					continue
				}
				t.Errorf("%s: %q glues a suffix to an argument: rephrase so none attaches", k, m[0])
			}
		}
	}
}
