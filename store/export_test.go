package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
)

// ClearCache lets benchmarks measure FindGuidelines without the guideline list snapshot.
func (db *DB) ClearCache() { db.guidelineList.drop(struct{}{}) }

// StringSnapshots exposes a snapshots of strings to the tests of store_test, over a
// database of the test's own: a value of key k has the version key "test_version:"+k,
// unless it is made without versions.
type StringSnapshots struct{ c *snapshots[string, string] }

// NewStringSnapshots returns snapshots of the values load reads.
func NewStringSnapshots(versioned bool, max int, maxAge time.Duration, now func() time.Time,
	load func(ctx context.Context, k, version string) (string, error)) *StringSnapshots {
	c := &snapshots[string, string]{load: load, max: max, maxAge: maxAge, now: now}
	if versioned {
		c.versionKey = func(k string) string { return "test_version:" + k }
	}
	return &StringSnapshots{c}
}

func (s *StringSnapshots) Get(ctx context.Context, db *DB, k string) (string, string, error) {
	return s.c.get(ctx, db, k)
}

func (s *StringSnapshots) Version(ctx context.Context, db *DB, k string) (string, error) {
	return s.c.version(ctx, db, k)
}

func (s *StringSnapshots) Wrote(ctx context.Context, db *DB, k, before string, patch func(string, string) (string, bool)) error {
	return s.c.wrote(ctx, db, k, before, nil, patch)
}

func (s *StringSnapshots) Drop(k string)                  { s.c.drop(k) }
func (s *StringSnapshots) Cached(k string) (string, bool) { return s.c.cached(k) }

// DeleteClaims deletes the version claims made before cutoff, as the hourly sweep does.
func (db *DB) DeleteClaims(ctx context.Context, cutoff time.Time) error {
	return db.deleteClaims(ctx, cutoff)
}

// ClaimElsewhere claims version n of key as another process would: in the database only,
// unknown to this process's DBs.
func (db *DB) ClaimElsewhere(ctx context.Context, key string, n int64) error {
	_, err := db.versionClaims.InsertOne(ctx, versionClaim{ID: claimID(key, n), Key: key, N: n, At: time.Now().UTC()})
	return err
}

// ActAsAnotherProcess makes db share nothing in memory with this process's other DBs on its
// database, as a DB of another process would.
func (db *DB) ActAsAnotherProcess() { db.server += "\x00another process" }

// WaitForReloads waits for the snapshots' background reloads under way to end. Tests call
// it while nothing else reads.
func (db *DB) WaitForReloads() { db.tasks.Wait() }

// BeforeDirectoryLoad makes every later load of db's directory call f first (after it read
// the version it loads). Call it before anything reads the directory concurrently.
func (db *DB) BeforeDirectoryLoad(f func()) {
	load := db.dirSnapshot.load
	db.dirSnapshot.load = func(ctx context.Context, k struct{}, version string) (*portal.Directory, error) {
		f()
		return load(ctx, k, version)
	}
}

// BeforeDirectoryPatch makes every later patch of db's directory from other processes'
// claims call f first, with the ids it will read. Call it before anything reads the
// directory concurrently.
func (db *DB) BeforeDirectoryPatch(f func(changed []string)) {
	patch := db.dirSnapshot.patchFrom
	db.dirSnapshot.patchFrom = func(ctx context.Context, k struct{}, d *portal.Directory, changed []string, version string) (*portal.Directory, bool) {
		f(changed)
		return patch(ctx, k, d, changed, version)
	}
}

// WithoutDirectoryPatches makes db load its directory whole whenever it is stale, as a
// process would whose directory cannot be patched from claims.
func (db *DB) WithoutDirectoryPatches() { db.dirSnapshot.patchFrom = nil }

// OpenMonitored is Open with m watching every command the client sends.
func OpenMonitored(ctx context.Context, uri, name string, m *event.CommandMonitor) (*DB, error) {
	return open(ctx, uri, name, options.Client().ApplyURI(uri).SetMonitor(m))
}

// RelistHidden adds every stored hidden part to its organisation's list, as the hourly
// relistHidden does.
func (db *DB) RelistHidden(ctx context.Context) error { return db.relistAllHidden(ctx) }

// LoadDirectory reads the whole directory as a snapshot's load does: paced, as in a reload
// in the background, or at once.
func (db *DB) LoadDirectory(ctx context.Context, paced bool) (*portal.Directory, error) {
	if paced {
		ctx = context.WithValue(ctx, backgroundLoad{}, true)
	}
	return db.loadDirectory(ctx, struct{}{}, "test")
}
