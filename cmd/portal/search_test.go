package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal/internal/testkit/logtest"
)

// writeGuideline writes a guideline in both languages to dir, with body as its text.
func writeGuideline(t *testing.T, dir, slug, body string) {
	t.Helper()
	for _, lang := range []string{"en", "mn"} {
		text := "---\ntitle: T\nslug: " + slug + "\nlanguage: " + lang + "\ntranslation_key: " + slug +
			"\nstatus: draft\n---\n" + body + "\n"
		if err := os.WriteFile(filepath.Join(dir, slug+"."+lang+".md"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkCounts runs `portal search check` and returns its counts: records in the database,
// missing, stale and extra, and its error.
func checkCounts(t *testing.T, data string) ([4]int, error) {
	t.Helper()
	stdout, stderr, err := runCmd(t, "search", "check", "--data", data)
	m := regexp.MustCompile(`(\d+) records in the database: (\d+) missing from the index, (\d+) stale, (\d+) extra`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("search check printed %q, %q (%v)", stdout, stderr, err)
	}
	var n [4]int
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return n, err
}

func TestReindexAndSearchCheck(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	writeGuideline(t, src, "camels", "First paragraph.\n\nSecond paragraph.")
	if _, stderr, err := runCmd(t, "import", "--data", data, src); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	// Nothing indexed yet: check fails, naming what is missing.
	n, err := checkCounts(t, data)
	if err == nil || exitCode(err) != 1 || n != [4]int{4, 4, 0, 0} {
		t.Fatalf("check before reindex: %v (exit %d), counts %v; want 4 missing and exit 1", err, exitCode(err), n)
	}
	stdout, stderr, err := runCmd(t, "reindex", "--data", data)
	if err != nil {
		t.Fatalf("reindex: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "Reindexed 4 records (embedded): 4 added, 0 updated, 0 deleted.") {
		t.Errorf("reindex summary %q", stdout)
	}
	if !strings.Contains(stderr, "Indexing") || !strings.Contains(stderr, "100%") || !strings.Contains(stderr, "(4/4)") {
		t.Errorf("reindex showed no progress bar: %q", stderr)
	}
	if n, err := checkCounts(t, data); err != nil || n != [4]int{4, 0, 0, 0} {
		t.Fatalf("check after reindex: %v, counts %v", err, n)
	}
	// A new revision drops a paragraph and adds another: in each language one missing, one
	// extra, and the paragraph kept is stale (its date changed).
	writeGuideline(t, src, "camels", "First paragraph.\n\nA third paragraph.")
	if _, stderr, err := runCmd(t, "import", "--data", data, src); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if n, err := checkCounts(t, data); err == nil || n != [4]int{4, 2, 2, 2} {
		t.Fatalf("check after a new revision: %v, counts %v; want 2 missing, 2 stale and 2 extra", err, n)
	}
	stdout, _, err = runCmd(t, "search", "check", "-v", "--data", data)
	if err == nil || !strings.Contains(stdout, "missing:\n  guideline:") || !strings.Contains(stdout, "extra:\n  guideline:") {
		t.Errorf("check -v: %v %q", err, stdout)
	}
	stdout, stderr, err = runCmd(t, "reindex", "--data", data)
	if err != nil || !strings.Contains(stdout, "Reindexed 4 records (embedded): 2 added, 2 updated, 2 deleted.") {
		t.Fatalf("reindex again: %v %q\n%s", err, stdout, stderr)
	}
	if n, err := checkCounts(t, data); err != nil || n != [4]int{4, 0, 0, 0} {
		t.Fatalf("check after the second reindex: %v, counts %v", err, n)
	}
	// Usage errors.
	for _, args := range [][]string{{"search"}, {"search", "fix"}, {"reindex", "extra"}} {
		if _, _, err := runCmd(t, args...); exitCode(err) != 2 {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

// TestServeKeepsTheIndex: portal serve indexes the starter content at start, so that
// search check afterwards finds the index in step.
func TestServeKeepsTheIndex(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr logtest.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data}, noEnv, &stdout, &stderr)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(stderr.String(), "search index reconciled") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not index:\n%s", stderr.String())
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited: %v\n%s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, stderr.String())
	}
	n, err := checkCounts(t, data)
	if err != nil || n[0] < 100 || n[1]+n[2]+n[3] != 0 {
		t.Fatalf("check after serve: %v, counts %v", err, n)
	}
}

func TestUnreachableMeilisearchStopsTheStart(t *testing.T) {
	env := map[string]string{"PORTAL_SEARCH_ENGINE": "meilisearch", "PORTAL_MEILI_URL": "http://127.0.0.1:1", "PORTAL_MEILI_KEY": "k3y-never-shown"}
	getenv := func(k string) string { return env[k] }
	for _, cmd := range []string{"serve", "reindex"} {
		var stdout, stderr logtest.Buffer
		err := run(context.Background(), []string{cmd, "--data", t.TempDir()}, getenv, &stdout, &stderr)
		if err == nil || !strings.Contains(errText(err), "http://127.0.0.1:1") {
			t.Fatalf("%s with an unreachable Meilisearch: %v, want an error naming the URL", cmd, err)
		}
		if strings.Contains(errText(err)+stderr.String(), "k3y-never-shown") {
			t.Errorf("%s: the key is in the error: %v", cmd, err)
		}
		if strings.Contains(stdout.String(), "listening") {
			t.Errorf("%s: serve started anyway", cmd)
		}
	}
}

func TestSearchConfig(t *testing.T) {
	def := defaultConfig()
	if def.Search != (SearchConfig{Engine: "embedded", MeiliIndex: "portal"}) {
		t.Errorf("default search config %+v", def.Search)
	}
	cfg, err := loadConfig("../../config.yaml", noEnv)
	if err != nil || cfg.Search != def.Search {
		t.Errorf("config.yaml search %+v, %v; want the defaults", cfg.Search, err)
	}
	env := map[string]string{"PORTAL_SEARCH_ENGINE": "meilisearch", "PORTAL_MEILI_URL": "https://search.example.mn", "PORTAL_MEILI_KEY": "secret"}
	cfg, err = loadConfig("../../config.yaml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Search.Engine != "meilisearch" || cfg.Search.MeiliURL != "https://search.example.mn" || cfg.secrets.meiliKey != "secret" {
		t.Errorf("search config from env %+v, key %q", cfg.Search, cfg.secrets.meiliKey)
	}
	tests := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"unknown engine", "search:\n  engine: elastic\n", nil, "search.engine"},
		{"unknown engine from env", "", map[string]string{"PORTAL_SEARCH_ENGINE": "solr"}, "search.engine"},
		{"meilisearch without url", "search:\n  engine: meilisearch\n", nil, "search.meili_url"},
		{"meilisearch bad url", "", map[string]string{"PORTAL_SEARCH_ENGINE": "meilisearch", "PORTAL_MEILI_URL": "127.0.0.1:7700"}, "search.meili_url"},
		{"meilisearch bad index", "search:\n  engine: meilisearch\n  meili_url: http://127.0.0.1:7700\n  meili_index: 'a b'\n", nil, "search.meili_index"},
		{"key in the file", "search:\n  meili_key: s3cret\n", nil, "meili_key"},
		{"embedded without data_dir", "data_dir: ''\nmongo:\n  uri: mongodb://127.0.0.1\n", nil, "data_dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadConfig(path, func(k string) string { return tt.env[k] })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("loadConfig error = %v, want one naming %q", err, tt.want)
			}
		})
	}
}
