package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// TestLanguageCodeAnyCase: ?lang= takes a language code in any letter case (a person types
// EN as readily as en) and remembers it as the code; an unknown code is still a 400 that
// shows it as text.
func TestLanguageCodeAnyCase(t *testing.T) {
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true})
	tests := []struct {
		path   string
		status int
		lang   string // <html lang> and the cookie remembered
	}{
		{"/?lang=EN", 200, "en"},
		{"/?lang=Mn", 200, "mn"},
		{"/guidelines/truck-drivers?lang=eN", 200, "en"},
		{"/guidelines?lang=MN", 200, "mn"},
		{"/?lang=FR", 400, ""},
		{"/?lang=%3CSCRIPT%3Ealert(1)%3C/SCRIPT%3E", 400, ""}, // escaping
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := get(t, p, tt.path)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d", r.Code, tt.status)
			}
			page := body(t, r)
			if strings.Contains(page, "<SCRIPT>") || strings.Contains(page, "<script>alert") {
				t.Fatal("the parameter reached the page as markup")
			}
			if tt.lang == "" {
				return
			}
			if !strings.Contains(page, `<html lang="`+tt.lang+`">`) {
				t.Errorf("the page is not in %s", tt.lang)
			}
			var remembered string
			for _, c := range (&http.Response{Header: r.Header()}).Cookies() {
				if c.Name == "lang" {
					remembered = c.Value
				}
			}
			if remembered != tt.lang {
				t.Errorf("cookie remembers %q, want %q", remembered, tt.lang)
			}
		})
	}
}
