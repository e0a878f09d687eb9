package portal

import (
	"context"
	"time"
)

// Kinds of search records.
const (
	KindGuideline = "guideline" // a paragraph (block) of a guideline's current revision
	KindMinutes   = "minutes"
	KindDecision  = "decision"
	KindService   = "service" // a service of the referral directory, in one language
)

// SearchDoc is one record of the search index. It holds only what a visitor may see: a
// confidential address, an unpublished text or anything else not public never becomes a
// SearchDoc (see search.FromDirectory and search.FromGuideline, the only producers).
type SearchDoc struct {
	ID   string // unique: "service:mn:ub-safe-house-shelter", "guideline:en:truck-drivers:p-1a2b"
	Kind string // KindGuideline, KindMinutes, KindDecision, KindService
	// Thing is what the record is one language's version of: a service, or a paragraph of
	// a guideline kept in step with its translation. A search for things (SearchQuery.
	// Things) finds each thing once, whichever of its records match. "" makes the record a
	// thing of its own. The records of one thing have at most one record per language,
	// and the same facet values but the language (search.FromDirectory and
	// search.FromGuideline make them so; Meilisearch's facet counts rely on it).
	Thing    string
	Language Language // of Title and Body
	Title    string
	Body     string
	// Places are the names of the aimags and soums the record is about, in every spelling
	// the gazetteer knows (both scripts, aliases), so that a place name finds it.
	Places string
	URL    string // where a hit opens: a guideline at its paragraph, a service's page
	// Facet values.
	Aimags []string // gazetteer ids
	Types  []string // service types (taxonomy term ids)
	Year   int
	// Updated is when the record last changed; Hash identifies its content, so a record
	// is re-indexed only when it changed (search.Reconcile).
	Updated time.Time
	Hash    string
}

// ThingID returns the thing the record is a version of: its Thing, or its ID when it is
// a thing of its own.
func (d *SearchDoc) ThingID() string {
	if d.Thing != "" {
		return d.Thing
	}
	return d.ID
}

// SearchQuery is a search: words and filters. Empty filters select everything.
type SearchQuery struct {
	Text     string
	Kind     string
	Aimag    string
	Type     string
	Language Language
	Year     int
	// Page counts from 1; PerPage is at most MaxPerPage (MaxIDsPerPage with IDsOnly).
	Page, PerPage int
	// IDsOnly: only each hit's ID (and Kind) is wanted: no stored text, snippets or
	// facets, which a caller that maps hits back to records of its own (the directory's
	// finder) would throw away. PerPage may then go up to MaxIDsPerPage, so that such a
	// caller asks once instead of page after page. The hits are ranked as ever: those the
	// pages of MaxPerPage would give, in their order, with ID, Kind and Score set; Total
	// is the total, and Facets nil.
	IDsOnly bool
	// Things searches for things rather than records (SearchDoc.Thing): a thing is found
	// when any of its records matches the words and the filters, and is one hit, its
	// record in Prefer when that one matches, else its best-ranked record. Things are
	// ranked by their best-ranked record. Total counts things, and so do the facets: a
	// value counts the things with a matching record that has it (for the language facet,
	// the things with a matching record in that language). IDsOnly searches records
	// whatever Things says.
	Things bool
	// Prefer is the language a thing's hit is in when its record in it matches: the
	// reader's. Empty, a thing's hit is its best-ranked record.
	Prefer Language
}

// MaxPerPage bounds a page of search results.
const MaxPerPage = 100

// MaxIDsPerPage bounds a page of an IDsOnly search.
const MaxIDsPerPage = 2000

// Facets names the facets a search returns counts for.
var Facets = []string{"kind", "aimag", "type", "language", "year"}

// SearchResult is a page of hits, the total and the facet counts of the whole result.
type SearchResult struct {
	Total  int
	Hits   []SearchHit
	Facets map[string][]FacetCount // by facet name, most frequent first
}

// SearchHit is one record found: with SearchQuery.Things, the record that stands for its
// thing.
type SearchHit struct {
	ID       string
	Kind     string
	Thing    string // SearchDoc.Thing, or the ID for a record that is a thing of its own
	Language Language
	Title    string
	URL      string
	// Snippet is a short part of the body with the matched words marked. It is plain text
	// in parts, never markup: the page marks the matches itself, so an engine's highlight
	// cannot inject anything.
	Snippet []SnippetPart
	// Score ranks the hit; with SearchQuery.Things it is its thing's, that of the thing's
	// best-ranked record.
	Score float64
}

// SnippetPart is a run of a snippet; Match marks a matched word.
type SnippetPart struct {
	Text  string
	Match bool
}

// FacetCount is how many hits have a facet value.
type FacetCount struct {
	Value string
	Count int
}

// Searcher is a search engine: bleve in the embedded mode, Meilisearch in production. Both
// pass the same conformance suite (search/searchtest).
type Searcher interface {
	// Index adds or replaces records; an acknowledged call is searchable when it returns.
	Index(ctx context.Context, docs ...SearchDoc) error
	// Delete removes records by id; unknown ids are no error.
	Delete(ctx context.Context, ids ...string) error
	// Search runs q. Any text is a valid query: operators and quotes are taken as words.
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)
	// Hashes returns the id and Hash of every record in the index, for reconciling it with
	// the database.
	Hashes(ctx context.Context) (map[string]string, error)
	// Close releases the engine.
	Close() error
}
