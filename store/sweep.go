package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// sweepSessions is SweepSessions without its version claim (auth.go). It deletes the sessions nobody can use any more: past their absolute expiry,
// or unused since idleBefore. Neither engine expires documents by itself here (the embedded
// one has no TTL indexes), so the portal sweeps now and then.
func (db *DB) sweepSessions(ctx context.Context, now, idleBefore time.Time) (int, error) {
	res, err := db.sessions.DeleteMany(ctx, bson.M{"$or": bson.A{
		bson.M{"expires_at": bson.M{"$lt": now.UTC()}},
		bson.M{"last_seen_at": bson.M{"$lt": idleBefore.UTC()}},
	}})
	if err != nil {
		return 0, translate(err, nil, "sweep sessions")
	}
	return int(res.DeletedCount), nil
}

// SweepThrottles deletes the throttles whose last failure is older than before: they
// count from zero again anyway.
func (db *DB) SweepThrottles(ctx context.Context, before time.Time) (int, error) {
	res, err := db.throttles.DeleteMany(ctx, bson.M{"last_failure": bson.M{"$lt": before.UTC()}})
	if err != nil {
		return 0, translate(err, nil, "sweep throttles")
	}
	return int(res.DeletedCount), nil
}
