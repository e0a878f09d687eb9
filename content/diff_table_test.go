package content

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
)

// tableLines writes a table of a diff one line per row, the header first: the row's
// operation, then each cell as its operation's first letter and its spans.
func tableLines(t *DiffTable) []string {
	row := func(r DiffRow) string {
		parts := []string{string(r.Op)}
		for _, c := range r.Cells {
			parts = append(parts, string(c.Op)[:1]+":"+spansText(c.Spans))
		}
		return strings.Join(parts, " | ")
	}
	lines := []string{row(t.Head)}
	for _, r := range t.Rows {
		lines = append(lines, row(r))
	}
	return lines
}

// onlyTable returns the one table block of blocks.
func onlyTable(t *testing.T, blocks []DiffBlock) DiffBlock {
	t.Helper()
	var tables []DiffBlock
	for _, b := range blocks {
		if b.Kind == portal.BlockTable {
			tables = append(tables, b)
		}
	}
	if len(tables) != 1 || tables[0].Table == nil {
		t.Fatalf("%d tables in %+v", len(tables), blocks)
	}
	return tables[0]
}

const tableBefore = `| Risk | Threshold | Action |
|---|---|---|
| Documents retained | Any day | Return within 7 days |
| Unpaid wages | More than 30 days late | Payment within 30 days |
| Excessive hours | More than 14 hours a day | Driver stood down |
`

func TestDiffTables(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		op       DiffOp
		want     []string
		stats    DiffStats
	}{
		{"cells changed", tableBefore, strings.NewReplacer("7 days", "24 hours", "14 hours", "12 hours").Replace(tableBefore),
			DiffChange, []string{
				"equal | e:Risk | e:Threshold | e:Action",
				"change | e:Documents retained | e:Any day | c:Return within <del>7 days</del> <ins>24 hours</ins>",
				"equal | e:Unpaid wages | e:More than 30 days late | e:Payment within 30 days",
				"change | e:Excessive hours | c:More than <del>14</del> <ins>12</ins> hours a day | e:Driver stood down",
			}, DiffStats{Changed: 1, WordsInserted: 3, WordsDeleted: 3}},
		{"row added", tableBefore, tableBefore + "| Unsafe rest | No lighting or water | Remedial plan |\n",
			DiffChange, []string{
				"equal | e:Risk | e:Threshold | e:Action",
				"equal | e:Documents retained | e:Any day | e:Return within 7 days",
				"equal | e:Unpaid wages | e:More than 30 days late | e:Payment within 30 days",
				"equal | e:Excessive hours | e:More than 14 hours a day | e:Driver stood down",
				"insert | i:<ins>Unsafe rest</ins> | i:<ins>No lighting or water</ins> | i:<ins>Remedial plan</ins>",
			}, DiffStats{Changed: 1, WordsInserted: 8}},
		{"row removed", tableBefore, strings.Replace(tableBefore, "| Unpaid wages | More than 30 days late | Payment within 30 days |\n", "", 1),
			DiffChange, []string{
				"equal | e:Risk | e:Threshold | e:Action",
				"equal | e:Documents retained | e:Any day | e:Return within 7 days",
				"delete | d:<del>Unpaid wages</del> | d:<del>More than 30 days late</del> | d:<del>Payment within 30 days</del>",
				"equal | e:Excessive hours | e:More than 14 hours a day | e:Driver stood down",
			}, DiffStats{Changed: 1, WordsDeleted: 11}},
		{"row replaced by an unlike one", tableBefore, strings.Replace(tableBefore, "| Unpaid wages | More than 30 days late | Payment within 30 days |", "| Sexual exploitation | Queue areas | Report to 102 |", 1),
			DiffChange, []string{
				"equal | e:Risk | e:Threshold | e:Action",
				"equal | e:Documents retained | e:Any day | e:Return within 7 days",
				"delete | d:<del>Unpaid wages</del> | d:<del>More than 30 days late</del> | d:<del>Payment within 30 days</del>",
				"insert | i:<ins>Sexual exploitation</ins> | i:<ins>Queue areas</ins> | i:<ins>Report to 102</ins>",
				"equal | e:Excessive hours | e:More than 14 hours a day | e:Driver stood down",
			}, DiffStats{Changed: 1, WordsInserted: 7, WordsDeleted: 11}},
		{"column added", tableBefore, `| Risk | Threshold | Who checks | Action |
|---|---|---|---|
| Documents retained | Any day | CSR staff | Return within 7 days |
| Unpaid wages | More than 30 days late | | Payment within 30 days |
| Excessive hours | More than 14 hours a day | Dispatch | Driver stood down |
`, DiffChange, []string{
			"change | e:Risk | e:Threshold | i:<ins>Who checks</ins> | e:Action",
			"change | e:Documents retained | e:Any day | i:<ins>CSR staff</ins> | e:Return within 7 days",
			"change | e:Unpaid wages | e:More than 30 days late | i: | e:Payment within 30 days",
			"change | e:Excessive hours | e:More than 14 hours a day | i:<ins>Dispatch</ins> | e:Driver stood down",
		}, DiffStats{Changed: 1, WordsInserted: 5}},
		{"column removed and header renamed", tableBefore, `| Risk | Action to take |
|---|---|
| Documents retained | Return within 7 days |
| Unpaid wages | Payment within 30 days |
| Excessive hours | Driver stood down |
`, DiffChange, []string{
			"change | e:Risk | d:<del>Threshold</del> | c:Action <ins>to take</ins>",
			"change | e:Documents retained | d:<del>Any day</del> | e:Return within 7 days",
			"change | e:Unpaid wages | d:<del>More than 30 days late</del> | e:Payment within 30 days",
			"change | e:Excessive hours | d:<del>More than 14 hours a day</del> | e:Driver stood down",
		}, DiffStats{Changed: 1, WordsInserted: 2, WordsDeleted: 14}},
		{"headers renamed", "| Who | When |\n|---|---|\n| CSR team | yearly report |\n| Contract managers | at renewal |\n",
			"| Role | Timing |\n|---|---|\n| CSR team | quarterly report |\n| Contract managers | at renewal |\n",
			DiffChange, []string{"change | c:<del>Who</del> <ins>Role</ins> | c:<del>When</del> <ins>Timing</ins>",
				"change | e:CSR team | c:<del>yearly</del> <ins>quarterly</ins> report", "equal | e:Contract managers | e:at renewal"},
			DiffStats{Changed: 1, WordsInserted: 3, WordsDeleted: 3}},
		{"table added", "Intro.", "Intro.\n\n| A | B |\n|---|---|\n| 1 | 2 |\n",
			DiffInsert, []string{"insert | i:<ins>A</ins> | i:<ins>B</ins>", "insert | i:<ins>1</ins> | i:<ins>2</ins>"},
			DiffStats{Inserted: 1, Unchanged: 1, WordsInserted: 4}},
		{"table removed", "Intro.\n\n| A | B |\n|---|---|\n| 1 | 2 |\n", "Intro.",
			DiffDelete, []string{"delete | d:<del>A</del> | d:<del>B</del>", "delete | d:<del>1</del> | d:<del>2</del>"},
			DiffStats{Deleted: 1, Unchanged: 1, WordsDeleted: 4}},
		{"table kept", "| A | B |\n|---|---|\n| 1 | <b>2</b> |\n", "| A | B |\n|---|---|\n| 1 | <b>2</b> |\n",
			DiffEqual, []string{"equal | e:A | e:B", "equal | e:1 | e:2"}, DiffStats{Unchanged: 1}},
		{"markup in a cell is text", "| A |\n|---|\n| `<b>x</b>` and more words |\n", "| A |\n|---|\n| `<b>y</b>` and more words |\n",
			DiffChange, []string{"equal | e:A", "change | c:<del>&lt;b&gt;x&lt;/b&gt;</del> <ins>&lt;b&gt;y&lt;/b&gt;</ins> and more words"},
			DiffStats{Changed: 1, WordsInserted: 1, WordsDeleted: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks, stats := Diff(testRevision(t, tt.from), testRevision(t, tt.to))
			b := onlyTable(t, blocks)
			if b.Op != tt.op || b.Spans != nil {
				t.Errorf("table block %s with %d spans, want %s and none", b.Op, len(b.Spans), tt.op)
			}
			if got := tableLines(b.Table); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("table\n got %q\nwant %q", got, tt.want)
			}
			if tt.stats != (DiffStats{}) && stats != tt.stats {
				t.Errorf("stats = %+v, want %+v", stats, tt.stats)
			}
		})
	}
}

// TestDiffWithoutBodies: revisions stored without their Markdown (or whose blocks another
// renderer found) are compared as text, as before.
func TestDiffWithoutBodies(t *testing.T) {
	from := testRevision(t, tableBefore+"\n- one\n- two\n")
	to := testRevision(t, strings.Replace(tableBefore, "7 days", "24 hours", 1)+"\n- one\n- two\n")
	from.Body = ""
	to.Body = strings.NewReplacer("Driver", "Truck driver", "- one", "- first", "- two", "- second").Replace(to.Body) // not the blocks stored
	blocks, _ := Diff(from, to)
	for _, b := range blocks {
		if b.Table != nil || b.Item != nil {
			t.Errorf("%s %s has a shape its revision's body does not give", b.Op, b.ID)
		}
	}
	if b := onlyTableOrNil(blocks); b == nil || b.Op != DiffChange || !strings.Contains(spansText(b.Spans), "<del>7 days</del> <ins>24 hours</ins>") {
		t.Errorf("the table is not compared as text: %+v", b)
	}
}

func onlyTableOrNil(blocks []DiffBlock) *DiffBlock {
	for i := range blocks {
		if blocks[i].Kind == portal.BlockTable {
			return &blocks[i]
		}
	}
	return nil
}

// listLines writes the parts of a diff, lists nested by indentation: a list as "ul" or
// "ol", an item as its operation, its number when ordered, and its spans.
func listLines(parts []DiffPart) []string {
	var lines []string
	var list func(l *DiffList, indent string)
	list = func(l *DiffList, indent string) {
		kind := "ul"
		if l.Ordered {
			kind = "ol"
		}
		lines = append(lines, indent+kind)
		for _, it := range l.Items {
			num := ""
			if l.Ordered {
				num = " " + strings.Repeat("#", 0) + itoa(it.Item.Number) + "."
			}
			lines = append(lines, indent+"  "+string(it.Op)+num+" "+spansText(it.Spans))
			for _, sub := range it.Lists {
				list(sub, indent+"    ")
			}
		}
	}
	for _, p := range parts {
		if p.List != nil {
			list(p.List, "")
			continue
		}
		lines = append(lines, string(p.Block.Kind)+" "+string(p.Block.Op)+" "+spansText(p.Block.Spans))
	}
	return lines
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + itoa(n%10)
}

func TestDiffLists(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     []string
	}{
		{"item added and changed", "- Pay on time.\n- Keep documents.\n", "- Pay on time, every month.\n- Keep documents.\n- Give rest days.\n",
			[]string{"ul", "  change Pay on <del>time.</del> <ins>time, every month.</ins>", "  equal Keep documents.", "  insert <ins>Give rest days.</ins>"}},
		{"ordered: numbers as each revision shows them",
			"1. Note the place.\n2. Call 102.\n3. Take a photo.\n4. Wait.\n",
			"1. Note the place.\n2. Call 102.\n3. Do not photograph anyone.\n",
			[]string{"ol", "  equal 1. Note the place.", "  equal 2. Call 102.", "  delete 3. <del>Take a photo.</del>",
				"  delete 4. <del>Wait.</del>", "  insert 3. <ins>Do not photograph anyone.</ins>"}},
		{"nested lists", "- Contracts:\n  - pay\n  - hours\n- Training\n",
			"- Contracts:\n  - pay\n  - hours and rest\n    1. daily\n    2. weekly\n- Training\n",
			[]string{"ul", "  equal Contracts:", "    ul", "      equal pay", "      change hours <ins>and rest</ins>",
				"        ol", "          insert 1. <ins>daily</ins>", "          insert 2. <ins>weekly</ins>", "  equal Training"}},
		{"a list starting at 5", "5. five\n6. six apples\n", "5. five\n6. six ripe apples\n",
			[]string{"ol", "  equal 5. five", "  change 6. six <ins>ripe</ins> apples"}},
		{"two kinds of list", "- a\n\n1. b\n", "- a\n\n1. b\n",
			[]string{"ul", "  equal a", "ol", "  equal 1. b"}},
		{"a paragraph ends a list", "- a\n\nText.\n\n- b\n", "- a\n\nText.\n\n- b\n",
			[]string{"ul", "  equal a", "paragraph equal Text.", "ul", "  equal b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks, _ := Diff(testRevision(t, tt.from), testRevision(t, tt.to))
			if got := listLines(Nest(blocks)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("lists\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestNestRuns lays out runs of items that start and end inside lists, as a page does
// after folding the unchanged items away.
func TestNestRuns(t *testing.T) {
	item := func(depth int, ordered bool, n int, text string) DiffBlock {
		return DiffBlock{Op: DiffEqual, Kind: portal.BlockListItem, Spans: spans(DiffEqual, text),
			Item: &DiffItem{Depth: depth, Ordered: ordered, Number: n}}
	}
	tests := []struct {
		name   string
		blocks []DiffBlock
		want   []string
	}{
		{"starts nested, climbs out", []DiffBlock{item(2, false, 0, "c"), item(1, false, 0, "b"), item(0, true, 3, "a")},
			[]string{"ul", "  equal c", "ul", "  equal b", "ol", "  equal 3. a"}},
		{"skips a level", []DiffBlock{item(0, false, 0, "a"), item(2, false, 0, "c"), item(1, false, 0, "b")},
			[]string{"ul", "  equal a", "    ul", "      equal c", "      equal b"}},
		{"kind changes inside", []DiffBlock{item(0, false, 0, "a"), item(1, false, 0, "b"), item(1, true, 1, "c")},
			[]string{"ul", "  equal a", "    ul", "      equal b", "    ol", "      equal 1. c"}},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listLines(Nest(tt.blocks)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestDiffTruckDrivers compares the starter truck-driver guideline's revisions 1 and 2 in
// both languages: its main change is the indicators table, and its lists stay lists.
func TestDiffTruckDrivers(t *testing.T) {
	for _, lang := range []string{"en", "mn"} {
		t.Run(lang, func(t *testing.T) {
			rev := func(n string) *portal.Revision {
				data, err := fs.ReadFile(Starter(), "guidelines/truck-drivers/"+lang+"."+n+".md")
				if err != nil {
					t.Fatal(err)
				}
				f, err := ParseFile(lang+"."+n+".md", data)
				if err != nil {
					t.Fatal(err)
				}
				return testRevision(t, f.Body)
			}
			blocks, _ := Diff(rev("1"), rev("2"))
			var tables []*DiffTable
			items, ordered := 0, 0
			for _, b := range blocks {
				switch b.Kind {
				case portal.BlockTable:
					if b.Table == nil || b.Spans != nil {
						t.Fatalf("table %s %s is flattened: %q", b.Op, b.ID, spansText(b.Spans))
					}
					tables = append(tables, b.Table)
				case portal.BlockListItem:
					if b.Item == nil {
						t.Errorf("list item %s %s has no place", b.Op, b.ID)
					}
					items++
					if b.Item != nil && b.Item.Ordered {
						ordered++
					}
				}
			}
			if len(tables) != 2 || items < 30 || ordered < 8 {
				t.Fatalf("%d tables, %d items (%d ordered)", len(tables), items, ordered)
			}
			// The indicators table: six rows, five with changed cells, as many columns as before.
			ind := tables[1]
			changed := 0
			for _, r := range ind.Rows {
				if len(r.Cells) != len(ind.Head.Cells) || r.Op == DiffInsert || r.Op == DiffDelete {
					t.Errorf("row %s with %d cells", r.Op, len(r.Cells))
				}
				if r.Op == DiffChange {
					changed++
				}
			}
			if len(ind.Rows) != 6 || changed != 5 || ind.Head.Op != DiffEqual {
				t.Errorf("indicators: %d rows, %d changed, header %s\n%s", len(ind.Rows), changed, ind.Head.Op, strings.Join(tableLines(ind), "\n"))
			}
			if lang == "en" && !strings.Contains(strings.Join(tableLines(ind), "\n"), "c:Documents returned within <del>7 days;</del> <ins>24 hours;</ins> written warning") {
				t.Errorf("indicators:\n%s", strings.Join(tableLines(ind), "\n"))
			}
		})
	}
}
