package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

// TestPacedDirectoryLoad: a reload in the background reads the directory in batches with
// rests between them, and gets the same directory as a load that a request waits for; a
// reload whose context ends stops between batches.
func TestPacedDirectoryLoad(t *testing.T) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	ctx := context.Background()
	orgs := directorytest.Generate(600, 1, g, terms) // about 120 organisations: three batches
	if err := db.SaveDirectoryOrgs(ctx, orgs); err != nil {
		t.Fatal(err)
	}
	whole, err := db.LoadDirectory(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	paced, err := db.LoadDirectory(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Orgs) != len(orgs) || !storetest.SameDirectory(whole, paced) {
		t.Fatalf("the paced load holds %d organisations and %d services; the load at once %d and %d (of %d organisations stored)",
			len(paced.Orgs), len(paced.Services()), len(whole.Orgs), len(whole.Services()), len(orgs))
	}
	// Ended: the load stops with the context's error, not a partial directory.
	ended, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	time.Sleep(2 * time.Millisecond)
	if d, err := db.LoadDirectory(ended, true); err == nil {
		t.Errorf("a paced load with its context ended returned %d organisations and no error", len(d.Orgs))
	}
}
