package accounts_test

import (
	"errors"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

func TestEmailKey(t *testing.T) {
	same := [][2]string{
		{"admin@council.mn", "аdmin@council.mn"},     // Cyrillic а
		{"admin@council.mn", "admin@cоuncil.mn"},     // Cyrillic о in the domain
		{"oyun@example.mn", "оуun@example.mn"},       // Cyrillic о and у
		{"admin@council.mn", "ａｄｍｉｎ@council.mn"},     // full-width
		{"Admin@Council.MN", "admin@council.mn"},     // case
		{"strasse@example.de", "straße@example.de"},  // case folding
		{"file@example.org", "ﬁle@example.org"},      // a ligature
		{"pixel@example.org", "ріхеl@example.org"},   // four Cyrillic letters
		{"info@example.org", "ınfo@example.org"},     // dotless i
		{"bayar@example.mn", "bаyаr@example.mn"},     // Cyrillic а twice
		{"niko@example.org", "nικο@example.org"},     // Greek
		{"zoë@example.org", "zoe\u0308@example.org"}, // a combining diaeresis
	}
	for _, p := range same {
		if a, b := accounts.EmailKey(p[0]), accounts.EmailKey(p[1]); a != b {
			t.Errorf("EmailKey(%q) = %q, EmailKey(%q) = %q: want the same", p[0], a, p[1], b)
		}
	}
	different := [][2]string{
		{"admin@council.mn", "admin2@council.mn"},
		{"bat@example.mn", "bat@example.org"},
		{"бат@гов.мон", "bat@gov.mon"}, // Mongolian Cyrillic that looks like nothing Latin
		{"zoe@example.org", "zoë@example.org"},
	}
	for _, p := range different {
		if accounts.EmailKey(p[0]) == accounts.EmailKey(p[1]) {
			t.Errorf("EmailKey(%q) = EmailKey(%q): want them apart", p[0], p[1])
		}
	}
}

// TestLookAlikeRefused: an invitation, and an account (portal user create), whose address
// looks the same as an existing account's is refused; the same address is refused as
// taken; another one is invited.
func TestLookAlikeRefused(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin@council.mn", portal.RoleAdmin)
	e.user("oyun@example.mn", portal.RoleMember)
	for _, email := range []string{"аdmin@council.mn", "admin@cоuncil.mn", "ａｄｍｉｎ@council.mn", "оуun@example.mn", "оyun@example.mn"} {
		token, _, err := e.svc.Invite(e.ctx, admin, email, portal.RoleModerator, "")
		if !errors.Is(err, accounts.ErrLookAlike) || token != "" {
			t.Errorf("Invite(%q) = %q, %v; want ErrLookAlike", email, token, err)
		}
		u := &portal.User{Email: email, Name: "Look-alike", Role: portal.RoleAdmin}
		if err := e.svc.CreateUser(e.ctx, "", u); !errors.Is(err, accounts.ErrLookAlike) {
			t.Errorf("CreateUser(%q) = %v; want ErrLookAlike", email, err)
		}
	}
	// The same address is taken, which says so; it is no look-alike.
	_, _, err := e.svc.Invite(e.ctx, admin, "Admin@Council.mn", portal.RoleModerator, "")
	if portal.ErrorCode(err) != portal.ECONFLICT || errors.Is(err, accounts.ErrLookAlike) {
		t.Errorf("the same address: %v", err)
	}
	// Another address is invited, and the invitation is accepted.
	token := e.invite(admin, "admin2@council.mn", portal.RoleModerator, "")
	if _, err := e.svc.AcceptInvitation(e.ctx, token, "admin2@council.mn", "Админ Хоёр", "camel caravan at dusk"); err != nil {
		t.Fatalf("accept: %v", err)
	}
	// An invitation sent before a look-alike account existed cannot make a second one.
	pending := e.invite(admin, "bаyar@example.mn", portal.RoleModerator, "")
	e.user("bayar@example.mn", portal.RoleMember)
	if _, err := e.svc.AcceptInvitation(e.ctx, pending, "bаyar@example.mn", "Баяр", "camel caravan at dusk"); !errors.Is(err, accounts.ErrLookAlike) {
		t.Errorf("accepting a look-alike: %v", err)
	}
	if users, err := e.db.FindUsers(e.ctx, portal.UserFilter{}); err != nil || len(users) != 4 {
		t.Errorf("%d people, %v; want 4", len(users), err)
	}
}
