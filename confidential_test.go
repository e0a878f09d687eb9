package portal_test

import (
	"testing"

	"github.com/gobidialogue/portal"
)

func TestPublicHidesConfidential(t *testing.T) {
	lat, lon := 43.5, 104.4
	o := &portal.DirectoryOrg{ID: "o", Locations: []portal.Location{
		{ID: "secret", Confidential: true, Address: portal.Text{EN: "1 Hidden st"}, Latitude: &lat, Longitude: &lon, PublicContact: portal.Text{EN: "Call 108"}},
		{ID: "open", Address: portal.Text{EN: "2 Open st"}, Latitude: &lat, Longitude: &lon},
	}}
	pub, hidden := o.Public()
	if l := pub.Location("secret"); !l.Address.Empty() || l.Latitude != nil || l.Longitude != nil || l.PublicContact.EN != "Call 108" {
		t.Errorf("public secret location = %+v", l)
	}
	if l := pub.Location("open"); l.Address.EN != "2 Open st" || l.Latitude == nil {
		t.Errorf("public open location = %+v", l)
	}
	if len(hidden) != 1 || hidden[0].LocationID != "secret" || hidden[0].Address.EN != "1 Hidden st" || *hidden[0].Latitude != lat {
		t.Errorf("hidden = %+v", hidden)
	}
	if o.Location("secret").Address.EN != "1 Hidden st" {
		t.Error("Public changed the organisation it was given")
	}
}

func TestCanSeeConfidential(t *testing.T) {
	verified := &portal.Organisation{ID: "ngo", Verified: true}
	unverified := &portal.Organisation{ID: "ngo"}
	tests := []struct {
		name string
		u    *portal.User
		org  *portal.Organisation
		want bool
	}{
		{"visitor", nil, nil, false},
		{"member of a verified organisation", &portal.User{Role: portal.RoleMember, OrgID: "ngo"}, verified, true},
		{"member of an unverified organisation", &portal.User{Role: portal.RoleMember, OrgID: "ngo"}, unverified, false},
		{"member without organisation", &portal.User{Role: portal.RoleMember}, nil, false},
		{"member shown someone else's organisation", &portal.User{Role: portal.RoleMember, OrgID: "other"}, verified, false},
		{"disabled member", &portal.User{Role: portal.RoleMember, OrgID: "ngo", Disabled: true}, verified, false},
		{"moderator of a verified organisation", &portal.User{Role: portal.RoleModerator, OrgID: "ngo"}, verified, true},
		{"secretariat", &portal.User{Role: portal.RoleSecretariat}, nil, true},
		{"admin", &portal.User{Role: portal.RoleAdmin}, nil, true},
	}
	for _, tt := range tests {
		if got := portal.CanSeeConfidential(tt.u, tt.org); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
