package store

import "context"

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
	local = localWrites(db, guidelinesVersionKey).Load() + localWrites(db, directoryVersionKey).Load()
	return guidelines + "/" + d.Version, local, nil
}
