package main

import (
	"fmt"
	"math/rand"
	"net/url"

	"github.com/gobidialogue/portal"
)

// Class is a kind of page the visitors ask for; latencies are reported by class.
type Class uint8

// The classes of the mix.
const (
	ClassHome       Class = iota // /
	ClassGuidelines              // /guidelines, sometimes with a status
	ClassGuideline               // /guidelines/{slug}
	ClassRevisions               // /guidelines/{slug}/revisions
	ClassDirectory               // /directory with place, type and checkbox filters
	ClassDirectoryQ              // /directory?q= words, sometimes with a filter
	ClassService                 // /directory/services/{id} of a generated service
	ClassSearch                  // /search?q= words
	numClasses
)

var classNames = [numClasses]string{"home", "guidelines", "guideline", "revisions", "directory", "directory+q", "service", "search"}

func (c Class) String() string {
	if c < numClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", c)
}

// weights are the shares of the classes, out of 100: what visitors on phones mostly do is
// open the directory, a service and a guideline.
var weights = [numClasses]int{
	ClassHome:       10,
	ClassGuidelines: 8,
	ClassGuideline:  12,
	ClassRevisions:  4,
	ClassDirectory:  24,
	ClassDirectoryQ: 10,
	ClassService:    18,
	ClassSearch:     14,
}

// words are what people type, in Mongolian Cyrillic and in the Latin spellings people use
// for it, and in English; the gazetteer's names are added to them.
var words = []string{
	"хамгаалах байр", "хууль зүйн туслалцаа", "сэтгэлзүйн зөвлөгөө", "тусламжийн утас", "эрүүл мэнд",
	"Өмнөговь", "Замын-Үүд", "Даланзадгад", "жолооч", "хүн худалдаалах", "шилжин ирсэн ажилчид",
	"hamgaalah bair", "Omnogovi", "Umnugovi", "Zamiin-Uud", "Zamyn-Üüd", "Dalanzadgad", "Khanbogd",
	"shelter", "legal aid", "hotline", "psychosocial", "truck drivers", "trafficking", "migrant workers",
}

// guidelineStatuses are the /guidelines filters.
var guidelineStatuses = []string{"open", "adopted", "draft", "archived"}

// checkboxes are the directory's yes/no filters.
var checkboxes = []string{"open", "always", "free"}

// place is an aimag, or a soum (or district) with its aimag.
type place struct{ aimag, soum string }

// Mix makes the visitors' URLs: a weighted choice of class, then a page of it with
// filters, words and a language chosen at random. It holds no connection and does no I/O.
type Mix struct {
	slugs    []string
	services int
	aimags   []string
	soums    []place
	types    []string
	words    []string
	weights  [numClasses]int
	total    int
}

// NewMix returns the mix over the gazetteer's places, the taxonomy's types, the
// guidelines of slugs and the generated services gen-svc-000000 to services-1. A class
// with nothing to ask for (no slugs, no services) is left out.
func NewMix(g *portal.Gazetteer, terms []portal.TaxonomyTerm, slugs []string, services int) *Mix {
	m := &Mix{slugs: slugs, services: services, weights: weights}
	m.words = append(m.words, words...)
	for _, a := range g.Aimags {
		m.aimags = append(m.aimags, a.ID)
		m.words = append(append(m.words, a.Name.MN, a.Name.EN), a.Aliases...)
		for _, s := range a.Soums {
			m.soums = append(m.soums, place{a.ID, s.ID})
			m.words = append(append(m.words, s.Name.MN, s.Name.EN), s.Aliases...)
		}
	}
	for _, t := range terms {
		m.types = append(m.types, t.ID)
	}
	if len(slugs) == 0 {
		m.weights[ClassGuideline], m.weights[ClassRevisions] = 0, 0
	}
	if services <= 0 {
		m.weights[ClassService] = 0
	}
	if len(m.aimags) == 0 || len(m.types) == 0 {
		m.weights[ClassDirectory], m.weights[ClassDirectoryQ] = 0, 0
	}
	for _, w := range m.weights {
		m.total += w
	}
	return m
}

// Weight returns the share of class c in the mix, out of Total.
func (m *Mix) Weight(c Class) int { return m.weights[c] }

// Total is the sum of the weights.
func (m *Mix) Total() int { return m.total }

// Next returns the class and the path (with its query) of the next request.
func (m *Mix) Next(r *rand.Rand) (Class, string) {
	c := m.class(r)
	path, q := m.page(r, c)
	switch r.Intn(3) { // a third each: the default language (mn), ?lang=mn, ?lang=en
	case 1:
		q.Set("lang", "mn")
	case 2:
		q.Set("lang", "en")
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return c, path
}

func (m *Mix) class(r *rand.Rand) Class {
	n := r.Intn(m.total)
	for c, w := range m.weights {
		if n < w {
			return Class(c)
		}
		n -= w
	}
	panic("unreachable: weights sum to total")
}

// page returns the path and query of a page of class c.
func (m *Mix) page(r *rand.Rand, c Class) (string, url.Values) {
	q := url.Values{}
	switch c {
	case ClassGuidelines:
		if r.Intn(4) == 0 {
			q.Set("status", pick(r, guidelineStatuses))
		}
		return "/guidelines", q
	case ClassGuideline:
		return portal.GuidelinePath(pick(r, m.slugs)), q
	case ClassRevisions:
		return portal.GuidelinePath(pick(r, m.slugs)) + "/revisions", q
	case ClassDirectory:
		m.filters(r, q)
		if r.Intn(5) == 0 {
			q.Set(pick(r, checkboxes), "1")
		}
		return "/directory", q
	case ClassDirectoryQ:
		q.Set("q", pick(r, m.words))
		if r.Intn(2) == 0 {
			q.Set("aimag", pick(r, m.aimags))
		}
		if r.Intn(3) == 0 {
			q.Set("type", pick(r, m.types))
		}
		return "/directory", q
	case ClassService:
		return portal.ServicePath(ServiceID(r.Intn(m.services))), q
	case ClassSearch:
		w := pick(r, m.words)
		if r.Intn(4) == 0 {
			w += " " + pick(r, m.words)
		}
		q.Set("q", w)
		return "/search", q
	}
	return "/", q
}

// filters sets one of the directory's filter combinations: none, an aimag, a soum, a
// type, or a place and a type.
func (m *Mix) filters(r *rand.Rand, q url.Values) {
	switch r.Intn(6) {
	case 1:
		q.Set("aimag", pick(r, m.aimags))
	case 2, 5:
		if len(m.soums) > 0 {
			p := m.soums[r.Intn(len(m.soums))]
			q.Set("aimag", p.aimag)
			q.Set("soum", p.soum)
		}
		if r.Intn(2) == 0 {
			q.Set("type", pick(r, m.types))
		}
	case 3:
		q.Set("aimag", pick(r, m.aimags))
		q.Set("type", pick(r, m.types))
	case 4:
		q.Set("type", pick(r, m.types))
	}
}

// ServiceID is the id directorytest.Generate gives its i-th service.
func ServiceID(i int) string { return fmt.Sprintf("gen-svc-%06d", i) }

func pick(r *rand.Rand, s []string) string { return s[r.Intn(len(s))] }
