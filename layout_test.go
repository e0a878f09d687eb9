package portal_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/gobidialogue/portal"

// imports returns, for every package directory of the module (by its path from the
// module root, "." for the root), the packages its non-test files import.
func imports(t *testing.T) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(p))
		if out[dir] == nil {
			out[dir] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			out[dir][ip] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 15 {
		t.Fatalf("found %d packages: the walk did not see the module", len(out))
	}
	return out
}

// under reports whether dir is pkg or inside it.
func under(dir, pkg string) bool { return dir == pkg || strings.HasPrefix(dir, pkg+"/") }

// TestImportRules checks the import rules of DESIGN.md (docs/architecture.md explains
// them): the root package is vocabulary on the standard library; gin stays at the HTTP
// edge; the handlers see interfaces, never the store or a search engine; only cmd/portal
// (and tests) put concrete parts together; content/ is Markdown and knows nothing of the
// directory. Development tools under tools/ (such as the load script) are not shipped: like
// tests, they may use the store and the test kit.
func TestImportRules(t *testing.T) {
	engines := []string{module + "/store", module + "/search/bleve", module + "/search/meili"}
	for dir, imps := range imports(t) {
		for ip := range imps {
			first, _, _ := strings.Cut(ip, "/")
			std := !strings.Contains(first, ".")
			switch {
			case dir == "." && !std:
				t.Errorf("the root package imports %s: it may import only the standard library", ip)
			case strings.HasPrefix(ip, "github.com/gin-gonic/") && !under(dir, "server") && !under(dir, "handlers"):
				t.Errorf("%s imports %s: gin belongs in server/ and handlers/ only", dir, ip)
			case under(dir, "handlers") && containsPrefix(engines, ip):
				t.Errorf("handlers/ imports %s: handlers see the root package's interfaces", ip)
			case containsPrefix(engines, ip) && !under(dir, "cmd/portal") && !under(dir, "internal/testkit") && !under(dir, "tools"):
				t.Errorf("%s imports %s: only cmd/portal wires concrete implementations", dir, ip)
			case under(dir, "content") && under(strings.TrimPrefix(ip, module+"/"), "directory"):
				t.Errorf("content/ imports %s: content is Markdown, the directory is directory/'s", ip)
			case strings.HasPrefix(ip, module+"/internal/testkit") && !under(dir, "internal/testkit") && !under(dir, "tools"):
				t.Errorf("%s imports %s, which is for tests only", dir, ip)
			}
		}
	}
}

func containsPrefix(pkgs []string, ip string) bool {
	for _, p := range pkgs {
		if ip == p || strings.HasPrefix(ip, p+"/") {
			return true
		}
	}
	return false
}
