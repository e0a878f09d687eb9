package handlers_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestDirectoryFoldsFilters: a chip row stays in view until something in it is chosen;
// once a filter is chosen, every chosen filter is listed as a link that removes it and the
// other filters fold into a closed "Filters" (open again when the form has errors).
func TestDirectoryFoldsFilters(t *testing.T) {
	s := directorySite(t)
	tests := []struct {
		name    string
		target  string
		status  int
		open    bool
		summary string
		outside []string          // the chip rows in view (aria-label), in order
		chosen  map[string]string // chosen filter → must be in its removing link, "-x=" must not
	}{
		{name: "nothing chosen", target: "/directory?lang=en", status: 200, open: true, summary: "Filters",
			outside: []string{"Where", "Type of help"}},
		{name: "a place", target: "/directory?aimag=umnugovi&lang=en", status: 200, summary: "Change filters",
			outside: []string{"Type of help"}, chosen: map[string]string{"Ömnögovi": "-aimag="}},
		{name: "a place, a type and a toggle", target: "/directory?aimag=umnugovi&type=shelter&free=1&lang=mn", status: 200,
			summary: "Шүүлтүүр өөрчлөх",
			chosen:  map[string]string{"Өмнөговь": "-aimag=", "Хамгаалах байр": "-type=", "Үнэ төлбөргүй": "-free="}},
		{name: "a soum names its aimag once", target: "/directory?soum=khanbogd&lang=en", status: 200, summary: "Change filters",
			outside: []string{"Type of help"}, chosen: map[string]string{"Khanbogd, Ömnögovi": "-soum="}},
		{name: "escaping: words", target: "/directory?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&lang=en", status: 200, summary: "Change filters",
			outside: []string{"Where", "Type of help"}, chosen: map[string]string{"“<script>alert(1)</script>”": "-words="}},
		{name: "a page past the end: no link to a list that is not there", target: "/directory?page=4&lang=en", status: 404, open: true,
			summary: "Filters", outside: []string{"Where", "Type of help"}},
		{name: "errors keep it open", target: "/directory?aimag=mars&lang=en", status: 400, open: true, summary: "Filters",
			outside: []string{"Where", "Type of help"}},
		{name: "errors beside a chosen filter keep it open", target: "/directory?type=shelter&open=yes&lang=en", status: 400, open: true,
			summary: "Change filters", outside: []string{"Where"}, chosen: map[string]string{"Shelter": "-type="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s.Router, "GET", tt.target)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d", r.Code, tt.status)
			}
			if strings.Contains(r.body, "<script>alert") {
				t.Fatal("the words reach the page unescaped")
			}
			details := r.doc.Find("main details.dir-filters")
			if _, open := details.Attr("open"); details.Length() != 1 || open != tt.open {
				t.Errorf("%d × details.dir-filters, open %v; want one, open %v", details.Length(), open, tt.open)
			}
			if got := strings.TrimSpace(details.ChildrenFiltered("summary").Text()); got != tt.summary {
				t.Errorf("summary %q, want %q", got, tt.summary)
			}
			var outside []string
			r.doc.Find("main > nav.dir-quick").Each(func(_ int, n *goquery.Selection) { outside = append(outside, n.AttrOr("aria-label", "")) })
			if strings.Join(outside, "|") != strings.Join(tt.outside, "|") {
				t.Errorf("chip rows in view %q, want %q", outside, tt.outside)
			}
			if n := r.doc.Find("nav.dir-quick").Length(); n != 3 {
				t.Errorf("%d chip rows in all, want 3 (place, type, hours and fees)", n)
			}
			if jump := r.doc.Find(`.dir-jump a[href="#dir-count"]`).Length(); jump != 0 && r.doc.Find("#dir-count").Length() == 0 ||
				jump == 0 && tt.name == "nothing chosen" {
				t.Errorf("%d links to the list, %d lists", jump, r.doc.Find("#dir-count").Length())
			}
			links := r.doc.Find("main > .dir-active a.chip.current")
			if links.Length() != len(tt.chosen) {
				t.Errorf("%d chosen filters listed, want %d: %q", links.Length(), len(tt.chosen), links.Text())
			}
			for label, gone := range tt.chosen {
				link := links.FilterFunction(func(_ int, a *goquery.Selection) bool {
					return strings.HasPrefix(strings.TrimSpace(a.Text()), label+" ×")
				})
				href := link.AttrOr("href", "")
				if link.Length() != 1 || strings.Contains(href, strings.TrimPrefix(gone, "-")) {
					t.Errorf("%q: %d links, href %q; want one whose address has no %s", label, link.Length(), href, gone[1:])
				}
			}
		})
	}
}
