package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
)

// directoryVersionKey names the version of the directory, claimed anew by every write to
// it (see snapshots): a process keeps its in-memory directory while no later version is
// claimed.
const directoryVersionKey = "directory_version"

// dirCacheMaxAge bounds how long a process trusts its in-memory directory without reading it
// again, in case a writer died between its write and its claim (see snapshots).
const dirCacheMaxAge = 5 * time.Minute

// directorySnapshot returns the snapshot of db's public directory. Reading 10,000 services
// from the embedded engine takes seconds, and a directory page must answer in
// milliseconds: so a page asks the database only whether a later version was claimed (one
// _id lookup), and the directory is read again when it was, or when the copy is older than
// dirCacheMaxAge. Another process's save of an organisation names it in its claim, and is
// patched in by reading that organisation (patchDirectory), not the whole directory.
func directorySnapshot(db *DB) *snapshots[struct{}, *portal.Directory] {
	return &snapshots[struct{}, *portal.Directory]{
		versionKey: func(struct{}) string { return directoryVersionKey },
		load:       db.loadDirectory,
		patchFrom:  db.patchDirectory,
		maxAge:     dirCacheMaxAge,
		max:        1,
	}
}

// Directory implements portal.DirectoryStore.
func (db *DB) Directory(ctx context.Context) (*portal.Directory, error) {
	d, _, err := db.dirSnapshot.get(ctx, db, struct{}{})
	return d, err
}

// DirectoryVersion implements portal.DirectoryStore: "" for a directory never written. It
// is the version of the directory as this process serves it (servedVersion): while a newer
// one loads in the background it stays that of the copy Directory returns, so that the
// search indexer, which reads it before the directory, never takes an older directory for
// the newer version.
func (db *DB) DirectoryVersion(ctx context.Context) (string, error) {
	return db.dirSnapshot.servedVersion(ctx, db, struct{}{})
}

// loadDirectory reads every organisation of the directory. A reload in the background,
// which visitors do not wait for (they are served the copy held meanwhile), is paced: it
// reads pacedBatch organisations at a time and rests as long as each batch took, so that it
// takes at most about half of one processor instead of a whole one, and visitors' requests
// keep the rest; it takes about twice as long (at 10,000 services, 3.4 s against 1.6 s).
func (db *DB) loadDirectory(ctx context.Context, _ struct{}, version string) (*portal.Directory, error) {
	opts := options.Find()
	var p *pace
	if inBackground(ctx) {
		opts.SetBatchSize(pacedBatch)
		p = newPace()
	}
	cur, err := db.dirOrgs.Find(ctx, bson.D{}, opts)
	if err != nil {
		return nil, translate(err, nil, "read the directory")
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var orgs []*portal.DirectoryOrg
	for cur.Next(ctx) {
		var doc dirOrgDoc
		if err := cur.Decode(&doc); err != nil {
			return nil, translate(err, nil, "read the directory")
		}
		orgs = append(orgs, doc.org())
		if p != nil && cur.RemainingBatchLength() == 0 {
			if err := p.rest(ctx); err != nil {
				return nil, err
			}
		}
	}
	if err := cur.Err(); err != nil {
		return nil, translate(err, nil, "read the directory")
	}
	return portal.NewDirectory(orgs, version), nil
}

// pacedBatch is how many organisations a background load of the directory reads at a time;
// after each batch it rests as long as the batch took (see pace).
const pacedBatch = 50

// manyToPatch is how many organisations a patch reads by _id whatever the size of the
// directory (see patchDirectory).
const manyToPatch = 64

// patchDirectory returns d with the organisations of the ids in changed read again, each
// by _id, at version: the directory after other processes' saves of them (see
// snapshots). It reports false when one is gone (a Directory cannot drop an organisation)
// or cannot be read, and when changed names more than manyToPatch organisations and more
// than half of d's (a batch, SaveDirectoryOrgs): reading each by _id costs more than the
// one scan of a load. Then the directory is loaded whole.
func (db *DB) patchDirectory(ctx context.Context, _ struct{}, d *portal.Directory, changed []string, version string) (*portal.Directory, bool) {
	if len(changed) > manyToPatch && len(changed) > len(d.Orgs)/2 {
		return nil, false
	}
	orgs := make([]*portal.DirectoryOrg, len(changed))
	for i, id := range changed {
		var doc dirOrgDoc
		if err := db.dirOrgs.FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
			return nil, false
		}
		orgs[i] = doc.org()
	}
	return withOrgs(d, orgs, version), true
}

// SaveDirectoryOrg implements portal.DirectoryStore. The confidential parts are written
// first, then the public organisation, then the hidden parts that are no longer wanted are
// deleted, then a new version is claimed; an error part way leaves the directory as before
// or with the new confidential parts, never a public address, and still claims a version,
// so that every process reads the directory again whatever the failed write did. Every
// read and write it makes is by _id, which the embedded engine answers without a scan, so
// that storing a directory takes time in proportion to its size; and the directory this
// process holds is patched with the organisation, not rebuilt.
func (db *DB) SaveDirectoryOrg(ctx context.Context, o *portal.DirectoryOrg) error {
	if !portal.ValidSlug(o.ID) {
		return portal.FieldError("id", "%q must be lower-case letters, digits and hyphens", o.ID)
	}
	before, err := db.dirSnapshot.writeBase(ctx, db, struct{}{})
	if err != nil {
		return err
	}
	// A current copy without o says o is new, which saves reading what it would have.
	d, _, current, err := db.dirSnapshot.current(ctx, db, struct{}{})
	if err != nil {
		return err
	}
	doc, err := db.writeDirectoryOrg(ctx, o, current && d.Org(o.ID) == nil)
	if err != nil {
		return errors.Join(err, db.dirSnapshot.wrote(ctx, db, struct{}{}, before, nil, nil))
	}
	err = db.dirSnapshot.wrote(ctx, db, struct{}{}, before, []string{o.ID}, func(d *portal.Directory, version string) (*portal.Directory, bool) {
		var saved dirOrgDoc
		if !readBack(doc, &saved) {
			return nil, false
		}
		return d.WithOrg(saved.org(), version), true
	})
	db.relistHidden(ctx)
	return err
}

// writeDirectoryOrg writes o's confidential parts, its public document, and deletes the
// hidden parts it no longer has (see listHidden); absent says that o is new to the
// directory as far as this process knows. It returns the public document.
func (db *DB) writeDirectoryOrg(ctx context.Context, o *portal.DirectoryOrg, absent bool) (dirOrgDoc, error) {
	pub, hidden := o.Public()
	want := make([]string, len(hidden))
	for i, h := range hidden {
		want[i] = h.LocationID
	}
	ids, isNew, err := db.listHidden(ctx, o.ID, want, absent)
	if err != nil {
		return dirOrgDoc{}, err
	}
	for _, h := range hidden {
		d := confidentialDoc{LocationID: h.LocationID, OrgID: o.ID, Address: toText(h.Address),
			Latitude: h.Latitude, Longitude: h.Longitude}
		if _, err := db.dirConfidential.ReplaceOne(ctx, bson.M{"_id": h.LocationID}, d, options.Replace().SetUpsert(true)); err != nil {
			return dirOrgDoc{}, translate(err, nil, "save confidential location %s", h.LocationID)
		}
	}
	doc := toDirOrgDoc(pub)
	if err := put(ctx, db.dirOrgs, o.ID, doc, isNew); err != nil {
		return dirOrgDoc{}, translate(err, nil, "save directory organisation %s", o.ID)
	}
	// Last: should the public write fail, a location on its way to being public keeps
	// its hidden address rather than losing it.
	if err := db.dropConfidential(ctx, o, ids); err != nil {
		return dirOrgDoc{}, err
	}
	return doc, nil
}

// put writes doc as the document with id in coll: inserted when it is new (cheaper than
// an upsert on the embedded engine, which looks the document up first), replaced
// otherwise, or when another writer inserted it first.
func put(ctx context.Context, coll *mongo.Collection, id string, doc any, isNew bool) error {
	if isNew {
		_, err := coll.InsertOne(ctx, doc)
		if !mongo.IsDuplicateKeyError(err) {
			return err
		}
	}
	_, err := coll.ReplaceOne(ctx, bson.M{"_id": id}, doc, options.Replace().SetUpsert(true))
	return err
}

// ConfidentialPlaces implements portal.DirectoryStore.
func (db *DB) ConfidentialPlaces(ctx context.Context, ids []string) (map[string]portal.ConfidentialPlace, error) {
	out := make(map[string]portal.ConfidentialPlace, len(ids))
	for _, id := range ids {
		var d confidentialDoc
		err := db.dirConfidential.FindOne(ctx, bson.M{"_id": id}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, translate(err, nil, "read confidential location %s", id)
		}
		out[id] = portal.ConfidentialPlace{LocationID: d.LocationID, Address: d.Address.text(),
			Latitude: d.Latitude, Longitude: d.Longitude}
	}
	return out, nil
}

// CreateSuggestion implements portal.DirectoryStore.
func (db *DB) CreateSuggestion(ctx context.Context, s *portal.Suggestion) error {
	_, err := db.dirSuggestions.InsertOne(ctx, toSuggestionDoc(s))
	return translate(err, nil, "create suggestion %s", s.ID)
}

// FindSuggestion implements portal.DirectoryStore.
func (db *DB) FindSuggestion(ctx context.Context, id string) (*portal.Suggestion, error) {
	var d suggestionDoc
	err := db.dirSuggestions.FindOne(ctx, bson.M{"_id": id}).Decode(&d)
	if err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "suggestion %s not found", id), "find suggestion %s", id)
	}
	return d.suggestion(), nil
}

// FindSuggestions implements portal.DirectoryStore.
func (db *DB) FindSuggestions(ctx context.Context, f portal.SuggestionFilter) ([]*portal.Suggestion, error) {
	filter := bson.D{}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	if f.By != "" {
		filter = append(filter, bson.E{Key: "by", Value: f.By})
	}
	if f.ServiceID != "" {
		filter = append(filter, bson.E{Key: "service_id", Value: f.ServiceID})
	}
	opts := options.Find().SetSort(bson.D{{Key: "created", Value: -1}, {Key: "_id", Value: -1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := db.dirSuggestions.Find(ctx, filter, opts)
	if err != nil {
		return nil, translate(err, nil, "find suggestions")
	}
	var docs []suggestionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(err, nil, "find suggestions")
	}
	out := make([]*portal.Suggestion, len(docs))
	for i := range docs {
		out[i] = docs[i].suggestion()
	}
	return out, nil
}

// DecideSuggestion implements portal.DirectoryStore. The embedded engine has no atomic
// conditional update, so the check is a read then a replace of the pending document; two
// reviewers deciding the same suggestion in the same millisecond could both succeed, and the
// later decision stands (both are audited).
func (db *DB) DecideSuggestion(ctx context.Context, s *portal.Suggestion) error {
	cur, err := db.FindSuggestion(ctx, s.ID)
	if err != nil {
		return err
	}
	if cur.Status != portal.SuggestionPending {
		return portal.Errorf(portal.ECONFLICT, "the suggestion was %s already", cur.Status)
	}
	res, err := db.dirSuggestions.ReplaceOne(ctx, bson.M{"_id": s.ID, "status": string(portal.SuggestionPending)}, toSuggestionDoc(s))
	if err != nil {
		return translate(err, nil, "decide suggestion %s", s.ID)
	}
	if res.MatchedCount == 0 {
		return portal.Errorf(portal.ECONFLICT, "the suggestion was decided already")
	}
	return nil
}
