package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

func TestGuidelineRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(g *portal.Guideline, r *portal.Revision)
	}{
		{"every field set", func(*portal.Guideline, *portal.Revision) {}},
		{"nil comment dates, tags, maps and slices", func(g *portal.Guideline, r *portal.Revision) {
			g.CommentOpens, g.CommentCloses, g.Tags, g.Translations = nil, nil, nil, nil
			r.CommentOpens, r.CommentCloses, r.Tags, r.TOC, r.Blocks = nil, nil, nil, nil, nil
		}},
		{"empty maps and slices", func(g *portal.Guideline, r *portal.Revision) {
			g.Tags, g.Translations = []string{}, map[portal.Language]string{}
			r.TOC, r.Blocks = []portal.TOCEntry{}, []portal.Block{}
		}},
		{"date at the turn of a day", func(g *portal.Guideline, r *portal.Revision) {
			// Midnight in Mongolia is 16:00 the day before in UTC.
			g.CommentCloses, r.CommentCloses = day(2025, 12, 31), day(2025, 12, 31)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, db := context.Background(), storetest.Open(t)
			g := newGuideline("drivers", portal.Mongolian, 1, base)
			r := newRevision(g, 1, 12)
			tt.edit(g, r)
			mustSave(t, db, g, r)

			gotG, err := db.FindGuideline(ctx, g.ID)
			if err != nil {
				t.Fatalf("FindGuideline: %v", err)
			}
			assertEqual(t, "guideline", gotG, g)
			rendered, err := db.FindRenderedRevision(ctx, g.ID, 1)
			if err != nil {
				t.Fatalf("FindRenderedRevision: %v", err)
			}
			wantRendered := *r
			wantRendered.Body, wantRendered.Blocks = "", nil
			assertEqual(t, "rendered revision", rendered, &wantRendered)
			gotR, err := db.FindRevision(ctx, g.ID, 1)
			if err != nil {
				t.Fatalf("FindRevision: %v", err)
			}
			assertEqual(t, "revision", gotR, r)
		})
	}
}

func TestTimesReadBackInUTCAndMongolia(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	g := newGuideline("times", portal.English, 1, base.In(time.FixedZone("X", -5*3600)))
	mustSave(t, db, g)
	got, err := db.FindGuideline(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.UpdatedAt.Location() != time.UTC || !got.UpdatedAt.Equal(base) {
		t.Errorf("UpdatedAt = %v, want %v in UTC", got.UpdatedAt, base)
	}
	if got.CommentCloses.Location() != portal.MongoliaTime || got.CommentCloses.Format(time.DateTime) != "2025-05-31 00:00:00" {
		t.Errorf("CommentCloses = %v, want 2025-05-31 00:00:00 in Mongolia", got.CommentCloses)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	g := newGuideline("present", portal.English, 1, base)
	mustSave(t, db, g, newRevision(g, 1, 3))
	tests := []struct {
		name string
		call func() error
		msg  string
	}{
		{"guideline", func() error { _, err := db.FindGuideline(ctx, "en:absent"); return err }, "guideline en:absent not found"},
		{"revision of a missing guideline", func() error { _, err := db.FindRevision(ctx, "en:absent", 1); return err },
			"revision 1 of guideline en:absent not found"},
		{"missing revision", func() error { _, err := db.FindRevision(ctx, g.ID, 2); return err },
			"revision 2 of guideline en:present not found"},
		{"meta", func() error { _, err := db.GetMeta(ctx, "absent"); return err }, "meta absent not found"},
		{"translations", func() error { return db.UpdateTranslations(ctx, "en:absent", nil) }, "guideline en:absent not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if code := portal.ErrorCode(err); code != portal.ENOTFOUND {
				t.Fatalf("error %v has code %q, want %q", err, code, portal.ENOTFOUND)
			}
			if msg := portal.ErrorMessage(err); msg != tt.msg {
				t.Errorf("message = %q, want %q", msg, tt.msg)
			}
		})
	}
}

func TestSaveRevisionsConverges(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	g := newGuideline("retry", portal.English, 2, base)
	r1, r2 := newRevision(g, 1, 5), newRevision(g, 2, 6)
	// A first attempt that wrote only revision 1 and died; then the same save twice.
	if err := db.SaveRevisions(ctx, newGuideline("retry", portal.English, 1, base), r1); err != nil {
		t.Fatal(err)
	}
	mustSave(t, db, g, r1, r2)
	mustSave(t, db, g, r1, r2)

	got, err := db.FindGuideline(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "guideline", got, g)
	for _, want := range []*portal.Revision{r1, r2} {
		got, err := db.FindRevision(ctx, g.ID, want.Number)
		if err != nil {
			t.Fatal(err)
		}
		assertEqual(t, "revision", got, want)
	}
	all, err := db.FindGuidelines(ctx, portal.GuidelineFilter{})
	if err != nil || len(all) != 1 {
		t.Errorf("FindGuidelines = %d guidelines, %v; want 1", len(all), err)
	}
}

func TestSaveRevisionsRejectsForeignRevision(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	g := newGuideline("own", portal.English, 1, base)
	other := newRevision(newGuideline("other", portal.English, 1, base), 1, 2)
	wrongID := newRevision(g, 1, 2)
	wrongID.ID = portal.RevisionID(g.ID, 7)
	for name, r := range map[string]*portal.Revision{"other guideline": other, "wrong ID": wrongID, "nil": nil} {
		if err := db.SaveRevisions(ctx, g, r); portal.ErrorCode(err) != portal.EINVALID {
			t.Errorf("%s: SaveRevisions = %v, want an EINVALID error", name, err)
		}
	}
	if _, err := db.FindGuideline(ctx, g.ID); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("a rejected save wrote the guideline: FindGuideline = %v", err)
	}
}

func TestFindGuidelines(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	// IDs sort mn:a < mn:b < mn:c; update times make the expected order differ from both.
	save := func(slug string, lang portal.Language, status portal.GuidelineStatus, key string, updated time.Duration) {
		t.Helper()
		g := newGuideline(slug, lang, 1, base.Add(updated))
		g.Status, g.TranslationKey = status, key
		mustSave(t, db, g)
	}
	save("a", portal.Mongolian, portal.StatusOpen, "one", time.Hour)
	save("b", portal.Mongolian, portal.StatusDraft, "two", 2*time.Hour)
	save("c", portal.Mongolian, portal.StatusOpen, "three", time.Hour) // ties with a: ID decides
	save("a", portal.English, portal.StatusOpen, "one", 3*time.Hour)
	save("d", portal.English, portal.StatusAdopted, "two", 0)

	tests := []struct {
		name   string
		filter portal.GuidelineFilter
		want   []string
	}{
		{"all", portal.GuidelineFilter{}, []string{"en:a", "mn:b", "mn:a", "mn:c", "en:d"}},
		{"language", portal.GuidelineFilter{Language: portal.Mongolian}, []string{"mn:b", "mn:a", "mn:c"}},
		{"status", portal.GuidelineFilter{Status: portal.StatusOpen}, []string{"en:a", "mn:a", "mn:c"}},
		{"translation key", portal.GuidelineFilter{TranslationKey: "two"}, []string{"mn:b", "en:d"}},
		{"all fields", portal.GuidelineFilter{Language: portal.English, Status: portal.StatusOpen, TranslationKey: "one"}, []string{"en:a"}},
		{"no match", portal.GuidelineFilter{Status: portal.StatusArchived}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gs, err := db.FindGuidelines(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, g := range gs {
				ids = append(ids, g.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("FindGuidelines(%+v) = %q, want %q", tt.filter, ids, tt.want)
			}
		})
	}
}

func TestUpdateTranslations(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	g := newGuideline("linked", portal.English, 1, base)
	mustSave(t, db, g)
	for _, tr := range []map[portal.Language]string{
		{portal.Mongolian: "holbootoi"},
		{portal.Mongolian: "шинэ", portal.English: "linked"},
		nil,
	} {
		if err := db.UpdateTranslations(ctx, g.ID, tr); err != nil {
			t.Fatalf("UpdateTranslations(%v): %v", tr, err)
		}
		got, err := db.FindGuideline(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *g
		want.Translations = tr
		assertEqual(t, "guideline", got, &want)
	}
}

func mustSave(t *testing.T, db *store.DB, g *portal.Guideline, revs ...*portal.Revision) {
	t.Helper()
	if err := db.SaveRevisions(context.Background(), g, revs...); err != nil {
		t.Fatalf("SaveRevisions(%s): %v", g.ID, err)
	}
}

// assertEqual reports each field path at which got and want differ, not the whole values:
// revisions are kilobytes long.
func assertEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	for _, d := range diff("", reflect.ValueOf(got), reflect.ValueOf(want)) {
		t.Errorf("%s read back differs at %s", what, d)
	}
}

func diff(path string, got, want reflect.Value) []string {
	switch {
	case got.Kind() == reflect.Pointer && !got.IsNil() && !want.IsNil() && got.Elem().Kind() == reflect.Struct:
		return diff(path, got.Elem(), want.Elem())
	case got.Kind() == reflect.Struct && got.Type() != reflect.TypeFor[time.Time]():
		var out []string
		for i := range got.NumField() {
			out = append(out, diff(path+"."+got.Type().Field(i).Name, got.Field(i), want.Field(i))...)
		}
		return out
	case got.Kind() == reflect.Slice && got.Len() == want.Len() && got.IsNil() == want.IsNil():
		var out []string
		for i := range got.Len() {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i))...)
		}
		return out
	case !reflect.DeepEqual(got.Interface(), want.Interface()):
		return []string{fmt.Sprintf("%s:\n got %#v\nwant %#v", path, short(got), short(want))}
	}
	return nil
}

func short(v reflect.Value) any {
	if s, ok := v.Interface().(string); ok && len(s) > 80 {
		return s[:80] + "..."
	}
	return v.Interface()
}

// TestFindGuidelinesSeesWritesOfOtherDBs checks that a list read through one DB reflects a
// write through another on the same database: on the embedded database they share a cache.
func TestFindGuidelinesSeesWritesOfOtherDBs(t *testing.T) {
	t.Parallel()
	ctx, reader := context.Background(), storetest.Open(t)
	writer, err := store.Open(ctx, storetest.URI(t), reader.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close(ctx)

	list := func() []*portal.Guideline {
		t.Helper()
		gs, err := reader.FindGuidelines(ctx, portal.GuidelineFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return gs
	}
	if gs := list(); len(gs) != 0 {
		t.Fatalf("a new database lists %d guidelines", len(gs))
	}
	// The other DB's write is learnt of at once (it is of this process); the list held
	// is still served while it loads again in the background.
	reloaded := func() []*portal.Guideline {
		t.Helper()
		list()
		reader.WaitForReloads()
		return list()
	}
	g := newGuideline("shared", portal.English, 1, base)
	mustSave(t, writer, g)
	if gs := reloaded(); len(gs) != 1 || !reflect.DeepEqual(gs[0], g) {
		t.Fatalf("after a save, FindGuidelines = %+v", gs)
	}
	if err := writer.UpdateTranslations(ctx, g.ID, map[portal.Language]string{portal.Mongolian: "new"}); err != nil {
		t.Fatal(err)
	}
	if gs := reloaded(); gs[0].Translations[portal.Mongolian] != "new" {
		t.Errorf("after UpdateTranslations, Translations = %v", gs[0].Translations)
	}
	if got, err := reader.FindGuideline(ctx, g.ID); err != nil || got.Translations[portal.Mongolian] != "new" {
		t.Errorf("FindGuideline from the list held = %+v, %v", got, err)
	}
}

// TestFindGuidelineReturnsCopies checks that callers of FindGuideline may modify what they
// get (an import does), also when it comes from the list held, which FindGuidelines shares.
func TestFindGuidelineReturnsCopies(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	want := newGuideline("copy", portal.English, 2, base)
	mustSave(t, db, want)
	for _, held := range []bool{false, true} {
		if held {
			if _, err := db.FindGuidelines(ctx, portal.GuidelineFilter{}); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			g, err := db.FindGuideline(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g, want) {
				t.Fatalf("held %v: guideline read back modified: %+v", held, g)
			}
			g.Tags[0], g.Revisions[0].Number, g.Translations[portal.Mongolian] = "changed", 9, "changed"
		}
	}
	gs, err := db.FindGuidelines(ctx, portal.GuidelineFilter{})
	if err != nil || len(gs) != 1 || !reflect.DeepEqual(gs[0], want) {
		t.Errorf("the list held after callers modified their copies: %+v, %v", gs, err)
	}
	if _, err := db.FindGuideline(ctx, "en:no-such"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("FindGuideline of a guideline not in the list held: %v, want ENOTFOUND", err)
	}
}

func TestGuidelinesVersionChangesOnSave(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	v0, err := db.GuidelinesVersion(ctx)
	if err != nil || v0 != "" {
		t.Fatalf("GuidelinesVersion of an empty database = %q, %v; want \"\", nil", v0, err)
	}
	g := newGuideline("versioned", portal.English, 1, base)
	mustSave(t, db, g, newRevision(g, 1, 3))
	v1, err := db.GuidelinesVersion(ctx)
	if err != nil || v1 == "" {
		t.Fatalf("GuidelinesVersion after a save = %q, %v", v1, err)
	}
	if v, _ := db.GuidelinesVersion(ctx); v != v1 {
		t.Errorf("GuidelinesVersion changed without a write: %q, then %q", v1, v)
	}
	mustSave(t, db, g)
	if v2, _ := db.GuidelinesVersion(ctx); v2 == v1 {
		t.Errorf("GuidelinesVersion = %q after a second save, as before it", v2)
	}
	// A rejected save writes nothing, so the version stays.
	v2, _ := db.GuidelinesVersion(ctx)
	_ = db.SaveRevisions(ctx, &portal.Guideline{})
	if v3, _ := db.GuidelinesVersion(ctx); v3 != v2 {
		t.Errorf("a rejected save changed the version")
	}
}
