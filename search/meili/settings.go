package meili

import (
	"context"
	"slices"

	"github.com/gobidialogue/portal/search"
	"github.com/meilisearch/meilisearch-go"
)

// Settings of the index. The portal's records hold their text twice: raw for display, folded
// for search (see the package comment).
const (
	primaryKey = "id"
	// maxValuesPerFacet is more than any facet of the portal has values (aimags, service
	// types, languages, years), so that no count is lost.
	maxValuesPerFacet = 200
	// maxTotalHits is how far a result is counted and paged; Meilisearch counts exactly up
	// to it (its default, 1000, would cap the directory's broad searches).
	maxTotalHits = 100_000
)

// searchable are the attributes a query searches, in the order a match ranks them
// (Meilisearch's "attribute" rule): a record whose title matches comes before one whose body
// does. Only the folded copies are searchable, because the query is folded: a folded word
// can only meet folded text, and the raw fields would add nothing but index size.
var searchable = []string{"title_f", "places_f", "body_f"}

// filterable are the facets, under the names of the record's fields, and the thing, which
// a search for things is distinct on and narrows to the things of a page.
var filterable = []string{"kind", "aimags", "types", "language", "year", "thing"}

// displayed are the attributes the portal reads back: what a hit shows and its thing,
// places for ranking the spelling typed first, body_f for the marks of its snippet, and
// hash for reconciling (the documents route returns only displayed attributes).
var displayed = []string{"id", "kind", "thing", "language", "title", "url", "places", "body", "body_f", "hash"}

// settings are the index settings the portal searches with.
func settings(synonyms map[string][]string) *meilisearch.Settings {
	return &meilisearch.Settings{
		SearchableAttributes: searchable,
		FilterableAttributes: filterable,
		SortableAttributes:   []string{"updated"},
		DisplayedAttributes:  displayed,
		Synonyms:             foldSynonyms(synonyms),
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled: true,
			// Meilisearch's own thresholds: one typo from 5 letters, two from 9. Folded
			// words are already forgiving (o/u/ө/ү are one vowel), so lower ones would
			// make short words match too much.
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
			// A phone number or a year that differs by a digit is another one.
			DisableOnNumbers: true,
		},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: maxValuesPerFacet,
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: maxTotalHits},
	}
}

// applySettings puts the settings in force and waits until they are. Settings that equal
// the index's cost Meilisearch nothing, so this runs at every start.
func (ix *Index) applySettings(ctx context.Context, synonyms map[string][]string) error {
	s := settings(synonyms)
	task, err := ix.index.UpdateSettings(ctx, s)
	if err := ix.wait(ctx, task, err, "update settings of "+ix.uid); err != nil {
		return err
	}
	if len(s.Synonyms) == 0 {
		// An empty map is left out of the settings, which would keep synonyms an
		// earlier configuration set; clear them.
		task, err := ix.index.ResetSynonyms(ctx)
		return ix.wait(ctx, task, err, "reset synonyms of "+ix.uid)
	}
	return nil
}

// foldSynonyms folds every name, since the text they must meet is folded, and drops the
// synonyms folding makes needless ("Өмнөговь" for "Umnugovi": both are "omnogovi"), so only
// the spellings folding cannot join remain ("Ulaanbaatar" and "UB", "Өмнөговь" and "South
// Gobi"). Unfolded spellings are not kept: the query and the searchable text are folded, so
// they could never match.
func foldSynonyms(synonyms map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, vs := range synonyms {
		fk := search.Fold(k)
		for _, v := range vs {
			if fv := search.Fold(v); fk != "" && fv != "" && fv != fk && !slices.Contains(out[fk], fv) {
				out[fk] = append(out[fk], fv)
			}
		}
	}
	for _, vs := range out {
		slices.Sort(vs)
	}
	return out
}
