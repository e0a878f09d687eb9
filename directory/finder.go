package directory

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
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
	ids := q.IDs
	q.IDs = nil
	m := newMatch(q)
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
		if near, ok := m.near(o, s); ok && m.keeps(o, s) {
			hits = append(hits, Hit{Service: s, Org: o, Nearness: near})
		}
	}
	return hits, missing
}

// filter returns the services of d that q keeps, nearest first, then by name in
// q.SortLanguage, then by id. q.Text is matched in memory.
//
// It reads the services in that order already (see listOrder), those of the aimag asked
// for only, and puts each in the bucket of its nearness: no sort, and no look at the
// services of other aimags. At 10,000 services sorting the hits and asking every service
// whether it serves the aimag were most of a directory page that the page cache did not
// hold yet (4.5 ms for an aimag, 12 ms for no filter at all).
func filter(d *portal.Directory, q Query) []Hit {
	lang := q.SortLanguage
	if !lang.Valid() {
		lang = portal.Mongolian
	}
	m := newMatch(q)
	ord := listOrder(d, lang)
	refs := ord.all
	if q.Aimag != "" {
		refs = ord.byAimag[q.Aimag]
	}
	var near [4][]Hit // by Nearness, 0 to 3
	for _, r := range refs {
		if !m.keeps(r.org, r.svc) {
			continue
		}
		n, ok := r.near, true // how near to the aimag, or 3 without one
		if q.Soum != "" {
			n, ok = m.near(r.org, r.svc)
		}
		if ok {
			near[n] = append(near[n], Hit{Service: r.svc, Org: r.org, Nearness: n})
		}
	}
	var hits []Hit
	for _, h := range near {
		if hits == nil {
			hits = h // no copy when all are equally near, as without a place
		} else if len(h) > 0 {
			hits = append(hits, h...)
		}
	}
	return hits
}

// order is the services of one directory as a list shows them when nearness does not
// tell them apart: by lower-case name in one language, then by id; and, for each aimag,
// the services whose area has it (all that a list for that aimag can hold), in the same
// order. A directory never changes (a save makes a new one), so its order holds as long
// as it is the current one.
type order struct {
	d       *portal.Directory
	lang    portal.Language
	all     []svcRef
	byAimag map[string][]svcRef // written before the order is published, then only read
}

type svcRef struct {
	org  *portal.DirectoryOrg
	svc  *portal.Service
	near int // in order.byAimag, its nearness to that aimag; in order.all, 3
}

// orders are the latest directory's orders, one per language.
var orders [2]atomic.Pointer[order]

// listOrder returns the order of d's services in lang: the one kept when it is d's, else
// made now and kept in its place. A reader still holding an older directory while a save
// makes a new one may swap them once or twice; each order is complete before it is kept,
// so a reader always gets the order of its own directory. Making one at 10,000 services
// takes a few milliseconds, once per directory and language.
func listOrder(d *portal.Directory, lang portal.Language) *order {
	slot := &orders[0]
	if lang == portal.English {
		slot = &orders[1]
	}
	if o := slot.Load(); o != nil && o.d == d && o.lang == lang {
		return o
	}
	type named struct {
		svcRef
		name string
	}
	list := make([]named, 0, len(d.Services()))
	for _, o := range d.Orgs {
		for i := range o.Services {
			s := &o.Services[i]
			list = append(list, named{svcRef{o, s, 3}, strings.ToLower(s.Name.In(lang))})
		}
	}
	slices.SortFunc(list, func(a, b named) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.svc.ID, b.svc.ID))
	})
	o := &order{d: d, lang: lang, all: make([]svcRef, len(list)), byAimag: map[string][]svcRef{}}
	for i, n := range list {
		o.all[i] = n.svcRef
		for j, a := range n.svc.Area {
			if !slices.ContainsFunc(n.svc.Area[:j], func(p portal.Place) bool { return p.Aimag == a.Aimag }) {
				r := n.svcRef
				r.near = nearness(r.org, r.svc, a.Aimag, "")
				o.byAimag[a.Aimag] = append(o.byAimag[a.Aimag], r)
			}
		}
	}
	slot.Store(o)
	return o
}

// textWords returns the words of a query's text, lower-case, to match in memory.
func textWords(text string) []string { return strings.Fields(strings.ToLower(text)) }

// match is a query made ready to be asked of many services: the words of its text
// lower-case, and the day and time of day it asks about in Mongolia.
type match struct {
	Query
	words []string
	day   time.Weekday
	hm    string
}

func newMatch(q Query) *match {
	m := &match{Query: q, words: textWords(q.Text)}
	m.day, m.hm = portal.WeekClock(q.Now)
	return m
}

// keeps reports whether the query's filters other than the place select service s of
// organisation o.
func (q *match) keeps(o *portal.DirectoryOrg, s *portal.Service) bool {
	switch {
	case q.OrgID != "" && o.ID != q.OrgID,
		q.Type != "" && !slices.Contains(s.Types, q.Type),
		q.Language != "" && !slices.Contains(s.Languages, q.Language),
		q.Always && !s.Always,
		q.Free && !s.Free,
		q.OpenNow && !s.OpenOn(q.day, q.hm),
		!q.ModifiedAfter.IsZero() && !s.Modified.After(q.ModifiedAfter) && !o.Modified.After(q.ModifiedAfter),
		!matchesAll(q.words, o, s):
		return false
	}
	return true
}

// near returns how near s of o comes to the place the query asks for (3 when it asks for
// none), and false when s does not serve it.
func (q *match) near(o *portal.DirectoryOrg, s *portal.Service) (int, bool) {
	if q.Aimag == "" {
		return 3, true
	}
	n := nearness(o, s, q.Aimag, q.Soum)
	return n, n >= 0
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
