package directory_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// importEditor returns an editor over an empty database of the test's own, on a clock the
// test moves, and the full starter organisations (with their confidential addresses).
func importEditor(t *testing.T) (*directory.Editor, *store.DB, *time.Time, []*portal.DirectoryOrg) {
	t.Helper()
	g, terms, orgs, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	return &directory.Editor{Store: db, Audit: db, Gazetteer: g, Terms: terms, Now: func() time.Time { return at }}, db, &at, orgs
}

// clones returns deep copies of orgs, as an import reads them afresh.
func clones(orgs []*portal.DirectoryOrg) []*portal.DirectoryOrg {
	out := make([]*portal.DirectoryOrg, len(orgs))
	for i, o := range orgs {
		out[i] = o.Clone()
	}
	return out
}

// imported returns the audit entries of imports, newest first.
func imported(t *testing.T, db *store.DB) []*portal.AuditEntry {
	t.Helper()
	all, err := db.FindAudit(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []*portal.AuditEntry
	for _, e := range all {
		if e.Action == "directory.org.import" {
			out = append(out, e)
		}
	}
	return out
}

// secretsOf returns the addresses of the confidential locations of orgs, in both
// languages: they must never be written to the audit log.
func secretsOf(orgs []*portal.DirectoryOrg) []string {
	var out []string
	for _, o := range orgs {
		for _, l := range o.Locations {
			if !l.Confidential {
				continue
			}
			for _, s := range []string{l.Address.MN, l.Address.EN} {
				if s != "" {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// checkNoSecrets fails when an entry holds one of secrets, or records a confidential
// location with anything in its address but the mark, or with coordinates.
func checkNoSecrets(t *testing.T, entries []*portal.AuditEntry, secrets []string) {
	t.Helper()
	if len(secrets) < 6 {
		t.Fatalf("%d secrets to look for: the test looks for nothing", len(secrets))
	}
	for _, e := range entries {
		for _, s := range secrets {
			if strings.Contains(e.Before+e.After, s) {
				t.Errorf("the audit entry of %s holds %q", e.Target, s)
			}
		}
		for _, state := range []string{e.Before, e.After} {
			if state == "" {
				continue
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal([]byte(state), &fields); err != nil {
				t.Fatal(err)
			}
			for k, v := range fields {
				var l struct {
					Confidential        bool
					Address             any
					Latitude, Longitude *float64
				}
				if !strings.HasPrefix(k, "locations.") || json.Unmarshal(v, &l) != nil || !l.Confidential {
					continue
				}
				if l.Address != portal.ConfidentialMark || l.Latitude != nil || l.Longitude != nil {
					t.Errorf("the audit entry of %s records %s as %s", e.Target, k, v)
				}
			}
		}
	}
}

// TestImportAudits imports the starter directory into an empty database, again unchanged,
// then with one service renamed and one shelter moved: every organisation created or
// changed has its audit entry, with what changed and never a confidential address.
func TestImportAudits(t *testing.T) {
	e, db, at, orgs := importEditor(t)
	ctx := context.Background()
	r, err := e.Import(ctx, "", clones(orgs))
	if err != nil {
		t.Fatal(err)
	}
	if r.Organisations != len(orgs) || r.Created != len(orgs) || r.Changed != 0 || r.Unchanged != 0 || r.Services != 47 {
		t.Errorf("first import: %+v", r)
	}
	entries := imported(t, db)
	if len(entries) != len(orgs) {
		t.Fatalf("%d audit entries for %d new organisations", len(entries), len(orgs))
	}
	for _, en := range entries {
		if en.ActorID != "" || en.Before != "" || !strings.Contains(en.After, `"name"`) || !json.Valid([]byte(en.After)) {
			t.Errorf("entry of new organisation %s: actor %q, before %.80q, after %.80q", en.Target, en.ActorID, en.Before, en.After)
		}
	}
	if !anyContains(entries, portal.ConfidentialMark) {
		t.Error("no entry marks a confidential address")
	}
	checkNoSecrets(t, entries, secretsOf(orgs))

	// The same data again changes nothing, and audits nothing.
	*at = at.Add(time.Hour)
	if r, err = e.Import(ctx, "", clones(orgs)); err != nil || r.Unchanged != len(orgs) || r.Created+r.Changed != 0 {
		t.Fatalf("second import: %+v %v", r, err)
	}
	if n := len(imported(t, db)); n != len(orgs) {
		t.Errorf("an unchanged import added %d audit entries", n-len(orgs))
	}

	// One service renamed, one shelter's address moved.
	*at = at.Add(time.Hour)
	next := clones(orgs)
	var renamed, moved *portal.DirectoryOrg
	for _, o := range next {
		if renamed == nil && len(o.Services) > 1 {
			renamed = o
			o.Services[0].Name.EN = "Renamed <b>service</b>"
		}
	}
	for _, o := range next {
		for i := range o.Locations {
			if l := &o.Locations[i]; moved == nil && o != renamed && l.Confidential {
				moved = o
				l.Address = portal.Text{MN: "Шинэ нууц хаяг 9", EN: "New secret street 9"}
			}
		}
	}
	if r, err = e.Import(ctx, "", next); err != nil || r.Changed != 2 || r.Unchanged != len(orgs)-2 {
		t.Fatalf("third import: %+v %v", r, err)
	}
	entries = imported(t, db)
	if len(entries) != len(orgs)+2 {
		t.Fatalf("%d entries after two changes", len(entries))
	}
	byTarget := map[string]*portal.AuditEntry{entries[0].Target: entries[0], entries[1].Target: entries[1]}
	svc := renamed.Services[0]
	en := byTarget[renamed.ID]
	if en == nil || !strings.Contains(en.Before, `"services.`+svc.ID+`.name.en":"`+jsonEscaped(orgs, svc.ID)) ||
		!strings.Contains(en.After, `Renamed \u003cb\u003eservice\u003c/b\u003e`) || strings.Contains(en.After, `"website"`) {
		t.Errorf("entry of the renamed service: %.300v", en)
	}
	if en := byTarget[moved.ID]; en == nil || !strings.Contains(en.After, "address_changed") {
		t.Errorf("entry of the moved shelter: %.300v", en)
	}
	checkNoSecrets(t, entries, append(secretsOf(orgs), "New secret street 9", "Шинэ нууц хаяг 9"))

	// Times: the renamed service is modified now, the others keep their time.
	d, err := db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for _, o := range d.Orgs {
		for _, s := range o.Services {
			want := first
			if s.ID == svc.ID {
				want = *at
			}
			if !s.Modified.Equal(want) {
				t.Errorf("%s modified %s, want %s", s.ID, s.Modified, want)
			}
		}
	}
	places, err := db.ConfidentialPlaces(ctx, []string{locationOf(moved)})
	if err != nil || places[locationOf(moved)].Address.EN != "New secret street 9" {
		t.Errorf("the moved shelter's address: %+v %v", places, err)
	}
}

func anyContains(entries []*portal.AuditEntry, s string) bool {
	for _, e := range entries {
		if strings.Contains(e.After, s) {
			return true
		}
	}
	return false
}

// jsonEscaped returns the English name of service id among orgs as JSON writes it, without
// the quotes.
func jsonEscaped(orgs []*portal.DirectoryOrg, id string) string {
	for _, o := range orgs {
		for _, s := range o.Services {
			if s.ID == id {
				b, _ := json.Marshal(s.Name.EN)
				return strings.Trim(string(b), `"`)
			}
		}
	}
	return "no such service"
}

func locationOf(o *portal.DirectoryOrg) string {
	for _, l := range o.Locations {
		if l.Confidential {
			return l.ID
		}
	}
	return ""
}

// TestImportRefusesInvalid stores nothing, and audits nothing, when one organisation of
// the import is invalid.
func TestImportRefusesInvalid(t *testing.T) {
	e, db, _, orgs := importEditor(t)
	next := clones(orgs)
	next[len(next)-1].Services[0].Types = []string{"no-such-type"}
	if _, err := e.Import(context.Background(), "", next); portal.ErrorCode(err) != portal.EINVALID {
		t.Fatalf("import of an invalid organisation: %v", err)
	}
	d, err := db.Directory(context.Background())
	if err != nil || len(d.Orgs) != 0 || len(imported(t, db)) != 0 {
		t.Errorf("after a refused import: %d organisations, %d audit entries, %v", len(d.Orgs), len(imported(t, db)), err)
	}
}

// TestImportStampsChanges checks the times of modification an import leaves: a service
// that changed is modified now even when the import repeats the time it was exported with;
// the others keep their time.
func TestImportStampsChanges(t *testing.T) {
	e, db, at, orgs := importEditor(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	first := clones(orgs)
	for _, o := range first {
		for i := range o.Services {
			o.Services[i].Modified = t0
		}
	}
	if _, err := e.Import(ctx, "", first); err != nil {
		t.Fatal(err)
	}
	*at = at.Add(24 * time.Hour)
	next := clones(first) // as exported: every service with its time, t0
	changed := &next[0].Services[0]
	changed.Description.EN += " Now also at weekends."
	if r, err := e.Import(ctx, "", next); err != nil || r.Changed != 1 {
		t.Fatalf("import: %+v %v", r, err)
	}
	d, err := db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Services() {
		want := t0
		if s.ID == changed.ID {
			want = *at
		}
		if !s.Modified.Equal(want) {
			t.Errorf("%s modified %s, want %s", s.ID, s.Modified, want)
		}
	}
}

// TestImportHidesWhatBecomesConfidential imports a public location made confidential: its
// old address, public until now, is a shelter's address from now on, and the audit entry
// holds it no more than the new one.
func TestImportHidesWhatBecomesConfidential(t *testing.T) {
	e, db, _, orgs := importEditor(t)
	ctx := context.Background()
	if _, err := e.Import(ctx, "", clones(orgs)); err != nil {
		t.Fatal(err)
	}
	next := clones(orgs)
	var old portal.Location
	var org *portal.DirectoryOrg
	for _, o := range next {
		for i := range o.Locations {
			if l := &o.Locations[i]; org == nil && !l.Confidential && !l.Address.Empty() && l.Latitude != nil {
				org, old = o, *l
				l.Confidential, l.PublicContact = true, portal.Text{MN: "108-д залгана уу", EN: "Call 108"}
			}
		}
	}
	if org == nil {
		t.Fatal("the starter directory has no public location with an address")
	}
	if r, err := e.Import(ctx, "", next); err != nil || r.Changed != 1 {
		t.Fatalf("import: %+v %v", r, err)
	}
	entries := imported(t, db)
	en := entries[0]
	if en.Target != org.ID {
		t.Fatalf("newest entry is of %s, want %s", en.Target, org.ID)
	}
	for _, secret := range []string{old.Address.EN, old.Address.MN, strconv.FormatFloat(*old.Latitude, 'f', -1, 64)} {
		if strings.Contains(en.Before+en.After, secret) {
			t.Errorf("the audit entry holds %q of a location now confidential:\n%s\n%s", secret, en.Before, en.After)
		}
	}
	if !strings.Contains(en.Before, portal.ConfidentialMark) || !strings.Contains(en.After, `"confidential":true`) {
		t.Errorf("the entry does not record the change:\n%s\n%s", en.Before, en.After)
	}
}
