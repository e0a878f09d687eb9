package content_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func guidelineFile(slug string, lang portal.Language, rev int, body string) *fstest.MapFile {
	fm := "---\ntitle: Title " + string(lang) + "\nslug: " + slug + "\nlanguage: " + string(lang) +
		"\ntranslation_key: " + slug + "\nstatus: draft\n"
	if rev > 0 {
		fm += "revision: " + string(rune('0'+rev)) + "\n"
	}
	return &fstest.MapFile{Data: []byte(fm + "---\n" + body + "\n")}
}

func newImporter(t *testing.T) (*content.Importer, portal.GuidelineStore) {
	t.Helper()
	db := storetest.Open(t)
	now := func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, portal.MongoliaTime) }
	return &content.Importer{Store: db, Renderer: content.NewRenderer(), Now: now}, db
}

func TestImportRevisions(t *testing.T) {
	im, db := newImporter(t)
	ctx := context.Background()
	first := fstest.MapFS{
		"a/en.md": guidelineFile("a", portal.English, 0, "First text."),
		"a/mn.md": guidelineFile("a", portal.Mongolian, 0, "Эхний бичвэр."),
	}
	report, err := im.ImportFS(ctx, first, ".")
	if err != nil {
		t.Fatal(err)
	}
	if report.Created != 2 || report.Revisions != 2 {
		t.Fatalf("first import: %+v", report)
	}
	g, err := db.FindGuideline(ctx, "en:a")
	if err != nil {
		t.Fatal(err)
	}
	if g.Translations[portal.Mongolian] != "a" || g.Revision != 1 {
		t.Fatalf("guideline after first import: translations %v, revision %d", g.Translations, g.Revision)
	}

	// The same files again change nothing.
	if report, err = im.ImportFS(ctx, first, "."); err != nil || report.Unchanged != 2 || report.Revisions != 0 {
		t.Fatalf("unchanged re-import: %+v, %v", report, err)
	}

	// A changed English file alone becomes revision 2; its stored translation satisfies the check.
	changed := fstest.MapFS{"a/en.md": guidelineFile("a", portal.English, 0, "Second text.")}
	if report, err = im.ImportFS(ctx, changed, "."); err != nil || report.Updated != 1 || report.Revisions != 1 {
		t.Fatalf("changed import: %+v, %v", report, err)
	}
	rev, err := db.FindRevision(ctx, "en:a", 2)
	if err != nil || !strings.Contains(string(rev.HTML), "Second text.") || rev.Body != "Second text.\n" {
		t.Fatalf("revision 2: %v %+v", err, rev)
	}
	old, err := db.FindRevision(ctx, "en:a", 1)
	if err != nil || !strings.Contains(old.Body, "First text.") {
		t.Fatalf("revision 1 changed: %v %+v", err, old)
	}

	// A file claiming an existing revision number with other content is a conflict.
	conflict := fstest.MapFS{"a/en.1.md": guidelineFile("a", portal.English, 1, "Rewritten history.")}
	if _, err = im.ImportFS(ctx, conflict, "."); portal.ErrorCode(err) != portal.ECONFLICT || !strings.Contains(err.Error(), "a/en.1.md") {
		t.Fatalf("rewriting revision 1: %v, want ECONFLICT naming the file", err)
	}
	// A gap in explicit revision numbers is refused.
	gap := fstest.MapFS{"a/en.5.md": guidelineFile("a", portal.English, 5, "Far future.")}
	if _, err = im.ImportFS(ctx, gap, "."); portal.ErrorCode(err) != portal.EINVALID || !strings.Contains(err.Error(), "revision 3 is missing") {
		t.Fatalf("gap: %v", err)
	}
	if g, _ = db.FindGuideline(ctx, "en:a"); g.Revision != 2 || len(g.Revisions) != 2 {
		t.Fatalf("failed imports changed the guideline: revision %d, %d infos", g.Revision, len(g.Revisions))
	}
}

func TestImportLinksTranslationsWithOtherSlugs(t *testing.T) {
	im, db := newImporter(t)
	ctx := context.Background()
	files := fstest.MapFS{
		"en.md": guidelineFile("drivers", portal.English, 0, "Text."),
		"mn.md": {Data: []byte("---\ntitle: Жолооч\nslug: jolooch\nlanguage: mn\ntranslation_key: drivers\nstatus: draft\n---\nБичвэр.\n")},
	}
	if _, err := im.ImportFS(ctx, files, "."); err != nil {
		t.Fatal(err)
	}
	en, err := db.FindGuideline(ctx, "en:drivers")
	if err != nil {
		t.Fatal(err)
	}
	mn, err := db.FindGuideline(ctx, "mn:jolooch")
	if err != nil {
		t.Fatal(err)
	}
	if en.Translations[portal.Mongolian] != "jolooch" || mn.Translations[portal.English] != "drivers" {
		t.Fatalf("translations: en %v, mn %v", en.Translations, mn.Translations)
	}
	// A second guideline claiming the same key and language is refused, and nothing is written.
	clash := fstest.MapFS{
		"x.md": {Data: []byte("---\ntitle: Other\nslug: other\nlanguage: en\ntranslation_key: drivers\nstatus: draft\n---\nText.\n")},
	}
	if _, err := im.ImportFS(ctx, clash, "."); portal.ErrorCode(err) != portal.ECONFLICT {
		t.Fatalf("translation key clash: %v", err)
	}
	if _, err := db.FindGuideline(ctx, "en:other"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("the refused guideline was written: %v", err)
	}
}
