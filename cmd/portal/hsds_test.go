package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/directory/hsds"
)

// writeStarterHSDS writes the HSDS export of the public starter directory to dir, with
// modification times as the store keeps them (milliseconds, UTC).
func writeStarterHSDS(t *testing.T, dir string) {
	t.Helper()
	g, terms, orgs, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	var public []*portal.DirectoryOrg
	for _, o := range orgs {
		p, _ := o.Public()
		for i := range p.Services {
			p.Services[i].Modified = time.Date(2026, 11, 2, 8, 0, 0, i*1e6, time.UTC)
		}
		public = append(public, p)
	}
	if _, err := hsds.Export(portal.NewDirectory(public, "starter"), terms, g, dir); err != nil {
		t.Fatal(err)
	}
}

func TestHSDSImportExportRoundTrip(t *testing.T) {
	data, src, out := t.TempDir(), t.TempDir(), t.TempDir()
	writeStarterHSDS(t, src)
	stdout, stderr, err := runCmd(t, "import", "--data", data, "--hsds", src)
	if err != nil || !strings.Contains(stdout, "Imported 22 organisations with 47 services") || !strings.Contains(stdout, "mn and en") {
		t.Fatalf("import --hsds: %v %q\n%s", err, stdout, stderr)
	}
	if !strings.Contains(stdout, "22 new, 0 changed, 0 unchanged") {
		t.Errorf("import --hsds says %q", stdout)
	}
	if n := importEntries(t, data); n != 22 {
		t.Errorf("%d audit entries for 22 new organisations", n)
	}
	// Importing the same again changes nothing and audits nothing.
	if stdout, stderr, err = runCmd(t, "import", "--data", data, "--hsds", src); err != nil || !strings.Contains(stdout, "0 new, 0 changed, 22 unchanged") {
		t.Fatalf("import --hsds again: %v %q\n%s", err, stdout, stderr)
	}
	if n := importEntries(t, data); n != 22 {
		t.Errorf("%d audit entries after an import that changed nothing", n)
	}
	stdout, stderr, err = runCmd(t, "export", "--data", data, "--hsds", out)
	if err != nil || !strings.Contains(stdout, "22 organisations, 47 services") {
		t.Fatalf("export --hsds: %v %q\n%s", err, stdout, stderr)
	}
	// Organisations and locations keep their slugs through HSDS, services come back under
	// their UUIDs and keep them: the second export is the first, byte for byte.
	compareTrees(t, src, out)
}

// TestHSDSImportKeepsConfidentialAddresses imports the public export over a database
// holding the full starter directory: the shelters keep their hidden addresses.
func TestHSDSImportKeepsConfidentialAddresses(t *testing.T) {
	ctx := context.Background()
	data, src := t.TempDir(), t.TempDir()
	_, _, orgs, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	a, err := (&common{data: data}).open(ctx, noEnv, io.Discard, dataUse{})
	if err != nil {
		t.Fatal(err)
	}
	var hidden []string
	for _, o := range orgs {
		for _, l := range o.Locations {
			if l.Confidential && !l.Address.Empty() {
				hidden = append(hidden, l.ID)
			}
		}
		if err := a.db.SaveDirectoryOrg(ctx, o.Clone()); err != nil {
			t.Fatal(err)
		}
	}
	a.close()
	writeStarterHSDS(t, src)
	if _, stderr, err := runCmd(t, "import", "--data", data, "--hsds", src); err != nil {
		t.Fatalf("import --hsds: %v\n%s", err, stderr)
	}
	a, err = (&common{data: data}).open(ctx, noEnv, io.Discard, dataUse{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	places, err := a.db.ConfidentialPlaces(ctx, hidden)
	if err != nil {
		t.Fatal(err)
	}
	if len(hidden) < 6 || len(places) != len(hidden) {
		t.Errorf("%d of %d confidential addresses kept", len(places), len(hidden))
	}
	d, err := a.db.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := d.Service("ub-safe-house-shelter"); s == nil || s.Modified.IsZero() {
		t.Errorf("the imported shelter service: %+v", s)
	}
	// The import is audited, and its entries hold no confidential address.
	entries, err := a.db.FindAudit(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	audited := 0
	for _, e := range entries {
		if e.Action != "directory.org.import" {
			continue
		}
		audited++
		for _, o := range orgs {
			for _, l := range o.Locations {
				if l.Confidential && (strings.Contains(e.Before+e.After, l.Address.EN) || strings.Contains(e.Before+e.After, l.Address.MN)) {
					t.Errorf("the audit entry of %s holds the address of %s", e.Target, l.ID)
				}
			}
		}
	}
	if audited == 0 {
		t.Error("the import left no audit entry")
	}
}

func TestHSDSImportBadInputWritesNothing(t *testing.T) {
	data, src, out := t.TempDir(), t.TempDir(), t.TempDir()
	writeStarterHSDS(t, src)
	// A broken phone number in one file, a service of a missing organisation in another.
	phones := filepath.Join(src, "mn", "phones.csv")
	b, err := os.ReadFile(phones)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(phones, []byte(strings.Replace(string(b), "+976 7011 0100", "7011", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	services := filepath.Join(src, "en", "services.csv")
	b, _ = os.ReadFile(services)
	lines := strings.SplitN(string(b), "\n", 3)
	lines[1] = strings.Replace(lines[1], hsds.ID("organization", "child-family-agency"), "00000000-0000-4000-8000-000000000000", 1)
	if err := os.WriteFile(services, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCmd(t, "import", "--data", data, "--hsds", src)
	msg := errText(err)
	for _, want := range []string{"nothing was imported", path.Join("mn", "phones.csv") + " row ", ", number:", "en/services.csv row 2, organization_id"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	if stdout, _, err := runCmd(t, "export", "--data", data, "--hsds", out); err != nil || !strings.Contains(stdout, "0 organisations") {
		t.Errorf("after a failed import: %v %q", err, stdout)
	}
	if _, _, err := runCmd(t, "import", "--data", data, "--hsds", filepath.Join(src, "nowhere")); err == nil {
		t.Error("importing a missing folder succeeded")
	}
	if _, _, err := runCmd(t, "export", "--data", data, "--hsds", out, "extra"); err != errUsage {
		t.Errorf("export --hsds DIR extra: %v, want a usage error", err)
	}
}

// TestHSDSImportRefusesWhatFormsRefuse: `portal import --hsds` checks every text as the
// directory's forms do (a NUL, a terminal's escape codes, a 100 KB description, a bidi
// control in a name), reports each problem with its file, row and field, and stores
// nothing: the import is all or nothing. The problems never repeat what they refuse.
func TestHSDSImportRefusesWhatFormsRefuse(t *testing.T) {
	data, src, out := t.TempDir(), t.TempDir(), t.TempDir()
	writeStarterHSDS(t, src)
	long := strings.Repeat("a long description ", 100<<10/19)
	editCell(t, src, "mn/organizations.csv", 2, "name", func(v string) string { return v + "\x00" })
	editCell(t, src, "en/services.csv", 3, "name", func(v string) string { return v + "\x1b]0;owned\x07\x1b[2J" })
	editCell(t, src, "mn/services.csv", 2, "description", func(string) string { return long })
	editCell(t, src, "en/organizations.csv", 4, "name", func(v string) string { return "NGO \u202e" + v })

	_, _, err := runCmd(t, "import", "--data", data, "--hsds", src)
	msg := errText(err)
	for _, want := range []string{"nothing was imported",
		"mn/organizations.csv row 2, name: not valid UTF-8, or holds a control character or a line end",
		"en/services.csv row 3, name: not valid UTF-8, or holds a control character or a line end",
		"mn/services.csv row 2, description: longer than 5000 bytes",
		"en/organizations.csv row 4, name: holds an invisible character that changes the direction of the text"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	if strings.ContainsAny(msg, "\x00\x1b\u202e") || strings.Contains(msg, long) {
		t.Errorf("the error repeats what it refuses:\n%.2000q", msg)
	}
	if stdout, _, err := runCmd(t, "export", "--data", data, "--hsds", out); err != nil || !strings.Contains(stdout, "0 organisations") {
		t.Errorf("after a refused import: %v %q", err, stdout)
	}
}

// editCell changes the value of column in CSV line row (1 is the header) of file under dir.
func editCell(t *testing.T, dir, file string, row int, column string, edit func(string) string) {
	t.Helper()
	name := filepath.Join(dir, file)
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], column)
	if col < 0 || row < 2 || row > len(rows) {
		t.Fatalf("%s has no %s at row %d", file, column, row)
	}
	rows[row-1][col] = edit(rows[row-1][col])
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// importEntries returns how many audit entries of the data directory record an import of
// an organisation by the command line.
func importEntries(t *testing.T, data string) int {
	t.Helper()
	ctx := context.Background()
	a, err := (&common{data: data}).open(ctx, noEnv, io.Discard, dataUse{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	entries, err := a.db.FindAudit(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == "directory.org.import" && e.ActorID == "" && e.After != "" {
			n++
		}
	}
	return n
}
