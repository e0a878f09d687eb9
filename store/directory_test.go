package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// saveStarterDirectory stores the starter directory and returns it as loaded, confidential
// addresses included.
func saveStarterDirectory(t *testing.T, db *store.DB) []*portal.DirectoryOrg {
	t.Helper()
	_, _, orgs, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if err := db.SaveDirectoryOrg(context.Background(), o); err != nil {
			t.Fatalf("save %s: %v", o.ID, err)
		}
	}
	return orgs
}

// confidential returns the confidential locations of orgs.
func confidential(orgs []*portal.DirectoryOrg) []portal.Location {
	var out []portal.Location
	for _, o := range orgs {
		for _, l := range o.Locations {
			if l.Confidential {
				out = append(out, l)
			}
		}
	}
	return out
}

func TestDirectoryKeepsConfidentialApart(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	orgs := saveStarterDirectory(t, db)
	hidden := confidential(orgs)
	if len(hidden) < 3 {
		t.Fatalf("starter has %d confidential locations, want several", len(hidden))
	}

	d, err := db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Orgs) != len(orgs) || len(d.Services()) < 40 {
		t.Fatalf("directory has %d orgs, %d services; want %d orgs, 40+ services", len(d.Orgs), len(d.Services()), len(orgs))
	}
	// Nothing the public directory holds carries a confidential address or coordinates.
	for _, l := range hidden {
		pub := d.Org(orgOf(orgs, l.ID)).Location(l.ID)
		if pub == nil || !pub.Address.Empty() || pub.Latitude != nil || pub.Longitude != nil || pub.PublicContact.Empty() {
			t.Errorf("public location %s = %+v, want no address or coordinates and a public contact", l.ID, pub)
		}
	}
	// Nor do the raw organisation documents.
	raw := rawJSON(t, db, "dir_orgs")
	for _, l := range hidden {
		if strings.Contains(raw, l.Address.EN) || strings.Contains(raw, l.Address.MN) {
			t.Errorf("dir_orgs holds the address of %s", l.ID)
		}
	}

	ids := make([]string, len(hidden))
	for i, l := range hidden {
		ids[i] = l.ID
	}
	places, err := db.ConfidentialPlaces(ctx, append(ids, "no-such-location"))
	if err != nil {
		t.Fatal(err)
	}
	if len(places) != len(hidden) {
		t.Fatalf("ConfidentialPlaces returned %d, want %d", len(places), len(hidden))
	}
	for _, l := range hidden {
		p := places[l.ID]
		if p.Address != l.Address || (l.Latitude != nil) != (p.Latitude != nil) || l.Latitude != nil && *p.Latitude != *l.Latitude {
			t.Errorf("place %s = %+v, want %+v", l.ID, p, l)
		}
	}
}

func orgOf(orgs []*portal.DirectoryOrg, locationID string) string {
	for _, o := range orgs {
		if o.Location(locationID) != nil {
			return o.ID
		}
	}
	return ""
}

// rawJSON returns every document of a collection as extended JSON.
func rawJSON(t *testing.T, db *store.DB, name string) string {
	t.Helper()
	cur, err := rawCollection(t, db, name).Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.M
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, d := range docs {
		j, _ := bson.MarshalExtJSON(d, false, false)
		b.Write(j)
		// A document stored as one binary field (dir_orgs) is shown as its fields too:
		// a search of the text must see inside it.
		if bin, ok := d["doc"].(bson.Binary); ok {
			var inner bson.M
			if err := bson.Unmarshal(bin.Data, &inner); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			j, _ := bson.MarshalExtJSON(inner, false, false)
			b.Write(j)
		}
	}
	return b.String()
}

// TestDirectoryOrgStoredAsOneField: an organisation is stored as its _id and its document
// in one binary field, read back whole; one stored the earlier way, with its fields at the
// top level, is read as it was, and its next save stores it the new way.
func TestDirectoryOrgStoredAsOneField(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	orgs := saveStarterDirectory(t, db)
	coll := rawCollection(t, db, "dir_orgs")
	o := orgs[0]
	raw, err := coll.FindOne(ctx, bson.M{"_id": o.ID}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	elems, _ := raw.Elements()
	if len(elems) != 2 || elems[0].Key() != "_id" || elems[1].Key() != "doc" || elems[1].Value().Type != bson.TypeBinary {
		t.Fatalf("stored as %s, want {_id, doc: binary}", raw)
	}
	want, err := storetest.OpenElsewhere(t, db).Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := want.Org(o.ID); got == nil || got.Name != o.Name || len(got.Services) != len(o.Services) ||
		got.Services[0].Description != o.Services[0].Description {
		t.Fatalf("read back %+v, want %+v", got, o)
	}

	// The earlier way: the document's own fields at the top level.
	_, inner, _ := raw.Lookup("doc").BinaryOK()
	if _, err := coll.ReplaceOne(ctx, bson.M{"_id": o.ID}, bson.Raw(inner)); err != nil {
		t.Fatal(err)
	}
	if raw, _ := coll.FindOne(ctx, bson.M{"_id": o.ID}).Raw(); raw.Lookup("doc").Type != 0 || raw.Lookup("name").Type == 0 {
		t.Fatalf("the earlier form was not stored: %s", raw)
	}
	old, err := storetest.OpenElsewhere(t, db).Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(old.Org(o.ID), want.Org(o.ID)) {
		t.Errorf("stored the earlier way, read as\n%+v\nwant\n%+v", old.Org(o.ID), want.Org(o.ID))
	}
	if err := db.SaveDirectoryOrg(ctx, old.Org(o.ID)); err != nil {
		t.Fatal(err)
	}
	if raw, _ := coll.FindOne(ctx, bson.M{"_id": o.ID}).Raw(); raw.Lookup("doc").Type != bson.TypeBinary {
		t.Errorf("saved again, stored as %s", raw)
	}
}

func TestDirectoryConfidentialLifecycle(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	orgs := saveStarterDirectory(t, db)
	var o *portal.DirectoryOrg
	var loc portal.Location
	for _, x := range orgs {
		for _, l := range x.Locations {
			if l.Confidential && o == nil {
				o, loc = x, l
			}
		}
	}

	// Saved again from the public directory (an edit, an import of a public export): the
	// address stays.
	d, _ := db.Directory(ctx)
	pub := d.Org(o.ID).Clone()
	pub.Description.EN += " Edited."
	if err := db.SaveDirectoryOrg(ctx, pub); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.ConfidentialPlaces(ctx, []string{loc.ID}); p[loc.ID].Address != loc.Address {
		t.Fatalf("address after a public save = %+v, want kept", p[loc.ID])
	}

	// Made public: the address moves into the public directory and the hidden copy goes.
	open := o.Clone()
	open.Location(loc.ID).Confidential = false
	if err := db.SaveDirectoryOrg(ctx, open); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.ConfidentialPlaces(ctx, []string{loc.ID}); len(p) != 0 {
		t.Errorf("hidden copy kept after the location became public: %+v", p)
	}
	d, _ = db.Directory(ctx)
	if got := d.Org(o.ID).Location(loc.ID).Address; got != loc.Address {
		t.Errorf("public address = %+v, want %+v", got, loc.Address)
	}

	// Confidential again, then removed: nothing is left of it.
	if err := db.SaveDirectoryOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	gone := o.Clone()
	gone.Locations = nil
	for i := range gone.Services {
		gone.Services[i].LocationIDs = nil
	}
	if err := db.SaveDirectoryOrg(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.ConfidentialPlaces(ctx, []string{loc.ID}); len(p) != 0 {
		t.Errorf("hidden copy kept after the location was removed: %+v", p)
	}
	if raw := rawJSON(t, db, "dir_confidential"); strings.Contains(raw, loc.ID) {
		t.Errorf("dir_confidential still holds %s", loc.ID)
	}
}

func TestDirectoryRoundTrip(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	orgs := saveStarterDirectory(t, db)
	d, err := db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range orgs {
		pub, _ := want.Public()
		got := d.Org(want.ID)
		if got == nil {
			t.Fatalf("org %s missing", want.ID)
		}
		for i := range pub.Services {
			pub.Services[i].OrgID = want.ID
			pub.Services[i].AssuredDate = pub.Services[i].AssuredDate.UTC()
			if len(pub.Services[i].Hours) == 0 {
				pub.Services[i].Hours = nil
			}
		}
		if g, w := got.Services, pub.Services; len(g) != len(w) {
			t.Fatalf("%s: %d services, want %d", want.ID, len(g), len(w))
		}
		for i := range pub.Services {
			g, w := directory.Fields(&got.Services[i], portal.English), directory.Fields(&pub.Services[i], portal.English)
			for k := range g {
				if g[k] != w[k] {
					t.Errorf("%s %s: %q, want %q", pub.Services[i].ID, g[k].Key, g[k].Value, w[k].Value)
				}
			}
			if !got.Services[i].AssuredDate.Equal(pub.Services[i].AssuredDate) || got.Services[i].Example != pub.Services[i].Example {
				t.Errorf("%s: assured %v example %v, want %v %v", pub.Services[i].ID, got.Services[i].AssuredDate,
					got.Services[i].Example, pub.Services[i].AssuredDate, pub.Services[i].Example)
			}
		}
		if got.Name != pub.Name || got.Email != pub.Email || len(got.Locations) != len(pub.Locations) || len(got.Phones) != len(pub.Phones) {
			t.Errorf("%s = %+v, want %+v", want.ID, got, pub)
		}
	}
}

func TestDirectoryCacheFollowsOtherProcesses(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	orgs := saveStarterDirectory(t, db)
	first, _ := db.Directory(ctx)
	again, _ := db.Directory(ctx)
	if first != again {
		t.Error("an unchanged directory was read again instead of kept")
	}

	// A second handle on the same database stands for another process: its write must
	// show once this process's next read has loaded the directory again, in the
	// background, while it served the copy held.
	other, err := store.Open(ctx, storetest.URI(t), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	o := orgs[0].Clone()
	o.Name.EN = "Renamed elsewhere"
	if err := other.SaveDirectoryOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	if d, _ := db.Directory(ctx); d != first {
		t.Error("a read waited for the directory to load again")
	}
	db.WaitForReloads()
	d, _ := db.Directory(ctx)
	if d.Org(o.ID).Name.EN != "Renamed elsewhere" {
		t.Errorf("this process still sees %q", d.Org(o.ID).Name.EN)
	}

	// A write of this process shows at once.
	o.Name.EN = "Renamed here"
	if err := db.SaveDirectoryOrg(ctx, o); err != nil {
		t.Fatal(err)
	}
	d, _ = db.Directory(ctx)
	if d.Org(o.ID).Name.EN != "Renamed here" || len(d.Orgs) != len(orgs) {
		t.Errorf("after a local write: %q, %d orgs", d.Org(o.ID).Name.EN, len(d.Orgs))
	}
}

func TestSuggestions(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	orgs := saveStarterDirectory(t, db)
	svc := orgs[0].Services[0]
	proposed := *svc.Clone()
	proposed.Name.EN = "New name"
	at := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	s := &portal.Suggestion{ID: "s1", ServiceID: svc.ID, OrgID: orgs[0].ID, By: "u1", ByName: "Member",
		Created: at, Base: svc, Proposed: proposed, Note: "renamed", Status: portal.SuggestionPending}
	if err := db.CreateSuggestion(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSuggestion(ctx, s); portal.ErrorCode(err) != portal.ECONFLICT {
		t.Errorf("second create: %v, want conflict", err)
	}
	later := *s
	later.ID, later.Created, later.By = "s2", at.Add(time.Hour), "u2"
	if err := db.CreateSuggestion(ctx, &later); err != nil {
		t.Fatal(err)
	}

	got, err := db.FindSuggestion(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if keys := directory.ChangedFields(&got.Base, &got.Proposed); len(keys) != 1 || keys[0] != "name.en" {
		t.Errorf("changed fields = %v, want [name.en]", keys)
	}
	if _, err := db.FindSuggestion(ctx, "nope"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("find missing: %v", err)
	}
	list, _ := db.FindSuggestions(ctx, portal.SuggestionFilter{Status: portal.SuggestionPending})
	if len(list) != 2 || list[0].ID != "s2" {
		t.Errorf("pending = %d, first %v; want 2, newest first", len(list), list)
	}
	mine, _ := db.FindSuggestions(ctx, portal.SuggestionFilter{By: "u1"})
	if len(mine) != 1 || mine[0].ID != "s1" {
		t.Errorf("by u1 = %v", mine)
	}

	got.Status, got.Reason, got.DecidedBy, got.DecidedAt = portal.SuggestionRejected, "not verified", "sec", at.Add(2*time.Hour)
	if err := db.DecideSuggestion(ctx, got); err != nil {
		t.Fatal(err)
	}
	got.Status = portal.SuggestionAccepted
	if err := db.DecideSuggestion(ctx, got); portal.ErrorCode(err) != portal.ECONFLICT {
		t.Errorf("deciding twice: %v, want conflict", err)
	}
	again, _ := db.FindSuggestion(ctx, "s1")
	if again.Status != portal.SuggestionRejected || again.Reason != "not verified" {
		t.Errorf("decided = %+v", again)
	}
	pending, _ := db.FindSuggestions(ctx, portal.SuggestionFilter{Status: portal.SuggestionPending})
	if len(pending) != 1 {
		t.Errorf("pending after decision = %d, want 1", len(pending))
	}
}

// TestDirectorySnapshotTwoProcesses saves organisations through two DBs on one database at
// once, as two portal processes would, each reading its directory between its writes: in
// the end each sees every organisation, though each patched its own copy with its own
// writes (a copy is patched only when no other write can be missing from it).
func TestDirectorySnapshotTwoProcesses(t *testing.T) {
	ctx, a := context.Background(), storetest.Open(t)
	b, err := store.Open(ctx, storetest.URI(t), a.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	b.ActAsAnotherProcess()
	const each = 15
	var wg sync.WaitGroup
	for p, db := range []*store.DB{a, b} {
		wg.Go(func() {
			for i := range each {
				o := &portal.DirectoryOrg{ID: fmt.Sprintf("org-%d-%02d", p, i), Name: portal.Text{EN: "Org"}}
				if err := db.SaveDirectoryOrg(ctx, o); err != nil {
					t.Error(err)
					return
				}
				if _, err := db.Directory(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	// Another process's claims are looked for every claimCheckEvery (100 ms): both must
	// see everything well within a few seconds.
	for p, db := range []*store.DB{a, b} {
		deadline := time.Now().Add(5 * time.Second)
		for {
			d, err := db.Directory(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Orgs) == 2*each {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("process %d sees %d organisations, want %d", p, len(d.Orgs), 2*each)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
