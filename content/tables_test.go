package content

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestScrollableTables: every table of a rendered revision sits in a focusable box named
// by the heading before it, the table itself keeps its role, and the rest of the HTML is
// unchanged; a table before any heading is focusable still; markup in a cell stays text.
func TestScrollableTables(t *testing.T) {
	r := NewRenderer()
	tests := []struct {
		name, md string
		labels   []string // each table's box's aria-labelledby, in order
	}{
		{"no table", "# Title\n\nJust text.\n", nil},
		{"two tables under headings", "## Rooms\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Fees\n\ntext\n\n### Sanctions\n\n| c |\n|---|\n| 3 |\n",
			[]string{"rooms", "sanctions"}},
		{"two tables under one heading", "## Rooms\n\n| a |\n|---|\n| 1 |\n\nbetween\n\n| b |\n|---|\n| 2 |\n", []string{"rooms", "rooms"}},
		{"table before any heading", "| a |\n|---|\n| 1 |\n\n## Later\n", []string{""}},
		{"escaping", "## <script>x</script> Цэс\n\n| <table> | `</table>` |\n|---|---|\n| <img src=x onerror=alert(1)> | </div> |\n", []string{"x-tses"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.Render(tt.md)
			if err != nil {
				t.Fatal(err)
			}
			got := string(ScrollableTables(out.HTML))
			if tt.labels == nil && got != string(out.HTML) {
				t.Fatalf("HTML without a table changed:\n%s", got)
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(got))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Find("script, img, [onerror]").Length() > 0 {
				t.Fatalf("markup got through: %s", got)
			}
			boxes := doc.Find("div.table-scroll")
			if boxes.Length() != len(tt.labels) || doc.Find("table").Length() != len(tt.labels) {
				t.Fatalf("%d boxes for %d tables, want %d:\n%s", boxes.Length(), doc.Find("table").Length(), len(tt.labels), got)
			}
			boxes.Each(func(i int, box *goquery.Selection) {
				if box.AttrOr("tabindex", "") != "0" || !box.Children().First().Is("table") {
					t.Errorf("box %d: not focusable, or not around its table: %s", i, got)
				}
				label := box.AttrOr("aria-labelledby", "")
				if label != tt.labels[i] {
					t.Errorf("box %d labelled by %q, want %q", i, label, tt.labels[i])
				}
				if role := box.AttrOr("role", ""); (label != "") != (role == "region") {
					t.Errorf("box %d: role %q with label %q", i, role, label)
				}
				if label != "" && doc.Find("#"+label).Length() != 1 {
					t.Errorf("box %d is labelled by %q, which is no element", i, label)
				}
				if box.Find("table").AttrOr("role", "") != "" {
					t.Errorf("the table %d lost its role", i)
				}
			})
			// Apart from the boxes, the HTML is the same.
			bare := strings.NewReplacer("</table></div>", "</table>").Replace(got)
			for _, l := range tt.labels {
				open := `<div class="table-scroll" tabindex="0">`
				if l != "" {
					open = `<div class="table-scroll" tabindex="0" role="region" aria-labelledby="` + l + `">`
				}
				bare = strings.Replace(bare, open, "", 1)
			}
			if bare != string(out.HTML) {
				t.Errorf("the HTML around the tables changed:\n%s\nwant\n%s", bare, out.HTML)
			}
		})
	}
}
