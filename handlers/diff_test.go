package handlers_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/PuerkitoBio/goquery"
)

// hostileRevisions is a guideline whose second revision changes a table and a list, every
// cell and item trying to inject markup.
var hostileRevisions = fstest.MapFS{
	"guidelines/hostile-diff/en.1.md": {Data: []byte(`---
title: Hostile diff
slug: hostile-diff
language: en
translation_key: hostile-diff
status: draft
revision: 1
date: 2026-01-05
---
| Risk | Action ` + "`<b>now</b>`" + ` |
|---|---|
| Documents ` + "`<script>alert(1)</script>`" + ` retained | Return them within 7 days |

- Keep ` + "`<img src=x onerror=alert(1)>`" + ` documents safe.
- Pay on time.
`)},
	"guidelines/hostile-diff/en.2.md": {Data: []byte(`---
title: Hostile diff
slug: hostile-diff
language: en
translation_key: hostile-diff
status: draft
revision: 2
date: 2026-02-05
---
| Risk | Action ` + "`<b>now</b>`" + ` |
|---|---|
| Documents ` + "`<script>alert(1)</script>`" + ` retained | Return them within 24 hours ` + "`\"><script>alert(2)</script>`" + ` |
| Debt | Freeze ` + "`<iframe src=x>`" + ` deductions |

- Keep ` + "`<img src=x onerror=alert(1)>`" + ` documents safe and dry.
- Pay on time.
`)},
	"guidelines/hostile-diff/mn.1.md": {Data: []byte(`---
title: Хортой харьцуулалт
slug: hostile-diff
language: mn
translation_key: hostile-diff
status: draft
revision: 1
date: 2026-01-05
---
Сайн байна уу <script>alert(1)</script>.
`)},
	"guidelines/hostile-diff/mn.2.md": {Data: []byte(`---
title: Хортой харьцуулалт
slug: hostile-diff
language: mn
translation_key: hostile-diff
status: draft
revision: 2
date: 2026-02-05
---
Сайн байна уу <script>alert(2)</script>.
`)},
}

// TestDiffPage checks the revision diff as the page shows it: a table as a table with its
// changed cells marked, lists as lists, counts that agree with their numbers, in both
// languages, and markup in cells and items shown as text.
func TestDiffPage(t *testing.T) {
	p := newServer(t)
	p.ImportGuidelines(t, hostileRevisions)
	tests := []struct {
		name, target string
		rowChanged   string // the hidden label of a changed row
		unchangedOne string // a fold of one block
	}{
		{"truck drivers en", "/guidelines/truck-drivers/diff?from=1&to=2&lang=en", "Row changed:", "1 unchanged paragraph"},
		{"truck drivers mn", "/guidelines/truck-drivers/diff?from=1&to=2&lang=mn", "Өөрчилсөн мөр:", "Өөрчлөгдөөгүй 1 догол мөр"},
		{"escaping", "/guidelines/hostile-diff/diff?from=1&to=2&lang=en", "Row changed:", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, p.Router, "GET", tt.target)
			if r.Code != 200 {
				t.Fatalf("status %d\n%.800s", r.Code, r.body)
			}
			diff := r.doc.Find(".diff")
			// Every table block is a table; none is run together into text.
			diff.Find(".d-block.d-table").Each(func(_ int, b *goquery.Selection) {
				if b.Find("table.d-table thead th").Length() == 0 || b.Find("tbody tr").Length() == 0 {
					t.Errorf("a table shown as text: %q", b.Text())
				}
			})
			changed := diff.Find("table.d-table tr.d-row-change")
			if changed.Length() == 0 || diff.Find("td.d-cell-change ins").Length() == 0 || diff.Find("td.d-cell-change del").Length() == 0 {
				t.Fatalf("no changed row with marked cells\n%.3000s", r.body)
			}
			if got := strings.TrimSpace(changed.First().Find("td").First().Find(".visually-hidden").First().Text()); got != tt.rowChanged {
				t.Errorf("changed row says %q, want %q", got, tt.rowChanged)
			}
			// Every <ins> and <del> says where it starts and ends, in the page's language.
			diff.Find("ins, del").Each(func(_ int, s *goquery.Selection) {
				if s.Find(".visually-hidden").Length() != 2 {
					t.Errorf("%s %q has no text alternative", goquery.NodeName(s), s.Text())
				}
			})
			// List items are in lists.
			if n := diff.Find("li").Length(); n == 0 || diff.Find("li").Not(".d-list > li").Length() != 0 {
				t.Errorf("%d items, some outside a list", n)
			}
			// Each fold's count is the number of blocks in it, in words that agree with it.
			en := strings.HasSuffix(tt.target, "lang=en")
			ones := 0
			diff.Find("details.unchanged").Each(func(_ int, d *goquery.Selection) {
				n := d.Find(".d-block, li").Length()
				want := "Өөрчлөгдөөгүй " + strconv.Itoa(n) + " догол мөр"
				if en {
					want = strconv.Itoa(n) + " unchanged paragraphs"
					if n == 1 {
						want = "1 unchanged paragraph"
					}
				}
				if got := strings.TrimSpace(d.Find("summary").Text()); got != want {
					t.Errorf("fold says %q, holds %d blocks", got, n)
				}
				if n == 1 {
					ones++
				}
			})
			if tt.unchangedOne != "" && (ones == 0 || !strings.Contains(diff.Text(), tt.unchangedOne)) {
				t.Errorf("no fold of one block reads %q", tt.unchangedOne)
			}
			assertNoInjection(t, r)
		})
	}

	// The truck-driver guideline: its ordered steps keep their numbers, and the indicators
	// table's cells show what changed.
	r := get(t, p.Router, "GET", "/guidelines/truck-drivers/diff?from=1&to=2&lang=en")
	if r.doc.Find(`.diff ol.d-list > li[value]`).Length() == 0 {
		t.Error("an ordered list lost its numbers")
	}
	cell := r.doc.Find(".diff td.d-cell-change").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.HasPrefix(strings.TrimSpace(s.Text()), "Documents returned within")
	})
	if cell.Length() != 1 || cell.Find("del").Length() != 1 || cell.Find("ins").Length() != 1 ||
		!strings.Contains(cell.Find("del").Text(), "7 days;") || !strings.Contains(cell.Find("ins").Text(), "24 hours;") {
		t.Errorf("indicators cell: %q", cell.Text())
	}
	if got := r.text(".diff-stats"); !regexp.MustCompile(`^(1 paragraph|([02-9]|\d\d+) paragraphs) changed, \d+ added, \d+ removed, \d+ unchanged\.$`).MatchString(got) {
		t.Errorf("stats %q", got)
	}

	// The hostile guideline: the added row and the changed cell hold markup, as text.
	r = get(t, p.Router, "GET", "/guidelines/hostile-diff/diff?from=1&to=2&lang=en")
	added := r.doc.Find(".diff tr.d-row-insert")
	if added.Length() != 1 || !strings.Contains(added.Text(), "Freeze <iframe src=x> deductions") || r.doc.Find(".diff iframe").Length() != 0 {
		t.Errorf("added row %q", added.Text())
	}
	if !strings.Contains(r.doc.Find(".diff td.d-cell-change ins").Text(), `"><script>alert(2)</script>`) {
		t.Errorf("changed cell %q", r.doc.Find(".diff td.d-cell-change").Text())
	}
	if r.doc.Find(".diff ul.d-list > li.d-change ins").Length() != 1 || !strings.Contains(r.doc.Find(".diff ul.d-list > li.d-change").Text(), "<img src=x onerror=alert(1)>") {
		t.Errorf("changed item %q", r.doc.Find(".diff ul.d-list").Text())
	}
}
