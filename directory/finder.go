package directory

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
)

// Query selects services of the directory. Empty fields select everything.
type Query struct {
	Aimag, Soum string // the place where help is needed
	Type        string // a taxonomy term id
	Language    string // an ISO 639-1 code the service speaks
	OpenNow     bool   // open at Now, in Mongolia's time zone
	Always      bool   // open 24 hours
	Free        bool   // free of charge
	// Text keeps the services that the search engine finds for these words, in the
	// engine's order: it knows every spelling of Mongolian and ranks by relevance. Without
	// an engine, or while it is down, a service is kept when its names or description, in
	// either language, contain every word.
	Text string
	// ModifiedAfter keeps services changed after it (the service or its organisation).
	ModifiedAfter time.Time
	// OrgID keeps the services of one organisation.
	OrgID string
	// IDs keeps only these services, in this order, each once (a referral sheet); the ids
	// the directory does not have are in Result.Missing.
	IDs []string

	// SortLanguage is the language whose names order services of equal nearness;
	// Mongolian when empty.
	SortLanguage portal.Language
	// Now is the time OpenNow is asked at; zero means the Finder's clock.
	Now time.Time
}

// Check refuses a query that names a place or a service type the directory does not know
// (EINVALID, naming the field): the list it would give is not the one asked for. A soum
// needs its aimag.
func (q Query) Check(g *portal.Gazetteer, terms []portal.TaxonomyTerm) error {
	switch {
	case q.Aimag != "" && g.FindAimag(q.Aimag) == nil:
		return portal.FieldError("aimag", "there is no aimag %q in the gazetteer", q.Aimag)
	case q.Soum != "" && q.Aimag == "":
		return portal.FieldError("soum", "give the aimag of soum %q too", q.Soum)
	case q.Soum != "" && g.FindSoum(q.Aimag, q.Soum) == nil:
		return portal.FieldError("soum", "there is no soum %q in aimag %q", q.Soum, q.Aimag)
	case q.Type != "" && !slices.ContainsFunc(terms, func(t portal.TaxonomyTerm) bool { return t.ID == q.Type }):
		return portal.FieldError("type", "there is no service type %q", q.Type)
	}
	return nil
}

// Result is what a Query found.
type Result struct {
	// Directory is the directory the services were found in, for what else a page shows
	// of it.
	Directory *portal.Directory
	Hits      []Hit
	// Missing are the ids of Query.IDs that the directory does not have.
	Missing []string
	// Degraded says the search engine did not answer: the words were matched in memory,
	// without the engine's spellings and ranking. Pages say so.
	Degraded bool
}

// Hit is a service found, with its organisation and how near its area comes to the place
// asked for: 0 at a location in the soum (or aimag), 1 serving the soum, 2 serving the
// aimag or part of it, 3 when no place was asked for.
type Hit struct {
	Service  *portal.Service
	Org      *portal.DirectoryOrg
	Nearness int

	title string // the service's name in the query's SortLanguage, lower-case, to sort by
}

// Finder finds services: the one way the directory page, the referral sheet, the HSDS
// API and the CLI select services, so that the same words give the same services in the
// same order everywhere.
type Finder struct {
	Store portal.DirectoryStore
	// Search is the search engine that Query.Text goes to; nil matches words in memory.
	Search portal.Searcher
	// Logger records an engine outage; nil is slog.Default().
	Logger *slog.Logger
	// Now is the clock of OpenNow; nil is time.Now.
	Now portal.Clock
	// Places drops a word naming the kind of a place next to that place from the words
	// ("Сүхбаатар дүүрэг", "Omnogovi province"), so that they find what the place alone
	// finds, as /search does; nil keeps the words as typed.
	Places *search.PlaceKinds
}

// Limits of the words' search: the engine is asked for the best maxEnginePages pages of
// portal.MaxPerPage records (a record per service and language): the best 250 to 500
// services. maxFilteredEnginePages when the query has filters the engine does not apply,
// which would otherwise narrow those few. Both are asked for in one ids-only request, so
// the most must be within portal.MaxIDsPerPage.
const (
	maxEnginePages         = 5
	maxFilteredEnginePages = 20
)

// Find returns the services q selects. Without words they come nearest first, then by
// name; with words, in the engine's order (nearest and by name when matched in memory).
func (f *Finder) Find(ctx context.Context, q Query) (*Result, error) {
	d, err := f.Store.Directory(ctx)
	if err != nil {
		return nil, err
	}
	return f.FindIn(ctx, d, q)
}

// FindIn is Find in d, a directory the caller read from the Finder's store already.
func (f *Finder) FindIn(ctx context.Context, d *portal.Directory, q Query) (*Result, error) {
	if q.Now.IsZero() {
		q.Now = time.Now()
		if f.Now != nil {
			q.Now = f.Now()
		}
	}
	r := &Result{Directory: d}
	q.Text = f.Places.Strip(q.Text)
	if len(q.IDs) > 0 {
		r.Hits, r.Missing = byIDs(d, q)
		return r, nil
	}
	if strings.TrimSpace(q.Text) == "" || f.Search == nil {
		r.Hits = filter(d, q)
		return r, nil
	}
	ids, err := f.engineIDs(ctx, q)
	if err != nil {
		f.logger().WarnContext(ctx, "directory search failed; matching words in memory", "err", err)
		r.Hits, r.Degraded = filter(d, q), true
		return r, nil
	}
	// The engine's services in its order, with the other filters; a service the index
	// still has but the directory no longer does is left out.
	q.Text, q.IDs = "", ids
	r.Hits, _ = byIDs(d, q)
	return r, nil
}

func (f *Finder) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.Default()
}

// engineIDs asks the engine for the services matching q's words, with its place and type
// filters, best first: in one request for the ids of as many records as the pages the
// finder reads, since it needs nothing else of them (a place name matches thousands of
// records, and every page of them cost the engine the whole match again).
func (f *Finder) engineIDs(ctx context.Context, q Query) ([]string, error) {
	pages := maxEnginePages
	if q.Soum != "" || q.Language != "" || q.OpenNow || q.Always || q.Free || q.OrgID != "" || !q.ModifiedAfter.IsZero() {
		pages = maxFilteredEnginePages
	}
	res, err := f.Search.Search(ctx, portal.SearchQuery{Text: q.Text, Kind: portal.KindService, Aimag: q.Aimag,
		Type: q.Type, Page: 1, PerPage: pages * portal.MaxPerPage, IDsOnly: true})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(res.Hits))
	seen := make(map[string]bool, len(res.Hits))
	for _, hit := range res.Hits {
		if id, ok := search.ServiceID(hit); ok && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// byIDs returns the services of q.IDs that the directory has and q's filters keep, in
// q.IDs's order, and the ids it does not have.
func byIDs(d *portal.Directory, q Query) (hits []Hit, missing []string) {
	ids, words := q.IDs, textWords(q.Text)
	q.IDs = nil
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		s, o := d.Service(id)
		if s == nil {
			missing = append(missing, id)
			continue
		}
		if near, ok := keeps(q, words, o, s); ok {
			hits = append(hits, Hit{Service: s, Org: o, Nearness: near})
		}
	}
	return hits, missing
}

// filter returns the services of d that q keeps, nearest first, then by name in
// q.SortLanguage. q.Text is matched in memory.
func filter(d *portal.Directory, q Query) []Hit {
	lang := q.SortLanguage
	if !lang.Valid() {
		lang = portal.Mongolian
	}
	words := textWords(q.Text)
	titles := sortTitles(d, lang)
	var hits []Hit
	// Organisation by organisation, each service with its own: no lookup of a service's
	// organisation by id (at 10,000 services that was an eighth of an uncached directory
	// page's processor time).
	for _, o := range d.Orgs {
		for i := range o.Services {
			s := &o.Services[i]
			if near, ok := keeps(q, words, o, s); ok {
				hits = append(hits, Hit{Service: s, Org: o, Nearness: near, title: titles.of(s)})
			}
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		switch {
		case hits[i].Nearness != hits[j].Nearness:
			return hits[i].Nearness < hits[j].Nearness
		case hits[i].title != hits[j].title:
			return hits[i].title < hits[j].title
		}
		return hits[i].Service.ID < hits[j].Service.ID
	})
	return hits
}

// titleCache holds the lower-case names of the services of one directory in one language,
// the key that filter sorts by: lower-casing 10,000 names (most of them Cyrillic, which
// has no fast path) was most of an uncached directory page's time. A directory never
// changes (a save makes a new one), so the names hold as long as it is the current one.
type titleCache struct {
	d     *portal.Directory
	lang  portal.Language
	names map[*portal.Service]string // written before the cache is published, then only read
}

// titleCaches are the latest directory's names, one cache per language.
var titleCaches [2]atomic.Pointer[titleCache]

// sortTitles returns the names of d's services in lang, lower-case: the cache of d when it
// is the one kept, else made now and kept in its place (a reader still holding an older
// directory while a save makes a new one may swap them once or twice; each cache is
// complete before it is kept, so a reader always gets the names of its own directory).
func sortTitles(d *portal.Directory, lang portal.Language) *titleCache {
	slot := &titleCaches[0]
	if lang == portal.English {
		slot = &titleCaches[1]
	}
	if c := slot.Load(); c != nil && c.d == d && c.lang == lang {
		return c
	}
	c := &titleCache{d: d, lang: lang, names: make(map[*portal.Service]string, len(d.Services()))}
	for _, s := range d.Services() {
		c.names[s] = strings.ToLower(s.Name.In(lang))
	}
	slot.Store(c)
	return c
}

// of returns the lower-case name of s, made now when s is not in the cache.
func (c *titleCache) of(s *portal.Service) string {
	if t, ok := c.names[s]; ok {
		return t
	}
	return strings.ToLower(s.Name.In(c.lang))
}

// textWords returns the words of a query's text, lower-case, to match in memory.
func textWords(text string) []string { return strings.Fields(strings.ToLower(text)) }

// keeps reports whether q, whose text has words, selects service s of organisation o, and
// how near it comes to the place asked for.
func keeps(q Query, words []string, o *portal.DirectoryOrg, s *portal.Service) (int, bool) {
	near := 3
	if q.Aimag != "" {
		if near = nearness(o, s, q.Aimag, q.Soum); near < 0 {
			return 0, false
		}
	}
	switch {
	case q.OrgID != "" && o.ID != q.OrgID,
		q.Type != "" && !slices.Contains(s.Types, q.Type),
		q.Language != "" && !slices.Contains(s.Languages, q.Language),
		q.Always && !s.Always,
		q.Free && !s.Free,
		q.OpenNow && !s.OpenAt(q.Now),
		!q.ModifiedAfter.IsZero() && !s.Modified.After(q.ModifiedAfter) && !o.Modified.After(q.ModifiedAfter),
		!matchesAll(words, o, s):
		return 0, false
	}
	return near, true
}

// nearness says how near s comes to the place, or -1 when it does not serve it: 0 when
// it has a location there (in the soum, when one is asked for), 1 when it serves the
// soum, 2 when it serves the whole aimag or part of it.
func nearness(o *portal.DirectoryOrg, s *portal.Service, aimag, soum string) int {
	best := -1
	for _, a := range s.Area {
		n := -1
		switch {
		case a.Aimag != aimag:
		case soum != "" && a.Soum == soum:
			n = 1
		case a.Soum == "" || soum == "":
			// The whole aimag, or asked for the whole aimag: a service of one of its
			// soums serves part of it.
			n = 2
		}
		if n >= 0 && (best < 0 || n < best) {
			best = n
		}
	}
	if best < 0 {
		return -1
	}
	for _, id := range s.LocationIDs {
		if l := o.Location(id); l != nil && l.Aimag == aimag && (soum == "" || l.Soum == soum) {
			return 0
		}
	}
	return best
}

// matchesAll reports whether the names and description of s and o, in either language,
// contain every word (lower-case).
func matchesAll(words []string, o *portal.DirectoryOrg, s *portal.Service) bool {
	if len(words) == 0 {
		return true
	}
	hay := strings.ToLower(strings.Join([]string{s.Name.MN, s.Name.EN, o.Name.MN, o.Name.EN,
		s.Description.MN, s.Description.EN}, "\n"))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}
