package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

// newOrganisation returns a verified mining company with every field set.
func newOrganisation(id, nameMN string) *portal.Organisation {
	verified := base.Add(time.Hour)
	return &portal.Organisation{
		ID:         id,
		NameMN:     nameMN,
		NameEN:     "Oyu Tolgoi LLC",
		Group:      portal.GroupMining,
		Verified:   true,
		VerifiedAt: &verified,
		VerifiedBy: "u1",
		CreatedAt:  base,
		UpdatedAt:  base.Add(2 * time.Hour),
	}
}

func TestOrganisationRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(o *portal.Organisation)
	}{
		{"every field set", func(*portal.Organisation) {}},
		{"not verified, no English name", func(o *portal.Organisation) {
			o.Verified, o.VerifiedAt, o.VerifiedBy, o.NameEN, o.Group = false, nil, "", "", portal.GroupCivilSociety
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, db := context.Background(), storetest.Open(t)
			o := newOrganisation("oyu-tolgoi", "Оюу Толгой ХХК")
			tt.edit(o)
			if err := db.CreateOrganisation(ctx, o); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindOrganisation(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "organisation", got, o)
		})
	}
}

func TestUpdateOrganisation(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	o := newOrganisation("erdenes", "Эрдэнэс Монгол")
	o.Verified, o.VerifiedAt, o.VerifiedBy = false, nil, ""
	if err := db.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	at := base.Add(48 * time.Hour).In(portal.MongoliaTime)
	o.Verified, o.VerifiedAt, o.VerifiedBy, o.UpdatedAt = true, &at, "admin", base.Add(48*time.Hour)
	if err := db.UpdateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindOrganisation(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *o
	utc := at.UTC()
	want.VerifiedAt = &utc // stored in UTC
	assertEqual(t, "organisation", got, &want)
}

func TestCreateOrganisationConflict(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	if err := db.CreateOrganisation(ctx, newOrganisation("oyu-tolgoi", "Оюу Толгой")); err != nil {
		t.Fatal(err)
	}
	err := db.CreateOrganisation(ctx, newOrganisation("oyu-tolgoi", "Өөр нэр"))
	if code := portal.ErrorCode(err); code != portal.ECONFLICT {
		t.Fatalf("CreateOrganisation = %v, code %q; want %q", err, code, portal.ECONFLICT)
	}
	if msg := portal.ErrorMessage(err); msg != "organisation id oyu-tolgoi is already taken" {
		t.Errorf("message = %q", msg)
	}
	if pe := (*portal.Error)(nil); !errors.As(err, &pe) || pe.Fields["id"] == "" {
		t.Errorf("the conflict marks no field: %#v", err)
	}
	got, err := db.FindOrganisation(ctx, "oyu-tolgoi")
	if err != nil || got.NameMN != "Оюу Толгой" {
		t.Errorf("after the conflict FindOrganisation = %+v, %v", got, err)
	}
}

// TestFindOrganisations checks the Mongolian alphabetical order, in which Ө follows О and Ү
// follows У, unlike Unicode's; an organisation without a Mongolian name sorts by its English one.
func TestFindOrganisations(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	if orgs, err := db.FindOrganisations(ctx); err != nil || len(orgs) != 0 {
		t.Fatalf("FindOrganisations of an empty database = %v, %v", orgs, err)
	}
	for _, o := range []struct{ id, mn, en string }{
		{"umnugovi", "Өмнөговь аймгийн Засаг дарга", ""},
		{"undesnii", "Үндэсний хүний эрхийн комисс", ""},
		{"yalalt", "Ялалт ТББ", ""},
		{"oyu-tolgoi", "Оюу Толгой", ""},
		{"unicef", "", "UNICEF Mongolia"},
		{"erdenes", "эрдэнэс Монгол", ""}, // lower case: sorts with Э all the same
		{"zz-aimag", "Аймаг", ""},
		{"aa-aimag", "Аймаг", ""}, // same name: ID decides
		{"yolk", "Ёотон", ""},
	} {
		org := newOrganisation(o.id, o.mn)
		org.NameEN = o.en
		if err := db.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
	}
	orgs, err := db.FindOrganisations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	want := []string{"unicef", "aa-aimag", "zz-aimag", "yolk", "oyu-tolgoi", "umnugovi", "undesnii", "erdenes", "yalalt"}
	if !slices.Equal(ids, want) {
		t.Errorf("FindOrganisations = %q\nwant %q", ids, want)
	}
}
