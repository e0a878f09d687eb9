package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

// listingOf returns the id of the directory listing of the organisation with id, as db has it.
func listingOf(t *testing.T, db interface {
	FindOrganisation(context.Context, string) (*portal.Organisation, error)
}, id string) string {
	t.Helper()
	o, err := db.FindOrganisation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o.ListingID()
}

// wantConflict fails t unless err is an ECONFLICT marking field.
func wantConflict(t *testing.T, what string, err error, field string) {
	t.Helper()
	var pe *portal.Error
	if portal.ErrorCode(err) != portal.ECONFLICT || !errors.As(err, &pe) || pe.Fields[field] == "" {
		t.Errorf("%s = %#v, want ECONFLICT marking %q", what, err, field)
	}
}

func TestLinkListing(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	for _, id := range []string{"gwn", "other-ngo"} {
		if err := db.CreateOrganisation(ctx, newOrganisation(id, "ТББ")); err != nil {
			t.Fatal(err)
		}
	}
	if got := listingOf(t, db, "gwn"); got != "gwn" {
		t.Fatalf("a new organisation's listing = %q, want its own id", got)
	}
	if err := db.LinkListing(ctx, "gwn", "gobi-women-network"); err != nil {
		t.Fatal(err)
	}
	if got := listingOf(t, db, "gwn"); got != "gobi-women-network" {
		t.Errorf("after the link: %q", got)
	}
	if err := db.LinkListing(ctx, "gwn", "gobi-women-network"); err != nil {
		t.Errorf("linking again: %v", err)
	}

	// The listing is gwn's: no other organisation may link it, or be made under its id.
	wantConflict(t, "another organisation's link", db.LinkListing(ctx, "other-ngo", "gobi-women-network"), "listing")
	wantConflict(t, "an organisation under the listing's id", db.CreateOrganisation(ctx, newOrganisation("gobi-women-network", "ТББ")), "listing")
	if _, err := db.FindOrganisation(ctx, "gobi-women-network"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("the refused organisation was stored: %v", err)
	}
	// Nor may another organisation link the listing of gwn's own id, which it keeps.
	wantConflict(t, "linking gwn's own id", db.LinkListing(ctx, "other-ngo", "gwn"), "listing")
	wantConflict(t, "linking an organisation's id", db.LinkListing(ctx, "gwn", "other-ngo"), "listing")
	if err := db.LinkListing(ctx, "nobody", "x"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("linking an unknown organisation: %v", err)
	}

	// An update keeps the link; unlinking gives the listing up for another.
	o, _ := db.FindOrganisation(ctx, "gwn")
	o.DirectoryID, o.NameEN = "", "Gobi Women's Network"
	if err := db.UpdateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	if got := listingOf(t, db, "gwn"); got != "gobi-women-network" {
		t.Errorf("after an update: %q", got)
	}
	if err := db.LinkListing(ctx, "gwn", ""); err != nil {
		t.Fatal(err)
	}
	if got := listingOf(t, db, "gwn"); got != "gwn" {
		t.Errorf("after unlinking: %q", got)
	}
	if err := db.LinkListing(ctx, "other-ngo", "gobi-women-network"); err != nil {
		t.Errorf("linking the listing given up: %v", err)
	}

	// Another process (or the portal after a restart) reads the same links.
	other := storetest.OpenElsewhere(t, db)
	if a, b := listingOf(t, other, "gwn"), listingOf(t, other, "other-ngo"); a != "gwn" || b != "gobi-women-network" {
		t.Errorf("elsewhere: gwn %q, other-ngo %q", a, b)
	}
}

// TestLinkListingOnce links one listing to eight organisations at once: exactly one gets it.
func TestLinkListingOnce(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	const n = 8
	for i := range n {
		if err := db.CreateOrganisation(ctx, newOrganisation(fmt.Sprintf("org-%d", i), "ТББ")); err != nil {
			t.Fatal(err)
		}
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = db.LinkListing(ctx, fmt.Sprintf("org-%d", i), "shelter") })
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
			if got := listingOf(t, db, fmt.Sprintf("org-%d", i)); got != "shelter" {
				t.Errorf("the winner's listing = %q", got)
			}
		case portal.ErrorCode(err) != portal.ECONFLICT:
			t.Errorf("org-%d: %v", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d organisations linked one listing, want 1", won)
	}
}

// TestOrganisationStoredBeforeLinks reads an organisation as older versions stored it (no
// directory_id, no claim on its listing): it is the organisation of the listing of its id,
// and no other organisation may link that listing.
func TestOrganisationStoredBeforeLinks(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	old := bson.M{"_id": "ub-safe-house", "name_mn": "Хамгаалах байр", "name_en": "Safe house", "group": "civil_society",
		"verified": true, "verified_at": base, "verified_by": "u1", "created_at": base, "updated_at": base}
	if _, err := rawCollection(t, db, "organisations").InsertOne(ctx, old); err != nil {
		t.Fatal(err)
	}
	if got := listingOf(t, db, "ub-safe-house"); got != "ub-safe-house" {
		t.Errorf("an old organisation's listing = %q, want its own id", got)
	}
	if err := db.CreateOrganisation(ctx, newOrganisation("newcomer", "ТББ")); err != nil {
		t.Fatal(err)
	}
	wantConflict(t, "linking an old organisation's listing", db.LinkListing(ctx, "newcomer", "ub-safe-house"), "listing")
	wantConflict(t, "the old organisation's id again", db.CreateOrganisation(ctx, newOrganisation("ub-safe-house", "ТББ")), "id")
	if got := listingOf(t, storetest.OpenElsewhere(t, db), "ub-safe-house"); got != "ub-safe-house" {
		t.Errorf("elsewhere: %q", got)
	}
}
