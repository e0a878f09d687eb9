package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// batchSteps returns the saves of TestSaveDirectoryOrgsAsOneByOne, each a batch: the
// starter directory with 4 generated organisations, all new; then a mix of new and
// stored organisations, with locations made public, confidential and removed, one saved
// from the public directory (without its address) and one twice; then, after the lists
// of hidden parts are deleted (a database written before they were kept), more of the
// same. stripLists says before which step the lists are deleted.
func batchSteps(t *testing.T) (steps [][]*portal.DirectoryOrg, stripLists int) {
	t.Helper()
	g, terms, starter, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	gen := directorytest.Generate(40, 1, g, terms) // 8 organisations
	steps = append(steps, append(clonesOf(starter), clonesOf(gen[:4])...))

	var shelters []*portal.DirectoryOrg // starter organisations with a confidential address
	for _, o := range starter {
		if _, hidden := o.Public(); len(hidden) > 0 {
			shelters = append(shelters, o)
		}
	}
	if len(shelters) < 3 {
		t.Fatalf("%d starter organisations with a confidential address, want 3", len(shelters))
	}
	open := shelters[0].Clone() // made public
	for i := range open.Locations {
		open.Locations[i].Confidential = false
	}
	gone := shelters[1].Clone() // its confidential locations removed
	gone.Locations = slices.DeleteFunc(gone.Locations, func(l portal.Location) bool { return l.Confidential })
	for i := range gone.Services {
		gone.Services[i].LocationIDs = slices.DeleteFunc(gone.Services[i].LocationIDs, func(id string) bool { return gone.Location(id) == nil })
	}
	public, _ := shelters[2].Public() // as the public directory shows it: the address stays
	public.Description.EN += " Saved from the public directory."
	hide := gen[0].Clone() // its office made confidential
	hide.Locations[0].Confidential = true
	hide.Locations[0].PublicContact = portal.Text{EN: "Call the hotline."}
	twice, again := gen[1].Clone(), gen[1].Clone()
	twice.Name.EN, again.Name.EN = "Saved first", "Saved last"
	renamed := gen[2].Clone()
	renamed.Services = renamed.Services[1:]
	steps = append(steps, append([]*portal.DirectoryOrg{open, twice, gone, public, hide, renamed, again}, clonesOf(gen[4:6])...))

	// Stored before the lists were kept: the one made public confidential again, with
	// its address; the one saved from the public directory made public.
	back := shelters[0].Clone()
	wasPublic := shelters[2].Clone()
	for i := range wasPublic.Locations {
		wasPublic.Locations[i].Confidential = false
	}
	steps = append(steps, append([]*portal.DirectoryOrg{back, wasPublic, hide.Clone()}, clonesOf(gen[6:])...))
	return steps, 2
}

func clonesOf(orgs []*portal.DirectoryOrg) []*portal.DirectoryOrg {
	out := make([]*portal.DirectoryOrg, len(orgs))
	for i, o := range orgs {
		out[i] = o.Clone()
	}
	return out
}

// rawDatabases returns, by DB, its database through a client of the test's own.
func rawDatabases(t *testing.T, dbs ...*store.DB) map[*store.DB]*mongo.Database {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(storetest.URI(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	out := map[*store.DB]*mongo.Database{}
	for _, db := range dbs {
		out[db] = client.Database(db.Name())
	}
	return out
}

// directoryDocs returns the documents of the directory's collections in raw, by
// collection and _id, as extended JSON.
func directoryDocs(t *testing.T, raw *mongo.Database) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{"dir_orgs", "dir_confidential", "dir_hidden_ids"} {
		cur, err := raw.Collection(name).Find(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(context.Background(), &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			j, err := bson.MarshalExtJSON(d, false, false)
			if err != nil {
				t.Fatal(err)
			}
			out[name+"/"+d.Lookup("_id").StringValue()] = string(j)
		}
	}
	return out
}

// sameDocs reports the differences between the directory documents of two databases.
func sameDocs(t *testing.T, step int, want, got map[string]string) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("step %d: %s missing", step, k)
		} else if g != w {
			t.Errorf("step %d: %s is\n%s\nwant\n%s", step, k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("step %d: %s stored, not stored one by one", step, k)
		}
	}
}

// sameDirectory fails unless got is want but for their versions.
func sameDirectory(t *testing.T, what string, want, got *portal.Directory) {
	t.Helper()
	g := *got
	g.Version = want.Version
	if !storetest.SameDirectory(want, &g) {
		t.Errorf("%s: %d organisations and %d services, want %d and %d, or not the same", what,
			len(got.Orgs), len(got.Services()), len(want.Orgs), len(want.Services()))
	}
}

// TestSaveDirectoryOrgsAsOneByOne saves the same organisations one by one (SaveDirectoryOrg)
// in one database and in batches (SaveDirectoryOrgs) in two others, one holding its
// directory, as an import does, and one holding none. After each batch the three hold the
// same documents, the same confidential places, no confidential address in a public
// document, and the same directory; and a process elsewhere that held the directory before
// gets it too.
func TestSaveDirectoryOrgsAsOneByOne(t *testing.T) {
	ctx := context.Background()
	single, held, cold := storetest.Open(t), storetest.Open(t), storetest.Open(t)
	if _, err := held.Directory(ctx); err != nil {
		t.Fatal(err)
	}
	elsewhere := storetest.OpenElsewhere(t, held)
	if _, err := elsewhere.Directory(ctx); err != nil {
		t.Fatal(err)
	}
	raw := rawDatabases(t, single, held, cold)
	steps, stripLists := batchSteps(t)
	for i, step := range steps {
		if i == stripLists {
			for _, db := range []*store.DB{single, held, cold} {
				if _, err := raw[db].Collection("dir_hidden_ids").DeleteMany(ctx, bson.D{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, o := range step {
			mustSaveOrg(t, single, o.Clone())
		}
		for _, db := range []*store.DB{held, cold} {
			if err := db.SaveDirectoryOrgs(ctx, clonesOf(step)); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		want := directoryDocs(t, raw[single])
		for _, db := range []*store.DB{held, cold} {
			got := directoryDocs(t, raw[db])
			sameDocs(t, i, want, got)
			for k, doc := range got {
				if strings.HasPrefix(k, "dir_orgs/") && containsAny(doc, secretsIn(step)) {
					t.Errorf("step %d: %s holds a confidential address", i, k)
				}
			}
		}

		d, err := single.Directory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := held.Directory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sameDirectory(t, fmt.Sprintf("step %d: the directory held", i), d, d2)
		version, err := held.DirectoryVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sameDirectory(t, fmt.Sprintf("step %d: the directory elsewhere", i), d, waitForVersion(t, elsewhere, version))
		d3, err := storetest.OpenElsewhere(t, cold).Directory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sameDirectory(t, fmt.Sprintf("step %d: the directory of the DB that held none", i), d, d3)

		var ids []string
		for _, l := range confidential(step) {
			ids = append(ids, l.ID)
		}
		places, err := single.ConfidentialPlaces(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, db := range []*store.DB{held, cold} {
			got, err := db.ConfidentialPlaces(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, places) {
				t.Errorf("step %d: confidential places %v, want %v", i, got, places)
			}
		}
	}
	d, _ := held.Directory(ctx)
	if o := d.Org(steps[1][1].ID); o == nil || o.Name.EN != "Saved last" {
		t.Errorf("of two saves of one organisation in a batch, the last should stand: %+v", o)
	}
}

// secretsIn returns the confidential addresses of orgs.
func secretsIn(orgs []*portal.DirectoryOrg) []string {
	var out []string
	for _, l := range confidential(orgs) {
		for _, s := range []string{l.Address.EN, l.Address.MN} {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestSaveDirectoryOrgsCommands checks that a batch is stored in a number of commands that
// does not grow with it, when the directory held says its organisations are new, and
// otherwise reads and writes by _id only, with one version claimed for the batch that
// names its organisations.
func TestSaveDirectoryOrgsCommands(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	orgs := directorytest.Generate(150, 1, g, terms) // 30 organisations
	w := watch(t, db, func(c command) bool { return strings.HasPrefix(c.collection, "dir_") })
	// The first write of a DB sweeps and relists, queries made at most hourly: out of
	// the way first.
	mustSaveOrg(t, w.db, orgs[0])
	if _, err := w.db.Directory(ctx); err != nil {
		t.Fatal(err)
	}
	w.reset()
	if err := w.db.SaveDirectoryOrgs(ctx, orgs[1:20]); err != nil {
		t.Fatal(err)
	}
	for _, c := range w.commands() {
		if c.name != "insert" {
			t.Errorf("a batch of new organisations sent %s on %s", c.name, c.collection)
		}
	}
	if n := w.count(); n > 3 {
		t.Errorf("a batch of 19 new organisations sent %d commands, want one insert per collection", n)
	}

	w.reset()
	again := clonesOf(orgs[:25]) // stored and new
	for _, o := range again {
		o.Description.EN += " Again."
	}
	if err := w.db.SaveDirectoryOrgs(ctx, again); err != nil {
		t.Fatal(err)
	}
	for _, c := range w.commands() {
		if !c.byID() {
			t.Errorf("%s on %s selects by %v: not by _id", c.name, c.collection, c.filters)
		}
	}
	var claim struct {
		Changed []string `bson:"changed"`
	}
	version, err := db.DirectoryVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rawCollection(t, db, "version_claims").FindOne(ctx, bson.M{"_id": "directory_version@" + version}).Decode(&claim); err != nil {
		t.Fatal(err)
	}
	if len(claim.Changed) != len(again) {
		t.Errorf("the claim of the batch names %d organisations, want %d", len(claim.Changed), len(again))
	}
	if version != "3" {
		t.Errorf("version %s after a save and two batches, want 3", version)
	}
}

// TestSaveDirectoryOrgsElsewhere checks how another process's batches reach this
// process's directory: a small one patched in by _id lookups, one that changes more than
// half of the directory loaded whole.
func TestSaveDirectoryOrgsElsewhere(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	orgs := directorytest.Generate(405, 1, g, terms) // 81 organisations
	if err := db.SaveDirectoryOrgs(ctx, orgs[:10]); err != nil {
		t.Fatal(err)
	}
	other := anotherProcess(t, db)
	if _, err := db.Directory(ctx); err != nil {
		t.Fatal(err)
	}
	loads, patches := renewals(db)
	for _, c := range []struct {
		batch          []*portal.DirectoryOrg
		loads, patches int32
	}{
		{orgs[10:15], 0, 1},
		{orgs[15:], 1, 2}, // 66, more than manyToPatch: a patch begun (counted), given up for a load
	} {
		if err := other.SaveDirectoryOrgs(ctx, c.batch); err != nil {
			t.Fatal(err)
		}
		version, err := other.DirectoryVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d := waitForVersion(t, db, version)
		if loads.Load() != c.loads || patches.Load() != c.patches {
			t.Errorf("after a batch of %d: %d loads and %d patches, want %d and %d", len(c.batch), loads.Load(), patches.Load(), c.loads, c.patches)
		}
		loaded, err := storetest.OpenElsewhere(t, db).Directory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !storetest.SameDirectory(d, loaded) {
			t.Errorf("after a batch of %d: the directory (%d organisations) is not the one loaded (%d)", len(c.batch), len(d.Orgs), len(loaded.Orgs))
		}
	}
}

// TestSaveDirectoryOrgsRacingSave checks a batch whose organisations the directory held
// says are new while another process stored one of them meanwhile, with a confidential
// location, and has not claimed its version yet: the batch replaces it, keeps the hidden
// part it does not give, and extends its list.
func TestSaveDirectoryOrgsRacingSave(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	_, _, starter, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	o, id := shelter(t, starter)
	_, hidden := o.Public()
	want := []string{"racing-shelter"}
	for _, h := range hidden {
		want = append(want, h.LocationID)
	}
	slices.Sort(want)
	var neighbour *portal.DirectoryOrg
	for _, x := range starter {
		if x.ID != o.ID {
			neighbour = x
		}
	}
	// The first write of a DB lists every stored hidden part, once an hour: out of the
	// way first. Then the directory is held.
	mustSaveOrg(t, db, neighbour)
	if _, err := db.Directory(ctx); err != nil {
		t.Fatal(err)
	}
	// The other process's save, written but not claimed.
	_, err = rawCollection(t, db, "dir_confidential").InsertOne(ctx,
		bson.M{"_id": "racing-shelter", "org_id": o.ID, "address": bson.M{"en": "78 Racing Street"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rawCollection(t, db, "dir_hidden_ids").InsertOne(ctx, bson.M{"_id": o.ID, "location_ids": []string{"racing-shelter"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rawCollection(t, db, "dir_orgs").InsertOne(ctx, bson.M{"_id": o.ID, "name": bson.M{"en": "Racing"}}); err != nil {
		t.Fatal(err)
	}
	racing := o.Clone()
	racing.Locations = append(racing.Locations, portal.Location{ID: "racing-shelter", Name: portal.Text{EN: "Shelter"},
		Confidential: true, Aimag: racing.Locations[0].Aimag, PublicContact: portal.Text{EN: "Call us."}})
	if err := db.SaveDirectoryOrgs(ctx, clonesOf([]*portal.DirectoryOrg{neighbour, racing})); err != nil {
		t.Fatal(err)
	}
	d, err := db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Org(o.ID); got == nil || got.Name != o.Name || len(got.Locations) != len(racing.Locations) {
		t.Errorf("the organisation stored meanwhile: %+v", got)
	}
	if a, ok := hiddenAddress(t, db, "racing-shelter"); !ok || a.EN != "78 Racing Street" {
		t.Errorf("the hidden part the batch does not give: %+v, %v", a, ok)
	}
	if a, ok := hiddenAddress(t, db, id); !ok || a != o.Location(id).Address {
		t.Errorf("the hidden part the batch gives: %+v, %v", a, ok)
	}
	var list struct {
		IDs []string `bson:"location_ids"`
	}
	if err := rawCollection(t, db, "dir_hidden_ids").FindOne(ctx, bson.M{"_id": o.ID}).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(list.IDs, want) {
		t.Errorf("listed: %v, want %v", list.IDs, want)
	}
}

// TestSaveDirectoryOrgsRefusesInvalid checks that a batch with an invalid id stores
// nothing and claims nothing.
func TestSaveDirectoryOrgsRefusesInvalid(t *testing.T) {
	ctx, db := context.Background(), storetest.Open(t)
	orgs := []*portal.DirectoryOrg{{ID: "good-org", Name: portal.Text{EN: "Good"}}, {ID: "Bad Org", Name: portal.Text{EN: "Bad"}}}
	if err := db.SaveDirectoryOrgs(ctx, orgs); portal.ErrorCode(err) != portal.EINVALID {
		t.Fatalf("an invalid id: %v, want EINVALID", err)
	}
	if version, err := db.DirectoryVersion(ctx); err != nil || version != "" {
		t.Errorf("version %q, %v after a refused batch, want none", version, err)
	}
	if raw := rawJSON(t, db, "dir_orgs"); raw != "" {
		t.Errorf("a refused batch stored %s", raw)
	}
}
