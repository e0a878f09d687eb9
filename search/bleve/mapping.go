package bleve

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
)

// schemaVersion numbers the mapping below and the way records are turned into documents.
// Bump it whenever either changes: an index built with another version is rebuilt on Open.
const schemaVersion = 10

// Field names of the index.
const (
	fieldID       = "id"
	fieldKind     = "kind"
	fieldThing    = "thing" // stored, for a hit's Thing
	fieldLanguage = "language"
	fieldAimags   = "aimags"
	fieldTypes    = "types"
	fieldYear     = "year"
	fieldFacets   = "facets" // all facet values of a record in one term: facetSet
	fieldHitKey   = "hitkey" // what a search for things reads of a hit, in one term: hitKey
	fieldUpdated  = "updated"
	fieldRecency  = "updated_sort" // updated as a short sortable term: recency
	fieldHash     = "hash"
	fieldURL      = "url"
	fieldTitle    = "title"
	fieldBody     = "body"
	fieldPlaces   = "places"
	fieldTitleF   = "title_f"  // search.Fold of title
	fieldPlacesF  = "places_f" // search.Fold of places: ranks a record about a place above one that mentions it
	fieldTextF    = "text_f"   // search.Fold of title, places and body: what words must match
)

// Analyzers of the text fields.
const (
	// textAnalyzer splits on Unicode word boundaries and lower-cases: it suits Mongolian
	// Cyrillic and English alike, and has no stemmer, which would mangle Mongolian.
	textAnalyzer = "portal_text"
	// foldAnalyzer splits search.Fold's output on its single spaces: Fold has already
	// lower-cased and normalised it.
	foldAnalyzer = "portal_fold"
)

// storedFields are the stored fields a hit is built from.
var storedFields = []string{fieldTitle, fieldBody, fieldURL, fieldKind, fieldLanguage, fieldThing}

// newMapping returns the index mapping: one static document type, no dynamic fields, no
// _all field, no term vectors (snippets are marked by this package, see snippet.go).
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false
	if err := im.AddCustomAnalyzer(textAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name},
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(foldAnalyzer, map[string]any{
		"type":      custom.Name,
		"tokenizer": whitespace.Name,
	}); err != nil {
		return nil, err
	}
	im.DefaultAnalyzer = textAnalyzer

	doc := mapping.NewDocumentStaticMapping()
	add := func(name string, fm *mapping.FieldMapping) {
		fm.Name = name
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		doc.AddFieldMappingsAt(name, fm)
	}
	// Keyword fields keep their norms although nothing scores them: without, zap's norm is
	// 1/√0, and a filter's term, boosted 0, would score 0·∞, NaN, for every hit.
	keywordField := func(store, docValues bool) *mapping.FieldMapping {
		fm := mapping.NewKeywordFieldMapping()
		fm.Store, fm.DocValues = store, docValues
		return fm
	}
	textField := func(analyzer string, store bool) *mapping.FieldMapping {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer, fm.Store, fm.DocValues = analyzer, store, false
		return fm
	}
	add(fieldID, keywordField(false, false))
	add(fieldKind, keywordField(true, false))
	thing := keywordField(true, false)
	thing.Index = false
	add(fieldThing, thing)
	add(fieldLanguage, keywordField(true, false))
	add(fieldAimags, keywordField(false, false))
	add(fieldTypes, keywordField(false, false))
	add(fieldFacets, keywordField(false, true)) // indexed by newDocument, see columnOptions
	add(fieldHitKey, keywordField(false, true)) // indexed by newDocument, see columnOptions
	add(fieldHash, keywordField(true, true))
	url := keywordField(true, false)
	url.Index = false
	add(fieldURL, url)
	year := mapping.NewNumericFieldMapping()
	year.Store = false
	add(fieldYear, year)
	// updated is a datetime for range queries, without doc values: bleve would keep all
	// sixteen prefix-coded terms of the number there. Searches sort by updated_sort.
	updated := mapping.NewDateTimeFieldMapping()
	updated.Store, updated.DocValues = false, false
	add(fieldUpdated, updated)
	add(fieldRecency, keywordField(false, true)) // indexed by newDocument, see columnOptions
	add(fieldTitle, textField(textAnalyzer, true))
	add(fieldBody, textField(textAnalyzer, true))
	add(fieldPlaces, textField(textAnalyzer, false))
	add(fieldTitleF, textField(foldAnalyzer, false))
	add(fieldPlacesF, textField(foldAnalyzer, false))
	add(fieldTextF, textField(foldAnalyzer, false))

	im.DefaultMapping = doc
	return im, im.Validate()
}

// foldProbe exercises every rule of search.Fold, so that mappingVersion changes when Fold
// does: an index folded by an older Fold would silently stop matching transliterations.
const foldProbe = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯӨҮ абвгдеёжзийклмнопрстуфхцчшщъыьэюяөү " +
	"ЄєѲѳЇїұәһі Замын Vvд Ömnögovi Zamyn-Üüd Khanbogd zhkh ch cecii óòôőűúùûø ýÿíìîï wb " +
	"áàâäãåā éèêëē ç ñ š ž č a\u0308 o\u0308 108 中文 \x00\u200b\"*:-()[]\\ ii uu tt"

// mappingVersion identifies the mapping and the folding an index was built with.
func mappingVersion() string {
	sum := sha256.Sum256([]byte(search.Fold(foldProbe)))
	return fmt.Sprintf("%d-%x", schemaVersion, sum[:6])
}

// columnOptions index the fields read for every hit, facets, updated_sort and hitkey, as
// bleve indexes geo points: doc values kept per record and uncompressed, and no norms,
// for no query scores them. With the mapping's
// options, bleve decompresses a block of a thousand records' values for each hit in
// another block, which cost more than the rest of a search with many hits.
const columnOptions = index.IndexField | index.DocValues | index.SkipFreqNorm |
	index.SkipDVCompression | index.SkipDVChunking

// newDocument maps a record to bleve's document: its fields through the mapping, then the
// columns with columnOptions, which a mapping cannot ask for.
func newDocument(m mapping.IndexMapping, keyword analysis.Analyzer, d portal.SearchDoc) (*document.Document, error) {
	doc := document.NewDocument(d.ID)
	if err := m.MapDocument(doc, documentFields(d)); err != nil {
		return nil, err
	}
	if set := facetSet(d); set != "" {
		doc.AddField(document.NewTextFieldCustom(fieldFacets, nil, []byte(set), columnOptions, keyword))
	}
	if !d.Updated.IsZero() {
		doc.AddField(document.NewTextFieldCustom(fieldRecency, nil, []byte(recency(d.Updated)), columnOptions, keyword))
	}
	doc.AddField(document.NewTextFieldCustom(fieldHitKey, nil, []byte(hitKey(d)), columnOptions, keyword))
	return doc, nil
}

// documentFields returns what the mapping indexes of a record. Empty values are left out:
// an empty keyword would match an empty filter, a zero year or time a bogus one.
func documentFields(d portal.SearchDoc) map[string]any {
	title, body, places := clean(d.Title), clean(d.Body), clean(d.Places)
	m := map[string]any{
		fieldID:      d.ID,
		fieldTitle:   title,
		fieldBody:    body,
		fieldPlaces:  places,
		fieldTitleF:  search.Fold(title),
		fieldPlacesF: search.Fold(places),
		fieldTextF:   search.Fold(title + "\n" + places + "\n" + body),
	}
	set := func(field, v string) {
		if v != "" {
			m[field] = v
		}
	}
	set(fieldKind, d.Kind)
	set(fieldThing, d.ThingID())
	set(fieldLanguage, string(d.Language))
	set(fieldURL, d.URL)
	set(fieldHash, d.Hash)
	if vs := nonEmpty(d.Aimags); len(vs) > 0 {
		m[fieldAimags] = vs
	}
	if vs := nonEmpty(d.Types); len(vs) > 0 {
		m[fieldTypes] = vs
	}
	if d.Year > 0 {
		m[fieldYear] = float64(d.Year)
	}
	if !d.Updated.IsZero() {
		m[fieldUpdated] = d.Updated.UTC()
	}
	return m
}

// recency writes a time as the term records are sorted by: the Unix second in fixed-width
// hexadecimal, so that text order is time order (from 1970 to the year 10000).
func recency(t time.Time) string { return fmt.Sprintf("%010x", max(t.Unix(), 0)) }

// clean makes text valid UTF-8, so that byte offsets into it always fall on runes.
func clean(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
