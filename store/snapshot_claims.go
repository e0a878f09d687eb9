package store

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
)

// The versions of the snapshots' values (see snapshots): claimed by unique inserts into
// version_claims, noted in memory as this process claims or finds them, swept when old.

// seen holds, by server, database and version key, the highest version a DB of this process
// claimed or found claimed: an *atomic.Int64.
var seen sync.Map

func seenOf(db *DB, key string) *atomic.Int64 {
	v, _ := seen.LoadOrStore(db.server+"\x00"+key, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// wroteHere counts, by server, database and version key, the writes this process made
// (wrote): an *atomic.Int64.
var wroteHere sync.Map

// localWrites returns the counter of the writes of key that this process made.
func localWrites(db *DB, key string) *atomic.Int64 {
	v, _ := wroteHere.LoadOrStore(db.server+"\x00"+key, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// noteSeen records that version n of key exists.
func noteSeen(db *DB, key string, n int64) {
	a := seenOf(db, key)
	for {
		old := a.Load()
		if n <= old || a.CompareAndSwap(old, n) {
			return
		}
	}
}

// version returns the current version of the value at k: "" when it was never written,
// and always "" for values without a version.
func (c *snapshots[K, V]) version(ctx context.Context, db *DB, k K) (string, error) {
	if c.versionKey == nil {
		return "", nil
	}
	key := c.versionKey(k)
	n, err := currentVersion(ctx, db, key)
	if err == nil {
		noteSeen(db, key, n)
	}
	return versionText(n), err
}

// currentVersion returns the highest version of key claimed: from the hint, or the
// highest this process knows of when that is higher, up, as far as the claims go.
func currentVersion(ctx context.Context, db *DB, key string) (int64, error) {
	hint, err := db.GetMeta(ctx, key)
	if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
		return 0, err
	}
	n := max(versionNumber(hint), seenOf(db, key).Load())
	for {
		moved, err := claimed(ctx, db, key, n+1)
		if err != nil || !moved {
			return n, err
		}
		n++
	}
}

// claimed reports whether version n of key was claimed.
func claimed(ctx context.Context, db *DB, key string, n int64) (bool, error) {
	err := db.versionClaims.FindOne(ctx, bson.M{"_id": claimID(key, n)}).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	}
	return false, translate(err, nil, "read version %d of %s", n, key)
}

// maxPatchClaims is how many claims after a copy's version a patch reads at most (see
// patched): behind more than that, the copy is loaded again.
const maxPatchClaims = 64

// changedAfter reads the claims of key after version n, n+1 on, each by its _id, as far as
// they go, and returns the highest version claimed and what the writes of those versions
// changed, each id once, in order. ok is false when one of those claims does not say what
// it changed, or more than maxPatchClaims follow n: then only the whole value will do.
func changedAfter(ctx context.Context, db *DB, key string, n int64) (last int64, changed []string, ok bool, err error) {
	in := map[string]bool{}
	for last = n; last-n < maxPatchClaims; last++ {
		var c versionClaim
		err := db.versionClaims.FindOne(ctx, bson.M{"_id": claimID(key, last+1)}).Decode(&c)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			return last, changed, true, nil
		case err != nil:
			return last, nil, false, translate(err, nil, "read version %d of %s", last+1, key)
		case len(c.Changed) == 0:
			return last + 1, nil, false, nil
		}
		for _, id := range c.Changed {
			if !in[id] {
				in[id] = true
				changed = append(changed, id)
			}
		}
	}
	return last, nil, false, nil
}

// versionClaim is a claim of version N of Key, made At. Changed, when not empty, names
// what the write changed (for the directory, the ids of the organisations it saved), so
// that another process can patch its copy with them rather than load the whole value (see
// snapshots); empty means unknown: a write that failed part way, or a writer that does not
// say.
type versionClaim struct {
	ID      string    `bson:"_id"`
	Key     string    `bson:"key"`
	N       int64     `bson:"n"`
	At      time.Time `bson:"at"`
	Changed []string  `bson:"changed,omitempty"`
}

// claimID is the _id of the claim of version n of key.
func claimID(key string, n int64) string { return key + "@" + strconv.FormatInt(n, 10) }

// versionNumber reads a version; "" (never written) and anything unreadable are 0.
func versionNumber(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// versionText writes version n, 0 as "".
func versionText(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// hintEvery is how often a claim stores its number as the hint: every claim would cost a
// write more per write of a value (1.5 ms of a directory save's 9 on the embedded engine),
// and a hint at most hintEvery behind costs a reader that knows no later version (a
// process starting, one that has not looked for a while) as many _id lookups.
const hintEvery = 16

// claimNext claims the first free version of key from n on, for a write that changed
// what changed names (nil: unknown), and returns it.
func claimNext(ctx context.Context, db *DB, key string, n int64, changed []string) (int64, error) {
	for ; ; n++ {
		_, err := db.versionClaims.InsertOne(ctx, versionClaim{ID: claimID(key, n), Key: key, N: n, At: time.Now().UTC(), Changed: changed})
		switch {
		case err == nil:
			return n, nil
		case !mongo.IsDuplicateKeyError(err):
			return 0, translate(err, nil, "claim version %d of %s", n, key)
		}
	}
}

// Claims older than claimMinAge are deleted, at most once every claimSweepEvery and after a
// write, except the newest of each value. A copy older than its snapshot's maxAge, far below
// claimMinAge, is stale whatever the claims say, and the version of a copy younger than that
// is a safe base for a write (writeBase), so no copy can depend on a claim that goes: a copy
// of version n is stale through a claim of n+1 made after it loaded.
const (
	claimMinAge     = time.Hour
	claimSweepEvery = time.Hour
)

// sweepClaims starts, at most once every claimSweepEvery and not before claimSweepEvery
// after this DB's first write, a background deletion of the claims older than claimMinAge
// but the newest of each value. Failures are left for the next sweep. The deletion scans
// every claim (a query by age), which the embedded engine does in the portal's process: on
// the first write of a process, as it was, it made another process's one save (the CLI's,
// a second portal's) cost every visitor of the portal a scan of version_claims, and in the
// write's own time. A process that writes only once in a while leaves the sweep to those
// that run for hours.
func (db *DB) sweepClaims() {
	now := time.Now()
	db.sweepMu.Lock()
	if db.claimsSwept.IsZero() {
		db.claimsSwept = now // the first write: the first sweep is claimSweepEvery away
	}
	due := now.Sub(db.claimsSwept) >= claimSweepEvery
	if due {
		db.claimsSwept = now
	}
	db.sweepMu.Unlock()
	if due {
		db.background(func(ctx context.Context) { _ = db.deleteClaims(ctx, now.Add(-claimMinAge)) })
	}
}

// deleteClaims deletes the claims made before cutoff but the newest of each value, and
// sets each value's hint to its newest version, so that no version is ever claimed twice.
func (db *DB) deleteClaims(ctx context.Context, cutoff time.Time) error {
	cutoff = cutoff.UTC()
	cur, err := db.versionClaims.Find(ctx, bson.M{"at": bson.M{"$lt": cutoff}}, options.Find().SetProjection(bson.M{"key": 1}))
	if err != nil {
		return translate(err, nil, "find old version claims")
	}
	var old []versionClaim
	if err := cur.All(ctx, &old); err != nil {
		return translate(err, nil, "find old version claims")
	}
	keys := map[string]bool{}
	for _, c := range old {
		keys[c.Key] = true
	}
	for key := range keys {
		n, err := currentVersion(ctx, db, key)
		if err != nil {
			return err
		}
		if err := db.SetMeta(ctx, key, versionText(n)); err != nil {
			return err
		}
		if _, err := db.versionClaims.DeleteMany(ctx, bson.M{"key": key, "n": bson.M{"$lt": n}, "at": bson.M{"$lt": cutoff}}); err != nil {
			return translate(err, nil, "delete old version claims of %s", key)
		}
	}
	return nil
}
