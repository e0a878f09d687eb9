package content

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gobidialogue/portal"
)

// ExportReport says what an export wrote.
type ExportReport struct {
	Guidelines int
	Files      int
}

// Export writes every revision of every guideline to dir as Markdown with canonical front
// matter, one file per revision: guidelines/{slug}/{language}.{revision}.md. Importing the
// result into an empty store gives back the same guidelines, and exporting that again
// gives the same bytes.
func Export(ctx context.Context, store portal.GuidelineStore, dir string) (*ExportReport, error) {
	gs, err := store.FindGuidelines(ctx, portal.GuidelineFilter{})
	if err != nil {
		return nil, fmt.Errorf("content: export: %w", err)
	}
	report := &ExportReport{}
	for _, g := range gs {
		folder := filepath.Join(dir, "guidelines", g.Slug)
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return report, fmt.Errorf("content: export: %w", err)
		}
		for n := 1; n <= g.Revision; n++ {
			rev, err := store.FindRevision(ctx, g.ID, n)
			if err != nil {
				return report, fmt.Errorf("content: export %s: %w", g.ID, err)
			}
			name := filepath.Join(folder, string(g.Language)+"."+strconv.Itoa(n)+".md")
			if err := os.WriteFile(name, Format(RevisionFile(rev)), 0o644); err != nil {
				return report, fmt.Errorf("content: export: %w", err)
			}
			report.Files++
		}
		report.Guidelines++
	}
	return report, nil
}

// RevisionFile returns the file that describes rev.
func RevisionFile(rev *portal.Revision) *File {
	date := rev.CreatedAt
	return &File{Meta: rev.GuidelineMeta, Revision: rev.Number, Date: &date, Body: rev.Body}
}
