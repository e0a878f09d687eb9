package directory

import (
	"strings"
	"testing"
	"unicode"

	"github.com/gobidialogue/portal"
)

// TestStarterVerifierBilingual: the starter directory names who verified each service in
// both languages ("Council secretariat (example)" showed in English on Mongolian pages), the
// Mongolian with the glossary's term and no Latin letters.
func TestStarterVerifierBilingual(t *testing.T) {
	_, _, orgs, err := LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range orgs {
		for i := range o.Services {
			s := &o.Services[i]
			if s.AssuredBy == "" {
				continue
			}
			n++
			v := s.Verifier()
			if strings.ContainsFunc(v.MN, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }) {
				t.Errorf("%s: verifier in Mongolian %q has Latin letters", s.ID, v.MN)
			}
			if !strings.Contains(v.MN, "нарийн бичгийн дарга нарын газар") || v.EN != "Council secretariat (example)" {
				t.Errorf("%s: verifier %+v", s.ID, v)
			}
		}
	}
	if n == 0 {
		t.Fatal("no starter service names who verified it")
	}
}

// TestLoadVerifier: assured_by is a name in both languages, or one string for a name that
// is the same in both; anything else is refused with its line.
func TestLoadVerifier(t *testing.T) {
	org := func(assured string) []byte {
		return []byte(`id: test-org
name: {mn: "Байгууллага", en: "Organisation"}
group: civil_society
services:
  - id: test-service
    name: {mn: "Үйлчилгээ", en: "Service"}
    types: [hotline]
    hours: always
    assured_date: 2026-10-15
    assured_by: ` + assured + "\n")
	}
	tests := []struct {
		name, yaml string
		want       portal.Text
		err        string
	}{
		{"both languages", `{mn: "Нарийн бичгийн газар", en: "Secretariat"}`, portal.Text{MN: "Нарийн бичгийн газар", EN: "Secretariat"}, ""},
		{"a person", `"Туяа Батаа"`, portal.Text{MN: "Туяа Батаа", EN: "Туяа Батаа"}, ""},
		{"English only", `{en: "Secretariat"}`, portal.Text{MN: "Secretariat", EN: "Secretariat"}, ""},
		{"a list", `[a, b]`, portal.Text{}, "assured_by"},
		{"unknown key", `{mn: "a", fr: "b"}`, portal.Text{}, "fr"},
		{"escaping", `{mn: "<script>alert(1)</script>", en: "<b>x</b>"}`, portal.Text{MN: "<script>alert(1)</script>", EN: "<b>x</b>"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := LoadOrg("test-org.yaml", org(tt.yaml))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one naming %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := o.Services[0].Verifier(); got != tt.want {
				t.Errorf("verifier %+v, want %+v", got, tt.want)
			}
		})
	}
}
