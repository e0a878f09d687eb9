package directory_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

func newEditor(t *testing.T) (*directory.Editor, *store.DB, []*portal.DirectoryOrg) {
	t.Helper()
	db := storetest.Open(t)
	g, terms, orgs, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if err := db.SaveDirectoryOrg(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	clock := func() time.Time { return time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC) }
	return &directory.Editor{Store: db, Audit: db, Gazetteer: g, Terms: terms, Now: clock}, db, orgs
}

func TestEditorChecksPolicy(t *testing.T) {
	e, _, orgs := newEditor(t)
	ctx := context.Background()
	member := &portal.User{ID: "m", Name: "Member", Role: portal.RoleMember}
	s := orgs[0].Services[0].Clone()
	s.Name.EN = "changed"
	if err := e.SaveService(ctx, member, s); portal.ErrorCode(err) != portal.EFORBIDDEN {
		t.Errorf("member edits: %v", err)
	}
	if err := e.VerifyService(ctx, nil, s.ID); portal.ErrorCode(err) != portal.EFORBIDDEN {
		t.Errorf("visitor verifies: %v", err)
	}
	if _, err := e.Suggest(ctx, nil, s, ""); portal.ErrorCode(err) != portal.EFORBIDDEN {
		t.Errorf("visitor suggests: %v", err)
	}
	sg, err := e.Suggest(ctx, member, s, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Accept(ctx, member, sg.ID); portal.ErrorCode(err) != portal.EFORBIDDEN {
		t.Errorf("member accepts: %v", err)
	}
	disabled := &portal.User{ID: "d", Role: portal.RoleSecretariat, Disabled: true}
	if err := e.Reject(ctx, disabled, sg.ID, "no"); portal.ErrorCode(err) != portal.EFORBIDDEN {
		t.Errorf("disabled secretariat rejects: %v", err)
	}
}

// A suggestion accepted after the secretariat changed another field keeps that change; the
// fields the member changed are applied.
func TestAcceptMergesByField(t *testing.T) {
	e, db, orgs := newEditor(t)
	ctx := context.Background()
	member := &portal.User{ID: "m", Name: "Member", Role: portal.RoleMember}
	sec := &portal.User{ID: "s", Name: "Secretariat", Role: portal.RoleSecretariat}
	orig := orgs[0].Services[0]

	proposed := orig.Clone()
	proposed.Fees.EN = "Free; bring an ID if you have one"
	sg, err := e.Suggest(ctx, member, proposed, "my private note")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := db.FindAudit(ctx, 1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	if en := entries[0]; en.Action != "directory.suggestion.create" || en.ActorID != member.ID || en.Target != orig.ID ||
		!strings.Contains(en.After, sg.ID) || !strings.Contains(en.After, "bring an ID") || strings.Contains(en.After, "my private note") {
		t.Errorf("the suggestion's audit entry: %+v", en)
	}
	edited := orig.Clone()
	edited.Description.EN = "Edited by the secretariat."
	if err := e.SaveService(ctx, sec, edited); err != nil {
		t.Fatal(err)
	}
	if err := e.Accept(ctx, sec, sg.ID); err != nil {
		t.Fatal(err)
	}
	d, _ := db.Directory(ctx)
	got, _ := d.Service(orig.ID)
	if got.Fees.EN != proposed.Fees.EN || got.Description.EN != "Edited by the secretariat." {
		t.Errorf("after accept: fees %q, description %q", got.Fees.EN, got.Description.EN)
	}
	if err := e.Accept(ctx, sec, sg.ID); portal.ErrorCode(err) != portal.ECONFLICT {
		t.Errorf("accepting twice: %v", err)
	}
	if err := e.Reject(ctx, sec, sg.ID, "late"); portal.ErrorCode(err) != portal.ECONFLICT {
		t.Errorf("rejecting an accepted suggestion: %v", err)
	}
}

func TestEditorRefusesInvalid(t *testing.T) {
	e, _, orgs := newEditor(t)
	ctx := context.Background()
	sec := &portal.User{ID: "s", Name: "Secretariat", Role: portal.RoleSecretariat}
	tests := []struct {
		change func(*portal.Service)
		field  string
	}{
		{func(s *portal.Service) { s.Types = []string{"spa"} }, "types"},
		{func(s *portal.Service) { s.Area = []portal.Place{{Aimag: "atlantis"}} }, "area"},
		{func(s *portal.Service) { s.LocationIDs = []string{"elsewhere"} }, "locations"},
		{func(s *portal.Service) { s.Name = portal.Text{} }, "name.mn"},
		{func(s *portal.Service) { s.Phones = []portal.Phone{{Number: "12"}} }, "phones"},
		{func(s *portal.Service) {
			s.Always = false
			s.Hours = []portal.Schedule{{Days: []time.Weekday{1}, Opens: "10:00", Closes: "09:00"}}
		}, "hours"},
	}
	for _, tt := range tests {
		s := orgs[0].Services[0].Clone()
		tt.change(s)
		err := e.SaveService(ctx, sec, s)
		var pe *portal.Error
		if portal.ErrorCode(err) != portal.EINVALID || !asError(err, &pe) || pe.Fields[tt.field] == "" {
			t.Errorf("%s: %v, want EINVALID on %s", tt.field, err, tt.field)
		}
	}
}

func asError(err error, pe **portal.Error) bool {
	e, ok := err.(*portal.Error)
	*pe = e
	return ok
}

// The audit log records that a confidential address changed, never the address.
func TestLocationAuditHidesAddress(t *testing.T) {
	e, db, orgs := newEditor(t)
	ctx := context.Background()
	sec := &portal.User{ID: "s", Name: "Secretariat", Role: portal.RoleSecretariat}
	org, loc := firstLocation(t, orgs, func(l portal.Location) bool { return l.Confidential })
	moved := loc
	moved.Address = portal.Text{MN: "Шинэ нууц хаяг 7", EN: "New secret address 7"}
	if err := e.SaveLocation(ctx, sec, org.ID, moved); err != nil {
		t.Fatal(err)
	}
	places, _ := db.ConfidentialPlaces(ctx, []string{loc.ID})
	if places[loc.ID].Address != moved.Address {
		t.Errorf("stored address = %+v", places[loc.ID].Address)
	}
	entries, err := db.FindAudit(ctx, 5)
	if err != nil || len(entries) == 0 || entries[0].Action != "directory.location.edit" {
		t.Fatalf("audit: %+v %v", entries, err)
	}
	all := entries[0].Before + entries[0].After
	for _, secret := range []string{moved.Address.EN, moved.Address.MN, loc.Address.EN, loc.Address.MN} {
		if strings.Contains(all, secret) {
			t.Errorf("the audit log holds the address %q", secret)
		}
	}
	if !strings.Contains(all, "[confidential]") {
		t.Errorf("audit entry does not say the address changed: %s", all)
	}
	d, _ := db.Directory(ctx)
	if a := d.Org(org.ID).Location(loc.ID).Address; !a.Empty() {
		t.Errorf("public directory shows %+v", a)
	}
}

// A public location made confidential: its old address is a shelter's from now on, and
// the audit log does not keep it.
func TestLocationAuditHidesAddressMadeConfidential(t *testing.T) {
	e, db, orgs := newEditor(t)
	ctx := context.Background()
	sec := &portal.User{ID: "s", Name: "Secretariat", Role: portal.RoleSecretariat}
	org, loc := firstLocation(t, orgs, func(l portal.Location) bool { return !l.Confidential && !l.Address.Empty() })
	hidden := loc
	hidden.Confidential, hidden.PublicContact = true, portal.Text{MN: "108-д залгана уу", EN: "Call 108"}
	if err := e.SaveLocation(ctx, sec, org.ID, hidden); err != nil {
		t.Fatal(err)
	}
	entries, err := db.FindAudit(ctx, 1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	if all := entries[0].Before + entries[0].After; strings.Contains(all, loc.Address.EN) || strings.Contains(all, loc.Address.MN) ||
		strings.Contains(all, "latitude") {
		t.Errorf("the audit log keeps the address of a location now confidential: %s", all)
	}
}

// firstLocation returns the first location of orgs that keep selects, and its organisation.
func firstLocation(t *testing.T, orgs []*portal.DirectoryOrg, keep func(portal.Location) bool) (*portal.DirectoryOrg, portal.Location) {
	t.Helper()
	for _, o := range orgs {
		for _, l := range o.Locations {
			if keep(l) {
				return o, l
			}
		}
	}
	t.Fatal("no such location in the starter directory")
	return nil, portal.Location{}
}
