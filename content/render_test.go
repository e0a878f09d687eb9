package content

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gobidialogue/portal"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden is what the JSON golden file records besides the HTML.
type golden struct {
	TOC    []portal.TOCEntry
	Blocks []portal.Block
	Words  int
}

// TestRenderGolden renders every testdata/golden/*.md and compares the HTML with the
// .html file and the table of contents, blocks and word count with the .json file.
func TestRenderGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/golden/*.md")
	if err != nil || len(inputs) < 3 {
		t.Fatalf("golden inputs: %v, %v", inputs, err)
	}
	r := NewRenderer()
	for _, in := range inputs {
		base := strings.TrimSuffix(in, ".md")
		t.Run(filepath.Base(base), func(t *testing.T) {
			got := mustRender(t, r, readTestFile(t, in))
			checkSafe(t, string(got.HTML))
			checkIDs(t, got)
			data, err := json.MarshalIndent(golden{got.TOC, got.Blocks, got.Words}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, base+".html", []byte(got.HTML))
			compareGolden(t, base+".json", append(data, '\n'))
		})
	}
}

func TestRenderCyrillicIDs(t *testing.T) {
	got := mustRender(t, NewRenderer(), readTestFile(t, "testdata/golden/cyrillic.md"))
	want := []portal.TOCEntry{
		{Level: 2, ID: "udirtgal", Title: "Удиртгал"},
		{Level: 2, ID: "yos-zui-ba-uureg", Title: "Ёс зүй ба Үүрэг"},
		{Level: 2, ID: "erkh-zuin-orchin", Title: "Эрх зүйн орчин"},
		{Level: 3, ID: "omnogovi-aimag", Title: "Өмнөговь аймаг"},
		{Level: 3, ID: "omnogovi-aimag-2", Title: "Өмнөговь аймаг"},
		{Level: 2, ID: "shuurkhai-tuslamj-24-7", Title: "Шуурхай тусламж — 24/7"},
		{Level: 2, ID: "shyieyuya-yoyo", Title: "ЩЪЫЬЭЮЯ ёЁ"},
	}
	if fmt.Sprint(got.TOC) != fmt.Sprint(want) {
		t.Errorf("TOC:\n got %v\nwant %v", got.TOC, want)
	}
	for _, e := range want {
		if !strings.Contains(string(got.HTML), `id="`+e.ID+`"`) {
			t.Errorf("HTML has no heading id %q", e.ID)
		}
	}
}

// TestRenderHostile checks that each attack is neutralised on its own, whatever the golden
// file says, and that the harmless part of the input survives.
func TestRenderHostile(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // must appear in the HTML
		notWant  string // must not appear in the HTML
	}{
		{"script block", "<script>alert(1)</script>", "", "alert"},
		{"inline script", "a <script>alert(1)</script> b", "a", "<script"},
		{"img onerror", `<img src=x onerror=alert(1)>`, "", "onerror"},
		{"anchor onclick", `x <a href="#" onclick="x">click</a>`, "click", "onclick"},
		{"javascript link", "[x](javascript:alert(1))", "<p id=\"p-", "href"},
		{"javascript link upper case", "[x](JaVaScRiPt:alert(1))", "x", "href"},
		{"javascript link entity", "[x](&#106;avascript:alert(1))", "x", "href"},
		{"javascript reference link", "[x][r]\n\n[r]: javascript:alert(1)", "x", "href"},
		{"javascript image", "![i](javascript:alert(1))", "i", "<img"},
		{"data image", "![i](data:image/png;base64,AAAA)", "i", "<img"},
		{"data link", "[d](data:text/html;base64,PHNjcmlwdD4=)", "d", "href"},
		{"javascript autolink", "<javascript:alert(1)>", "javascript:alert(1)", "href"},
		{"attribute syntax heading", "# H {onclick=alert(1)}", `<h1 id="h-onclick-alert-1">H {onclick=alert(1)}</h1>`, ""},
		{"attribute syntax id", "## H {#main .x}", `id="h-main-x"`, `id="main"`},
		{"entities", "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;", "<script"},
		{"html block", "<div onmouseover=\"alert(1)\">\nx\n</div>", "", "onmouseover"},
		{"style block", "<style>p{display:none}</style>", "", "display"},
		{"iframe", "<iframe src=\"https://evil.example\"></iframe>", "", "iframe"},
		{"raw input", "- [ ] <input type=\"checkbox\" onclick=\"x\"> task", "task", "onclick"},
		{"code keeps text", "`<b>x</b>`", "&lt;b&gt;x&lt;/b&gt;", "<b>"},
		{"external link rel", "[x](https://example.org)", `rel="nofollow noopener"`, ""},
		{"local link no rel", "[x](/guidelines/y#p-1)", `href="/guidelines/y#p-1"`, "rel="},
		{"mailto", "[m](mailto:a@example.org) [t](tel:+97611)", `href="tel:+97611"`, ""},
		{"comments dropped", "<!-- secret -->\n\ntext", "text", "secret"},
	}
	r := NewRenderer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(mustRender(t, r, tt.in).HTML)
			checkSafe(t, got)
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("HTML lacks %q:\n%s", tt.want, got)
			}
			if tt.notWant != "" && strings.Contains(got, tt.notWant) {
				t.Errorf("HTML contains %q:\n%s", tt.notWant, got)
			}
		})
	}
}

func TestRenderBlocks(t *testing.T) {
	tests := []struct {
		name, in string
		want     []portal.Block
	}{
		{"paragraph ids come from text", "Hello  *world*\nagain.", []portal.Block{
			{ID: "p-" + textHash("Hello world again."), Kind: portal.BlockParagraph, Text: "Hello world again."}}},
		{"duplicates get suffixes", "Same.\n\nSame.\n\nSame.", []portal.Block{
			{ID: "p-" + textHash("Same."), Kind: portal.BlockParagraph, Text: "Same."},
			{ID: "p-" + textHash("Same.") + "-2", Kind: portal.BlockParagraph, Text: "Same."},
			{ID: "p-" + textHash("Same.") + "-3", Kind: portal.BlockParagraph, Text: "Same."}}},
		{"list item absorbs its paragraphs", "- one\n\n  two\n- three", []portal.Block{
			{ID: "li-" + textHash("one two"), Kind: portal.BlockListItem, Text: "one two"},
			{ID: "li-" + textHash("three"), Kind: portal.BlockListItem, Text: "three"}}},
		{"quote absorbs, nested list is its own", "> q\n>\n> - i", []portal.Block{
			{ID: "q-" + textHash("q"), Kind: portal.BlockQuote, Text: "q"},
			{ID: "li-" + textHash("i"), Kind: portal.BlockListItem, Text: "i"}}},
		{"code and table", "```\na  b\n```\n\n| h |\n|---|\n| `c` |", []portal.Block{
			{ID: "c-" + textHash("a b"), Kind: portal.BlockCode, Text: "a b"},
			{ID: "t-" + textHash("h c"), Kind: portal.BlockTable, Text: "h c"}}},
		{"footnote numbers are not text", "A[^n].\n\n[^n]: Note *here*.", []portal.Block{
			{ID: "p-" + textHash("A."), Kind: portal.BlockParagraph, Text: "A."},
			{ID: "fn-" + textHash("Note here."), Kind: portal.BlockFootnote, Text: "Note here."}}},
		{"typographer and entities resolved", `"Hi" -- a\*b &amp; &copy;`, []portal.Block{
			{ID: "p-" + textHash("“Hi” – a*b & ©"), Kind: portal.BlockParagraph, Text: "“Hi” – a*b & ©"}}},
		{"heading id is a slug", "## Hello, World!", []portal.Block{
			{ID: "hello-world", Kind: portal.BlockHeading, Text: "Hello, World!"}}},
		{"empty heading", "##", []portal.Block{{ID: "section", Kind: portal.BlockHeading, Text: ""}}},
	}
	r := NewRenderer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustRender(t, r, tt.in)
			if fmt.Sprint(got.Blocks) != fmt.Sprint(tt.want) {
				t.Errorf("blocks:\n got %q\nwant %q", got.Blocks, tt.want)
			}
			checkIDs(t, got)
		})
	}
}

// TestRenderFootnoteLinks checks that references and footnotes point at each other after
// sanitizing, including a footnote referenced twice.
func TestRenderFootnoteLinks(t *testing.T) {
	got := string(mustRender(t, NewRenderer(), "One[^a] two[^a].\n\n[^a]: Note.").HTML)
	fn := "fn-" + textHash("Note.")
	ref := "fnref-" + textHash("Note.")
	for _, want := range []string{
		`<sup id="` + ref + `"><a href="#` + fn + `" class="footnote-ref" role="doc-noteref">1</a></sup>`,
		`<sup id="` + ref + `-2"><a href="#` + fn + `"`,
		`<li id="` + fn + `">`,
		`<a href="#` + ref + `" class="footnote-backref" role="doc-backlink">`,
		`<a href="#` + ref + `-2" class="footnote-backref"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("HTML lacks %s:\n%s", want, got)
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	src := longDocument(300)
	r := NewRenderer()
	first := mustRender(t, r, src)
	for i := 0; i < 3; i++ {
		if again := mustRender(t, NewRenderer(), src); again.HTML != first.HTML || fmt.Sprint(again.Blocks) != fmt.Sprint(first.Blocks) {
			t.Fatal("two renders of the same body differ")
		}
	}
}

// TestRenderConcurrent shares one Renderer between goroutines, as the server does; run
// with -race.
// TestRenderNesting checks that absurdly deep nesting, which would make goldmark's parser
// take minutes, is refused quickly, and that ordinary nesting is not.
func TestRenderNesting(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"ordinary nesting", "> - a\n>   - b\n>     1. c\n", true},
		{"thirty levels", strings.Repeat("> ", 30) + "deep", true},
		{"code with indentation", "```\n" + strings.Repeat(" ", 120) + "x\n```", true},
		{"list markers on one line", strings.Repeat("- ", 101) + "a", false},
		{"block quotes on one line", "ok\n\n" + strings.Repeat(">", 101) + " a", false},
		{"ordered list markers", strings.Repeat("1. ", 101), false},
		{"indentation", strings.Repeat(" ", 202) + "- a", false},
		{"a megabyte of nesting", strings.Repeat("- ", MaxFileSize/2), false},
	}
	r := NewRenderer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Render(tt.in)
			if tt.ok && err != nil {
				t.Errorf("Render: %v", err)
			}
			if !tt.ok && portal.ErrorCode(err) != portal.EINVALID {
				t.Errorf("Render error = %v, want EINVALID", err)
			}
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	r := NewRenderer()
	inputs := []string{longDocument(200), readTestFile(t, "testdata/golden/hostile.md"), readTestFile(t, "testdata/golden/cyrillic.md")}
	want := make([]portal.SafeHTML, len(inputs))
	for i, in := range inputs {
		want[i] = mustRender(t, r, in).HTML
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i, in := range inputs {
				if got, err := r.Render(in); err != nil || got.HTML != want[i] {
					t.Errorf("concurrent render of input %d differs (err %v)", i, err)
				}
			}
		})
	}
	wg.Wait()
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello-world"},
		{"  --Trim--  ", "trim"},
		{"Жолооч нарын эрх", "jolooch-naryn-erkh"},
		{"ЁС ЗҮЙ", "yos-zui"},
		{"Өмнөговь", "omnogovi"},
		{"Хууль, цагдаа — 102", "khuuli-tsagdaa-102"},
		{"объект", "obyekt"},
		{"Zamyn-Üüd", "zamyn-uud"},
		{"中文", "section"},
		{"", "section"},
		{strings.Repeat("word ", 40), strings.TrimSuffix(strings.Repeat("word-", 16), "-")},
	}
	for _, tt := range tests {
		got := Slugify(tt.in)
		if got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !portal.ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q is not a valid slug", tt.in, got)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	src := longDocument(3000)
	r := NewRenderer()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(src); err != nil {
			b.Fatal(err)
		}
	}
}

// longDocument generates a realistic guideline of about the given number of words, with
// headings, paragraphs, lists, tables, quotes and footnotes.
func longDocument(words int) string {
	var b strings.Builder
	b.WriteString("# Supporting truck drivers against trafficking and forced labour\n\n")
	for n, section := 0, 1; n < words; section++ {
		fmt.Fprintf(&b, "## Section %d: obligations of companies\n\n", section)
		fmt.Fprintf(&b, "Mining companies in Umnugovi and Dornogovi review the *working conditions* of drivers "+
			"employed by contractors, check that wages are paid in full and on time, and keep a "+
			"[record](https://example.org/records/%d) of every case referred to a service.[^n%d]\n\n", section, section)
		fmt.Fprintf(&b, "### Checks for section %d\n\n", section)
		b.WriteString("- Documents stay with the driver at all times\n- Rest periods are respected in the truck park\n" +
			"- Deductions from wages are recorded in writing\n  - fuel\n  - repairs\n\n")
		b.WriteString("| Check | Who | How often |\n|:--|:-:|--:|\n| Documents | Security | Every entry |\n| Wages | Procurement | Quarterly |\n\n")
		b.WriteString("> A driver who cannot show their own documents is not free to change employers.\n\n")
		fmt.Fprintf(&b, "[^n%d]: See the council decision %d on referral paths, agreed with civil society.\n\n", section, section)
		n += 107 // the words in one section, so the document has about the words asked for
	}
	return b.String()
}

func mustRender(t testing.TB, r *Renderer, src string) *Rendered {
	t.Helper()
	got, err := r.Render(src)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return got
}

func readTestFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update to accept):\n%s", name, got)
	}
}

var (
	tagPattern    = regexp.MustCompile(`<[^>]*>`)
	tagName       = regexp.MustCompile(`^</?([a-zA-Z0-9]*)`)
	attrPattern   = regexp.MustCompile(`\s([^\s="/>]+)(?:="([^"]*)")?`)
	idAttrPattern = regexp.MustCompile(`\sid="([^"]*)"`)
	activeTags    = map[string]bool{"script": true, "style": true, "iframe": true, "object": true,
		"embed": true, "form": true, "svg": true, "math": true, "base": true, "link": true, "meta": true}
	urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "srcset": true}
)

// checkSafe fails unless h is free of script: no script (or other active) elements, no
// event handler attributes and no javascript:, vbscript: or data: URL in an attribute.
// The words "javascript:" may appear as escaped text, which is harmless.
func checkSafe(t testing.TB, h string) {
	t.Helper()
	if strings.Contains(strings.ToLower(h), "<script") {
		t.Errorf("output contains <script:\n%s", h)
	}
	for _, tag := range tagPattern.FindAllString(h, -1) {
		if name := strings.ToLower(tagName.FindStringSubmatch(tag)[1]); activeTags[name] {
			t.Errorf("active element %s in output:\n%s", tag, h)
		}
		for _, attr := range attrPattern.FindAllStringSubmatch(tag, -1) {
			if key := strings.ToLower(attr[1]); strings.HasPrefix(key, "on") || urlAttrs[key] && badURL(attr[2]) {
				t.Errorf("unsafe attribute %s in output:\n%s", attr[0], h)
			}
		}
	}
}

// badURL reports whether v, as a browser reads it (entities decoded, white space and
// control characters dropped, any case), is a script or data URL.
func badURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, strings.ToLower(html.UnescapeString(v)))
	for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
		if strings.HasPrefix(v, scheme) {
			return true
		}
	}
	return false
}

// checkIDs fails unless every id in the HTML is unique and of our shape, and every block
// id appears in the HTML exactly once.
func checkIDs(t testing.TB, got *Rendered) {
	t.Helper()
	inHTML := map[string]int{}
	for _, m := range idAttrPattern.FindAllStringSubmatch(string(got.HTML), -1) {
		inHTML[m[1]]++
		if !idPattern.MatchString(m[1]) {
			t.Errorf("id %q does not match %v", m[1], idPattern)
		}
	}
	for id, n := range inHTML {
		if n > 1 {
			t.Errorf("id %q appears %d times in the HTML", id, n)
		}
	}
	for _, b := range got.Blocks {
		if inHTML[b.ID] != 1 {
			t.Errorf("block id %q is not in the HTML", b.ID)
		}
	}
}
