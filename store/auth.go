package store

import (
	"context"
	"errors"
	"time"

	"github.com/gobidialogue/portal"
)

// authVersionKey names the version that moves whenever a session ends or a person changes
// (see snapshots): what a process's memory of who is signed in is checked against.
const authVersionKey = "auth_version"

// authVersionSnapshot follows the version of authVersionKey. It holds no value: reading
// it tells the version, from what this process knows (its own claims at once, another
// process's at the next claim check), without a database round trip while nothing moved.
func authVersionSnapshot(db *DB) *snapshots[struct{}, struct{}] {
	return &snapshots[struct{}, struct{}]{
		versionKey: func(struct{}) string { return authVersionKey },
		load:       func(context.Context, struct{}, string) (struct{}, error) { return struct{}{}, nil },
		maxAge:     time.Minute,
		max:        1,
	}
}

// AuthVersion implements portal.AccountStore. While the version held is current it costs
// no round trip; once a later claim is known (this process's at once, another's at the
// next claim check) it reads the version from the database until the copy held catches
// up: who is signed in never follows a version behind a change it knows of.
func (db *DB) AuthVersion(ctx context.Context) (string, error) {
	_, v, ok, err := db.authVersion.current(ctx, db, struct{}{})
	switch {
	case err != nil:
		return "", err
	case ok:
		return v, nil
	}
	if s := db.authVersion.held(struct{}{}); s == nil || s.cur.Load() == nil {
		_, v, err = db.authVersion.get(ctx, db, struct{}{}) // nothing held yet: load and hold it
		return v, err
	}
	return db.authVersion.version(ctx, db, struct{}{})
}

// changingAuth runs write, a change to sessions or people, and then claims the next
// version of authVersionKey, whatever write did: a failure part way may have changed
// something too.
func (db *DB) changingAuth(ctx context.Context, write func() error) error {
	before, err := db.authVersion.version(ctx, db, struct{}{})
	if err != nil {
		return err
	}
	err = write()
	return errors.Join(err, db.authVersion.wrote(ctx, db, struct{}{}, before, nil, nil))
}

// UpdateUser implements portal.AccountStore: updateUser, then a new AuthVersion.
func (db *DB) UpdateUser(ctx context.Context, u *portal.User) error {
	return db.changingAuth(ctx, func() error { return db.updateUser(ctx, u) })
}

// DeleteSession implements portal.AccountStore: deleteSession, then a new AuthVersion.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.changingAuth(ctx, func() error { return db.deleteSession(ctx, id) })
}

// SweepSessions implements portal.AccountStore: sweepSessions, then a new AuthVersion
// when it deleted any.
func (db *DB) SweepSessions(ctx context.Context, now, idleBefore time.Time) (int, error) {
	var n int
	err := db.changingAuth(ctx, func() (err error) {
		n, err = db.sweepSessions(ctx, now, idleBefore)
		return err
	})
	return n, err
}
