package accounts_test

import (
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

func TestCreateUser(t *testing.T) {
	e := newEnv(t)
	e.org("erdenes")
	u := &portal.User{Email: "  Ganbold@Erdenes.MN ", Name: " Ганболд ", Role: portal.RoleMember, OrgID: "erdenes"}
	if err := e.svc.CreateUser(e.ctx, "actor-1", u); err != nil {
		t.Fatal(err)
	}
	stored := e.reload(u)
	if len(u.ID) != 26 || stored.Email != "ganbold@erdenes.mn" || stored.Name != "Ганболд" || !stored.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("stored %+v", stored)
	}
	if len(stored.Identities) != 1 || stored.Identities[0] != (portal.Identity{Provider: portal.ProviderLocal, Subject: "ganbold@erdenes.mn", Email: "ganbold@erdenes.mn", LinkedAt: e.clock.Now()}) {
		t.Errorf("identities %+v, want the local one", stored.Identities)
	}
	if a := e.wantAudit("user.create", "actor-1", u.ID); a.After != `{"email":"ganbold@erdenes.mn","name":"Ганболд","role":"member","org":"erdenes"}` {
		t.Errorf("audit after = %s", a.After)
	}

	tests := []struct {
		name string
		u    portal.User
		code string
	}{
		{"same e-mail", portal.User{Email: "GANBOLD@erdenes.mn", Name: "Other", Role: portal.RoleMember}, portal.ECONFLICT},
		{"bad e-mail", portal.User{Email: "ganbold", Name: "Other", Role: portal.RoleMember}, portal.EINVALID},
		{"no name", portal.User{Email: "x@erdenes.mn", Name: "  ", Role: portal.RoleMember}, portal.EINVALID},
		{"no role", portal.User{Email: "x@erdenes.mn", Name: "X"}, portal.EINVALID},
		{"unknown organisation", portal.User{Email: "x@erdenes.mn", Name: "X", Role: portal.RoleMember, OrgID: "nope"}, portal.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, e.svc.CreateUser(e.ctx, "", &tt.u), tt.code, nil)
		})
	}
}

func TestManageUsers(t *testing.T) {
	e := newEnv(t)
	e.org("khan-bank")
	admin := e.user("admin@example.mn", portal.RoleAdmin)
	sec := e.user("secretariat@example.mn", portal.RoleSecretariat)
	u := e.user("member@example.mn", portal.RoleMember)

	if err := e.svc.SetRole(e.ctx, admin, u.ID, portal.RoleModerator); err != nil {
		t.Fatal(err)
	}
	if a := e.wantAudit("user.role", admin.ID, u.ID); a.Before != `{"role":"member"}` || a.After != `{"role":"moderator"}` {
		t.Errorf("audit %s → %s", a.Before, a.After)
	}
	if err := e.svc.SetOrganisation(e.ctx, admin, u.ID, "khan-bank"); err != nil {
		t.Fatal(err)
	}
	if a := e.wantAudit("user.org", admin.ID, u.ID); a.Before != `{"org":""}` || a.After != `{"org":"khan-bank"}` {
		t.Errorf("audit %s → %s", a.Before, a.After)
	}
	epoch := e.reload(u).SessionEpoch
	if err := e.svc.SetDisabled(e.ctx, admin, u.ID, true); err != nil {
		t.Fatal(err)
	}
	e.wantAudit("user.disable", admin.ID, u.ID)
	stored := e.reload(u)
	if stored.Role != portal.RoleModerator || stored.OrgID != "khan-bank" || !stored.Disabled || stored.SessionEpoch != epoch+1 ||
		stored.PasswordHash != passwordHash() {
		t.Errorf("stored %+v", stored)
	}
	if err := e.svc.SetDisabled(e.ctx, admin, u.ID, false); err != nil {
		t.Fatal(err)
	}
	e.wantAudit("user.enable", admin.ID, u.ID)

	tests := []struct {
		name string
		err  error
		code string
	}{
		{"secretariat sets a role", e.svc.SetRole(e.ctx, sec, u.ID, portal.RoleMember), portal.EFORBIDDEN},
		{"secretariat disables", e.svc.SetDisabled(e.ctx, sec, u.ID, true), portal.EFORBIDDEN},
		{"secretariat moves", e.svc.SetOrganisation(e.ctx, sec, u.ID, ""), portal.EFORBIDDEN},
		{"visitor sets a role", e.svc.SetRole(e.ctx, nil, u.ID, portal.RoleAdmin), portal.EFORBIDDEN},
		{"admin demotes themselves", e.svc.SetRole(e.ctx, admin, admin.ID, portal.RoleMember), portal.EFORBIDDEN},
		{"admin disables themselves", e.svc.SetDisabled(e.ctx, admin, admin.ID, true), portal.EFORBIDDEN},
		{"unknown role", e.svc.SetRole(e.ctx, admin, u.ID, portal.RoleVisitor), portal.EINVALID},
		{"unknown organisation", e.svc.SetOrganisation(e.ctx, admin, u.ID, "nope"), portal.EINVALID},
		{"unknown person", e.svc.SetRole(e.ctx, admin, "nobody", portal.RoleMember), portal.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.err, tt.code, nil) })
	}
	if stored := e.reload(u); stored.Role != portal.RoleModerator || stored.Disabled {
		t.Errorf("a refused change was stored: %+v", stored)
	}
}

func TestManageOrganisations(t *testing.T) {
	e := newEnv(t)
	sec := e.user("secretariat@example.mn", portal.RoleSecretariat)
	mod := e.user("moderator@example.mn", portal.RoleModerator)

	o := &portal.Organisation{ID: "south-gobi-ngo", NameMN: " Өмнөговийн ТББ ", Group: portal.GroupCivilSociety}
	if err := e.svc.CreateOrganisation(e.ctx, sec, o); err != nil {
		t.Fatal(err)
	}
	if a := e.wantAudit("organisation.create", sec.ID, o.ID); a.After != `{"name_mn":"Өмнөговийн ТББ","name_en":"","group":"civil_society","verified":false}` {
		t.Errorf("audit after = %s", a.After)
	}
	wantErr(t, e.svc.CreateOrganisation(e.ctx, sec, &portal.Organisation{ID: o.ID, NameEN: "Again", Group: portal.GroupMining}), portal.ECONFLICT, nil)
	wantErr(t, e.svc.CreateOrganisation(e.ctx, sec, &portal.Organisation{ID: "Bad ID", NameEN: "X", Group: portal.GroupMining}), portal.EINVALID, nil)
	wantErr(t, e.svc.CreateOrganisation(e.ctx, mod, &portal.Organisation{ID: "mine", NameEN: "X", Group: portal.GroupMining}), portal.EFORBIDDEN, nil)

	// An update changes names and group, never the verification.
	upd := &portal.Organisation{ID: o.ID, NameMN: "Өмнөговийн ТББ", NameEN: "South Gobi NGO", Group: portal.GroupCivilSociety, Verified: true}
	if err := e.svc.UpdateOrganisation(e.ctx, sec, upd); err != nil {
		t.Fatal(err)
	}
	e.wantAudit("organisation.update", sec.ID, o.ID)
	stored, err := e.db.FindOrganisation(e.ctx, o.ID)
	if err != nil || stored.NameEN != "South Gobi NGO" || stored.Verified {
		t.Fatalf("after update: %+v, %v", stored, err)
	}
	wantErr(t, e.svc.UpdateOrganisation(e.ctx, sec, &portal.Organisation{ID: "nope", NameEN: "X", Group: portal.GroupMining}), portal.ENOTFOUND, nil)
	wantErr(t, e.svc.UpdateOrganisation(e.ctx, sec, &portal.Organisation{ID: o.ID, NameEN: "X", Group: "pirates"}), portal.EINVALID, nil)
	wantErr(t, e.svc.UpdateOrganisation(e.ctx, mod, upd), portal.EFORBIDDEN, nil)

	if err := e.svc.VerifyOrganisation(e.ctx, sec, o.ID, true); err != nil {
		t.Fatal(err)
	}
	e.wantAudit("organisation.verify", sec.ID, o.ID)
	stored, err = e.db.FindOrganisation(e.ctx, o.ID)
	if err != nil || !stored.Verified || stored.VerifiedBy != sec.ID || stored.VerifiedAt == nil || !stored.VerifiedAt.Equal(e.clock.Now()) {
		t.Fatalf("after verify: %+v, %v", stored, err)
	}
	wantErr(t, e.svc.VerifyOrganisation(e.ctx, mod, o.ID, false), portal.EFORBIDDEN, nil)
	if err := e.svc.VerifyOrganisation(e.ctx, sec, o.ID, false); err != nil {
		t.Fatal(err)
	}
	e.wantAudit("organisation.unverify", sec.ID, o.ID)
}

// TestThrottledErrorCode checks the error contract the handlers rely on.
func TestThrottledErrorCode(t *testing.T) {
	var err error = &accounts.ThrottledError{Wait: 90}
	wantErr(t, err, portal.EUNAUTHORIZED, accounts.ErrThrottled)
	if portal.ErrorMessage(err) == "" {
		t.Error("a throttled sign-in has no user message")
	}
}
