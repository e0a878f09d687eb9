package meili

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
	"github.com/meilisearch/meilisearch-go"
)

// defaultPerPage is a page's size when the query names none.
const defaultPerPage = 20

// facetFields maps Meilisearch's facet attributes to the portal's facet names.
var facetFields = map[string]string{"kind": "kind", "aimags": "aimag", "types": "type", "language": "language", "year": "year"}

// exactBonus is added to a hit's ranking score (0 to 1) for the query's words it holds as
// they were typed, in proportion: among hits Meilisearch ranks about alike, the spelling a
// person typed comes first.
const exactBonus = 0.1

// Search runs q. The text is folded, which also leaves nothing Meilisearch could read as
// syntax (a quote for a phrase, a leading - for "not"); every folded word must match
// (matchingStrategy "all"), each with the typos its length allows or as a prefix when last.
// Without words, every record that passes the filters is found, most recently updated first.
//
// Meilisearch sees only folded words, so it ranks "Өмнөговь" and "Umnugovi" alike; the hits
// of the page are then re-ranked with exactBonus, so that the spelling typed comes first.
// This orders a page, not the whole result: pages stay disjoint and complete.
func (ix *Index) Search(ctx context.Context, q portal.SearchQuery) (*portal.SearchResult, error) {
	if q.IDsOnly {
		return ix.searchIDs(ctx, q)
	}
	if q.Things {
		return ix.searchThings(ctx, q)
	}
	req := searchRequest(q)
	resp, err := ix.index.Search(ctx, req.Query, req)
	if err != nil {
		return nil, ix.errorf(err, "search %s", ix.uid)
	}
	res := &portal.SearchResult{Total: int(resp.TotalHits), Hits: make([]portal.SearchHit, 0, len(resp.Hits))}
	words := typedWords(q.Text)
	for _, h := range resp.Hits {
		hit, text, err := readHit(h)
		if err != nil {
			return nil, fmt.Errorf("meili: search %s: %w", ix.uid, err)
		}
		hit.Score += exactBonus * exactShare(words, text)
		res.Hits = append(res.Hits, hit)
	}
	if req.Query != "" {
		slices.SortStableFunc(res.Hits, func(a, b portal.SearchHit) int { return cmp.Compare(b.Score, a.Score) })
	}
	if res.Facets, err = readFacets(resp.FacetDistribution); err != nil {
		return nil, fmt.Errorf("meili: search %s: %w", ix.uid, err)
	}
	return res, nil
}

// searchRequest is the request of q.
func searchRequest(q portal.SearchQuery) *meilisearch.SearchRequest {
	page, perPage := int64(max(q.Page, 1)), int64(q.PerPage)
	if perPage <= 0 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, portal.MaxPerPage)
	req := &meilisearch.SearchRequest{
		Query:                search.FoldQuery(q.Text),
		MatchingStrategy:     meilisearch.All,
		Facets:               []string{"kind", "aimags", "types", "language", "year"},
		Page:                 page,
		HitsPerPage:          &perPage,
		AttributesToRetrieve: []string{"id", "kind", "thing", "language", "title", "url", "places", "body"},
		ShowRankingScore:     true,
	}
	if f := filter(q); len(f) > 0 {
		req.Filter = f
	}
	if req.Query == "" {
		req.Sort = []string{"updated:desc"}
		return req
	}
	// The marks come from the folded body, where the folded query matched; snippet.go
	// carries them over to the raw body. _formatted holds only retrieved attributes.
	req.AttributesToRetrieve = append(req.AttributesToRetrieve, "body_f")
	req.AttributesToHighlight = []string{"body_f"}
	req.HighlightPreTag = string(preTag)
	req.HighlightPostTag = string(postTag)
	return req
}

// searchIDs runs q for the ids of its hits alone (portal.SearchQuery.IDsOnly), in one
// request of up to portal.MaxIDsPerPage hits: no facets, no highlighting, and only the
// attributes the ranking reads.
//
// The order is that of Search's pages of portal.MaxPerPage. Search re-ranks the hits of a
// page by the spelling typed (exactBonus), so with words the hits are asked for in whole
// pages of MaxPerPage (the request may cover a few more hits than q's page: at most the
// rest of its first and last runs of MaxPerPage) and re-ranked page by page, and q's page
// is cut out of them. That needs each hit's raw title, places and body, which are
// therefore still retrieved when the query has words; never body_f nor its highlighted
// copy, which are most of a full page's bytes.
func (ix *Index) searchIDs(ctx context.Context, q portal.SearchQuery) (*portal.SearchResult, error) {
	req, skip, n := idsRequest(q)
	resp, err := ix.index.Search(ctx, req.Query, req)
	if err != nil {
		return nil, ix.errorf(err, "search %s", ix.uid)
	}
	hits := make([]portal.SearchHit, 0, len(resp.Hits))
	words := typedWords(q.Text)
	for _, h := range resp.Hits {
		var d struct {
			ID     string  `json:"id"`
			Kind   string  `json:"kind"`
			Title  string  `json:"title"`
			Places string  `json:"places"`
			Body   string  `json:"body"`
			Score  float64 `json:"_rankingScore"`
		}
		if err := h.DecodeInto(&d); err != nil {
			return nil, fmt.Errorf("meili: search %s: read a hit: %w", ix.uid, err)
		}
		id, err := portalID(d.ID)
		if err != nil {
			return nil, fmt.Errorf("meili: search %s: %w", ix.uid, err)
		}
		score := d.Score + exactBonus*exactShare(words, d.Title+"\n"+d.Places+"\n"+d.Body)
		hits = append(hits, portal.SearchHit{ID: id, Kind: d.Kind, Score: score})
	}
	if req.Query != "" {
		for start := 0; start < len(hits); start += portal.MaxPerPage {
			slices.SortStableFunc(hits[start:min(len(hits), start+portal.MaxPerPage)], func(a, b portal.SearchHit) int {
				return cmp.Compare(b.Score, a.Score)
			})
		}
	}
	return &portal.SearchResult{Total: int(resp.TotalHits), Hits: hits[min(skip, len(hits)):min(skip+n, len(hits))]}, nil
}

// idsRequest is the request of an ids-only q: searchRequest's query, filter, sort and
// ranking score, and no facets or highlighting. It retrieves the id and kind, and the raw
// text exactShare reads when there are words. Its page is q's, of up to
// portal.MaxIDsPerPage hits; with words, the smallest page made of whole pages of
// portal.MaxPerPage that holds q's, whose hits from skip on are q's n.
func idsRequest(q portal.SearchQuery) (req *meilisearch.SearchRequest, skip, n int) {
	req = searchRequest(q)
	n = q.PerPage
	if n <= 0 {
		n = defaultPerPage
	}
	n = min(n, portal.MaxIDsPerPage)
	page, perPage := int(req.Page), n
	if req.Query != "" && page-1 < maxTotalHits/n { // past maxTotalHits, pages are empty
		page, perPage, skip = wholePages((page-1)*n, page*n)
	}
	req.Page, req.HitsPerPage = int64(page), ptr(int64(perPage))
	req.Facets = nil
	req.AttributesToHighlight, req.HighlightPreTag, req.HighlightPostTag = nil, "", ""
	req.AttributesToRetrieve = []string{"id", "kind"}
	if req.Query != "" {
		req.AttributesToRetrieve = append(req.AttributesToRetrieve, "title", "places", "body")
	}
	return req, skip, n
}

// wholePages returns the smallest page (and its size) made of whole pages of
// portal.MaxPerPage that holds the hits from from up to to, and where from is in it. A
// page that starts and ends at multiples of MaxPerPage is itself: wholePages(0, 500) is
// page 1 of 500; wholePages(150, 300) is page 1 of 300, from 150.
func wholePages(from, to int) (page, perPage, skip int) {
	first := from / portal.MaxPerPage * portal.MaxPerPage
	last := (to + portal.MaxPerPage - 1) / portal.MaxPerPage * portal.MaxPerPage
	for perPage = last - first; ; perPage += portal.MaxPerPage {
		if start := first / perPage * perPage; start+perPage >= last {
			return first/perPage + 1, perPage, from - start
		}
	}
}

func ptr[T any](v T) *T { return &v }

// filter is the filter of q: one condition a filter, all of which must hold.
func filter(q portal.SearchQuery) []string {
	var f []string
	for _, c := range [][2]string{{"kind", q.Kind}, {"aimags", q.Aimag}, {"types", q.Type}, {"language", string(q.Language)}} {
		if c[1] != "" {
			f = append(f, c[0]+" = "+quote(c[1]))
		}
	}
	if q.Year != 0 {
		f = append(f, "year = "+strconv.Itoa(q.Year))
	}
	return f
}

// quote makes s a string of Meilisearch's filter syntax: in double quotes, with a quote or a
// backslash escaped by a backslash, so that no value can end the string early.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// readHit reads a hit: the record's fields, its score, and its snippet; and its raw text
// (title, places and body), for exactShare.
func readHit(h meilisearch.Hit) (portal.SearchHit, string, error) {
	var d struct {
		ID        string  `json:"id"`
		Kind      string  `json:"kind"`
		Thing     string  `json:"thing"`
		Language  string  `json:"language"`
		Title     string  `json:"title"`
		URL       string  `json:"url"`
		Places    string  `json:"places"`
		Body      string  `json:"body"`
		Score     float64 `json:"_rankingScore"`
		Formatted struct {
			BodyF string `json:"body_f"`
		} `json:"_formatted"`
	}
	if err := h.DecodeInto(&d); err != nil {
		return portal.SearchHit{}, "", fmt.Errorf("read a hit: %w", err)
	}
	id, err := portalID(d.ID)
	if err != nil {
		return portal.SearchHit{}, "", err
	}
	return portal.SearchHit{
		ID:       id,
		Kind:     d.Kind,
		Thing:    cmp.Or(d.Thing, id),
		Language: portal.Language(d.Language),
		Title:    d.Title,
		URL:      d.URL,
		Snippet:  search.Snippet(d.Body, isMarked(markedWords(parseHighlight(d.Formatted.BodyF)))),
		Score:    d.Score,
	}, d.Title + "\n" + d.Places + "\n" + d.Body, nil
}

// typedWords are the distinct words of a query as typed, lower-cased.
func typedWords(text string) []string {
	text = strings.ToLower(text)
	var words []string
	for _, word := range strings.FieldsFunc(text, notWordRune) {
		if !slices.Contains(words, word) {
			words = append(words, word)
		}
	}
	return words
}

// notWordRune reports a rune that separates the words of a query or a record: anything
// but letters, digits and combining marks, as search.Fold and search.Snippet read words.
func notWordRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
}

// exactShare is the share of words that text holds as they are, lower-cased: 1 when a
// record spells every word as the query does, 0 when it matched only through folding.
func exactShare(words []string, text string) float64 {
	if len(words) == 0 {
		return 0
	}
	text = strings.ToLower(text)
	have := map[string]bool{}
	for _, w := range strings.FieldsFunc(text, notWordRune) {
		have[w] = true
	}
	n := 0
	for _, w := range words {
		if have[w] {
			n++
		}
	}
	return float64(n) / float64(len(words))
}

// readFacets reads Meilisearch's facetDistribution ({"aimags": {"umnugovi": 3}}) as the
// portal's facets, most frequent value first (then by value, so that the order is stable).
func readFacets(raw json.RawMessage) (map[string][]portal.FacetCount, error) {
	out := map[string][]portal.FacetCount{}
	if len(raw) == 0 {
		return out, nil
	}
	var dist map[string]map[string]int
	if err := json.Unmarshal(raw, &dist); err != nil {
		return nil, fmt.Errorf("read the facets: %w", err)
	}
	for field, values := range dist {
		name, ok := facetFields[field]
		if !ok || len(values) == 0 {
			continue
		}
		counts := make([]portal.FacetCount, 0, len(values))
		for v, n := range values {
			counts = append(counts, portal.FacetCount{Value: v, Count: n})
		}
		slices.SortFunc(counts, func(a, b portal.FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
		})
		out[name] = counts
	}
	return out, nil
}
