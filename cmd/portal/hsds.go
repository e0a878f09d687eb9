package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/directory/hsds"
)

// exportHSDS serves `portal export --hsds DIR`: the public directory as HSDS 3.0, one
// dataset per language.
func exportHSDS(ctx context.Context, a *app, dir string, stdout io.Writer) error {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		return err
	}
	d, err := a.db.Directory(ctx)
	if err != nil {
		return err
	}
	sum, err := hsds.Export(d, terms, g, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Exported the directory as HSDS 3.0 to %s: %d organisations, %d services, %d locations, in %s (%d files).\n",
		dir, sum.Organisations, sum.Services, sum.Locations, languageList(sum.Languages), sum.Files)
	return nil
}

// importHSDS serves `portal import --hsds DIR`: it reads DIR/mn and DIR/en, checks
// everything, and stores the organisations only when nothing is wrong. An organisation
// or service that changed is marked modified now, unless the data says when.
func importHSDS(ctx context.Context, a *app, dir string, stdout io.Writer) error {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return fmt.Errorf("import: nothing was imported: %s is not a folder", dir)
	}
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		return err
	}
	d, err := a.db.Directory(ctx)
	if err != nil {
		return err
	}
	orgs, err := hsds.Import(os.DirFS(dir), hsds.ImportOptions{Gazetteer: g, Terms: terms, Existing: d})
	if err != nil {
		return fmt.Errorf("import: nothing was imported:\n%s", errText(err))
	}
	now := clock().UTC()
	services, locations := 0, 0
	for i, o := range orgs {
		stamp(o, d.Org(o.ID), now)
		if err := a.db.SaveDirectoryOrg(ctx, o); err != nil {
			// Everything was checked before the first write; a failing database stops the
			// import part way, and running it again completes it.
			return fmt.Errorf("import: stopped at %s after saving %d of %d organisations: %w", o.ID, i, len(orgs), err)
		}
		services += len(o.Services)
		locations += len(o.Locations)
	}
	var langs []portal.Language
	for _, l := range portal.Languages {
		if _, err := os.Stat(filepath.Join(dir, string(l), "organizations.csv")); err == nil {
			langs = append(langs, l)
		}
	}
	fmt.Fprintf(stdout, "Imported %d organisations with %d services and %d locations from %s (%s).\n",
		len(orgs), services, locations, dir, languageList(langs))
	return nil
}

// stamp sets when o and its services were modified: now for what is new or changed since
// old (nil for a new organisation), unless the import gave a time.
func stamp(o, old *portal.DirectoryOrg, now time.Time) {
	if old == nil || !sameOrgFields(o, old) {
		o.Modified = now
	}
	for i := range o.Services {
		if o.Services[i].Modified.IsZero() {
			o.Services[i].Modified = now
		}
	}
}

// sameOrgFields reports whether a and b differ only in their services and times.
func sameOrgFields(a, b *portal.DirectoryOrg) bool {
	x, y := *a, *b
	x.Services, y.Services = nil, nil
	x.Modified, y.Modified = time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}

func languageList(langs []portal.Language) string {
	s := make([]string, len(langs))
	for i, l := range langs {
		s[i] = string(l)
	}
	return strings.Join(s, " and ")
}
