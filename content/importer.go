package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gobidialogue/portal"
)

// Importer reads Markdown guidelines into the store. It is the one implementation of
// importing, used by `portal import`, by the starter content at first start, and by tests.
type Importer struct {
	Store    portal.GuidelineStore
	Renderer *Renderer
	Now      portal.Clock
}

// ImportReport says what an import did.
type ImportReport struct {
	Files     int // Markdown files read
	Created   int // guidelines that did not exist before
	Updated   int // existing guidelines that got new revisions
	Unchanged int // guidelines whose files matched what is stored
	Revisions int // revisions written
}

// ImportPaths imports the Markdown files named by paths; a directory contributes every
// *.md file below it.
func (im *Importer) ImportPaths(ctx context.Context, paths []string) (*ImportReport, error) {
	var files []*File
	var errs []error
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, portal.Errorf(portal.EINVALID, "%s: %v", p, unwrapPathError(err)))
			continue
		}
		dir, root := p, "."
		if !st.IsDir() {
			dir, root = filepath.Dir(p), filepath.Base(p)
		}
		found, problems := collect(os.DirFS(dir), root, func(name string) string { return filepath.Join(dir, name) })
		files, errs = append(files, found...), append(errs, problems...)
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return im.Import(ctx, files)
}

// ImportFS imports every *.md file under root in fsys.
func (im *Importer) ImportFS(ctx context.Context, fsys fs.FS, root string) (*ImportReport, error) {
	files, errs := collect(fsys, root, func(name string) string { return name })
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return im.Import(ctx, files)
}

// collect parses root, when it is a file, or every *.md file below it, naming each file for
// messages with display. It gathers every problem rather than stopping at the first, so one
// run of an import reports them all.
func collect(fsys fs.FS, root string, display func(string) string) ([]*File, []error) {
	var files []*File
	var errs []error
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (p != root && !strings.HasSuffix(p, ".md")) {
			return nil
		}
		f, err := readFile(display(p), func() (io.ReadCloser, error) { return fsys.Open(p) })
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		errs = append(errs, portal.Errorf(portal.EINVALID, "%s: %v", display(root), unwrapPathError(err)))
	}
	return files, errs
}

// readFile reads at most MaxFileSize+1 bytes, so an oversize file is refused without being
// read whole, and parses it.
func readFile(name string, open func() (io.ReadCloser, error)) (*File, error) {
	r, err := open()
	if err != nil {
		return nil, portal.Errorf(portal.EINVALID, "%s: %v", name, unwrapPathError(err))
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, portal.Errorf(portal.EINVALID, "%s: %v", name, unwrapPathError(err))
	}
	return ParseFile(name, data)
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// joinErrors returns one error listing every problem, with the code of the first.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = errorText(err)
	}
	return &portal.Error{Code: portal.ErrorCode(errs[0]), Message: strings.Join(msgs, "\n")}
}

func errorText(err error) string {
	if msg := portal.ErrorMessage(err); msg != "" {
		return msg
	}
	return err.Error()
}

// plan is what an import will write for one guideline.
type plan struct {
	g            *portal.Guideline
	isNew        bool
	newRevs      []*portal.Revision
	files        []*File
	linksChanged bool
}

// Import validates every file, renders every new revision, checks translations, and only
// then writes. Any problem in any file means nothing is written.
func (im *Importer) Import(ctx context.Context, files []*File) (*ImportReport, error) {
	report := &ImportReport{Files: len(files)}
	groups, err := groupFiles(files)
	if err != nil {
		return nil, err
	}
	var plans []*plan
	var errs []error
	for _, id := range sortedKeys(groups) {
		p, err := im.plan(ctx, id, groups[id])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		plans = append(plans, p)
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	updates, err := im.linkTranslations(ctx, plans)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		switch {
		case len(p.newRevs) == 0 && !p.linksChanged:
			report.Unchanged++
			continue
		case p.isNew:
			report.Created++
		case len(p.newRevs) > 0:
			report.Updated++
		}
		if err := im.Store.SaveRevisions(ctx, p.g, p.newRevs...); err != nil {
			return report, fmt.Errorf("content: save %s: %w", p.g.ID, err)
		}
		report.Revisions += len(p.newRevs)
	}
	for _, id := range sortedKeys(updates) {
		if err := im.Store.UpdateTranslations(ctx, id, updates[id]); err != nil {
			return report, fmt.Errorf("content: link translations of %s: %w", id, err)
		}
	}
	return report, nil
}

// groupFiles groups files by guideline and orders each group: explicit revisions first, by
// number, then the one file without a number.
func groupFiles(files []*File) (map[string][]*File, error) {
	groups := map[string][]*File{}
	for _, f := range files {
		id := portal.GuidelineID(f.Meta.Slug, f.Meta.Language)
		groups[id] = append(groups[id], f)
	}
	var errs []error
	for _, fs := range groups {
		sort.SliceStable(fs, func(i, j int) bool { return revOrder(fs[i]) < revOrder(fs[j]) })
		for i := 1; i < len(fs); i++ {
			if revOrder(fs[i]) == revOrder(fs[i-1]) {
				errs = append(errs, portal.Errorf(portal.EINVALID,
					"%s and %s both claim slug %q in language %s%s: give them different `revision:` numbers or import one",
					fs[i-1].Name, fs[i].Name, fs[i].Meta.Slug, fs[i].Meta.Language, revClaim(fs[i])))
			}
		}
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return groups, nil
}

func revOrder(f *File) int {
	if f.Revision == 0 {
		return int(^uint(0) >> 1)
	}
	return f.Revision
}

func revClaim(f *File) string {
	if f.Revision == 0 {
		return ""
	}
	return fmt.Sprintf(" as revision %d", f.Revision)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
