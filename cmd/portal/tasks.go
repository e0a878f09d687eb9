package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
)

// runImport serves `portal import PATH...`.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, flags := newFlags("import", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: portal import [--config FILE] [--data DIR] PATH...")
		return errUsage
	}
	a, err := flags.open(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	report, err := a.importer.ImportPaths(ctx, fs.Args())
	if err != nil {
		return fmt.Errorf("import: nothing was imported:\n%s", errText(err))
	}
	fmt.Fprintf(stdout, "Imported %d files: %d guidelines created, %d updated, %d unchanged; %d new revisions.\n",
		report.Files, report.Created, report.Updated, report.Unchanged, report.Revisions)
	return nil
}

// runExport serves `portal export DIR`.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, flags := newFlags("export", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: portal export [--config FILE] [--data DIR] DIR")
		return errUsage
	}
	a, err := flags.open(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.close()
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
