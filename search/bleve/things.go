package bleve

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/gobidialogue/portal"
	portalsearch "github.com/gobidialogue/portal/search"
)

// A search for things (portal.SearchQuery.Things) collapses the hits by thing here, since
// bleve has no collapsing of its own: every hit is handed to a callback of ours
// (search.MakeDocumentMatchHandlerKey) instead of bleve's top-n heap, with its score and
// its hit key, a column that holds what the collapsing reads of a record in one term:
// its recency, language, thing, facet set and id. The callback keeps, for each thing, its
// best-ranked record, its record in the preferred language and the facet sets of its
// records; the things are then ranked, the page is cut, and the stored fields of the
// page's records alone are read. Counting every thing is what makes Total and the facet
// counts exact: bleve counted every hit for them anyway.

// keySep separates the parts of a hit key; the id comes last, so that an id may hold it.
const keySep = "\x1e"

// hitKey returns the hit key of a record: recency, language, thing, facet set and id.
func hitKey(d portal.SearchDoc) string {
	rec := ""
	if !d.Updated.IsZero() {
		rec = recency(d.Updated)
	}
	clean := func(s string) string { return strings.ReplaceAll(s, keySep, " ") }
	return strings.Join([]string{rec, clean(string(d.Language)), clean(d.ThingID()),
		clean(facetSet(d)), d.ID}, keySep)
}

// record is a hit as a search for things reads it from its hit key.
type record struct {
	id, recency, language, facets string
	score                         float64
}

// parseHitKey reads a hit key; ok is false for one that is not (a record indexed without).
func parseHitKey(key string, score float64) (r record, thing string, ok bool) {
	var parts [4]string
	for i := range parts {
		if parts[i], key, ok = strings.Cut(key, keySep); !ok {
			return record{}, "", false
		}
	}
	return record{recency: parts[0], language: parts[1], facets: parts[3], id: key, score: score}, parts[2], true
}

// better reports whether a ranks before b: by score, then the most recently updated, then
// by id, so that the order is the same whatever bleve's order of collection.
func better(a, b *record) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.recency != b.recency {
		return a.recency > b.recency
	}
	return a.id < b.id
}

// thingHits is what a search for things keeps of each thing found.
type thingHit struct {
	thing  string
	best   record // its best-ranked matching record
	prefer record // its best-ranked matching record in the preferred language; id "" if none
	// sets are the facet sets of its records: one or two (a record per language) in the
	// array, without allocating, and any more in more.
	sets [2]string
	more []string
}

// addSet adds a facet set of one of the thing's records, once.
func (t *thingHit) addSet(set string) {
	switch {
	case t.sets[0] == set || t.sets[1] == set || slices.Contains(t.more, set):
	case t.sets[0] == "":
		t.sets[0] = set
	case t.sets[1] == "":
		t.sets[1] = set
	default:
		t.more = append(t.more, set)
	}
}

// thingCollector collects the hits of a search for things.
type thingCollector struct {
	prefer string
	scored bool // the score ranks; without words it does not
	things map[string]*thingHit
	hits   int
}

func (c *thingCollector) add(key string, score float64) {
	if !c.scored {
		score = 0
	}
	r, thing, ok := parseHitKey(key, score)
	if !ok {
		return
	}
	c.hits++
	t := c.things[thing]
	if t == nil {
		t = &thingHit{thing: thing, best: r}
		c.things[thing] = t
	} else if better(&r, &t.best) {
		t.best = r
	}
	if r.language == c.prefer && (t.prefer.id == "" || better(&r, &t.prefer)) {
		t.prefer = r
	}
	t.addSet(r.facets)
}

// searchThings runs a search for things: bq selects the records; with words they rank by
// score, then recency, and without by recency alone, as a search for records ranks them.
func (x *Index) searchThings(ctx context.Context, q portal.SearchQuery, bq query.Query, words []queryWord) (*portal.SearchResult, error) {
	c := &thingCollector{prefer: string(q.Prefer), things: make(map[string]*thingHit), scored: len(words) > 0}
	collect := context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(
		func(sc *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
			return func(dm *search.DocumentMatch) error {
				if dm == nil {
					return nil // the end
				}
				if len(dm.Sort) > 0 {
					c.add(dm.Sort[0], dm.Score)
				}
				sc.DocumentMatchPool.Put(dm)
				return nil
			}, false, nil
		}))
	// The hit key is the only sort value, so that it is the only column bleve reads, and
	// the hit's sort value: no hit is sorted by it.
	req := bleve.NewSearchRequestOptions(bq, 0, 0, false)
	req.SortByCustom(search.SortOrder{&search.SortField{Field: fieldHitKey, Type: search.SortFieldAsString}})
	if _, err := x.idx.SearchInContext(collect, req); err != nil {
		return nil, fmt.Errorf("bleve: search: %w", err)
	}
	from, size := page(q)
	ranked := rankThings(c.things, from+size)
	ranked = ranked[min(from, len(ranked)):]
	out := &portal.SearchResult{Total: len(c.things), Hits: make([]portal.SearchHit, 0, len(ranked)),
		Facets: countThingFacets(c.things)}
	ids := make([]string, len(ranked))
	for i, t := range ranked {
		ids[i] = t.shown().id
	}
	docs, err := x.storedOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	var match func(string) bool
	if m := newMatcher(words); m != nil {
		match = m.match
	}
	for _, t := range ranked {
		fields, ok := docs[t.shown().id]
		if !ok {
			continue // deleted since it was found
		}
		out.Hits = append(out.Hits, portal.SearchHit{
			ID:       t.shown().id,
			Kind:     stored(fields, fieldKind),
			Thing:    t.thing,
			Language: portal.Language(stored(fields, fieldLanguage)),
			Title:    stored(fields, fieldTitle),
			URL:      stored(fields, fieldURL),
			Snippet:  portalsearch.Snippet(stored(fields, fieldBody), match),
			Score:    t.best.score,
		})
	}
	return out, nil
}

// shown is the record that stands for the thing: in the preferred language if one
// matched, else the best-ranked.
func (t *thingHit) shown() *record {
	if t.prefer.id != "" {
		return &t.prefer
	}
	return &t.best
}

// rankThings returns the first n things, best first: by their best records, then by thing.
func rankThings(things map[string]*thingHit, n int) []*thingHit {
	all := make([]*thingHit, 0, len(things))
	for _, t := range things {
		all = append(all, t)
	}
	order := func(a, b *thingHit) int {
		switch {
		case better(&a.best, &b.best):
			return -1
		case better(&b.best, &a.best):
			return 1
		}
		return strings.Compare(a.thing, b.thing)
	}
	if n <= 0 {
		return nil
	}
	if n >= len(all) {
		slices.SortFunc(all, order)
		return all
	}
	// The page is near the top of many things: keep the n best in a sorted window rather
	// than sorting all of them.
	top := make([]*thingHit, 0, n+1)
	for _, t := range all {
		if len(top) == n && order(t, top[n-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, t, order)
		top = slices.Insert(top, i, t)
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

// countThingFacets counts the things per facet value: a thing counts once for each value
// that one of its records has. Things with the same facet sets are counted together, as
// countFacets counts records: there are a few hundred different ones.
func countThingFacets(things map[string]*thingHit) map[string][]portal.FacetCount {
	type combo struct{ a, b string }
	combos := make(map[combo]int)
	var more []*thingHit // the rare thing with three or more facet sets
	for _, t := range things {
		a, b := t.sets[0], t.sets[1]
		switch {
		case len(t.more) > 0:
			more = append(more, t)
		case b == "":
			combos[combo{a: a}]++
		default:
			if a > b {
				a, b = b, a
			}
			combos[combo{a, b}]++
		}
	}
	sets := make([]*search.TermFacet, 0, len(combos)+len(more))
	add := func(n int, parts ...string) {
		var values []string
		for _, set := range parts {
			for part := range strings.SplitSeq(set, facetSep) {
				if part != "" && !slices.Contains(values, part) {
					values = append(values, part)
				}
			}
		}
		sets = append(sets, &search.TermFacet{Term: strings.Join(values, facetSep), Count: n})
	}
	for c, n := range combos {
		add(n, c.a, c.b)
	}
	for _, t := range more {
		add(1, append([]string{t.sets[0], t.sets[1]}, t.more...)...)
	}
	return countFacets(sets)
}

// storedOf returns the stored fields of the records with ids, by id.
func (x *Index) storedOf(ctx context.Context, ids []string) (map[string]map[string]any, error) {
	out := make(map[string]map[string]any, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = storedFields
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve: search: read the hits: %w", err)
	}
	for _, h := range res.Hits {
		out[h.ID] = h.Fields
	}
	return out, nil
}
