package handlers_test

import (
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/PuerkitoBio/goquery"
)

// quotedNotices are guidelines whose Markdown carries its own example notice, as the starter
// guidelines do: one marked as an example (the page shows the template's notice, not the
// body's too), one that is not (the body's quote is then the only notice and stays), and one
// whose notice tries to inject markup.
var quotedNotices = func() fstest.MapFS {
	fsys := fstest.MapFS{}
	for slug, page := range map[string]struct{ example, body string }{
		"quoted-example": {"true", `A lead paragraph.

> **Example text.** Written to show the portal.

## First section

> **Example text.** A quote in a section is the author's text.
`},
		"quoted-agreed": {"false", `> **Example text.** Not marked as an example: this quote is the only notice.

## First section

Text.
`},
		"quoted-hostile": {"true", `> **Example text.** <script>alert('quote')</script> and <b>bold</b>.

## First section

Text.
`},
	} {
		for _, lang := range []string{"en", "mn"} {
			fsys["guidelines/"+slug+"/"+lang+".1.md"] = &fstest.MapFile{Data: []byte("---\ntitle: " + slug +
				"\nslug: " + slug + "\nlanguage: " + lang + "\ntranslation_key: " + slug +
				"\nstatus: draft\nrevision: 1\ndate: 2026-10-01\nexample: " + page.example + "\n---\n" + page.body)}
		}
	}
	return fsys
}()

// exampleTitle is how an example notice opens, in either language.
var exampleTitle = regexp.MustCompile(`^(Example text\.|Жишээ бичвэр\.|Жишээ текст\.)`)

// exampleNotices counts what the page shows as example notices: the template's, and a
// quote in the guideline's body that opens like one.
func exampleNotices(r *response) int {
	n := r.doc.Find("main .example").Length()
	r.doc.Find("main .body blockquote").Each(func(_ int, q *goquery.Selection) {
		if exampleTitle.MatchString(strings.TrimSpace(q.Text())) {
			n++
		}
	})
	return n
}

// TestGuidelinePhoneFirst: a guideline page shows one example notice (the template's, when
// the guideline is an example whose body carries its own before its first section), and its
// contents in a <details>, closed, that a phone opens with a tap; in both languages, for an
// old revision too.
func TestGuidelinePhoneFirst(t *testing.T) {
	p := newServer(t)
	p.ImportGuidelines(t, quotedNotices)
	h := p.Router
	tests := []struct {
		name, target string
		notices      int
		sectionQuote bool   // a quote opening like a notice, after the first heading, stays
		contents     string // the <details>'s summary, "" when the guideline has no sections
	}{
		{"mn", "/guidelines/truck-drivers?lang=mn", 1, false, "Агуулга"},
		{"en", "/guidelines/truck-drivers?lang=en", 1, false, "Contents"},
		{"old revision", "/guidelines/truck-drivers/revisions/1?lang=en", 1, false, "Contents"},
		{"other starter", "/guidelines/contractor-code?lang=mn", 1, false, "Агуулга"},
		{"quote in a section stays", "/guidelines/quoted-example?lang=en", 2, true, "Contents"},
		{"not an example", "/guidelines/quoted-agreed?lang=en", 1, false, "Contents"},
		{"escaping", "/guidelines/quoted-hostile?lang=en", 1, false, "Contents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := getPage(t, h, tt.target)
			if strings.Contains(r.body, "<b>bold") {
				t.Fatal("markup reached the page")
			}
			if n := exampleNotices(r); n != tt.notices {
				t.Errorf("%d example notices, want %d", n, tt.notices)
			}
			if got := r.doc.Find("main .body h2 ~ blockquote").Length() > 0; got != tt.sectionQuote {
				t.Errorf("a quote after the first section's heading: %v, want %v", got, tt.sectionQuote)
			}
			details := r.doc.Find("main nav.toc > details.toc")
			if details.Length() != 1 {
				t.Fatalf("%d contents <details>, want 1", details.Length())
			}
			if _, open := details.Attr("open"); open {
				t.Error("the contents are rendered open: a phone shows the whole list before the text")
			}
			if s := strings.TrimSpace(details.ChildrenFiltered("summary").First().Text()); s != tt.contents {
				t.Errorf("summary %q, want %q", s, tt.contents)
			}
			if links := details.Find("ul li a[href^='#']"); links.Length() == 0 {
				t.Error("no links in the contents")
			}
			if label := r.doc.Find("main nav.toc").AttrOr("aria-labelledby", ""); r.doc.Find("#"+label).Is("summary") != true {
				t.Errorf("the contents' nav is labelled by %q, not its summary", label)
			}
			if r.doc.Find(`script[src*="toc"]`).Length() != 1 {
				t.Error("no toc script: the wide screen's column stays closed")
			}
		})
	}
}
