package store

import (
	"context"
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
)

// FindGuideline returns the guideline with id, or ENOTFOUND. It answers from the guideline
// list's snapshot when the copy held is current (no round trip), and by an _id lookup
// otherwise. The guideline is the caller's own: it may modify it (an import does).
func (db *DB) FindGuideline(ctx context.Context, id string) (*portal.Guideline, error) {
	l, _, ok, err := db.guidelineList.current(ctx, db, struct{}{})
	if err != nil {
		return nil, translate(err, nil, "find guideline %s", id)
	}
	if ok {
		d := l.docs[id]
		if d == nil {
			return nil, portal.Errorf(portal.ENOTFOUND, "guideline %s not found", id)
		}
		return d.guideline(), nil
	}
	var d guidelineDoc
	err = db.guidelines.FindOne(ctx, bson.M{"_id": id}).Decode(&d)
	if err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "guideline %s not found", id), "find guideline %s", id)
	}
	return d.guideline(), nil
}

// FindGuidelines returns the guidelines matching f, most recently updated first and, among
// those updated at the same time, by ID. They come from the guideline list's snapshot
// (guidelineListSnapshot), converted and in order already, and are filtered here: the
// slice is the caller's, the guidelines are shared with every caller and must not be
// modified.
func (db *DB) FindGuidelines(ctx context.Context, f portal.GuidelineFilter) ([]*portal.Guideline, error) {
	l, _, err := db.guidelineList.get(ctx, db, struct{}{})
	if err != nil {
		return nil, translate(err, nil, "find guidelines %+v", f)
	}
	var gs []*portal.Guideline
	for _, g := range l.sorted {
		if matches(f, g) {
			gs = append(gs, g)
		}
	}
	return gs, nil
}

// scanGuidelines returns every document of the guidelines collection.
func (db *DB) scanGuidelines(ctx context.Context) ([]guidelineDoc, error) {
	cur, err := db.guidelines.Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var docs []guidelineDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return docs, nil
}

// matches reports whether g is selected by f.
func matches(f portal.GuidelineFilter, g *portal.Guideline) bool {
	return (f.Language == "" || f.Language == g.Language) &&
		(f.Status == "" || f.Status == g.Status) &&
		(f.TranslationKey == "" || f.TranslationKey == g.TranslationKey)
}

// FindRevision returns revision n of the guideline with guidelineID, or ENOTFOUND. The
// revision may come from the revision snapshot and be shared: callers must not modify it.
func (db *DB) FindRevision(ctx context.Context, guidelineID string, n int) (*portal.Revision, error) {
	rev, _, err := db.revisionsCache.get(ctx, db, portal.RevisionID(guidelineID, n))
	return rev, err
}

// FindRenderedRevision returns revision n without its Markdown body and blocks: what a
// page shows, for half the cost of FindRevision on the embedded engine (a revision already
// held whole is returned whole). The revision may be shared: callers must not modify it.
func (db *DB) FindRenderedRevision(ctx context.Context, guidelineID string, n int) (*portal.Revision, error) {
	id := portal.RevisionID(guidelineID, n)
	if rev, ok := db.revisionsCache.cached(id); ok {
		return rev, nil
	}
	rev, _, err := db.revisionsCache.get(ctx, db, renderedKey(id))
	return rev, err
}

// renderedKey is the snapshot key of a revision read without its source; renderedID
// reads the revision's ID back.
func renderedKey(id string) string { return "rendered:" + id }

func renderedID(key string) (string, bool) { return strings.CutPrefix(key, "rendered:") }

// findWhole reads the revision with id and its source.
func (db *DB) findWhole(ctx context.Context, id string) (*portal.Revision, error) {
	rev, err := db.findRendered(ctx, id)
	if err != nil {
		return nil, err
	}
	var d sourceDoc
	if err := db.sources.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "source of %s not found", revisionName(id)), "find revision source %s", id)
	}
	d.addTo(rev)
	return rev, nil
}

// revisionName names the revision with id in a message: "revision 2 of guideline en:slug".
func revisionName(id string) string {
	if i := strings.LastIndexByte(id, '@'); i > 0 {
		return "revision " + id[i+1:] + " of guideline " + id[:i]
	}
	return "revision " + id
}

// findRendered reads the revision with id without its source.
func (db *DB) findRendered(ctx context.Context, id string) (*portal.Revision, error) {
	var d revisionDoc
	err := db.revisions.FindOne(ctx, bson.M{"_id": id}).Decode(&d)
	if err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "%s not found", revisionName(id)), "find revision %s", id)
	}
	return d.revision(), nil
}

// SaveRevisions writes revs and then g, each replaced whole by its _id or inserted. The
// revisions go first so that no reader finds g listing a revision that is not there yet; a
// failure part way leaves at most revisions nobody lists, which a retry overwrites. There are
// no transactions: the embedded engine has none.
//
// Each revision must belong to g: its GuidelineID is g.ID and its ID is
// portal.RevisionID(g.ID, Number), or nothing is written and the error is EINVALID.
func (db *DB) SaveRevisions(ctx context.Context, g *portal.Guideline, revs ...*portal.Revision) error {
	if err := checkSave(g, revs); err != nil {
		return err
	}
	before, err := db.guidelineList.writeBase(ctx, db, struct{}{})
	if err != nil {
		return err
	}
	doc, err := db.writeRevisions(ctx, g, revs)
	if err != nil {
		// Whatever the failed write did, every process reads the list again.
		return errors.Join(err, db.guidelineList.wrote(ctx, db, struct{}{}, before, nil, nil))
	}
	return db.wroteGuideline(ctx, before, doc)
}

// writeRevisions writes revs and then g, and returns g's document. The copies of the
// revisions this process holds are dropped before and after: a read racing the write may
// have cached what the write replaces.
func (db *DB) writeRevisions(ctx context.Context, g *portal.Guideline, revs []*portal.Revision) (*guidelineDoc, error) {
	drop := func() {
		for _, r := range revs {
			db.revisionsCache.drop(r.ID)
			db.revisionsCache.drop(renderedKey(r.ID))
		}
	}
	drop()
	defer drop()
	upsert := options.Replace().SetUpsert(true)
	for _, r := range revs {
		if _, err := db.sources.ReplaceOne(ctx, bson.M{"_id": r.ID}, toSourceDoc(r), upsert); err != nil {
			return nil, translate(err, nil, "save revision source %s", r.ID)
		}
		if _, err := db.revisions.ReplaceOne(ctx, bson.M{"_id": r.ID}, toRevisionDoc(r), upsert); err != nil {
			return nil, translate(err, nil, "save revision %s", r.ID)
		}
	}
	doc := toGuidelineDoc(g)
	if _, err := db.guidelines.ReplaceOne(ctx, bson.M{"_id": g.ID}, doc, upsert); err != nil {
		return nil, translate(err, nil, "save guideline %s", g.ID)
	}
	return doc, nil
}

// wroteGuideline records a write of the guideline doc, made when the guidelines' version
// was before: a new version, and the list held patched with doc.
func (db *DB) wroteGuideline(ctx context.Context, before string, doc *guidelineDoc) error {
	return db.guidelineList.wrote(ctx, db, struct{}{}, before, nil, func(l *guidelineList, _ string) (*guidelineList, bool) {
		var saved guidelineDoc
		if !readBack(doc, &saved) {
			return nil, false
		}
		return l.with(&saved), true
	})
}

// GuidelinesVersion implements portal.GuidelineStore: a value that changes after every
// write to a guideline, "" while none was ever saved. Equal values mean no guideline
// changed in between (unless a writer died between its write and the new version; the
// indexer's periodic full pass covers that). It is the version of the list as this
// process serves it (servedVersion): while a newer one loads in the background it stays
// that of the copy FindGuidelines returns, so that the indexer, which reads it before the
// list, never takes an older list for the newer version.
func (db *DB) GuidelinesVersion(ctx context.Context) (string, error) {
	return db.guidelineList.servedVersion(ctx, db, struct{}{})
}

// checkSave rejects a save whose keys disagree: FindRevision would never find such a revision.
func checkSave(g *portal.Guideline, revs []*portal.Revision) error {
	if g == nil || g.ID == "" {
		return portal.Errorf(portal.EINVALID, "a guideline without an ID cannot be saved")
	}
	for _, r := range revs {
		if r == nil || r.GuidelineID != g.ID || r.ID != portal.RevisionID(g.ID, r.Number) {
			return portal.Errorf(portal.EINVALID, "a revision saved with guideline %s must have ID %s@N and guideline ID %s", g.ID, g.ID, g.ID)
		}
	}
	return nil
}

// UpdateTranslations replaces the translations map of the guideline with id, or returns
// ENOTFOUND. It leaves UpdatedAt alone: linking a translation does not change the text.
func (db *DB) UpdateTranslations(ctx context.Context, id string, tr map[portal.Language]string) error {
	before, err := db.guidelineList.writeBase(ctx, db, struct{}{})
	if err != nil {
		return err
	}
	set := bson.M{"$set": bson.M{"translations": translationsDoc(tr)}}
	res, err := db.guidelines.UpdateOne(ctx, bson.M{"_id": id}, set)
	if err != nil {
		err = translate(err, nil, "update translations of guideline %s", id)
		return errors.Join(err, db.guidelineList.wrote(ctx, db, struct{}{}, before, nil, nil))
	}
	if res.MatchedCount == 0 {
		return portal.Errorf(portal.ENOTFOUND, "guideline %s not found", id)
	}
	var d guidelineDoc
	if err := db.guidelines.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		// Written, not read back: claim the version without a patch.
		return db.guidelineList.wrote(ctx, db, struct{}{}, before, nil, nil)
	}
	return db.wroteGuideline(ctx, before, &d)
}
