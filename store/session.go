package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
)

// Sessions, one-time links and throttles: the sign-in state that every portal process must
// share. Each is read by its _id, the session and link IDs being hashes of secrets. Messages
// name no session or link: their IDs mean nothing to a reader.

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s *portal.Session) error {
	if _, err := db.sessions.InsertOne(ctx, toSessionDoc(s)); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return &portal.Error{Code: portal.ECONFLICT, Message: "the session already exists", Err: err}
		}
		return translate(err, nil, "create session %s", s.ID)
	}
	return nil
}

// FindSession returns the session with id, or ENOTFOUND. It does not check expiry: the caller
// has the clock.
func (db *DB) FindSession(ctx context.Context, id string) (*portal.Session, error) {
	var d sessionDoc
	if err := db.sessions.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "session not found"), "find session %s", id)
	}
	return d.session(), nil
}

// TouchSession records that the session was used at t, or returns ENOTFOUND.
func (db *DB) TouchSession(ctx context.Context, id string, t time.Time) error {
	res, err := db.sessions.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"last_seen_at": t.UTC()}})
	if err != nil {
		return translate(err, nil, "touch session %s", id)
	}
	if res.MatchedCount == 0 {
		return portal.Errorf(portal.ENOTFOUND, "session not found")
	}
	return nil
}

// deleteSession is DeleteSession without its version claim (auth.go). It deletes the session with id. Deleting a session that is not there succeeds:
// signing out twice, or after the session was removed, leaves the same state.
func (db *DB) deleteSession(ctx context.Context, id string) error {
	_, err := db.sessions.DeleteOne(ctx, bson.M{"_id": id})
	return translate(err, nil, "delete session %s", id)
}

// CreateToken stores a new one-time link.
func (db *DB) CreateToken(ctx context.Context, t *portal.Token) error {
	if _, err := db.tokens.InsertOne(ctx, toTokenDoc(t)); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return &portal.Error{Code: portal.ECONFLICT, Message: "the link already exists", Err: err}
		}
		return translate(err, nil, "create token %s", t.ID)
	}
	return nil
}

// FindToken returns the one-time link with id, or ENOTFOUND.
func (db *DB) FindToken(ctx context.Context, id string) (*portal.Token, error) {
	var d tokenDoc
	if err := db.tokens.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "link not found"), "find token %s", id)
	}
	return d.token(), nil
}

// FindTokens returns the links of kind, newest first and, among those created at the same
// time, by ID.
func (db *DB) FindTokens(ctx context.Context, kind portal.TokenKind) ([]*portal.Token, error) {
	var docs []tokenDoc
	cur, err := db.tokens.Find(ctx, bson.M{"kind": string(kind)})
	if err == nil {
		err = cur.All(ctx, &docs)
	}
	if err != nil {
		return nil, translate(err, nil, "find %s tokens", kind)
	}
	ts := make([]*portal.Token, len(docs))
	for i := range docs {
		ts[i] = docs[i].token()
	}
	slices.SortFunc(ts, func(a, b *portal.Token) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return ts, nil
}

// UseToken marks the link used at t. Of two concurrent calls exactly one succeeds; the other,
// and any call on a link used, revoked or expired at t, gets ECONFLICT (see endToken).
func (db *DB) UseToken(ctx context.Context, id string, t time.Time) error {
	return db.endToken(ctx, id, endUsed, t)
}

// RevokeToken marks the link revoked at t; ECONFLICT when it was already used. Revoking a
// revoked link succeeds and keeps the first time.
func (db *DB) RevokeToken(ctx context.Context, id string, t time.Time) error {
	return db.endToken(ctx, id, endRevoked, t)
}

// endToken ends the link with id, by end (endUsed or endRevoked) at t.
//
// A link may end once, and the decision must hold against concurrent calls on every engine.
// A conditional update ({used_at: null} → $set) would be enough on MongoDB, but the embedded
// engine reads, filters and writes an update in separate steps, so two of them can both match.
// What both engines make atomic is the uniqueness of _id: so the call that inserts the link's
// document in token_ends wins, and only then is the link itself marked.
func (db *DB) endToken(ctx context.Context, id, end string, t time.Time) error {
	tok, err := db.FindToken(ctx, id)
	if err != nil {
		return err
	}
	if err := checkEnd(tok, end, t); err != nil {
		return err
	}
	if end == endRevoked && tok.RevokedAt != nil {
		return nil // revoked already: keep the first time
	}
	d := tokenEndDoc{ID: id, End: end, At: t.UTC()}
	_, err = db.tokenEnds.InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		if err := db.tokenEnds.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
			return translate(err, nil, "find end of token %s", id)
		}
		// The winner may have died before marking the link, which would then look usable.
		if (d.End == endUsed && tok.UsedAt == nil) || (d.End == endRevoked && tok.RevokedAt == nil) {
			_ = db.markEnded(ctx, &d)
		}
		if d.End == endRevoked && end == endRevoked {
			return nil
		}
		return ended(d.End)
	}
	if err != nil {
		return translate(err, nil, "end token %s", id)
	}
	return db.markEnded(ctx, &d)
}

// checkEnd returns the ECONFLICT error of ending tok by end at t, or nil when it may end.
func checkEnd(tok *portal.Token, end string, t time.Time) error {
	switch {
	case tok.UsedAt != nil:
		return ended(endUsed)
	case tok.RevokedAt != nil && end == endUsed:
		return ended(endRevoked)
	case end == endUsed && !t.Before(tok.ExpiresAt):
		return portal.Errorf(portal.ECONFLICT, "the link has expired")
	}
	return nil
}

// ended is the error of ending a link that already ended by end.
func ended(end string) error {
	if end == endRevoked {
		return portal.Errorf(portal.ECONFLICT, "the link was revoked")
	}
	return portal.Errorf(portal.ECONFLICT, "the link was already used")
}

// markEnded copies the end d into the link, for readers of the link alone.
func (db *DB) markEnded(ctx context.Context, d *tokenEndDoc) error {
	field := "used_at"
	if d.End == endRevoked {
		field = "revoked_at"
	}
	_, err := db.tokens.UpdateOne(ctx, bson.M{"_id": d.ID}, bson.M{"$set": bson.M{field: d.At}})
	return translate(err, nil, "mark token %s %s", d.ID, d.End)
}

// FindThrottle returns the throttle of key; a key never seen, or deleted, has a zero Throttle.
func (db *DB) FindThrottle(ctx context.Context, key string) (*portal.Throttle, error) {
	var d throttleDoc
	err := db.throttles.FindOne(ctx, bson.M{"_id": key}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return &portal.Throttle{Key: key}, nil
	case err != nil:
		return nil, translate(err, nil, "find throttle %s", key)
	}
	return d.throttle(), nil
}

// SaveThrottle stores t, replacing the throttle of its key.
func (db *DB) SaveThrottle(ctx context.Context, t *portal.Throttle) error {
	upsert := options.Replace().SetUpsert(true)
	_, err := db.throttles.ReplaceOne(ctx, bson.M{"_id": t.Key}, toThrottleDoc(t), upsert)
	if mongo.IsDuplicateKeyError(err) {
		// Two first failures of one key at once: both upserts found nothing and inserted, and
		// this one came second. The document exists now, so the replace succeeds; a sign-in
		// page must not fail over it.
		_, err = db.throttles.ReplaceOne(ctx, bson.M{"_id": t.Key}, toThrottleDoc(t), upsert)
	}
	return translate(err, nil, "save throttle %s", t.Key)
}

// DeleteThrottle deletes the throttle of key; deleting one that is not there succeeds.
func (db *DB) DeleteThrottle(ctx context.Context, key string) error {
	_, err := db.throttles.DeleteOne(ctx, bson.M{"_id": key})
	return translate(err, nil, "delete throttle %s", key)
}
