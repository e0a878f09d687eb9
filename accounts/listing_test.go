package accounts_test

import (
	"testing"

	"github.com/gobidialogue/portal"
)

func TestLinkListing(t *testing.T) {
	e := newEnv(t)
	e.org("gwn")
	e.org("other-ngo")
	sec := e.user("secretariat@example.mn", portal.RoleSecretariat)
	mod := e.user("moderator@example.mn", portal.RoleModerator)

	wantErr(t, e.svc.LinkListing(e.ctx, mod, "gwn", "gobi-women-network"), portal.EFORBIDDEN, nil)
	if err := e.svc.LinkListing(e.ctx, sec, "gwn", "gobi-women-network"); err != nil {
		t.Fatal(err)
	}
	if a := e.wantAudit("organisation.listing", sec.ID, "gwn"); a.Before != `{"listing":"gwn"}` || a.After != `{"listing":"gobi-women-network"}` {
		t.Errorf("audit %s → %s", a.Before, a.After)
	}
	if err := e.svc.LinkListing(e.ctx, sec, "gwn", "gobi-women-network"); err != nil || len(e.audit("organisation.listing")) != 1 {
		t.Errorf("linking again: %v, %d audit entries", err, len(e.audit("organisation.listing")))
	}

	tests := []struct {
		name, org, listing, code string
	}{
		{"another organisation's listing", "other-ngo", "gobi-women-network", portal.ECONFLICT},
		{"an organisation's own listing", "other-ngo", "gwn", portal.ECONFLICT},
		{"bad id", "other-ngo", "Gobi Women!", portal.EINVALID},
		{"escaping", "other-ngo", `"><script>alert(1)</script>`, portal.EINVALID},
		{"unknown organisation", "nobody", "x", portal.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, e.svc.LinkListing(e.ctx, sec, tt.org, tt.listing), tt.code, nil)
		})
	}
	if n := len(e.audit("organisation.listing")); n != 1 {
		t.Errorf("%d audit entries after the refusals, want 1", n)
	}

	// Undoing the link: the listing of its own id again, the other listing free.
	if err := e.svc.LinkListing(e.ctx, sec, "gwn", ""); err != nil {
		t.Fatal(err)
	}
	if o, err := e.db.FindOrganisation(e.ctx, "gwn"); err != nil || o.ListingID() != "gwn" {
		t.Errorf("after undoing: %+v, %v", o, err)
	}
	if err := e.svc.LinkListing(e.ctx, sec, "other-ngo", "gobi-women-network"); err != nil {
		t.Errorf("linking the listing given up: %v", err)
	}
}
