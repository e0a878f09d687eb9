package content

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
)

const goodFile = `---
title: Supporting truck drivers against trafficking and forced labour
slug: truck-drivers
language: en
translation_key: truck-drivers
summary: 'How mining companies support drivers: "documents stay with the driver".'
tags: [truck drivers, mining companies]
status: open
comment_opens: 2026-10-01
comment_closes: 2027-01-31
revision: 2
date: 2026-10-15
change_note: Added a section on wages.
example: true
---
# Supporting truck drivers

Body text.
`

func mnDate(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, portal.MongoliaTime)
	return &t
}

func TestParseFileGood(t *testing.T) {
	f, err := ParseFile("guidelines/truck-drivers.en.md", []byte(strings.ReplaceAll(goodFile, "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	want := &File{
		Name: "guidelines/truck-drivers.en.md",
		Meta: portal.GuidelineMeta{
			Title:          "Supporting truck drivers against trafficking and forced labour",
			Slug:           "truck-drivers",
			Language:       portal.English,
			TranslationKey: "truck-drivers",
			Summary:        `How mining companies support drivers: "documents stay with the driver".`,
			Tags:           []string{"truck drivers", "mining companies"},
			Status:         portal.StatusOpen,
			CommentOpens:   mnDate(2026, 10, 1),
			CommentCloses:  mnDate(2027, 1, 31),
			ChangeNote:     "Added a section on wages.",
			Example:        true,
		},
		Revision: 2,
		Date:     mnDate(2026, 10, 15),
		Body:     "# Supporting truck drivers\n\nBody text.\n",
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("ParseFile:\n got %+v\nwant %+v", f, want)
	}
	if got := string(Format(f)); got != goodFile {
		t.Errorf("Format of the canonical file changed it:\n%s", got)
	}
}

func TestParseFileErrors(t *testing.T) {
	const name = "guidelines/x.en.md"
	replace := func(old, repl string) string { return strings.Replace(goodFile, old, repl, 1) }
	tests := []struct {
		name  string
		in    string
		code  string
		msg   string // part of the message after the file name
		field string // the field the error marks, if any
	}{
		{"malformed yaml", replace("tags: [truck drivers, mining companies]", "tags: [truck drivers"), portal.EINVALID, "front matter: invalid YAML", ""},
		{"unknown key", replace("title:", "titel:"), portal.EINVALID, `front matter: unknown key "titel" (line 2)`, ""},
		{"duplicate key", replace("slug: truck-drivers", "slug: a\nslug: b"), portal.EINVALID, `slug: appears twice, first on line 3 (line 4)`, "slug"},
		{"missing title", replace("title: Supporting truck drivers against trafficking and forced labour\n", ""), portal.EINVALID, "title is required", "title"},
		{"empty title", replace("title: Supporting truck drivers against trafficking and forced labour", "title:"), portal.EINVALID, "title is required (line 2)", "title"},
		{"bad slug", replace("slug: truck-drivers", "slug: Truck Drivers"), portal.EINVALID, `slug "Truck Drivers" must be lower-case letters, digits and hyphens (line 3)`, "slug"},
		{"unknown language", replace("language: en", "language: fr"), portal.EINVALID, `unknown language "fr": use mn or en (line 4)`, "language"},
		{"bad status", replace("status: open", "status: published"), portal.EINVALID, `unknown status "published"`, "status"},
		{"bad date", replace("comment_opens: 2026-10-01", "comment_opens: 2026-13-01"), portal.EINVALID, `comment_opens: "2026-13-01" is not a date like 2026-10-01 (line 9)`, "comment_opens"},
		{"date with time", replace("date: 2026-10-15", "date: 2026-10-15T10:00:00Z"), portal.EINVALID, `date: "2026-10-15T10:00:00Z" is not a date`, "date"},
		{"closes before opens", replace("comment_closes: 2027-01-31", "comment_closes: 2026-09-30"), portal.EINVALID, "comment_closes is before comment_opens (line 10)", "comment_closes"},
		{"bad revision", replace("revision: 2", "revision: two"), portal.EINVALID, "revision: must be a whole number from 1 up", "revision"},
		{"bad example", replace("example: true", "example: maybe"), portal.EINVALID, "example: must be true or false", "example"},
		{"tags not a list", replace("tags: [truck drivers, mining companies]", "tags: drivers"), portal.EINVALID, "tags: must be a list", "tags"},
		{"title not text", replace("title: Supporting truck drivers against trafficking and forced labour", "title: [a, b]"), portal.EINVALID, "title: must be text", "title"},
		{"front matter not a mapping", "---\n- a\n---\nbody\n", portal.EINVALID, "front matter: must be lines of key: value (line 2)", ""},
		{"keys after document end", replace("status: open", "status: open\n...\ntitel: x"), portal.EINVALID, "front matter: invalid YAML: did not find expected <document start> (line 9)", ""},
		{"second yaml document", replace("status: open", "status: open\n--- !x\ntitel: x"), portal.EINVALID, "front matter: must be a single YAML document (line 9)", ""},
		{"no front matter", "# Just Markdown\n", portal.EINVALID, "front matter: missing", ""},
		{"unclosed front matter", "---\ntitle: x\n", portal.EINVALID, "front matter: no closing --- line", ""},
		{"empty body", strings.SplitAfter(goodFile, "example: true\n---\n")[0] + "\n \n", portal.EINVALID, "body after the front matter is empty", "body"},
		{"invalid utf-8", replace("Body text.", "Body \xff text."), portal.EINVALID, "not valid UTF-8 text (line 18)", ""},
		{"oversize", goodFile + strings.Repeat("x", MaxFileSize), portal.ETOOLARGE, "the limit is 1048576 (1 MiB)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile(name, []byte(tt.in))
			var e *portal.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *portal.Error", err)
			}
			if e.Code != tt.code {
				t.Errorf("code = %q, want %q", e.Code, tt.code)
			}
			if !strings.HasPrefix(e.Message, name+": ") || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message = %q, want %q after the file name", e.Message, tt.msg)
			}
			if _, ok := e.Fields[tt.field]; tt.field != "" && !ok {
				t.Errorf("fields = %v, want %q marked", e.Fields, tt.field)
			}
		})
	}
}

func TestFormatRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		file File
	}{
		{"minimal", File{
			Meta: portal.GuidelineMeta{Title: "T", Slug: "t", Language: portal.English, TranslationKey: "t", Status: portal.StatusDraft},
			Body: "Body\n"}},
		{"cyrillic and awkward strings", File{
			Meta: portal.GuidelineMeta{
				Title:          "Жолооч нарын эрх: «хамгаалалт»",
				Slug:           "jolooch",
				Language:       portal.Mongolian,
				TranslationKey: "2026",
				Summary:        `- starts with a dash: has "double" and 'single' quotes, a # hash and ends with a colon:`,
				Tags:           []string{"ачааны машин", "a, b", "[x]", "true", "null", "#tag", "multi\nline"},
				Status:         portal.StatusAdopted,
				CommentOpens:   mnDate(2026, 1, 2),
				CommentCloses:  mnDate(2026, 2, 3),
				ChangeNote:     "First line\nsecond line: with colon\n",
				Example:        true,
			},
			Revision: 12,
			Date:     mnDate(2026, 3, 4),
			Body:     "\n# Гарчиг\n\n---\n\nBody after a thematic break, no final newline"}},
		{"yes no and numbers", File{
			Meta: portal.GuidelineMeta{Title: "yes", Slug: "no", Language: portal.English, TranslationKey: "on", Summary: "1.5", Status: portal.StatusArchived, ChangeNote: "  leading spaces"},
			Body: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Format(&tt.file)
			got, err := ParseFile(tt.file.Name, out)
			if err != nil {
				t.Fatalf("ParseFile(Format(f)): %v\n%s", err, out)
			}
			if !reflect.DeepEqual(got, &tt.file) {
				t.Errorf("round trip changed the file:\n got %+v\nwant %+v\n%s", got, &tt.file, out)
			}
			if again := Format(got); string(again) != string(out) {
				t.Errorf("Format is not a fixed point:\n%s\n---- then ----\n%s", out, again)
			}
		})
	}
}

func TestHash(t *testing.T) {
	f, err := ParseFile("a.md", []byte(goodFile))
	if err != nil {
		t.Fatal(err)
	}
	base := Hash(f)
	if len(base) != 64 {
		t.Fatalf("Hash = %q, want 64 hex digits", base)
	}
	tests := []struct {
		name   string
		change func(f *File)
		same   bool
	}{
		{"revision ignored", func(f *File) { f.Revision = 7 }, true},
		{"date ignored", func(f *File) { f.Date = mnDate(2030, 1, 1) }, true},
		{"name ignored", func(f *File) { f.Name = "b.md" }, true},
		{"body counts", func(f *File) { f.Body += "More.\n" }, false},
		{"title counts", func(f *File) { f.Meta.Title += "!" }, false},
		{"status counts", func(f *File) { f.Meta.Status = portal.StatusAdopted }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := *f
			tt.change(&c)
			if got := Hash(&c); (got == base) != tt.same {
				t.Errorf("Hash = %s, base %s, want same=%v", got, base, tt.same)
			}
		})
	}
}
