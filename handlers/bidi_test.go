package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

// TestBidiControlsRefused: a one-line field holding a control of the text's direction
// (an organisation named "NGO " + U+202E + "gnp.exe" shows as "NGO exe.png") is refused
// with a message in the person's language, on every account form, and nothing is stored.
func TestBidiControlsRefused(t *testing.T) {
	p := accountsServer(t, nil)
	ctx := context.Background()
	_, sec := p.Person(t, "sec@council.mn", "Нарийн", portal.RoleSecretariat, "")
	admin, _ := p.Person(t, "admin@council.mn", "Админ", portal.RoleAdmin, "")
	token, _, err := p.Accounts.Invite(ctx, admin, "csr@oyutolgoi.mn", portal.RoleModerator, "")
	if err != nil {
		t.Fatal(err)
	}
	const pw = "camel caravan at dawn"
	accept := func(name string) url.Values {
		return url.Values{"email": {"csr@oyutolgoi.mn"}, "name": {name}, "password": {pw}, "confirm": {pw}}
	}
	const en, mn = "changes the direction of the text", "бичвэрийн чиглэлийг өөрчилдөг"
	tests := []struct {
		name, target string
		form         url.Values
		cookie       string
		field, lang  string
		message      string
	}{
		{"organisation name", "/admin/organisations", url.Values{"id": {"ngo"}, "name_en": {"NGO \u202egnp.exe"}, "group": {"civil_society"}}, sec, "name_en", "en", en},
		{"organisation name, Mongolian", "/admin/organisations", url.Values{"id": {"ngo"}, "name_mn": {"\u2067ТББ"}, "group": {"civil_society"}}, sec, "name_mn", "mn", mn},
		{"mark in a name", "/admin/organisations", url.Values{"id": {"ngo"}, "name_mn": {"ТББ\u200f"}, "group": {"civil_society"}}, sec, "name_mn", "en", en},
		{"invited address", "/admin/invitations", url.Values{"email": {"a\u202eb@example.org"}, "role": {"moderator"}}, sec, "email", "mn", mn},
		{"name of the invited", "/invitations/" + token, accept("Бат \u202eнимда"), "", "name", "en", en},
		{"escaping", "/invitations/" + token, accept("<script>alert(1)</script>\u2066"), "", "name", "mn", mn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, tt.target+"?lang="+tt.lang, tt.form, "Cookie", tt.cookie)
			if r.Code != 400 || len(unmarked(r, tt.field)) > 0 || !strings.Contains(fieldError(r, tt.field), tt.message) {
				t.Fatalf("%d, %s: %q, want 400 and %q\n%.800s", r.Code, tt.field, fieldError(r, tt.field), tt.message, r.body)
			}
			if strings.Contains(r.body, "<script>") || sessionCookie(r) != nil {
				t.Errorf("markup let through, or a session started")
			}
		})
	}
	if _, err := p.DB.FindOrganisation(ctx, "ngo"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("the organisation was stored: %v", err)
	}
	if _, err := p.Accounts.FindInvitation(ctx, token); err != nil {
		t.Errorf("the invitation was used up: %v", err)
	}
	if users, err := p.DB.FindUsers(ctx, portal.UserFilter{}); err != nil || len(users) != 2 {
		t.Errorf("%d people, %v; want the two of the test", len(users), err)
	}
}

// TestInvitationLookAlike: an invitation to an address that looks like an existing
// account's (Cyrillic letters, full-width letters) is refused on its field, in the
// person's language, and no invitation is made.
func TestInvitationLookAlike(t *testing.T) {
	p := accountsServer(t, nil)
	_, sec := p.Person(t, "sec@council.mn", "Нарийн", portal.RoleSecretariat, "")
	p.Person(t, "admin@council.mn", "Админ", portal.RoleAdmin, "")
	tests := []struct {
		name, email, lang string
		status            int
		message           string
	}{
		{"Cyrillic а", "аdmin@council.mn", "en", 409, "looks the same"},
		{"Cyrillic о in the domain", "admin@cоuncil.mn", "mn", 409, "адилхан харагдах"},
		{"full-width", "ａｄｍｉｎ@council.mn", "en", 409, "looks the same"},
		{"the same address", "Admin@Council.mn", "en", 409, "already has an account"},
		{"escaping", `"<script>alert(1)</script>"@council.mn`, "en", 400, "e-mail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, p.Router, "/admin/invitations?lang="+tt.lang, url.Values{"email": {tt.email}, "role": {"moderator"}}, "Cookie", sec)
			if r.Code != tt.status || len(unmarked(r, "email")) > 0 || !strings.Contains(fieldError(r, "email"), tt.message) {
				t.Fatalf("%d, %q; want %d and %q\n%.800s", r.Code, fieldError(r, "email"), tt.status, tt.message, r.body)
			}
			if strings.Contains(r.body, "<script>") {
				t.Errorf("markup let through")
			}
		})
	}
	if invs, err := p.DB.FindTokens(context.Background(), portal.TokenInvitation); err != nil || len(invs) != 0 {
		t.Errorf("%d invitations, %v; want none", len(invs), err)
	}
}
