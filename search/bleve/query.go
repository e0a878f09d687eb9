package bleve

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/gobidialogue/portal"
	portalsearch "github.com/gobidialogue/portal/search"
)

const (
	defaultPerPage = 20
	// maxOffset bounds how deep a result can be paged (bleve keeps every hit up to the
	// page in memory); deeper pages come back empty, with the total and facets.
	maxOffset = 10000
	// maxQueryBytes and maxQueryWords bound the work a query can ask for: a longer text is
	// cut, a query of more words uses the first ones.
	maxQueryBytes = 1024
	maxQueryWords = 32
	// maxFacetValues bounds the values listed per facet.
	maxFacetValues = 100
	// prefixMinRunes is the shortest last word matched as a prefix: shorter ones would
	// expand to most of the dictionary.
	prefixMinRunes = 3
	// fuzzyMaxRunes is the longest word matched with typos: the automaton of a very long
	// word costs more than it finds.
	fuzzyMaxRunes = 40
)

// Boosts. A word found folded anywhere scores 1 (its tf-idf in text_f), as the start of
// a word half that, with a typo less; found in the title, or among the places a record is
// about, it scores more, and spelled as typed more again.
const (
	boostExactTitle = 4
	boostExactBody  = 2
	boostFoldTitle  = 2
	boostFoldPlaces = 2
	boostFold       = 1
	factorPrefix    = 0.5
	factorFuzzy     = 0.3
)

// queryWord is a word of a query: as analysed for the original fields, and folded (Fold
// can make several words of one, "don't" → "don t").
type queryWord struct {
	exact  string
	folded []foldedWord
}

// foldedWord is a folded word of a query and the typos it may have.
type foldedWord struct {
	text  string
	typos int
}

// words splits a query text into its words with the analyzer of the text fields. Any text
// is valid: punctuation and operators are no words and drop out.
//
// Typo tolerance applies to a word the index does not hold: one it does means itself, not
// its neighbours (folded, Dornogovi is two edits from Omnogovi, another aimag).
func (x *Index) words(ctx context.Context, text string) ([]queryWord, error) {
	if len(text) > maxQueryBytes {
		text = text[:maxQueryBytes]
	}
	text = strings.ToValidUTF8(text, " ")
	var out []queryWord
	seen := make(map[string]bool)
	for _, tok := range x.text.Analyze([]byte(text)) {
		w := string(tok.Term)
		if seen[w] {
			continue
		}
		seen[w] = true
		qw := queryWord{exact: w}
		for _, f := range strings.Fields(portalsearch.Fold(w)) {
			qw.folded = append(qw.folded, foldedWord{text: f, typos: fuzziness(f)})
		}
		out = append(out, qw)
		if len(out) == maxQueryWords {
			break
		}
	}
	return out, x.knownWords(ctx, out)
}

// knownWords sets no typos for the folded words the index holds.
func (x *Index) knownWords(ctx context.Context, words []queryWord) error {
	var typed []*foldedWord
	for i := range words {
		for j := range words[i].folded {
			if f := &words[i].folded[j]; f.typos > 0 {
				typed = append(typed, f)
			}
		}
	}
	if len(typed) == 0 {
		return nil
	}
	adv, err := x.idx.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	for _, f := range typed {
		known, err := holds(ctx, r, fieldTextF, f.text)
		if err != nil {
			return err
		}
		if known {
			f.typos = 0
		}
	}
	return nil
}

// holds reports whether a field of the index holds a term.
func holds(ctx context.Context, r index.IndexReader, field, term string) (bool, error) {
	if rc, ok := r.(index.IndexReaderContains); ok {
		d, err := rc.FieldDictContains(field)
		if err != nil {
			return false, err
		}
		return d.Contains([]byte(term))
	}
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return false, err
	}
	defer tfr.Close()
	return tfr.Count() > 0, nil
}

// textQuery returns what the words of a query require of a record and what ranks it.
//
// Every word must be in text_f, the folded title, places and body in one field: folded,
// with its typos, or, for the last word, as the start of a word. A word as spelled folds
// the same way, so matching it folded loses nothing, and a record is looked up in one list
// a word; only a word Fold keeps in another script (Chinese, say) may also match as spelled.
// The other clauses are optional: they score the records found, ranking a word in the
// title, or spelled as typed, first.
func textQuery(words []queryWord) (must, should []query.Query) {
	for i, w := range words {
		exact := []query.Query{
			term(w.exact, fieldTitle, boostExactTitle),
			term(w.exact, fieldBody, boostExactBody),
		}
		should = append(should, exact...)
		var folded []query.Query
		for j, f := range w.folded {
			prefix := i == len(words)-1 && j == len(w.folded)-1 &&
				utf8.RuneCountInString(f.text) >= prefixMinRunes
			folded = append(folded, foldedQuery(f, prefix))
			should = append(should, term(f.text, fieldTitleF, boostFoldTitle), term(f.text, fieldPlacesF, boostFoldPlaces))
			if prefix {
				should = append(should, term(f.text, fieldTextF, boostFold)) // a whole word ranks above the words it starts
			}
		}
		var alts []query.Query
		switch len(folded) {
		case 0:
		case 1:
			alts = append(alts, folded[0])
		default:
			alts = append(alts, query.NewConjunctionQuery(folded))
		}
		if len(folded) == 0 || !latin(w.folded) {
			alts = append(alts, exact...)
			alts = append(alts, term(w.exact, fieldPlaces, boostExactBody))
		}
		if len(alts) == 1 {
			must = append(must, alts[0])
		} else {
			must = append(must, query.NewDisjunctionQuery(alts))
		}
	}
	return must, should
}

// latin reports whether Fold made only Latin letters and digits of a word.
func latin(words []foldedWord) bool {
	for _, w := range words {
		for _, r := range w.text {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}

// foldedQuery matches a folded word in text_f: as it is or, with prefix, as the start of
// a word; and with its typos.
func foldedQuery(w foldedWord, prefix bool) query.Query {
	var q query.Query
	if prefix {
		p := query.NewPrefixQuery(w.text)
		p.SetField(fieldTextF)
		p.SetBoost(boostFold * factorPrefix)
		q = p
	} else {
		q = term(w.text, fieldTextF, boostFold)
	}
	if w.typos == 0 {
		return q
	}
	fz := query.NewFuzzyQuery(w.text)
	fz.SetField(fieldTextF)
	fz.SetFuzziness(w.typos)
	fz.SetBoost(boostFold * factorFuzzy)
	return query.NewDisjunctionQuery([]query.Query{q, fz})
}

// fuzziness is the number of typos a folded word may have: none below 5 letters, one from
// 5, two from 9 (and none past fuzzyMaxRunes).
func fuzziness(w string) int {
	switch n := utf8.RuneCountInString(w); {
	case n > fuzzyMaxRunes:
		return 0
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

func term(w, field string, boost float64) query.Query {
	q := query.NewTermQuery(w)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

// filterQueries are q's filters. They join the words in one conjunction, so that the
// rarest list leads it, and weigh nothing in the score: boost 0. Without words they are
// the whole query, and boost 1, or the score would be 0/0.
func filterQueries(q portal.SearchQuery, boost float64) []query.Query {
	var fs []query.Query
	keyword := func(field, v string) {
		if v != "" {
			fs = append(fs, term(v, field, boost))
		}
	}
	keyword(fieldKind, q.Kind)
	keyword(fieldAimags, q.Aimag)
	keyword(fieldTypes, q.Type)
	keyword(fieldLanguage, string(q.Language))
	if q.Year != 0 {
		y, yes := float64(q.Year), true
		r := query.NewNumericRangeInclusiveQuery(&y, &y, &yes, &yes)
		r.SetField(fieldYear)
		r.SetBoost(boost)
		fs = append(fs, r)
	}
	return fs
}

// Search runs q: every word of its text must match (see textQuery), and hits are ranked
// by score, then the most recently updated first. Without words (an empty text, or one of
// punctuation only) it lists the records q's filters select, most recently updated first.
// An ids-only search is the same bleve search without stored fields, facets or snippets:
// the order of equal hits (bleve's order of collection) is the same whatever the page.
//
// An answer is kept while the index stands still and given again to the same query (see
// results): the caller must not change the hits' snippets or the facets.
func (x *Index) Search(ctx context.Context, q portal.SearchQuery) (*portal.SearchResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bleve: search: %w", err) // as the engine would answer
	}
	if x.closed.Load() {
		return nil, errClosed
	}
	gen := x.results.generation()
	if res, ok := x.results.get(q, gen); ok {
		return res, nil
	}
	res, err := x.search(ctx, q)
	if err != nil {
		return nil, err
	}
	return x.results.put(q, gen, res), nil
}

// search is Search without the answers kept.
func (x *Index) search(ctx context.Context, q portal.SearchQuery) (*portal.SearchResult, error) {
	words, err := x.words(ctx, q.Text)
	if err != nil {
		return nil, fmt.Errorf("bleve: search: %w", err)
	}
	var must, should []query.Query
	sort := []string{"-_score", "-" + fieldRecency}
	if len(words) > 0 {
		must, should = textQuery(words)
		must = append(filterQueries(q, 0), must...)
	} else {
		must, sort = filterQueries(q, 1), sort[1:]
	}
	var bq query.Query = query.NewMatchAllQuery()
	if len(must) > 0 {
		bq = query.NewBooleanQuery(must, should, nil)
	}
	if q.Things && !q.IDsOnly {
		return x.searchThings(ctx, q, bq, words)
	}
	from, size := page(q)
	req := bleve.NewSearchRequestOptions(bq, size, from, false)
	req.SortBy(sort)
	switch {
	case !q.IDsOnly:
		req.Fields = storedFields
		req.AddFacet(fieldFacets, bleve.NewFacetRequest(fieldFacets, math.MaxInt32))
	case q.Kind == "":
		// Ids come with the hits; any stored field costs bleve a hit's whole stored
		// record, decompressed. The kind filter tells the kind, so only without one is
		// the kind read.
		req.Fields = []string{fieldKind}
	}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve: search: %w", err)
	}
	if q.IDsOnly {
		return idsResult(res, q.Kind), nil
	}
	return result(res, words), nil
}

// page returns the offset and size of q's page: Page from 1, PerPage 20 by default and at
// most portal.MaxPerPage (portal.MaxIDsPerPage for ids only). A page past maxOffset is
// empty.
func page(q portal.SearchQuery) (from, size int) {
	p, size := max(q.Page, 1), q.PerPage
	if size < 1 {
		size = defaultPerPage
	}
	if q.IDsOnly {
		size = min(size, portal.MaxIDsPerPage)
	} else {
		size = min(size, portal.MaxPerPage)
	}
	if p-1 > maxOffset/size {
		return 0, 0 // no hits, but the total and the facets
	}
	return (p - 1) * size, size
}

// idsResult turns bleve's answer to an ids-only search into the portal's: ids, kinds and
// scores. kind is the query's kind filter, "" when it has none (each hit's stored kind is
// then read).
func idsResult(res *bleve.SearchResult, kind string) *portal.SearchResult {
	out := &portal.SearchResult{Total: int(res.Total), Hits: make([]portal.SearchHit, len(res.Hits))}
	for i, h := range res.Hits {
		k := kind
		if k == "" {
			k = stored(h.Fields, fieldKind)
		}
		out.Hits[i] = portal.SearchHit{ID: h.ID, Kind: k, Score: h.Score}
	}
	return out
}

// result turns bleve's answer into the portal's.
func result(res *bleve.SearchResult, words []queryWord) *portal.SearchResult {
	out := &portal.SearchResult{
		Total: int(res.Total),
		Hits:  make([]portal.SearchHit, 0, len(res.Hits)),
	}
	var match func(string) bool
	if m := newMatcher(words); m != nil {
		match = m.match
	}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, portal.SearchHit{
			ID:       h.ID,
			Kind:     stored(h.Fields, fieldKind),
			Thing:    stored(h.Fields, fieldThing),
			Language: portal.Language(stored(h.Fields, fieldLanguage)),
			Title:    stored(h.Fields, fieldTitle),
			URL:      stored(h.Fields, fieldURL),
			Snippet:  portalsearch.Snippet(stored(h.Fields, fieldBody), match),
			Score:    h.Score,
		})
	}
	var sets []*search.TermFacet
	if f := res.Facets[fieldFacets]; f != nil {
		sets = f.Terms.Terms()
	}
	out.Facets = countFacets(sets)
	return out
}

// stored returns a stored string field of a hit.
func stored(fields map[string]any, name string) string {
	switch v := fields[name].(type) {
	case string:
		return v
	case []any:
		if len(v) > 0 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}
