package store

import (
	"context"
	"errors"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
)

// maxClaimNames is how many organisations a claim of a batch names at most (see
// SaveDirectoryOrgs): a larger batch claims without names, and every other process loads
// its directory whole, which costs it no more than reading that many organisations one by
// one would.
const maxClaimNames = 1000

// SaveDirectoryOrgs implements portal.DirectoryStore: it stores orgs as SaveDirectoryOrg
// stores each (of two with one id, the later), with every guarantee of it, in fewer
// commands. Each step of a save is taken for the whole batch before the next: the
// documents new to the directory (the lists of hidden parts, the hidden parts, the public
// documents) are inserted in one command per collection (InsertMany, unordered: one whose
// _id another writer took meanwhile is then replaced, as put does); a document that
// replaces one is replaced by itself, since the embedded engine cannot take many in one
// command (see putMany); one version is claimed for the whole batch, naming its
// organisations (none beyond maxClaimNames), and the directory this process holds is
// patched once. Reads are by _id, and only of the organisations that the directory held
// does not show as new (all of them when none is held): an $in would scan the collection,
// testing each document against every value, a cost of the directory's size times the
// batch's on the embedded engine.
//
// The steps are SaveDirectoryOrg's, in its order: the lists of hidden parts grow, the
// confidential parts are written, then the public documents, then the hidden parts no
// longer wanted are deleted, then the version is claimed. So an error or a crash part way
// leaves each organisation in a state that a save of it alone can stop in: as before, with
// its new confidential parts only, or saved but for the deletion of hidden parts still
// listed (which the next save deletes); never a confidential address in a public document.
// What differs from one save after another is which organisations a stop leaves saved (any
// of the batch, not those before one) and that none of them is claimed before the end. An
// error still claims a version, naming nothing, so that every process reads the directory
// again whatever the failed writes did; a crash before the claim leaves what was saved
// unseen by other processes' held directories for at most dirCacheMaxAge, as a crash
// between one save and its claim does. Saving the batch again completes it.
func (db *DB) SaveDirectoryOrgs(ctx context.Context, orgs []*portal.DirectoryOrg) error {
	orgs = lastOfEach(orgs)
	for _, o := range orgs {
		if !portal.ValidSlug(o.ID) {
			return portal.FieldError("id", "%q must be lower-case letters, digits and hyphens", o.ID)
		}
	}
	switch len(orgs) {
	case 0:
		return nil
	case 1:
		return db.SaveDirectoryOrg(ctx, orgs[0])
	}
	before, err := db.dirSnapshot.writeBase(ctx, db, struct{}{})
	if err != nil {
		return err
	}
	// A current copy says which organisations are new (absent) and which are stored, which
	// saves reading what they have.
	held, _, current, err := db.dirSnapshot.current(ctx, db, struct{}{})
	if err != nil {
		return err
	}
	if !current {
		held = nil
	}
	batch := make([]*batchOrg, len(orgs))
	for i, o := range orgs {
		if batch[i], err = newBatchOrg(o, held); err != nil {
			return err
		}
	}
	if err := db.writeDirectoryOrgs(ctx, batch); err != nil {
		return errors.Join(err, db.dirSnapshot.wrote(ctx, db, struct{}{}, before, nil, nil))
	}
	var names []string
	if len(batch) <= maxClaimNames {
		names = make([]string, len(batch))
		for i, b := range batch {
			names[i] = b.o.ID
		}
	}
	err = db.dirSnapshot.wrote(ctx, db, struct{}{}, before, names, func(d *portal.Directory, version string) (*portal.Directory, bool) {
		saved := make([]*portal.DirectoryOrg, len(batch))
		for i, b := range batch {
			var doc dirOrgDoc // as the database gives it back (see readBack)
			if bson.Unmarshal(b.doc, &doc) != nil {
				return nil, false
			}
			saved[i] = doc.org()
		}
		return withOrgs(d, saved, version), true
	})
	db.relistHidden(ctx)
	return err
}

// lastOfEach returns orgs with only the last of those that share an id, in their order.
func lastOfEach(orgs []*portal.DirectoryOrg) []*portal.DirectoryOrg {
	last := make(map[string]int, len(orgs))
	for i, o := range orgs {
		last[o.ID] = i
	}
	if len(last) == len(orgs) {
		return orgs
	}
	out := make([]*portal.DirectoryOrg, 0, len(last))
	for i, o := range orgs {
		if last[o.ID] == i {
			out = append(out, o)
		}
	}
	return out
}

// batchOrg is an organisation of a batch on its way through writeDirectoryOrgs.
type batchOrg struct {
	o      *portal.DirectoryOrg
	doc    bson.Raw                   // its public document, marshalled once for the write and the patch
	hidden []portal.ConfidentialPlace // its hidden parts
	want   []string                   // their location ids
	// absent and stored say what the directory held says: new to it, or in it; neither
	// when none is held.
	absent, stored bool
	ids            []string // the hidden parts it may have, as listed (listHidden)
	isNew          bool     // it has no public document
}

func newBatchOrg(o *portal.DirectoryOrg, held *portal.Directory) (*batchOrg, error) {
	pub, hidden := o.Public()
	doc, err := bson.Marshal(toDirOrgDoc(pub))
	if err != nil {
		return nil, translate(err, nil, "save directory organisation %s", o.ID)
	}
	b := &batchOrg{o: o, doc: doc, hidden: hidden, want: make([]string, len(hidden))}
	for i, h := range hidden {
		b.want[i] = h.LocationID
	}
	if held != nil {
		b.stored = held.Org(o.ID) != nil
		b.absent = !b.stored
	}
	return b, nil
}

// writeDirectoryOrgs is writeDirectoryOrg for a batch, each step for all of it.
func (db *DB) writeDirectoryOrgs(ctx context.Context, batch []*batchOrg) error {
	if err := db.listHiddenBatch(ctx, batch); err != nil {
		return err
	}
	// Of two organisations with a location of one id, the later's hidden part is stored,
	// as it would be after their saves one after the other.
	last := map[string]*batchOrg{}
	for _, b := range batch {
		for _, h := range b.hidden {
			last[h.LocationID] = b
		}
	}
	var ids []string
	var docs []any
	var isNew []bool
	for _, b := range batch {
		for _, h := range b.hidden {
			if last[h.LocationID] != b {
				continue
			}
			ids = append(ids, h.LocationID)
			docs = append(docs, confidentialDoc{LocationID: h.LocationID, OrgID: b.o.ID, Address: toText(h.Address),
				Latitude: h.Latitude, Longitude: h.Longitude})
			isNew = append(isNew, b.isNew)
		}
	}
	if err := putMany(ctx, db.dirConfidential, ids, docs, isNew); err != nil {
		return translate(err, nil, "save the confidential locations of %d organisations", len(batch))
	}
	ids, docs, isNew = ids[:0], docs[:0], isNew[:0]
	for _, b := range batch {
		ids, docs, isNew = append(ids, b.o.ID), append(docs, b.doc), append(isNew, b.isNew)
	}
	if err := putMany(ctx, db.dirOrgs, ids, docs, isNew); err != nil {
		return translate(err, nil, "save %d directory organisations", len(batch))
	}
	// Last, as for one save: should a public write fail, a location on its way to being
	// public keeps its hidden address rather than losing it.
	for _, b := range batch {
		if err := db.dropConfidential(ctx, b.o, b.ids); err != nil {
			return err
		}
	}
	return nil
}

// listHiddenBatch is listHidden for each organisation of batch: it sets ids and isNew.
// The lists of the organisations new to the directory held are inserted together without
// being read; the others are read by _id, and grown (replaced) or, where there was none,
// inserted together. A list that another save inserted meanwhile is extended as
// listHidden extends it.
func (db *DB) listHiddenBatch(ctx context.Context, batch []*batchOrg) error {
	var fresh, others []*batchOrg
	for _, b := range batch {
		if b.absent {
			fresh = append(fresh, b)
		} else {
			others = append(others, b)
		}
	}
	taken, err := db.insertLists(ctx, fresh, true)
	if err != nil {
		return err
	}
	others = append(others, taken...)
	var unlisted []*batchOrg
	for _, b := range others {
		var d hiddenIDsDoc
		err := db.dirHiddenIDs.FindOne(ctx, bson.M{"_id": b.o.ID}).Decode(&d)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			unlisted = append(unlisted, b)
			continue
		case err != nil:
			return translate(err, nil, "read the confidential locations of %s", b.o.ID)
		}
		b.ids, b.isNew = union(d.LocationIDs, b.want), false
		if len(b.ids) == len(d.LocationIDs) {
			continue
		}
		if err := db.replaceHiddenIDs(ctx, b.o.ID, b.ids); err != nil {
			return translate(err, nil, "list the confidential locations of %s", b.o.ID)
		}
	}
	return db.listUnlisted(ctx, unlisted)
}

// listUnlisted lists the hidden parts of the organisations of batch that have no list:
// those new to the directory, and those stored before the lists were kept, whose hidden
// parts are found as hiddenIDs finds them, in one query for all.
func (db *DB) listUnlisted(ctx context.Context, batch []*batchOrg) error {
	var before []string
	for _, b := range batch {
		if !b.stored {
			err := db.dirOrgs.FindOne(ctx, bson.M{"_id": b.o.ID}, options.FindOne().SetProjection(bson.M{"_id": 1})).Err()
			switch {
			case errors.Is(err, mongo.ErrNoDocuments):
				b.isNew = true
				continue
			case err != nil:
				return translate(err, nil, "read directory organisation %s", b.o.ID)
			}
		}
		b.isNew = false
		before = append(before, b.o.ID)
	}
	byOrg := map[string][]string{}
	if len(before) > 0 {
		var err error
		if byOrg, err = db.hiddenByOrg(ctx, bson.M{"org_id": bson.M{"$in": before}}); err != nil {
			return err
		}
	}
	for _, b := range batch {
		b.ids = union(byOrg[b.o.ID], b.want)
	}
	taken, err := db.insertLists(ctx, batch, false)
	if err != nil {
		return err
	}
	// Another save listed them meanwhile: theirs are read and extended, as one save does.
	for _, b := range taken {
		if b.ids, b.isNew, err = db.listHidden(ctx, b.o.ID, b.want, false); err != nil {
			return err
		}
	}
	return nil
}

// insertLists inserts the lists of the organisations of batch, which have none as far as
// this process knows, together: each the ids it has, or, with fresh, the ids it wants,
// and then it is new. It returns those whose list another save inserted meanwhile.
func (db *DB) insertLists(ctx context.Context, batch []*batchOrg, fresh bool) ([]*batchOrg, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	docs := make([]any, len(batch))
	for i, b := range batch {
		if fresh {
			b.ids, b.isNew = b.want, true
		}
		docs[i] = hiddenIDsDocOf(b.o.ID, b.ids)
	}
	taken, err := insertNew(ctx, db.dirHiddenIDs, docs)
	if err != nil {
		return nil, translate(err, nil, "list the confidential locations of %d organisations", len(batch))
	}
	out := make([]*batchOrg, len(taken))
	for i, k := range taken {
		out[i] = batch[k]
	}
	return out, nil
}

// putMany is put for many documents of coll: docs[i] is the document with ids[i], new when
// isNew[i]. The new ones are inserted in one command, unordered; the others, and those new
// whose _id another writer took meanwhile, are replaced (upserted) one by one, in order.
// Not in one command: the embedded engine holds a connection of its pool (of 100) for each
// statement of an update command until the command ends, and a command of 100
// replacements waited for a connection for ever.
func putMany(ctx context.Context, coll *mongo.Collection, ids []string, docs []any, isNew []bool) error {
	var inserts []any
	var at []int // the index in docs of each of inserts
	var replace []int
	for i := range docs {
		if isNew[i] {
			inserts, at = append(inserts, docs[i]), append(at, i)
		} else {
			replace = append(replace, i)
		}
	}
	taken, err := insertNew(ctx, coll, inserts)
	if err != nil {
		return err
	}
	for _, k := range taken {
		replace = append(replace, at[k])
	}
	slices.Sort(replace)
	for _, i := range replace {
		if _, err := coll.ReplaceOne(ctx, bson.M{"_id": ids[i]}, docs[i], options.Replace().SetUpsert(true)); err != nil {
			return err
		}
	}
	return nil
}

// insertNew inserts docs into coll in one command, unordered, and returns the indexes of
// those whose _id was taken; any other failure is an error.
func insertNew(ctx context.Context, coll *mongo.Collection, docs []any) ([]int, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	_, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if err == nil || !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return nil, err
	}
	taken := make([]int, 0, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we.WriteError) || we.Index < 0 || we.Index >= len(docs) {
			return nil, err
		}
		taken = append(taken, we.Index)
	}
	return taken, nil
}

// withOrgs returns d with orgs, which must be public and are kept, not copied, in place of
// the organisations of their ids, or added, at version. For more than a few it indexes
// the directory once (NewDirectory), sharing every organisation with d, rather than
// copying d's indexes once per organisation (WithOrg), which made a batch cost its size
// times the directory's.
func withOrgs(d *portal.Directory, orgs []*portal.DirectoryOrg, version string) *portal.Directory {
	if len(orgs) <= 4 {
		for _, o := range orgs {
			d = d.WithOrg(o, version)
		}
		return d
	}
	in := make(map[string]bool, len(orgs))
	for _, o := range orgs {
		in[o.ID] = true
	}
	all := make([]*portal.DirectoryOrg, 0, len(d.Orgs)+len(orgs))
	for _, o := range d.Orgs {
		if !in[o.ID] {
			all = append(all, o)
		}
	}
	return portal.NewDirectory(append(all, orgs...), version)
}
