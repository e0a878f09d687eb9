package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/directory/hsds"
)

// exportHSDS serves `portal export --hsds DIR`: the public directory as HSDS 3.0, one
// dataset per language.
func exportHSDS(ctx context.Context, a *app, dir string, stdout io.Writer) error {
	g, terms, d, err := a.directory(ctx)
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

// directory returns the places and service types of the directory, and the public
// directory as stored.
func (a *app) directory(ctx context.Context) (*portal.Gazetteer, []portal.TaxonomyTerm, *portal.Directory, error) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := a.db.Directory(ctx)
	return g, terms, d, err
}

// importHSDS serves `portal import --hsds DIR`: it reads DIR/mn and DIR/en, checks
// everything, and stores the organisations through the directory's editor only when
// nothing is wrong, so that every organisation it creates or changes is audited as an
// edit in the browser is.
func importHSDS(ctx context.Context, a *app, dir string, stdout io.Writer) error {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return fmt.Errorf("import: nothing was imported: %s is not a folder", dir)
	}
	g, terms, d, err := a.directory(ctx)
	if err != nil {
		return err
	}
	orgs, err := hsds.Import(os.DirFS(dir), hsds.ImportOptions{Gazetteer: g, Terms: terms, Existing: d})
	if err != nil {
		return fmt.Errorf("import: nothing was imported:\n%s", errText(err))
	}
	editor := &directory.Editor{Store: a.db, Audit: a.db, Gazetteer: g, Terms: terms, Now: clock}
	r, err := editor.Import(ctx, "", orgs)
	if err != nil {
		// Everything was checked before the first write; a failing database stops the
		// import part way, and running it again completes it.
		return fmt.Errorf("import: %w", err)
	}
	var langs []portal.Language
	for _, l := range portal.Languages {
		if _, err := os.Stat(filepath.Join(dir, string(l), "organizations.csv")); err == nil {
			langs = append(langs, l)
		}
	}
	fmt.Fprintf(stdout, "Imported %d organisations with %d services and %d locations from %s (%s).\n",
		r.Organisations, r.Services, r.Locations, dir, languageList(langs))
	fmt.Fprintf(stdout, "%d new, %d changed, %d unchanged; each new or changed organisation is in the audit log.\n",
		r.Created, r.Changed, r.Unchanged)
	return nil
}

func languageList(langs []portal.Language) string {
	s := make([]string, len(langs))
	for i, l := range langs {
		s[i] = string(l)
	}
	return strings.Join(s, " and ")
}
