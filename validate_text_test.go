package portal

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       string
		max     int
		oneLine bool
		want    TextProblem
	}{
		{"plain", "Говийн эмэгтэйчүүдийн сүлжээ", 300, true, ""},
		{"markup is text", `<script>alert("x")</script>`, 300, true, ""},
		{"empty", "", 300, true, ""},
		{"at the limit", strings.Repeat("я", 150), 300, true, ""},
		{"over the limit", strings.Repeat("я", 150) + "a", 300, true, TextTooLong},
		{"no limit", strings.Repeat("a", 1<<20), 0, true, ""},
		{"NUL", "a\x00b", 300, true, TextInvalid},
		{"escape", "a\x1b[31mred", 5000, false, TextInvalid},
		{"DEL", "a\x7f", 300, true, TextInvalid},
		{"C1 control", "a\u0085b", 5000, false, TextInvalid},
		{"not UTF-8", "a\xffb", 300, true, TextInvalid},
		{"line end in one line", "a\nb", 300, true, TextInvalid},
		{"tab in one line", "a\tb", 300, true, TextInvalid},
		{"line end and tab in a text", "a\nb\tc", 5000, false, ""},
		{"carriage return in a text", "a\r\nb", 5000, false, TextInvalid},
		{"override", "NGO \u202egnp.exe", 300, true, TextBidi},
		{"embedding", "\u202aabc", 300, true, TextBidi},
		{"pop", "abc\u202c", 300, true, TextBidi},
		{"isolate", "\u2066abc\u2069", 300, true, TextBidi},
		{"first strong isolate", "\u2068abc", 300, true, TextBidi},
		{"left-to-right mark", "abc\u200e", 300, true, TextBidi},
		{"right-to-left mark", "abc\u200f", 300, true, TextBidi},
		{"Arabic letter mark", "abc\u061c", 300, true, TextBidi},
		{"override in a text", "a paragraph \u202e", 5000, false, ""},
		{"control before bidi", "\u202e\x00", 300, true, TextInvalid},
		{"Mongolian script and Cyrillic", "ᠮᠣᠩᠭᠣᠯ Монгол", 300, true, ""},
	} {
		if got := CheckText(tc.s, tc.max, tc.oneLine); got != tc.want {
			t.Errorf("%s: CheckText(%q) = %q, want %q", tc.name, tc.s, got, tc.want)
		}
	}
}

func TestValidText(t *testing.T) {
	if err := ValidText("name", "Бат", 300, true); err != nil {
		t.Errorf("valid: %v", err)
	}
	// The message never repeats the value: it may be a confidential address.
	err := ValidText("address", "Secret street 1\x00", 5000, false)
	if ErrorCode(err) != EINVALID || !hasField(err, "address") || strings.Contains(ErrorMessage(err), "Secret") {
		t.Errorf("control character: %v", err)
	}
	if err := ValidText("name", "\u202e", 300, true); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "direction") {
		t.Errorf("bidi: %v", err)
	}
}

func hasField(err error, field string) bool {
	e, ok := err.(*Error)
	return ok && e.Fields[field] != ""
}

// TestPeopleAndOrganisationNames: a person's name (the profile, portal user create) and an
// organisation's names get the checks of every other one-line name.
func TestPeopleAndOrganisationNames(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		ok          bool
	}{
		{"plain", "Сарангэрэл Б.", true},
		{"markup", "<script>alert(1)</script>", true},
		{"NUL", "Бат\x00", false},
		{"escape", "Bat\x1b]0;owned\x07", false},
		{"line end", "Bat\nAdmin", false},
		{"override", "Bat \u202enimda", false},
		{"isolate", "\u2067Bat", false},
		{"mark", "Bat\u200f", false},
		{"not UTF-8", "Bat\xff", false},
	} {
		u := &User{Email: "bat@example.mn", Name: tc.value, Role: RoleMember}
		if err := u.Validate(); (err == nil) != tc.ok || err != nil && !hasField(err, "name") {
			t.Errorf("%s: User.Validate = %v", tc.name, err)
		}
		o := &Organisation{ID: "ngo", NameMN: "ТББ", NameEN: tc.value, Group: GroupCivilSociety}
		if err := o.Validate(); (err == nil) != tc.ok || err != nil && !hasField(err, "name_en") {
			t.Errorf("%s: Organisation.Validate = %v", tc.name, err)
		}
		o.NameMN, o.NameEN = tc.value, ""
		if err := o.Validate(); (err == nil) != tc.ok || err != nil && !hasField(err, "name_mn") {
			t.Errorf("%s: Organisation.Validate, Mongolian = %v", tc.name, err)
		}
	}
}

// TestNormalizeEmailInvisible: an address with an invisible character is no address.
func TestNormalizeEmailInvisible(t *testing.T) {
	for _, s := range []string{"a\u202eb@example.org", "ab@exa\u202emple.org", "a\u200bb@example.org", "a\u200fb@example.org",
		"\u2066ab@example.org", "a\u00adb@example.org", "ab@example.org\ufeff", "a\x7fb@example.org"} {
		if got, err := NormalizeEmail(s); ErrorCode(err) != EINVALID {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want EINVALID", s, got, err)
		}
	}
	for s, want := range map[string]string{"Bat@Example.MN": "bat@example.mn", " info@гов.мон ": "info@гов.мон"} {
		if got, err := NormalizeEmail(s); got != want || err != nil {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", s, got, err, want)
		}
	}
}
