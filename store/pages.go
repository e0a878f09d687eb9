package store

import (
	"context"
	"sync/atomic"
)

// PagesVersion returns what the public page cache checks pages against: version, the
// versions of the copies this process holds of the guideline list and the directory (see
// snapshots), which changes whenever either changes, and local, the number of writes this
// process made to either. It costs no database round trip while the copies are current.
// A write through this process moves local once its copy is patched, so the next request
// renders the written value; another process's write moves version within the snapshots'
// claim check (claimCheckEvery) and the time to read the value again.
func (db *DB) PagesVersion(ctx context.Context) (version string, local int64, err error) {
	_, guidelines, err := db.guidelineList.get(ctx, db, struct{}{})
	if err != nil {
		return "", 0, err
	}
	d, err := db.Directory(ctx)
	if err != nil {
		return "", 0, err
	}
	w := pageWrites(db)
	return guidelines + "/" + d.Version, w[0].Load() + w[1].Load(), nil
}

// pageWrites returns the counters of this process's writes of the guidelines and of the
// directory (localWrites), looked up once per DB: PagesVersion runs on every request.
func pageWrites(db *DB) *[2]*atomic.Int64 {
	db.pageWritesOnce.Do(func() {
		db.pageWrites = [2]*atomic.Int64{localWrites(db, guidelinesVersionKey), localWrites(db, directoryVersionKey)}
	})
	return &db.pageWrites
}
