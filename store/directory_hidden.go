package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
)

// Which hidden parts (dir_confidential) each organisation may have stored is listed by
// organisation (dir_hidden_ids), so that a save finds the ones to delete by _id: the
// embedded engine scans for a query by org_id, which made a save's cost grow with the
// directory. A list grows before a hidden part is written and shrinks after one is
// deleted, so it names every hidden part of its organisation (and at times a few more)
// whenever a save stops. Two saves of one organisation at once, or a process of an earlier
// version, may still store a hidden part its list lacks: relistHidden adds every stored
// hidden part to its list once an hour.

// listHidden makes the list of the organisation with id name want, the hidden parts a save
// is about to write, and returns the ids it lists and whether the organisation is new (has
// no public document). absent says that it is new as far as this process knows: then it
// has no list, unless a save of it by another process made one meanwhile, and the list is
// inserted without being read first. A list is inserted, never replaced, where there was
// none, so that one a concurrent save made is read and extended instead.
func (db *DB) listHidden(ctx context.Context, orgID string, want []string, absent bool) (ids []string, isNew bool, err error) {
	if absent {
		err := db.insertHiddenIDs(ctx, orgID, want)
		if err == nil {
			return want, true, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, false, translate(err, nil, "list the confidential locations of %s", orgID)
		}
	}
	for range 2 {
		listed, found, isNew, err := db.hiddenIDs(ctx, orgID)
		if err != nil {
			return nil, false, err
		}
		ids := union(listed, want)
		switch {
		case found && len(ids) == len(listed):
			return ids, false, nil
		case found:
			err = db.replaceHiddenIDs(ctx, orgID, ids)
		default:
			err = db.insertHiddenIDs(ctx, orgID, ids)
		}
		if !mongo.IsDuplicateKeyError(err) {
			return ids, isNew, translate(err, nil, "list the confidential locations of %s", orgID)
		}
	}
	return nil, false, portal.Errorf(portal.ECONFLICT, "organisation %s is being saved by someone else: try again", orgID)
}

// union returns a with the ids of b it lacks, leaving a as it is.
func union(a, b []string) []string {
	out := a
	for _, id := range b {
		if !slices.Contains(out, id) {
			out = append(slices.Clip(out), id)
		}
	}
	return out
}

// hiddenIDs returns the ids of the locations whose hidden parts the organisation with id
// may have stored, whether they were listed, and whether the organisation is new to the
// directory. An organisation stored before the lists were kept has none: its hidden parts
// are found as they were then, by a query on org_id (a scan on the embedded engine), once,
// since its save lists them; a new organisation has none to find.
func (db *DB) hiddenIDs(ctx context.Context, orgID string) (ids []string, listed, isNew bool, err error) {
	var d hiddenIDsDoc
	err = db.dirHiddenIDs.FindOne(ctx, bson.M{"_id": orgID}).Decode(&d)
	switch {
	case err == nil:
		return d.LocationIDs, true, false, nil
	case !errors.Is(err, mongo.ErrNoDocuments):
		return nil, false, false, translate(err, nil, "read the confidential locations of %s", orgID)
	}
	err = db.dirOrgs.FindOne(ctx, bson.M{"_id": orgID}, options.FindOne().SetProjection(bson.M{"_id": 1})).Err()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, false, true, nil
	case err != nil:
		return nil, false, false, translate(err, nil, "read directory organisation %s", orgID)
	}
	byOrg, err := db.hiddenByOrg(ctx, bson.M{"org_id": orgID})
	return byOrg[orgID], false, false, err
}

// hiddenByOrg returns the ids of the hidden parts that filter selects, by organisation.
func (db *DB) hiddenByOrg(ctx context.Context, filter bson.M) (map[string][]string, error) {
	cur, err := db.dirConfidential.Find(ctx, filter, options.Find().SetProjection(bson.M{"_id": 1, "org_id": 1}))
	if err != nil {
		return nil, translate(err, nil, "read confidential locations")
	}
	var docs []confidentialDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(err, nil, "read confidential locations")
	}
	byOrg := map[string][]string{}
	for _, d := range docs {
		byOrg[d.OrgID] = append(byOrg[d.OrgID], d.LocationID)
	}
	return byOrg, nil
}

func hiddenIDsDocOf(orgID string, ids []string) hiddenIDsDoc {
	d := hiddenIDsDoc{OrgID: orgID, LocationIDs: slices.Sorted(slices.Values(ids))}
	if d.LocationIDs == nil {
		d.LocationIDs = []string{}
	}
	return d
}

// insertHiddenIDs lists ids for the organisation with id, which has no list: a duplicate
// key when it has one.
func (db *DB) insertHiddenIDs(ctx context.Context, orgID string, ids []string) error {
	_, err := db.dirHiddenIDs.InsertOne(ctx, hiddenIDsDocOf(orgID, ids))
	return err
}

// replaceHiddenIDs replaces the list of the organisation with id by ids.
func (db *DB) replaceHiddenIDs(ctx context.Context, orgID string, ids []string) error {
	_, err := db.dirHiddenIDs.ReplaceOne(ctx, bson.M{"_id": orgID}, hiddenIDsDocOf(orgID, ids))
	return err
}

// dropConfidential deletes the hidden parts, of those listed with ids, that o no longer
// has: of locations no longer confidential or no longer there; then the list names the
// others only.
func (db *DB) dropConfidential(ctx context.Context, o *portal.DirectoryOrg, ids []string) error {
	var kept []string
	for _, id := range ids {
		if l := o.Location(id); l != nil && l.Confidential {
			kept = append(kept, id)
			continue
		}
		if err := db.deleteConfidential(ctx, o.ID, id); err != nil {
			return err
		}
	}
	if len(kept) == len(ids) {
		return nil
	}
	return translate(db.replaceHiddenIDs(ctx, o.ID, kept), nil, "list the confidential locations of %s", o.ID)
}

// deleteConfidential deletes the hidden part of the location with id, if it is the
// organisation's: a location id that another organisation took up since keeps its own.
func (db *DB) deleteConfidential(ctx context.Context, orgID, id string) error {
	var d confidentialDoc
	err := db.dirConfidential.FindOne(ctx, bson.M{"_id": id}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil
	case err != nil:
		return translate(err, nil, "read confidential location %s", id)
	case d.OrgID != orgID:
		return nil
	}
	if _, err := db.dirConfidential.DeleteOne(ctx, bson.M{"_id": id}); err != nil {
		return translate(err, nil, "delete confidential location %s", id)
	}
	return nil
}

// relistHiddenEvery is how often relistHidden runs, at most, by a save.
const relistHiddenEvery = time.Hour

// relistHidden adds, at most once every relistHiddenEvery, every stored hidden part to its
// organisation's list: one scan of dir_confidential, which holds hidden parts only. A
// failure is left for the next time: the save it follows is done.
func (db *DB) relistHidden(ctx context.Context) {
	now := time.Now()
	db.sweepMu.Lock()
	due := now.Sub(db.hiddenRelisted) >= relistHiddenEvery
	if due {
		db.hiddenRelisted = now
	}
	db.sweepMu.Unlock()
	if due {
		_ = db.relistAllHidden(ctx)
	}
}

// relistAllHidden adds every stored hidden part to its organisation's list now. A save of
// the organisation that lists a new hidden part at the same time may be undone in the
// list: the next time puts it back.
func (db *DB) relistAllHidden(ctx context.Context) error {
	byOrg, err := db.hiddenByOrg(ctx, bson.M{})
	if err != nil {
		return err
	}
	for orgID, stored := range byOrg {
		var d hiddenIDsDoc
		err := db.dirHiddenIDs.FindOne(ctx, bson.M{"_id": orgID}).Decode(&d)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			err = db.insertHiddenIDs(ctx, orgID, stored)
		case err == nil:
			if ids := union(d.LocationIDs, stored); len(ids) > len(d.LocationIDs) {
				err = db.replaceHiddenIDs(ctx, orgID, ids)
			}
		}
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return translate(err, nil, "list the confidential locations of %s", orgID)
		}
	}
	return nil
}
