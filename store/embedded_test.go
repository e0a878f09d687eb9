package store_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/logtest"
	"github.com/gobidialogue/portal/store"
)

func startEmbedded(t *testing.T, dir string, logger *slog.Logger) *store.Embedded {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := store.StartEmbedded(ctx, dir, logger)
	if err != nil {
		t.Fatalf("StartEmbedded: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func openEmbedded(t *testing.T, e *store.Embedded) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), e.URI(), "portal")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db
}

func TestEmbeddedRestartKeepsData(t *testing.T) {
	t.Parallel()
	// A space, a comma and Cyrillic letters must survive the socket URI and the SQLite URIs.
	ctx, dir := context.Background(), filepath.Join(t.TempDir(), "портал, data")
	var logs logtest.Buffer

	e := startEmbedded(t, dir, logs.Logger())
	if !strings.HasPrefix(e.URI(), "mongodb://%2F") || !strings.HasSuffix(e.URI(), "%2C%20data%2Fmongodb.sock/") {
		t.Errorf("URI = %q, want the escaped socket path", e.URI())
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v, %v; want mode 0700", fi.Mode(), err)
	}
	db := openEmbedded(t, e)
	g := newGuideline("kept", portal.Mongolian, 1, base)
	r := newRevision(g, 1, 20)
	mustSave(t, db, g, r)
	if err := db.SetMeta(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	closeAll(t, db, e)

	e = startEmbedded(t, dir, logs.Logger())
	db = openEmbedded(t, e)
	defer closeAll(t, db, e)
	gotG, err := db.FindGuideline(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "guideline", gotG, g)
	gotR, err := db.FindRevision(ctx, g.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "revision", gotR, r)
	if v, err := db.GetMeta(ctx, "k"); v != "v" || err != nil {
		t.Errorf("GetMeta = %q, %v", v, err)
	}
	if out := logs.String(); out != "" {
		t.Errorf("the embedded database logged, though nothing went wrong:\n%s", out)
	}
}

func closeAll(t *testing.T, db *store.DB, e *store.Embedded) {
	t.Helper()
	if err := db.Close(context.Background()); err != nil {
		t.Errorf("DB.Close: %v", err)
	}
	start := time.Now()
	if err := e.Close(); err != nil {
		t.Errorf("Embedded.Close: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Embedded.Close took %v, though no client was connected", d)
	}
}

func TestEmbeddedDirInUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := startEmbedded(t, dir, nil)
	_, err := store.StartEmbedded(context.Background(), dir, nil)
	if !errors.Is(err, store.ErrDataDirInUse) {
		t.Fatalf("second StartEmbedded = %v, want ErrDataDirInUse", err)
	}
	// The refused start must not have disturbed the running one.
	db := openEmbedded(t, e)
	if err := db.SetMeta(context.Background(), "k", "v"); err != nil {
		t.Error(err)
	}
	closeAll(t, db, e)
	// Once closed, the directory is free again and a stale socket does not matter.
	e = startEmbedded(t, dir, nil)
	closeAll(t, openEmbedded(t, e), e)
}

func TestEmbeddedLongPathUsesTCP(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	var logs logtest.Buffer
	e := startEmbedded(t, dir, logs.Logger())
	if !regexp.MustCompile(`^mongodb://127\.0\.0\.1:\d+/$`).MatchString(e.URI()) {
		t.Errorf("URI = %q, want TCP on 127.0.0.1", e.URI())
	}
	if !strings.Contains(logs.String(), "level=INFO msg=\"embedded database listens on TCP") {
		t.Errorf("no INFO record about the fallback:\n%s", logs.String())
	}
	closeAll(t, openEmbedded(t, e), e)
}

func TestEmbeddedRejectsURIUnsafeDir(t *testing.T) {
	t.Parallel()
	_, err := store.StartEmbedded(context.Background(), filepath.Join(t.TempDir(), "a?b"), nil)
	if err == nil || !strings.Contains(err.Error(), "may not contain") {
		t.Errorf("StartEmbedded = %v, want an error about the path", err)
	}
}

// TestEmbeddedCloseLeavesNoGoroutines is not parallel: it counts the goroutines of the process.
func TestEmbeddedCloseLeavesNoGoroutines(t *testing.T) {
	before := goroutineIDs()
	e := startEmbedded(t, t.TempDir(), nil)
	db := openEmbedded(t, e)
	mustSave(t, db, newGuideline("g", portal.English, 1, base))
	closeAll(t, db, e)

	var left []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		left = newGoroutines(before)
		if len(left) == 0 {
			return
		}
	}
	t.Errorf("%d goroutines left after Close:\n%s", len(left), strings.Join(left, "\n\n"))
}

// goroutineIDs returns the stacks of the running goroutines, keyed by their header line.
func goroutineIDs() map[string]bool {
	ids := map[string]bool{}
	for _, g := range stacks() {
		ids[goroutineID(g)] = true
	}
	return ids
}

// newGoroutines returns the stacks of goroutines started since before by the database code.
func newGoroutines(before map[string]bool) []string {
	var out []string
	for _, g := range stacks() {
		if !before[goroutineID(g)] && (strings.Contains(g, "FerretDB") || strings.Contains(g, "mongo-driver") || strings.Contains(g, "modernc")) {
			out = append(out, g)
		}
	}
	return out
}

func stacks() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return slices.DeleteFunc(strings.Split(string(buf), "\n\n"), func(s string) bool { return s == "" })
}

func goroutineID(stack string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(stack, "goroutine "), " ")
	return id
}
