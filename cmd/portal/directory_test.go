package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/gobidialogue/portal/directory"
)

// TestDirectoryFind lists the services of a query at the terminal: filters as the page has
// them, words through the search engine, unknown places refused.
func TestDirectoryFind(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	a, err := (&common{data: data}).open(ctx, noEnv, io.Discard, dataUse{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := directory.ImportStarter(ctx, a.db, a.db, clock); err != nil {
		t.Fatal(err)
	}
	a.close()
	if _, stderr, err := runCmd(t, "reindex", "--data", data); err != nil {
		t.Fatalf("reindex: %v\n%s", err, stderr)
	}
	stdout, stderr, err := runCmd(t, "directory", "find", "--data", data, "--aimag", "umnugovi", "--type", "shelter", "--lang", "en")
	if err != nil || !strings.Contains(stdout, "umnugovi-one-stop-centre-shelter") || strings.Contains(stdout, "zamiin-uud") ||
		!strings.Contains(stdout, "Shelter") {
		t.Errorf("find shelters in Ömnögovi: %v %q\n%s", err, stdout, stderr)
	}
	// Two spellings of one place, through the engine, find the same services.
	latin, _, err := runCmd(t, "directory", "find", "--data", data, "Zamiin-Uud")
	if err != nil {
		t.Fatal(err)
	}
	cyrillic, _, err := runCmd(t, "directory", "find", "--data", data, "Замын-Үүд")
	if err != nil {
		t.Fatal(err)
	}
	if lineCount(latin) < 3 || lineCount(latin) != lineCount(cyrillic) || !strings.Contains(cyrillic, "zamiin-uud-hospital-care") {
		t.Errorf("Zamiin-Uud:\n%s\nЗамын-Үүд:\n%s", latin, cyrillic)
	}
	for _, bad := range [][]string{{"--aimag", "nowhere"}, {"--type", "spa"}, {"--soum", "khanbogd"}, {"--lang", "fr"}} {
		if _, _, err := runCmd(t, append([]string{"directory", "find", "--data", data}, bad...)...); err == nil {
			t.Errorf("directory find %v succeeded", bad)
		}
	}
	if _, _, err := runCmd(t, "directory", "list", "--data", data); err != errUsage {
		t.Errorf("directory list: %v, want a usage error", err)
	}
}

func lineCount(s string) int { return strings.Count(s, "\n") }
