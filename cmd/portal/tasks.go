package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
)

// runImport serves `portal import PATH...` and `portal import --hsds DIR`.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, flags := newFlags("import", stderr)
	hsds := fs.String("hsds", "", "import the referral directory from the HSDS CSV tables in `DIR`/mn and DIR/en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (fs.NArg() == 0) == (*hsds == "") {
		fmt.Fprintln(stderr, "usage: portal import [--config FILE] [--data DIR] PATH...\n       portal import [--config FILE] [--data DIR] --hsds DIR")
		return errUsage
	}
	a, err := flags.open(ctx, getenv, stderr, dataUse{})
	if err != nil {
		return err
	}
	defer a.close()
	if *hsds != "" {
		return importHSDS(ctx, a, *hsds, stdout)
	}
	report, err := a.importer.ImportPaths(ctx, fs.Args())
	if err != nil {
		return fmt.Errorf("import: nothing was imported:\n%s", errText(err))
	}
	fmt.Fprintf(stdout, "Imported %d files: %d guidelines created, %d updated, %d unchanged; %d new revisions.\n",
		report.Files, report.Created, report.Updated, report.Unchanged, report.Revisions)
	return nil
}

// runExport serves `portal export DIR` and `portal export --hsds DIR`.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, flags := newFlags("export", stderr)
	hsds := fs.String("hsds", "", "export the public referral directory as HSDS 3.0 to `DIR`/mn and DIR/en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 && *hsds == "" || fs.NArg() != 0 && *hsds != "" {
		fmt.Fprintln(stderr, "usage: portal export [--config FILE] [--data DIR] DIR\n       portal export [--config FILE] [--data DIR] --hsds DIR")
		return errUsage
	}
	a, err := flags.open(ctx, getenv, stderr, dataUse{})
	if err != nil {
		return err
	}
	defer a.close()
	if *hsds != "" {
		return exportHSDS(ctx, a, *hsds, stdout)
	}
	report, err := content.Export(ctx, a.db, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Exported %d guidelines in %d files to %s.\n", report.Guidelines, report.Files, fs.Arg(0))
	return nil
}

// runVersion serves `portal version`.
func runVersion(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("version", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "portal %s (%s, %s/%s)\n", portal.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// errText is the message of err for a person at a terminal.
func errText(err error) string {
	if msg := portal.ErrorMessage(err); msg != "" {
		return msg
	}
	return err.Error()
}
