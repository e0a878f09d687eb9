package store

import (
	"slices"
	"time"

	"github.com/gobidialogue/portal"
)

// The document types below are how guidelines and revisions look in the database. They are
// separate from the root package's types so that field names in the database are chosen here,
// explicitly, and the root package stays free of driver tags. Nil slices and maps are stored as
// null and empty ones as empty arrays and documents, so both read back exactly as written.

// metaDoc is portal.GuidelineMeta, inlined in both guideline and revision documents.
type metaDoc struct {
	Title          string     `bson:"title"`
	Slug           string     `bson:"slug"`
	Language       string     `bson:"language"`
	TranslationKey string     `bson:"translation_key"`
	Summary        string     `bson:"summary"`
	Tags           []string   `bson:"tags"`
	Status         string     `bson:"status"`
	CommentOpens   *time.Time `bson:"comment_opens"`
	CommentCloses  *time.Time `bson:"comment_closes"`
	ChangeNote     string     `bson:"change_note"`
	Example        bool       `bson:"example"`
}

// guidelineDoc is a document in the guidelines collection. List pages scan this collection,
// so it holds no Markdown or HTML, only the current meta and the revision summaries.
type guidelineDoc struct {
	ID           string            `bson:"_id"`
	Meta         metaDoc           `bson:",inline"`
	Revision     int               `bson:"revision"`
	Revisions    []revisionInfoDoc `bson:"revisions"`
	Translations map[string]string `bson:"translations"`
	CreatedAt    time.Time         `bson:"created_at"`
	UpdatedAt    time.Time         `bson:"updated_at"`
}

type revisionInfoDoc struct {
	Number     int       `bson:"number"`
	Title      string    `bson:"title"`
	ChangeNote string    `bson:"change_note"`
	Words      int       `bson:"words"`
	CreatedAt  time.Time `bson:"created_at"`
}

// revisionDoc is a document in the revisions collection.
type revisionDoc struct {
	ID          string    `bson:"_id"`
	GuidelineID string    `bson:"guideline_id"`
	Number      int       `bson:"number"`
	Meta        metaDoc   `bson:",inline"`
	Hash        string    `bson:"hash"`
	HTML        string    `bson:"html"`
	TOC         []tocDoc  `bson:"toc"`
	Words       int       `bson:"words"`
	CreatedAt   time.Time `bson:"created_at"`
}

// sourceDoc is a document in the revision_sources collection: the parts of a revision that
// only import, export and diffs need, kept apart so that showing a page decodes half as
// much (the embedded engine's cost grows with the document: about 4 ms for a whole
// revision, under 2 ms without these).
type sourceDoc struct {
	ID     string     `bson:"_id"` // the revision's ID
	Body   string     `bson:"body"`
	Blocks *blocksDoc `bson:"blocks"`
}

type tocDoc struct {
	Level int    `bson:"level"`
	ID    string `bson:"id"`
	Title string `bson:"title"`
}

// blocksDoc stores a revision's blocks as three parallel arrays of strings rather than an
// array of documents: the embedded engine decodes every stored document from JSON with a
// schema, and a few hundred small documents cost it several times what three string arrays
// do (measured: FindRevision went from about 10 ms to under 4 ms).
type blocksDoc struct {
	IDs   []string `bson:"ids"`
	Kinds []string `bson:"kinds"`
	Texts []string `bson:"texts"`
}

func toMetaDoc(m *portal.GuidelineMeta) metaDoc {
	return metaDoc{
		Title:          m.Title,
		Slug:           m.Slug,
		Language:       string(m.Language),
		TranslationKey: m.TranslationKey,
		Summary:        m.Summary,
		Tags:           m.Tags,
		Status:         string(m.Status),
		CommentOpens:   utcPtr(m.CommentOpens),
		CommentCloses:  utcPtr(m.CommentCloses),
		ChangeNote:     m.ChangeNote,
		Example:        m.Example,
	}
}

func (d *metaDoc) meta() portal.GuidelineMeta {
	return portal.GuidelineMeta{
		Title:          d.Title,
		Slug:           d.Slug,
		Language:       portal.Language(d.Language),
		TranslationKey: d.TranslationKey,
		Summary:        d.Summary,
		Tags:           slices.Clone(d.Tags), // d may be cached: callers get their own
		Status:         portal.GuidelineStatus(d.Status),
		CommentOpens:   mongoliaDate(d.CommentOpens),
		CommentCloses:  mongoliaDate(d.CommentCloses),
		ChangeNote:     d.ChangeNote,
		Example:        d.Example,
	}
}

// utcPtr returns t in UTC, so that stored times do not depend on the writer's zone.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// mongoliaDate returns a stored comment date in portal.MongoliaTime, the zone in which such
// dates are midnight, so that it prints as the day it was written as.
func mongoliaDate(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	m := t.In(portal.MongoliaTime)
	return &m
}

func toGuidelineDoc(g *portal.Guideline) *guidelineDoc {
	d := &guidelineDoc{
		ID:        g.ID,
		Meta:      toMetaDoc(&g.GuidelineMeta),
		Revision:  g.Revision,
		CreatedAt: g.CreatedAt.UTC(),
		UpdatedAt: g.UpdatedAt.UTC(),
	}
	if g.Revisions != nil {
		d.Revisions = make([]revisionInfoDoc, len(g.Revisions))
		for i, r := range g.Revisions {
			d.Revisions[i] = revisionInfoDoc{
				Number: r.Number, Title: r.Title, ChangeNote: r.ChangeNote, Words: r.Words, CreatedAt: r.CreatedAt.UTC(),
			}
		}
	}
	d.Translations = translationsDoc(g.Translations)
	return d
}

func translationsDoc(tr map[portal.Language]string) map[string]string {
	if tr == nil {
		return nil
	}
	d := make(map[string]string, len(tr))
	for lang, slug := range tr {
		d[string(lang)] = slug
	}
	return d
}

func (d *guidelineDoc) guideline() *portal.Guideline {
	g := &portal.Guideline{
		ID:            d.ID,
		GuidelineMeta: d.Meta.meta(),
		Revision:      d.Revision,
		CreatedAt:     d.CreatedAt,
		UpdatedAt:     d.UpdatedAt,
	}
	if d.Revisions != nil {
		g.Revisions = make([]portal.RevisionInfo, len(d.Revisions))
		for i, r := range d.Revisions {
			g.Revisions[i] = portal.RevisionInfo{
				Number: r.Number, Title: r.Title, ChangeNote: r.ChangeNote, Words: r.Words, CreatedAt: r.CreatedAt,
			}
		}
	}
	if d.Translations != nil {
		g.Translations = make(map[portal.Language]string, len(d.Translations))
		for lang, slug := range d.Translations {
			g.Translations[portal.Language(lang)] = slug
		}
	}
	return g
}

func toRevisionDoc(r *portal.Revision) *revisionDoc {
	d := &revisionDoc{
		ID:          r.ID,
		GuidelineID: r.GuidelineID,
		Number:      r.Number,
		Meta:        toMetaDoc(&r.GuidelineMeta),
		Hash:        r.Hash,
		HTML:        string(r.HTML),
		Words:       r.Words,
		CreatedAt:   r.CreatedAt.UTC(),
	}
	if r.TOC != nil {
		d.TOC = make([]tocDoc, len(r.TOC))
		for i, e := range r.TOC {
			d.TOC[i] = tocDoc{Level: e.Level, ID: e.ID, Title: e.Title}
		}
	}
	return d
}

func toSourceDoc(r *portal.Revision) *sourceDoc {
	d := &sourceDoc{ID: r.ID, Body: r.Body}
	if r.Blocks != nil {
		n := len(r.Blocks)
		d.Blocks = &blocksDoc{IDs: make([]string, n), Kinds: make([]string, n), Texts: make([]string, n)}
		for i, b := range r.Blocks {
			d.Blocks.IDs[i], d.Blocks.Kinds[i], d.Blocks.Texts[i] = b.ID, string(b.Kind), b.Text
		}
	}
	return d
}

// addTo fills in the body and blocks of r.
func (d *sourceDoc) addTo(r *portal.Revision) {
	r.Body = d.Body
	if b := d.Blocks; b != nil {
		r.Blocks = make([]portal.Block, len(b.IDs))
		for i := range r.Blocks {
			r.Blocks[i] = portal.Block{ID: b.IDs[i], Kind: portal.BlockKind(at(b.Kinds, i)), Text: at(b.Texts, i)}
		}
	}
}

func (d *revisionDoc) revision() *portal.Revision {
	r := &portal.Revision{
		ID:            d.ID,
		GuidelineID:   d.GuidelineID,
		Number:        d.Number,
		GuidelineMeta: d.Meta.meta(),
		Hash:          d.Hash,
		// The HTML was sanitized by content/ before it was saved; the database is trusted.
		HTML:      portal.SafeHTML(d.HTML),
		Words:     d.Words,
		CreatedAt: d.CreatedAt,
	}
	if d.TOC != nil {
		r.TOC = make([]portal.TOCEntry, len(d.TOC))
		for i, e := range d.TOC {
			r.TOC[i] = portal.TOCEntry{Level: e.Level, ID: e.ID, Title: e.Title}
		}
	}
	return r
}

// at returns s[i], or "" when a damaged document has a shorter array.
func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}
