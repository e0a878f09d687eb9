package store

// ClearCache lets benchmarks measure FindGuidelines without the cache of the embedded database.
func (db *DB) ClearCache() { db.clearCache() }
