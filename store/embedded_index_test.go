package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbeddedIDLookupsUseIndex checks, on the SQLite file itself, that the query FerretDB
// runs for a lookup by _id (see Query in FerretDB's internal/backends/sqlite/collection.go)
// uses an index in every collection, instead of parsing every document.
func TestEmbeddedIDLookupsUseIndex(t *testing.T) {
	t.Parallel()
	ctx, dir := context.Background(), t.TempDir()
	e, err := StartEmbedded(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for range 2 { // the second Open finds the indexes there
		db, err := Open(ctx, e.URI(), "portal")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}

	sqlDB, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "portal.sqlite")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	tables, err := ferretTables(ctx, sqlDB)
	if err != nil || len(tables) != len(collections) {
		t.Fatalf("tables %q, %v; want one per collection %q", tables, err, collections)
	}
	for _, table := range tables {
		q := fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE %s = ?`, table, idLookupExpr)
		var id, parent, unused int
		var plan string
		if err := sqlDB.QueryRowContext(ctx, q, `"en:x"`).Scan(&id, &parent, &unused, &plan); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "USING INDEX "+table+idIndexSuffix) {
			t.Errorf("table %s: lookup by _id runs as %q", table, plan)
		}
	}
}
