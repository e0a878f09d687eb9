package portal_test

import (
	"fmt"
	"testing"

	"github.com/gobidialogue/portal"
)

func TestJoinOrganisations(t *testing.T) {
	listing := func(id, mn string, group portal.StakeholderGroup) *portal.DirectoryOrg {
		return &portal.DirectoryOrg{ID: id, Name: portal.Text{MN: mn, EN: id}, Group: group}
	}
	d := portal.NewDirectory([]*portal.DirectoryOrg{
		listing("ub-safe-house", "Хамгаалах байр", portal.GroupCivilSociety),
		listing("gobi-women-network", "Говийн эмэгтэйчүүд", portal.GroupCivilSociety),
		listing("umnugovi-police", "Өмнөговь аймгийн цагдаа", portal.GroupGovernment),
		listing("claimed-twice", "Давхар", portal.GroupCivilSociety),
	}, "v1")
	orgs := []*portal.Organisation{ // as the store gives them: by Mongolian name
		{ID: "ub-safe-house", NameMN: "Аюулгүй байр ТББ", Group: portal.GroupCivilSociety, Verified: true},
		{ID: "first", NameMN: "Б", Group: portal.GroupCivilSociety, DirectoryID: "claimed-twice"},
		{ID: "second", NameMN: "В", Group: portal.GroupCivilSociety, DirectoryID: "claimed-twice"},
		{ID: "gwn", NameMN: "Говийн эмэгтэйчүүдийн сүлжээ", Group: portal.GroupInternational, DirectoryID: "gobi-women-network"},
		{ID: "oyu-tolgoi", NameMN: "Оюу толгой", Group: portal.GroupMining},
	}
	var got []string
	for _, e := range portal.JoinOrganisations(orgs, d, portal.Mongolian) {
		s := e.ID() + " " + string(e.Group())
		if e.Org != nil {
			s += " record"
		}
		if e.Listing != nil {
			s += " listing:" + e.Listing.ID
		}
		if e.Verified() {
			s += " verified"
		}
		got = append(got, s)
	}
	want := []string{
		"ub-safe-house civil_society record listing:ub-safe-house verified", // Аюулгүй
		"first civil_society record listing:claimed-twice",                  // Б
		"second civil_society record",                                       // В: the listing is first's
		"gwn international_organisation record listing:gobi-women-network",  // Говийн эмэгтэйчүүдийн: the record's group
		"oyu-tolgoi mining_company record",                                  // Оюу
		"umnugovi-police government listing:umnugovi-police",                // Өмнөговь: only listed
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("JoinOrganisations =\n%q\nwant\n%q", got, want)
	}

	if e := portal.JoinOrganisations(orgs[:1], nil, portal.Mongolian); len(e) != 1 || e[0].Listing != nil || e[0].Name(portal.English) != "Аюулгүй байр ТББ" {
		t.Errorf("without a directory: %+v", e)
	}
	if e := portal.JoinOrganisations(nil, d, portal.Mongolian); len(e) != 4 || e[1].Name(portal.English) != "claimed-twice" || e[1].Name(portal.Mongolian) != "Давхар" {
		t.Errorf("listings only: %+v", e)
	}
	var en []string
	for _, e := range portal.JoinOrganisations(nil, d, portal.English) {
		en = append(en, e.ID())
	}
	if fmt.Sprint(en) != "[claimed-twice gobi-women-network ub-safe-house umnugovi-police]" {
		t.Errorf("in English: %q", en)
	}
}
