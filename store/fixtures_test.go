package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// base is a fixed time with milliseconds, the precision the database keeps.
var base = time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// day returns midnight of a date in Mongolia, as front matter dates are parsed.
func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, portal.MongoliaTime)
	return &t
}

// newGuideline returns a guideline with every field set, at revision n (1..n listed).
func newGuideline(slug string, lang portal.Language, n int, updated time.Time) *portal.Guideline {
	g := &portal.Guideline{
		ID:            portal.GuidelineID(slug, lang),
		GuidelineMeta: newMeta(slug, lang),
		Revision:      n,
		Translations:  map[portal.Language]string{lang.Other(): slug + "-" + string(lang.Other())},
		CreatedAt:     base,
		UpdatedAt:     updated,
	}
	for i := 1; i <= n; i++ {
		g.Revisions = append(g.Revisions, portal.RevisionInfo{
			Number: i, Title: g.Title, ChangeNote: fmt.Sprintf("Засвар %d", i), Words: 100 * i,
			CreatedAt: base.Add(time.Duration(i) * time.Hour),
		})
	}
	return g
}

func newMeta(slug string, lang portal.Language) portal.GuidelineMeta {
	return portal.GuidelineMeta{
		Title:          "Уурхайн компаниуд жолооч нарыг хөдөлмөрийн мөлжлөгөөс хамгаалах нь",
		Slug:           slug,
		Language:       lang,
		TranslationKey: "tk-" + slug,
		Summary:        "Өмнөговь, Дорноговь аймгийн тээврийн жолооч нарт зориулсан <удирдамж> & \"заавар\"",
		Tags:           []string{"жолооч", "trafficking"},
		Status:         portal.StatusOpen,
		CommentOpens:   day(2025, 4, 1),
		CommentCloses:  day(2025, 5, 31),
		ChangeNote:     "Анхны хувилбар",
		Example:        true,
	}
}

// newRevision returns revision n of g with a realistic body: blocks blocks of about 130
// bytes of text each, their HTML and a table of contents.
func newRevision(g *portal.Guideline, n, blocks int) *portal.Revision {
	r := &portal.Revision{
		ID:            portal.RevisionID(g.ID, n),
		GuidelineID:   g.ID,
		Number:        n,
		GuidelineMeta: g.GuidelineMeta,
		Hash:          fmt.Sprintf("sha256:%064x", n),
		Words:         20 * blocks,
		CreatedAt:     base.Add(time.Duration(n) * time.Hour),
	}
	var body, html strings.Builder
	for i := range blocks {
		id := fmt.Sprintf("b%d-%x", i, i*7919)
		text := fmt.Sprintf("%d. Компани жолоочийн бичиг баримтыг хураахгүй; trucks rest every 4 hours (item %d).", i, i)
		kind := portal.BlockParagraph
		if i%10 == 0 {
			kind = portal.BlockHeading
			r.TOC = append(r.TOC, portal.TOCEntry{Level: 2, ID: id, Title: fmt.Sprintf("Хэсэг %d", i/10+1)})
		}
		r.Blocks = append(r.Blocks, portal.Block{ID: id, Kind: kind, Text: text})
		fmt.Fprintf(&body, "%s\n\n", text)
		fmt.Fprintf(&html, "<p id=%q>%s</p>\n", id, text)
	}
	r.Body, r.HTML = body.String(), portal.SafeHTML(html.String())
	return r
}
