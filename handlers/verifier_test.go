package handlers_test

import (
	"strings"
	"testing"
)

// TestVerifierInPageLanguage: a service page names who verified it in the page's language
// ("Council secretariat (example)" was English on Mongolian pages), stored and read back
// through the store; a hostile verifier's name is text.
func TestVerifierInPageLanguage(t *testing.T) {
	h := directorySite(t).Router
	tests := []struct {
		name, target, want, not string
	}{
		{"mn", "/directory/services/ub-safe-house-shelter?lang=mn", "Зөвлөлийн нарийн бичгийн дарга нарын газар (жишээ)", "Council secretariat"},
		{"en", "/directory/services/ub-safe-house-shelter?lang=en", "Council secretariat (example)", "нарийн бичгийн"},
		{"escaping", "/directory/services/hostile-service?lang=mn", "<script>alert(1)</script>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := getPage(t, h, tt.target)
			by := r.text("main .assured + .meta")
			if !strings.Contains(by, tt.want) || (tt.not != "" && strings.Contains(by, tt.not)) {
				t.Errorf("verified by %q, want %q", by, tt.want)
			}
		})
	}
}
