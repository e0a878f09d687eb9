package store

import (
	"cmp"
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
)

// FindGuideline returns the guideline with id, or ENOTFOUND.
func (db *DB) FindGuideline(ctx context.Context, id string) (*portal.Guideline, error) {
	var d guidelineDoc
	err := db.guidelines.FindOne(ctx, bson.M{"_id": id}).Decode(&d)
	if err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "guideline %s not found", id), "find guideline %s", id)
	}
	return d.guideline(), nil
}

// FindGuidelines returns the guidelines matching f, most recently updated first and, among
// those updated at the same time, by ID.
//
// On MongoDB the filter goes to the server, which answers it from the indexes. On the embedded
// database the guidelines come from a cache (see guidelineCache) and are filtered here. Either
// way they are sorted here, with the tie-break on ID that keeps the order the same on both.
func (db *DB) FindGuidelines(ctx context.Context, f portal.GuidelineFilter) ([]*portal.Guideline, error) {
	var docs []guidelineDoc
	var err error
	if db.cache != nil {
		docs, err = db.cache.load(ctx, db)
	} else {
		docs, err = db.scanGuidelines(ctx, guidelineFilter(f))
	}
	if err != nil {
		return nil, translate(err, nil, "find guidelines %+v", f)
	}
	var gs []*portal.Guideline
	for i := range docs {
		if matches(f, &docs[i]) {
			gs = append(gs, docs[i].guideline())
		}
	}
	slices.SortFunc(gs, func(a, b *portal.Guideline) int {
		return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(a.ID, b.ID))
	})
	return gs, nil
}

// scanGuidelines returns the documents of the guidelines collection that match filter.
func (db *DB) scanGuidelines(ctx context.Context, filter bson.D) ([]guidelineDoc, error) {
	cur, err := db.guidelines.Find(ctx, filter)
	if err != nil {
		return nil, err
	}
	var docs []guidelineDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return docs, nil
}

// guidelineFilter returns the query for f: an equality per set field. It must select what
// matches selects.
func guidelineFilter(f portal.GuidelineFilter) bson.D {
	q := bson.D{}
	if f.Language != "" {
		q = append(q, bson.E{Key: "language", Value: string(f.Language)})
	}
	if f.Status != "" {
		q = append(q, bson.E{Key: "status", Value: string(f.Status)})
	}
	if f.TranslationKey != "" {
		q = append(q, bson.E{Key: "translation_key", Value: f.TranslationKey})
	}
	return q
}

// matches reports whether d is selected by f.
func matches(f portal.GuidelineFilter, d *guidelineDoc) bool {
	return (f.Language == "" || string(f.Language) == d.Meta.Language) &&
		(f.Status == "" || string(f.Status) == d.Meta.Status) &&
		(f.TranslationKey == "" || f.TranslationKey == d.Meta.TranslationKey)
}

// FindRevision returns revision n of the guideline with guidelineID, or ENOTFOUND. The
// revision may come from the revision cache and be shared: callers must not modify it.
func (db *DB) FindRevision(ctx context.Context, guidelineID string, n int) (*portal.Revision, error) {
	id := portal.RevisionID(guidelineID, n)
	if rev, ok := db.revCache.get(id); ok {
		return rev, nil
	}
	rev, err := db.findRendered(ctx, guidelineID, n)
	if err != nil {
		return nil, err
	}
	var d sourceDoc
	if err := db.sources.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "source of revision %d of guideline %s not found", n, guidelineID), "find revision source %s", id)
	}
	full := *rev
	d.addTo(&full)
	db.revCache.put(id, &full)
	return &full, nil
}

// FindRenderedRevision returns revision n without its Markdown body and blocks: what a
// page shows, for half the cost of FindRevision on the embedded engine (a revision already
// cached whole is returned whole). The revision may be shared: callers must not modify it.
func (db *DB) FindRenderedRevision(ctx context.Context, guidelineID string, n int) (*portal.Revision, error) {
	id := portal.RevisionID(guidelineID, n)
	if rev, ok := db.revCache.get(id); ok {
		return rev, nil
	}
	if rev, ok := db.revCache.get(renderedKey(id)); ok {
		return rev, nil
	}
	rev, err := db.findRendered(ctx, guidelineID, n)
	if err != nil {
		return nil, err
	}
	db.revCache.put(renderedKey(id), rev)
	return rev, nil
}

// renderedKey is the cache key of a revision read without its source.
func renderedKey(id string) string { return "rendered:" + id }

func (db *DB) findRendered(ctx context.Context, guidelineID string, n int) (*portal.Revision, error) {
	id := portal.RevisionID(guidelineID, n)
	var d revisionDoc
	err := db.revisions.FindOne(ctx, bson.M{"_id": id}).Decode(&d)
	if err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "revision %d of guideline %s not found", n, guidelineID), "find revision %s", id)
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
	defer db.clearCache()
	upsert := options.Replace().SetUpsert(true)
	for _, r := range revs {
		db.revCache.remove(r.ID)
		db.revCache.remove(renderedKey(r.ID))
		if _, err := db.sources.ReplaceOne(ctx, bson.M{"_id": r.ID}, toSourceDoc(r), upsert); err != nil {
			return translate(err, nil, "save revision source %s", r.ID)
		}
		if _, err := db.revisions.ReplaceOne(ctx, bson.M{"_id": r.ID}, toRevisionDoc(r), upsert); err != nil {
			return translate(err, nil, "save revision %s", r.ID)
		}
	}
	if _, err := db.guidelines.ReplaceOne(ctx, bson.M{"_id": g.ID}, toGuidelineDoc(g), upsert); err != nil {
		return translate(err, nil, "save guideline %s", g.ID)
	}
	return db.SetMeta(ctx, guidelinesVersionKey, newVersion())
}

// guidelinesVersionKey is the meta document whose value changes after every SaveRevisions,
// so that the search indexer can tell with one _id lookup whether a guideline changed.
const guidelinesVersionKey = "guidelines_version"

// GuidelinesVersion returns a value that changes after every SaveRevisions, "" while no
// guideline was ever saved. Equal values mean no guideline changed in between (unless a
// writer died between its write and the new version; the indexer's periodic full pass
// covers that).
func (db *DB) GuidelinesVersion(ctx context.Context) (string, error) {
	v, err := db.GetMeta(ctx, guidelinesVersionKey)
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return "", nil
	}
	return v, err
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
	defer db.clearCache()
	set := bson.M{"$set": bson.M{"translations": translationsDoc(tr)}}
	res, err := db.guidelines.UpdateOne(ctx, bson.M{"_id": id}, set)
	if err != nil {
		return translate(err, nil, "update translations of guideline %s", id)
	}
	if res.MatchedCount == 0 {
		return portal.Errorf(portal.ENOTFOUND, "guideline %s not found", id)
	}
	return nil
}

// clearCache clears the guideline cache, if there is one, after a write to guidelines.
func (db *DB) clearCache() {
	if db.cache != nil {
		db.cache.clear()
	}
}
