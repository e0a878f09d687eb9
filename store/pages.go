package store

import "context"

// PagesVersion returns a value that changes whenever the guidelines or the directory change:
// the versions of the copies this process holds of the guideline list and the directory
// (see snapshots). It is what the public page cache checks on every request, so it costs no
// database round trip while the copies are current: a write through this process moves it
// at once, another process's within the snapshots' claim check (claimCheckEvery) and the
// time to read the changed value again.
func (db *DB) PagesVersion(ctx context.Context) (string, error) {
	_, guidelines, err := db.guidelineList.get(ctx, db, struct{}{})
	if err != nil {
		return "", err
	}
	d, err := db.Directory(ctx)
	if err != nil {
		return "", err
	}
	return guidelines + "/" + d.Version, nil
}
