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
	ID       string   // unique: "service:mn:ub-safe-house-shelter", "guideline:en:truck-drivers:p-1a2b"
	Kind     string   // KindGuideline, KindMinutes, KindDecision, KindService
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

// SearchHit is one record found.
type SearchHit struct {
	ID       string
	Kind     string
	Language Language
	Title    string
	URL      string
	// Snippet is a short part of the body with the matched words marked. It is plain text
	// in parts, never markup: the page marks the matches itself, so an engine's highlight
	// cannot inject anything.
	Snippet []SnippetPart
	Score   float64
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
