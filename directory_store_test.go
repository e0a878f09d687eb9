package portal_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
)

func TestDirectoryFind(t *testing.T) {
	mon := []time.Weekday{time.Monday}
	orgs := []*portal.DirectoryOrg{
		{ID: "ub", Name: portal.Text{EN: "UB House"}, Locations: []portal.Location{{ID: "ub-l", Aimag: "ulaanbaatar", Soum: "bayangol"}},
			Services: []portal.Service{{ID: "ub-shelter", Name: portal.Text{EN: "A shelter in UB"}, Types: []string{"shelter"},
				Always: true, Free: true, Languages: []string{"mn", "en"}, LocationIDs: []string{"ub-l"},
				Area: []portal.Place{{Aimag: "ulaanbaatar"}, {Aimag: "umnugovi"}}}}},
		{ID: "dz", Name: portal.Text{EN: "Dalanzadgad Centre"}, Locations: []portal.Location{{ID: "dz-l", Aimag: "umnugovi", Soum: "dalanzadgad"}},
			Services: []portal.Service{
				{ID: "dz-shelter", Name: portal.Text{EN: "Shelter Dalanzadgad"}, Types: []string{"shelter"}, Languages: []string{"mn"},
					Hours: []portal.Schedule{{Days: mon, Opens: "09:00", Closes: "17:00"}}, LocationIDs: []string{"dz-l"},
					Area: []portal.Place{{Aimag: "umnugovi"}}},
				{ID: "dz-legal", Name: portal.Text{EN: "Legal aid"}, Types: []string{"legal-aid"}, Languages: []string{"mn"}, Free: true,
					Always: true, Area: []portal.Place{{Aimag: "umnugovi", Soum: "khanbogd"}}, Description: portal.Text{MN: "Хууль зүйн туслалцаа"}},
			}},
	}
	d := portal.NewDirectory(orgs, "v1")
	monday10 := time.Date(2026, 11, 30, 10, 0, 0, 0, portal.MongoliaTime)
	sunday := time.Date(2026, 11, 29, 10, 0, 0, 0, portal.MongoliaTime)
	tests := []struct {
		name string
		q    portal.DirectoryQuery
		at   time.Time
		want []string
	}{
		{"everything by name", portal.DirectoryQuery{}, monday10, []string{"ub-shelter", "dz-legal", "dz-shelter"}},
		{"aimag: located there first", portal.DirectoryQuery{Aimag: "umnugovi"}, monday10, []string{"dz-shelter", "ub-shelter", "dz-legal"}},
		{"soum served", portal.DirectoryQuery{Aimag: "umnugovi", Soum: "khanbogd"}, monday10, []string{"dz-legal", "ub-shelter", "dz-shelter"}},
		{"soum located", portal.DirectoryQuery{Aimag: "umnugovi", Soum: "dalanzadgad"}, monday10, []string{"dz-shelter", "ub-shelter"}},
		{"other aimag", portal.DirectoryQuery{Aimag: "dornogovi"}, monday10, nil},
		{"type", portal.DirectoryQuery{Aimag: "umnugovi", Type: "shelter"}, monday10, []string{"dz-shelter", "ub-shelter"}},
		{"language", portal.DirectoryQuery{Language: "en"}, monday10, []string{"ub-shelter"}},
		{"open now on Monday", portal.DirectoryQuery{OpenNow: true}, monday10, []string{"ub-shelter", "dz-legal", "dz-shelter"}},
		{"open now on Sunday", portal.DirectoryQuery{OpenNow: true}, sunday, []string{"ub-shelter", "dz-legal"}},
		{"24 hours and free", portal.DirectoryQuery{Always: true, Free: true, Aimag: "umnugovi"}, monday10, []string{"ub-shelter", "dz-legal"}},
		{"text in either language", portal.DirectoryQuery{Text: "ХУУЛЬ зүйн"}, monday10, []string{"dz-legal"}},
		{"text of the organisation", portal.DirectoryQuery{Text: "dalanzadgad centre"}, monday10, []string{"dz-legal", "dz-shelter"}},
	}
	for _, tt := range tests {
		var got []string
		for _, h := range d.Find(tt.q, tt.at, portal.English) {
			got = append(got, h.Service.ID)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if s, o := d.Service("dz-legal"); s == nil || o.ID != "dz" {
		t.Errorf("Service(dz-legal) = %v, %v", s, o)
	}
}

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
