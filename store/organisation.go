package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gobidialogue/portal"
)

// FindOrganisation returns the organisation with id, or ENOTFOUND.
func (db *DB) FindOrganisation(ctx context.Context, id string) (*portal.Organisation, error) {
	var d organisationDoc
	if err := db.organisations.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "organisation %s not found", id), "find organisation %s", id)
	}
	return d.organisation(), nil
}

// FindOrganisations returns every organisation, by Mongolian name (the English one when it has
// none) in Mongolian alphabetical order, and then by ID. There are at most a few hundred, so
// they are read in one scan and sorted here.
func (db *DB) FindOrganisations(ctx context.Context) ([]*portal.Organisation, error) {
	var docs []organisationDoc
	cur, err := db.organisations.Find(ctx, bson.D{})
	if err == nil {
		err = cur.All(ctx, &docs)
	}
	if err != nil {
		return nil, translate(err, nil, "find organisations")
	}
	orgs := make([]*portal.Organisation, len(docs))
	for i := range docs {
		orgs[i] = docs[i].organisation()
	}
	slices.SortFunc(orgs, func(a, b *portal.Organisation) int {
		return cmp.Or(portal.CompareNames(a.Name(portal.Mongolian), b.Name(portal.Mongolian)), cmp.Compare(a.ID, b.ID))
	})
	return orgs, nil
}

// CreateOrganisation stores a new organisation; ECONFLICT when the ID is taken (the "id"
// field), or when the directory listing of o.ListingID() is another organisation's (the
// "listing" field). The listing is claimed first: should storing the organisation then
// fail, the claim names an organisation that does not exist, which holds nothing back
// from an organisation created with that id later.
func (db *DB) CreateOrganisation(ctx context.Context, o *portal.Organisation) error {
	if err := db.claimListing(ctx, o.ListingID(), o.ID); err != nil {
		return err
	}
	if _, err := db.organisations.InsertOne(ctx, toOrganisationDoc(o)); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return fieldConflict("id", err, "organisation id %s is already taken", o.ID)
		}
		return translate(err, nil, "create organisation %s", o.ID)
	}
	return nil
}

// UpdateOrganisation stores o's names, group, verification and times, or returns
// ENOTFOUND; the directory listing stays as stored (LinkListing changes it).
func (db *DB) UpdateOrganisation(ctx context.Context, o *portal.Organisation) error {
	d := toOrganisationDoc(o)
	set := bson.D{{Key: "name_mn", Value: d.NameMN}, {Key: "name_en", Value: d.NameEN}, {Key: "group", Value: d.Group},
		{Key: "verified", Value: d.Verified}, {Key: "verified_at", Value: d.VerifiedAt}, {Key: "verified_by", Value: d.VerifiedBy},
		{Key: "created_at", Value: d.CreatedAt}, {Key: "updated_at", Value: d.UpdatedAt}}
	res, err := db.organisations.UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": set})
	if err != nil {
		return translate(err, nil, "update organisation %s", o.ID)
	}
	if res.MatchedCount == 0 {
		return portal.Errorf(portal.ENOTFOUND, "organisation %s not found", o.ID)
	}
	return nil
}

// listingClaimDoc says whose a directory listing is. Its _id is the listing's id, so that
// of two organisations claiming one listing at once exactly one succeeds: an insert of a
// taken _id is refused atomically, on the embedded engine too, where a conditional update
// is not atomic (docs/architecture.md).
type listingClaimDoc struct {
	ID  string `bson:"_id"`
	Org string `bson:"org"`
}

// LinkListing makes the directory listing listingID ("" for the one of its own id) the
// organisation orgID's: it claims the listing, stores the link, then gives up the claim
// on the listing the organisation had, unless that is the one of its own id, which it
// keeps so that no other organisation links it meanwhile. ECONFLICT when the listing is
// another organisation's, ENOTFOUND when there is no organisation orgID.
func (db *DB) LinkListing(ctx context.Context, orgID, listingID string) error {
	if listingID == "" {
		listingID = orgID
	}
	o, err := db.FindOrganisation(ctx, orgID)
	if err != nil {
		return err
	}
	before := o.ListingID()
	if before == listingID {
		return nil
	}
	if listingID != orgID {
		// An organisation stored before listings were claimed is the organisation of the
		// listing of its id without a claim.
		other, err := db.FindOrganisation(ctx, listingID)
		switch {
		case err == nil && other.ListingID() == listingID:
			return listingConflict(listingID, other.ID)
		case err != nil && portal.ErrorCode(err) != portal.ENOTFOUND:
			return err
		}
	}
	if err := db.claimListing(ctx, listingID, orgID); err != nil {
		return err
	}
	update := bson.M{"$set": bson.M{"directory_id": listingID}}
	if listingID == orgID {
		update = bson.M{"$unset": bson.M{"directory_id": ""}}
	}
	if _, err := db.organisations.UpdateOne(ctx, bson.M{"_id": orgID}, update); err != nil {
		return translate(err, nil, "link organisation %s to listing %s", orgID, listingID)
	}
	if before != orgID {
		if _, err := db.orgListings.DeleteOne(ctx, bson.M{"_id": before, "org": orgID}); err != nil {
			return translate(err, nil, "release listing %s of organisation %s", before, orgID)
		}
	}
	return nil
}

// claimListing records that the directory listing listingID is the organisation orgID's;
// nil when it was already, ECONFLICT when it is another's.
func (db *DB) claimListing(ctx context.Context, listingID, orgID string) error {
	for range 3 {
		_, err := db.orgListings.InsertOne(ctx, listingClaimDoc{ID: listingID, Org: orgID})
		if err == nil {
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return translate(err, nil, "claim listing %s for organisation %s", listingID, orgID)
		}
		var c listingClaimDoc
		err = db.orgListings.FindOne(ctx, bson.M{"_id": listingID}).Decode(&c)
		switch {
		case err == nil && c.Org == orgID:
			return nil
		case err == nil:
			return listingConflict(listingID, c.Org)
		case !errors.Is(err, mongo.ErrNoDocuments):
			return translate(err, nil, "find the claim on listing %s", listingID)
		}
		// Given up between the insert and the look: claim it again.
	}
	return portal.Errorf(portal.ECONFLICT, "the claim on listing %s changed at the same time; try again", listingID)
}

func listingConflict(listingID, orgID string) error {
	return fieldConflict("listing", nil, "the directory listing %s is the organisation %s's", listingID, orgID)
}

// fieldConflict is an ECONFLICT error that marks field.
func fieldConflict(field string, err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &portal.Error{Code: portal.ECONFLICT, Message: msg, Fields: map[string]string{field: msg}, Err: err}
}
