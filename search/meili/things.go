package meili

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gobidialogue/portal"
	"github.com/meilisearch/meilisearch-go"
)

// A search for things (portal.SearchQuery.Things) is Meilisearch's distinct search on the
// attribute thing, which keeps each thing's best-ranked record, in up to three requests:
//
//  1. one multi-search of two queries: the page, distinct, with the facets of the things
//     (kind, aimags, types, year); and the same words and filters, not distinct, for no
//     hit but the language facet;
//  2. when the page has things whose best record is not in the preferred language, one
//     search for their records in it, among those that match: these stand for them.
//
// The counts are exact, for records that keep the rules portal.SearchDoc.Thing states,
// as the portal's do: Meilisearch counts the hits (totalHits) and the facet values of a
// distinct search once per thing, from the one record it keeps of it (when paged by page
// and hitsPerPage, as here, it makes every thing distinct, not only those of the page),
// which has the facet values of every record of its thing but the language; and a thing
// has at most one record per language, so the records of a language that match, which
// the second query counts, are the things with a matching record in it. A thing whose
// records broke the rules would be counted by one of its records.
//
// Things are ranked as Meilisearch ranks their best records, and the page as Search ranks
// a page, by the spelling typed (exactBonus) of the best records; a hit's score is its
// thing's.

// thingAttribute is the distinct attribute of a search for things.
const thingAttribute = "thing"

// thingsRequests returns the requests of the multi-search of a search for things: the
// page, and the count by language.
func (ix *Index) thingsRequests(q portal.SearchQuery) (page, languages *meilisearch.SearchRequest) {
	page = searchRequest(q)
	page.IndexUID, page.Distinct = ix.uid, thingAttribute
	page.Facets = []string{"kind", "aimags", "types", "year"}
	languages = &meilisearch.SearchRequest{
		IndexUID:         ix.uid,
		Query:            page.Query,
		MatchingStrategy: page.MatchingStrategy,
		Filter:           page.Filter,
		Facets:           []string{"language"},
		Page:             1,
		HitsPerPage:      ptr(int64(0)),
	}
	return page, languages
}

// preferredRequest asks for the records in lang of the things, among those that match q:
// q's words and filters, distinct, as many hits as things.
func (ix *Index) preferredRequest(q portal.SearchQuery, lang portal.Language, things []string) *meilisearch.SearchRequest {
	req := searchRequest(q)
	req.Distinct, req.Facets, req.Sort = thingAttribute, nil, nil
	req.Page, req.HitsPerPage = 1, ptr(int64(len(things)))
	quoted := make([]string, len(things))
	for i, t := range things {
		quoted[i] = quote(t)
	}
	req.Filter = append(filter(q), "language = "+quote(string(lang)), thingAttribute+" IN ["+strings.Join(quoted, ", ")+"]")
	return req
}

func (ix *Index) searchThings(ctx context.Context, q portal.SearchQuery) (*portal.SearchResult, error) {
	pageReq, langReq := ix.thingsRequests(q)
	resp, err := ix.client.MultiSearch(ctx, &meilisearch.MultiSearchRequest{Queries: []*meilisearch.SearchRequest{pageReq, langReq}})
	if err != nil {
		return nil, ix.errorf(err, "search %s", ix.uid)
	}
	if len(resp.Results) != 2 {
		return nil, fmt.Errorf("meili: search %s: %d results for 2 queries", ix.uid, len(resp.Results))
	}
	pageResp, langResp := &resp.Results[0], &resp.Results[1]
	res := &portal.SearchResult{Total: int(pageResp.TotalHits), Hits: make([]portal.SearchHit, 0, len(pageResp.Hits))}
	words := typedWords(q.Text)
	for _, h := range pageResp.Hits {
		hit, text, err := readHit(h)
		if err != nil {
			return nil, fmt.Errorf("meili: search %s: %w", ix.uid, err)
		}
		hit.Score += exactBonus * exactShare(words, text)
		res.Hits = append(res.Hits, hit)
	}
	if pageReq.Query != "" {
		slices.SortStableFunc(res.Hits, func(a, b portal.SearchHit) int { return cmp.Compare(b.Score, a.Score) })
	}
	if res.Facets, err = readFacets(pageResp.FacetDistribution); err != nil {
		return nil, fmt.Errorf("meili: search %s: %w", ix.uid, err)
	}
	langs, err := readFacets(langResp.FacetDistribution)
	if err != nil {
		return nil, fmt.Errorf("meili: search %s: %w", ix.uid, err)
	}
	res.Facets["language"] = langs["language"]
	if err := ix.preferHits(ctx, q, res.Hits); err != nil {
		return nil, err
	}
	return res, nil
}

// preferHits puts in the place of each hit not in q.Prefer its thing's record in q.Prefer,
// when that one matches too; the hit keeps its thing's score.
func (ix *Index) preferHits(ctx context.Context, q portal.SearchQuery, hits []portal.SearchHit) error {
	if q.Prefer == "" || q.Language != "" {
		return nil // no preference, or every hit is in the language filtered for
	}
	var things []string
	for _, h := range hits {
		if h.Language != q.Prefer {
			things = append(things, h.Thing)
		}
	}
	if len(things) == 0 {
		return nil
	}
	req := ix.preferredRequest(q, q.Prefer, things)
	resp, err := ix.index.Search(ctx, req.Query, req)
	if err != nil {
		return ix.errorf(err, "search %s", ix.uid)
	}
	preferred := make(map[string]portal.SearchHit, len(resp.Hits))
	for _, h := range resp.Hits {
		hit, _, err := readHit(h)
		if err != nil {
			return fmt.Errorf("meili: search %s: %w", ix.uid, err)
		}
		preferred[hit.Thing] = hit
	}
	for i, h := range hits {
		if p, ok := preferred[h.Thing]; ok && h.Language != q.Prefer {
			p.Score = h.Score
			hits[i] = p
		}
	}
	return nil
}
