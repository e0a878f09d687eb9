package bleve

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/gobidialogue/portal"
)

// A record's facet values are one term of the field facets, its facet set: the values,
// each after a one-letter code of its facet, joined by facetSep ("k:service␟l:mn␟
// a:omnogovi␟t:shelter"). bleve counts the sets of a result, a few hundred different ones,
// and countFacets adds them up per value. Counting the values themselves costs bleve a
// string allocation and a map update per value per hit: five times more for a listing
// of all the directory's hundred thousand records, and most of its time.

const facetSep = "\x1f"

var facetCodes = map[string]string{"kind": "k", "aimag": "a", "type": "t", "language": "l", "year": "y"}

// facetSet returns the facet set of a record, "" when it has no facet values.
func facetSet(d portal.SearchDoc) string {
	var parts []string
	add := func(name, value string) {
		value = strings.ReplaceAll(value, facetSep, " ")
		if part := facetCodes[name] + ":" + value; value != "" && !slices.Contains(parts, part) {
			parts = append(parts, part)
		}
	}
	add("kind", d.Kind)
	add("language", string(d.Language))
	for _, v := range d.Aimags {
		add("aimag", v)
	}
	for _, v := range d.Types {
		add("type", v)
	}
	if d.Year > 0 {
		add("year", strconv.Itoa(d.Year))
	}
	return strings.Join(parts, facetSep)
}

// countFacets adds up the counts of facet sets into counts per facet value, every facet
// of portal.Facets present, most frequent first (then by value), at most maxFacetValues.
func countFacets(sets []*search.TermFacet) map[string][]portal.FacetCount {
	names := make(map[string]string, len(facetCodes))
	for name, code := range facetCodes {
		names[code] = name
	}
	counts := make(map[string]map[string]int, len(facetCodes))
	for _, set := range sets {
		for part := range strings.SplitSeq(set.Term, facetSep) {
			code, value, ok := strings.Cut(part, ":")
			if name := names[code]; ok && name != "" {
				if counts[name] == nil {
					counts[name] = make(map[string]int)
				}
				counts[name][value] += set.Count
			}
		}
	}
	out := make(map[string][]portal.FacetCount, len(portal.Facets))
	for _, name := range portal.Facets {
		fc := []portal.FacetCount{}
		for value, n := range counts[name] {
			fc = append(fc, portal.FacetCount{Value: value, Count: n})
		}
		slices.SortFunc(fc, func(a, b portal.FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
		})
		out[name] = fc[:min(len(fc), maxFacetValues)]
	}
	return out
}
