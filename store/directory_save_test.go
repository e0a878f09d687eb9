package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// shelter returns the first organisation of orgs with a confidential location that has an
// address, and that location's id.
func shelter(t *testing.T, orgs []*portal.DirectoryOrg) (*portal.DirectoryOrg, string) {
	t.Helper()
	for _, o := range orgs {
		for _, l := range o.Locations {
			if l.Confidential && !l.Address.Empty() {
				return o, l.ID
			}
		}
	}
	t.Fatal("no organisation with a confidential address")
	return nil, ""
}

// hiddenAddress returns the stored address of the confidential location with id, or
// false.
func hiddenAddress(t *testing.T, db *store.DB, id string) (portal.Text, bool) {
	t.Helper()
	p, err := db.ConfidentialPlaces(context.Background(), []string{id})
	if err != nil {
		t.Fatal(err)
	}
	place, ok := p[id]
	return place.Address, ok
}

// TestSaveDirectoryOrgByID checks that saving organisations, new and stored before, with
// locations made confidential, public and removed, reads and writes nothing but by _id:
// the embedded engine scans the collection for any other filter, which made storing a
// directory quadratic.
func TestSaveDirectoryOrgByID(t *testing.T) {
	db := storetest.Open(t)
	w := watch(t, db, func(command) bool { return true })
	ctx := context.Background()
	_, _, orgs, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	// The first write of a DB sweeps old version claims and lists every hidden part
	// stored, queries made at most hourly: out of the way first. Then the directory is
	// held, as a serving process's is.
	mustSaveOrg(t, w.db, orgs[0])
	if _, err := w.db.Directory(ctx); err != nil {
		t.Fatal(err)
	}
	w.reset()
	for _, o := range orgs {
		mustSaveOrg(t, w.db, o)
	}
	o, id := shelter(t, orgs)
	open := o.Clone()
	open.Location(id).Confidential = false
	mustSaveOrg(t, w.db, open) // made public
	mustSaveOrg(t, w.db, o)    // confidential again
	gone := o.Clone()
	gone.Locations = slices.DeleteFunc(gone.Locations, func(l portal.Location) bool { return l.ID == id })
	for i := range gone.Services {
		gone.Services[i].LocationIDs = slices.DeleteFunc(gone.Services[i].LocationIDs, func(l string) bool { return l == id })
	}
	mustSaveOrg(t, w.db, gone) // removed
	mustSaveOrg(t, w.db, gone) // and saved again

	deletes := 0
	for _, c := range w.commands() {
		if !c.byID() {
			t.Errorf("%s on %s selects by %v: not by _id", c.name, c.collection, c.filters)
		}
		if c.name == "delete" && c.collection == "dir_confidential" {
			deletes++
		}
	}
	if deletes != 2 {
		t.Errorf("%d deletes of hidden parts, want 2: made public, removed", deletes)
	}
	if _, ok := hiddenAddress(t, db, id); ok {
		t.Errorf("the hidden part of %s, removed, is still stored", id)
	}
}

// TestDirectoryConfidentialSavedTwice checks that saving an organisation twice, whole or
// as the public directory shows it, keeps its hidden addresses.
func TestDirectoryConfidentialSavedTwice(t *testing.T) {
	db := storetest.Open(t)
	orgs := saveStarterDirectory(t, db)
	o, id := shelter(t, orgs)
	want := o.Location(id).Address
	mustSaveOrg(t, db, o)
	d, err := db.Directory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mustSaveOrg(t, db, d.Org(o.ID).Clone())
	mustSaveOrg(t, db, d.Org(o.ID).Clone())
	if got, ok := hiddenAddress(t, db, id); !ok || got != want {
		t.Errorf("address after saving twice = %+v, %v; want %+v", got, ok, want)
	}
}

// TestDirectoryConfidentialStoredBefore checks a database written before the hidden parts
// were listed by organisation: its documents are as they are now, without the lists. A
// save of such an organisation finds its hidden parts the old way, once, and keeps every
// guarantee: a location made public, or removed, loses its hidden part; one still
// confidential keeps it.
func TestDirectoryConfidentialStoredBefore(t *testing.T) {
	db := storetest.Open(t)
	orgs := saveStarterDirectory(t, db)
	if _, err := rawCollection(t, db, "dir_hidden_ids").DeleteMany(context.Background(), bson.D{}); err != nil {
		t.Fatal(err)
	}
	o, id := shelter(t, orgs)
	want := o.Location(id).Address
	d, err := db.Directory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mustSaveOrg(t, db, d.Org(o.ID).Clone()) // the public copy: the address stays
	if got, ok := hiddenAddress(t, db, id); !ok || got != want {
		t.Fatalf("address after a public save = %+v, %v; want %+v", got, ok, want)
	}
	open := o.Clone()
	open.Location(id).Confidential = false
	mustSaveOrg(t, db, open)
	if _, ok := hiddenAddress(t, db, id); ok {
		t.Error("hidden part kept after the location became public")
	}

	// Another organisation stored before, whose confidential location is removed.
	var other *portal.DirectoryOrg
	var otherID string
	for _, x := range orgs {
		if x.ID != o.ID {
			for _, l := range x.Locations {
				if l.Confidential && !l.Address.Empty() && other == nil {
					other, otherID = x, l.ID
				}
			}
		}
	}
	if other == nil {
		t.Fatal("the starter has one organisation with a confidential address, want two")
	}
	gone := other.Clone()
	gone.Locations, gone.Services = nil, nil
	mustSaveOrg(t, db, gone)
	if _, ok := hiddenAddress(t, db, otherID); ok {
		t.Error("hidden part kept after the location was removed")
	}
}

// TestDirectoryConfidentialLeftOver checks that a hidden part that a failed save left
// listed (written, but the public document not) is deleted by the next save that does not
// want it, and that a listed location whose hidden part another organisation took up
// keeps it.
func TestDirectoryConfidentialLeftOver(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	orgs := saveStarterDirectory(t, db)
	o, id := shelter(t, orgs)
	hidden := rawCollection(t, db, "dir_confidential")
	lists := rawCollection(t, db, "dir_hidden_ids")
	_, err := hidden.InsertMany(ctx, []any{
		bson.M{"_id": "left-over", "org_id": o.ID, "address": bson.M{"en": "12 Hidden Street"}},
		bson.M{"_id": "taken-up", "org_id": "someone-else", "address": bson.M{"en": "34 Other Street"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lists.UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": bson.M{"location_ids": []string{id, "left-over", "taken-up"}}}); err != nil {
		t.Fatal(err)
	}
	mustSaveOrg(t, db, o)
	if _, ok := hiddenAddress(t, db, "left-over"); ok {
		t.Error("the hidden part a failed save left is still stored")
	}
	if _, ok := hiddenAddress(t, db, "taken-up"); !ok {
		t.Error("the hidden part of another organisation was deleted")
	}
	if _, ok := hiddenAddress(t, db, id); !ok {
		t.Error("the hidden part still wanted was deleted")
	}
	var list struct {
		IDs []string `bson:"location_ids"`
	}
	if err := lists.FindOne(ctx, bson.M{"_id": o.ID}).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(list.IDs, []string{id}) {
		t.Errorf("listed after the save: %v, want [%s]", list.IDs, id)
	}
	if raw := rawJSON(t, db, "dir_orgs"); strings.Contains(raw, "Hidden Street") {
		t.Error("dir_orgs holds a hidden address")
	}
}

// TestDirectoryConfidentialRelisted checks that a hidden part stored without being listed
// (by two saves of an organisation at once, or a process of an earlier version) is listed
// by the hourly pass, and then deleted by the next save that does not want it.
func TestDirectoryConfidentialRelisted(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	orgs := saveStarterDirectory(t, db)
	o, id := shelter(t, orgs)
	_, err := rawCollection(t, db, "dir_confidential").InsertOne(ctx,
		bson.M{"_id": "unlisted", "org_id": o.ID, "address": bson.M{"en": "56 Unlisted Street"}})
	if err != nil {
		t.Fatal(err)
	}
	mustSaveOrg(t, db, o)
	if _, ok := hiddenAddress(t, db, "unlisted"); !ok {
		t.Fatal("an unlisted hidden part was found without the hourly pass: the test shows nothing")
	}
	if err := db.RelistHidden(ctx); err != nil {
		t.Fatal(err)
	}
	mustSaveOrg(t, db, o)
	if _, ok := hiddenAddress(t, db, "unlisted"); ok {
		t.Error("the hidden part, listed by the hourly pass, is still stored after a save")
	}
	if _, ok := hiddenAddress(t, db, id); !ok {
		t.Error("the hidden part still wanted was deleted")
	}
}
