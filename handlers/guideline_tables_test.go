package handlers_test

import (
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestGuidelineTablesReachable: on a guideline page every table sits in a box that the
// keyboard reaches (it scrolls sideways on a phone), a region named by the heading above
// it, in both languages and in an old revision.
func TestGuidelineTablesReachable(t *testing.T) {
	h := newServer(t).Router
	tests := []struct {
		name, target string
		tables       int // at least
	}{
		{"en", "/guidelines/truck-drivers?lang=en", 1},
		{"mn", "/guidelines/contractor-code?lang=mn", 2},
		{"old revision", "/guidelines/truck-drivers/revisions/1?lang=en", 1},
		{"escaping", "/guidelines/hostile?lang=en", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := getPage(t, h, tt.target)
			tables := r.doc.Find(".body table")
			if tables.Length() < tt.tables {
				t.Fatalf("%d tables, want %d at least", tables.Length(), tt.tables)
			}
			tables.Each(func(i int, table *goquery.Selection) {
				box := table.Parent()
				if !box.Is(`div.table-scroll[tabindex="0"][role="region"]`) {
					t.Errorf("table %d is not in a focusable region: %s", i, goquery.NodeName(box))
				}
				label := box.AttrOr("aria-labelledby", "")
				if heading := r.doc.Find(".body #" + label); label == "" || !heading.Is("h2, h3, h4") {
					t.Errorf("table %d's region is labelled by %q, not a heading", i, label)
				}
			})
		})
	}
}
