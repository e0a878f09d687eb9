package server

import (
	"testing"

	"github.com/gobidialogue/portal"
)

func TestAcceptLanguage(t *testing.T) {
	tests := []struct {
		header string
		want   portal.Language
		ok     bool
	}{
		{"", "", false},
		{"fr-FR, de;q=0.9", "", false},
		{"en-US,en;q=0.9", portal.English, true},
		{"mn", portal.Mongolian, true},
		{"en;q=0.4, mn-MN;q=0.8", portal.Mongolian, true},
		{"ru, en;q=0.1", portal.English, true},
		{"en;q=0", "", false},
		{"en;q=bogus, mn;q=0.2", portal.Mongolian, true},
		{"<script>;q=1", "", false},
	}
	for _, tt := range tests {
		got, ok := acceptLanguage(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("acceptLanguage(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
