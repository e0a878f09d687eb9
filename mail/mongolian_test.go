package mail

import (
	"regexp"
	"testing"

	"github.com/gobidialogue/portal"
)

// TestNoSuffixOnValue keeps the Mongolian messages phrased so that no case ending is
// written onto a {value}: vowel harmony picks the ending by the word's sound, which a
// message cannot know for a name, an address or a date ("{org}-ын" reads wrong for most
// names). Say "{expires} хүртэл", "Байгууллага: {org}".
func TestNoSuffixOnValue(t *testing.T) {
	glued := regexp.MustCompile(`\{[a-z]+\}-?[а-яөүё]+`)
	mn := catalog[portal.Mongolian]
	for name, text := range map[string]string{
		"reset subject": mn.resetSubject, "reset body": mn.resetBody, "invite subject": mn.inviteSubject,
		"invite body": mn.inviteBody, "invite org": mn.inviteOrg, "greeting": mn.greeting, "greeting with name": mn.greetingName,
	} {
		if m := glued.FindString(text); m != "" {
			t.Errorf("%s: %q glues a suffix to a value: rephrase so none attaches", name, m)
		}
	}
}
