package content

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

// FuzzRender checks, for any Markdown, that rendering does not panic, that the output
// carries no script (elements, event handlers, script URLs) and that block ids are unique
// and present in the HTML. Seeds live in testdata/fuzz/FuzzRender; the golden inputs are
// added too.
func FuzzRender(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/golden/*.md")
	for _, in := range inputs {
		if b, err := os.ReadFile(in); err == nil {
			f.Add(string(b))
		}
	}
	r := NewRenderer()
	f.Fuzz(func(t *testing.T, body string) {
		got, err := r.Render(body)
		if err != nil {
			if portal.ErrorCode(err) != portal.EINVALID {
				t.Fatalf("Render: %v", err)
			}
			return // nested too deeply: rejected, not rendered
		}
		checkSafe(t, string(got.HTML))
		checkIDs(t, got)
	})
}

// FuzzParseFile checks that ParseFile never panics, that every error is a *portal.Error
// naming the file, and that every file it accepts survives Format unchanged.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(goodFile))
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.md"
		file, err := ParseFile(name, data)
		if err != nil {
			var e *portal.Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Message, name+": ") {
				t.Fatalf("error %#v is not a *portal.Error naming the file", err)
			}
			return
		}
		out := Format(file)
		again, err := ParseFile(name, out)
		if err != nil {
			t.Fatalf("ParseFile(Format(f)): %v\n%s", err, out)
		}
		if !reflect.DeepEqual(again, file) {
			t.Fatalf("round trip changed the file:\n got %+v\nwant %+v", again, file)
		}
		if string(Format(again)) != string(out) {
			t.Fatalf("Format is not a fixed point:\n%s", out)
		}
	})
}
