package store

import (
	"cmp"
	"context"
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
		return cmp.Or(compareNames(a.Name(portal.Mongolian), b.Name(portal.Mongolian)), cmp.Compare(a.ID, b.ID))
	})
	return orgs, nil
}

// CreateOrganisation stores a new organisation; ECONFLICT when the ID is taken.
func (db *DB) CreateOrganisation(ctx context.Context, o *portal.Organisation) error {
	if _, err := db.organisations.InsertOne(ctx, toOrganisationDoc(o)); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			msg := fmt.Sprintf("organisation id %s is already taken", o.ID)
			return &portal.Error{Code: portal.ECONFLICT, Message: msg, Fields: map[string]string{"id": msg}, Err: err}
		}
		return translate(err, nil, "create organisation %s", o.ID)
	}
	return nil
}

// UpdateOrganisation replaces the stored organisation with o, or returns ENOTFOUND.
func (db *DB) UpdateOrganisation(ctx context.Context, o *portal.Organisation) error {
	res, err := db.organisations.ReplaceOne(ctx, bson.M{"_id": o.ID}, toOrganisationDoc(o))
	if err != nil {
		return translate(err, nil, "update organisation %s", o.ID)
	}
	if res.MatchedCount == 0 {
		return portal.Errorf(portal.ENOTFOUND, "organisation %s not found", o.ID)
	}
	return nil
}
