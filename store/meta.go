package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
)

// metaDocument is a document in the meta collection: one small fact about the installation.
type metaDocument struct {
	Key   string `bson:"_id"`
	Value string `bson:"value"`
}

// GetMeta returns the value stored under key, or ENOTFOUND.
func (db *DB) GetMeta(ctx context.Context, key string) (string, error) {
	var d metaDocument
	if err := db.meta.FindOne(ctx, bson.M{"_id": key}).Decode(&d); err != nil {
		return "", translate(err, portal.Errorf(portal.ENOTFOUND, "meta %s not found", key), "get meta %s", key)
	}
	return d.Value, nil
}

// SetMeta stores value under key, replacing any earlier value.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	d := metaDocument{Key: key, Value: value}
	_, err := db.meta.ReplaceOne(ctx, bson.M{"_id": key}, d, options.Replace().SetUpsert(true))
	return translate(err, nil, "set meta %s", key)
}
