package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
)

// AppendAudit stores e. An entry without an ID gets one, set in e, that sorts by the time it
// was appended: 16 hex digits of Unix nanoseconds, then 12 random ones against ties.
func (db *DB) AppendAudit(ctx context.Context, e *portal.AuditEntry) error {
	if e.ID == "" {
		e.ID = newAuditID(time.Now())
	}
	if _, err := db.audit.InsertOne(ctx, toAuditDoc(e)); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return &portal.Error{Code: portal.ECONFLICT, Message: fmt.Sprintf("audit entry %s already exists", e.ID), Err: err}
		}
		return translate(err, nil, "append audit entry %s", e.ID)
	}
	return nil
}

func newAuditID(t time.Time) string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return fmt.Sprintf("%016x%s", uint64(t.UnixNano()), hex.EncodeToString(b[:]))
}

// FindAudit returns the newest entries first, and among entries of the same time the last
// appended first, at most limit of them; every entry when limit <= 0. The log only grows, so
// the order and the limit go to the server: a MongoDB answers them from an index and sends only
// limit entries; the embedded engine still reads the whole collection, which is fine for a page
// only admins see.
func (db *DB) FindAudit(ctx context.Context, limit int) ([]*portal.AuditEntry, error) {
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	var docs []auditDoc
	cur, err := db.audit.Find(ctx, bson.D{}, opts)
	if err == nil {
		err = cur.All(ctx, &docs)
	}
	if err != nil {
		return nil, translate(err, nil, "find audit entries")
	}
	es := make([]*portal.AuditEntry, len(docs))
	for i := range docs {
		es[i] = docs[i].entry()
	}
	return es, nil
}
