package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/gobidialogue/portal/store"
)

// OpenElsewhere returns another *store.DB on db's database, as a second portal process would
// have it: its own connections and nothing shared in memory with db (the store keys what
// this process knows of versions by the connection string, which differs by its app name).
// It is closed when tb ends; the database is db's, and db's test drops it.
func OpenElsewhere(tb testing.TB, db *store.DB) *store.DB {
	tb.Helper()
	uri := URI(tb)
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	other, err := store.Open(ctx, uri+sep+"appName=elsewhere", db.Name())
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := other.Close(ctx); err != nil {
			tb.Errorf("storetest: %v", err)
		}
	})
	return other
}
