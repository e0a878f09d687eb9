package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"

	_ "modernc.org/sqlite" // the database/sql driver FerretDB uses; named here because we use it too
)

// FerretDB v1.24.2 on SQLite keeps each collection in a table of JSON texts and gives it a
// unique index on the expression _ferretdb_sjson->"_id". Its _id lookups, though, filter on
// _ferretdb_sjson->'$._id', which SQLite does not match to that index: every lookup by _id,
// including the one inside each update and upsert, parses every document of the collection
// (measured: 65 ms for 1,000 documents of 90 KB, 1.3 ms with an index). So the store adds, to
// each table, an index on the expression the lookups use. FerretDB does not know about it and
// does not need to: it lists only its own indexes, and dropping the collection drops the table
// and the index with it.
const idLookupExpr = `_ferretdb_sjson->'$._id'`

// idIndexSuffix names the added index: FerretDB names its own indexes table_name + "_" + the
// MongoDB index name, and MongoDB index names cannot be empty, so "__" + this cannot collide
// with one unless someone names a MongoDB index "_portal_id_lookup".
const idIndexSuffix = "__portal_id_lookup"

// running maps the URI of each Embedded running in this process to it, so that Open can add
// the index to the collections of a database served by one without a change to its signature.
var running sync.Map

func embeddedAt(uri string) *Embedded {
	e, _ := running.Load(uri)
	e2, _ := e.(*Embedded)
	return e2
}

// indexIDLookups adds the _id lookup index to every collection of the database name. It is
// idempotent and cheap once done: CREATE INDEX IF NOT EXISTS does nothing for an existing index.
// Collections created after it ran are not covered, so Open creates all of them first.
func (e *Embedded) indexIDLookups(ctx context.Context, name string) error {
	// FerretDB opens its files with a busy timeout too; writes from both sides then wait for
	// each other instead of failing. mode=rw: never create a database FerretDB does not know.
	path := filepath.Join(e.dir, name+".sqlite")
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()

	tables, err := ferretTables(ctx, db)
	if err != nil {
		return err
	}
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, t+idIndexSuffix, t, idLookupExpr)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index table %s: %w", t, err)
		}
	}
	return nil
}

// ferretTables returns the names of the tables holding the database's collections.
func ferretTables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	return tables, rows.Err()
}
