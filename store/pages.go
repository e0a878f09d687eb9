package store

import (
	"context"
	"hash/fnv"
)

// PagesVersion returns a value that changes whenever the guidelines or the directory change:
// the versions of the copies this process holds of the guideline list and the directory
// (see snapshots), and a number that changes with every write made through this process
// (local). It is what the public page cache checks on every request, so it costs no
// database round trip while the copies are current: a write through this process moves it
// at once, another process's within the snapshots' claim check (claimCheckEvery) and the
// time to read the changed value again.
func (db *DB) PagesVersion(ctx context.Context) (version string, local int64, err error) {
	_, guidelines, err := db.guidelineList.get(ctx, db, struct{}{})
	if err != nil {
		return "", 0, err
	}
	d, err := db.Directory(ctx)
	if err != nil {
		return "", 0, err
	}
	version = guidelines + "/" + d.Version
	// Until the snapshots count this process's own claims, every change counts as local.
	h := fnv.New64a()
	h.Write([]byte(version))
	return version, int64(h.Sum64()), nil
}
