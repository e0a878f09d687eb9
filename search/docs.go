package search

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

// The records below are the only producers of portal.SearchDoc. They read only what a
// visitor may see: the public directory (whose confidential locations have no address, and
// even so only their aimag and soum are read) and the current revision of a guideline.

// FromDirectory returns the records of every service of d: one per service and language,
// with the organisation's name, the service types' names and the names of the places it
// serves or is located in, in every spelling the gazetteer knows.
//
// Of a location it reads only the aimag and the soum, never the name, address, contact or
// coordinates: a confidential location's street address must never be searchable, and so
// a directory that still carried one (a Directory must not, but a bug upstream could make
// one) would not leak it here.
func FromDirectory(d *portal.Directory, g *portal.Gazetteer, terms []portal.TaxonomyTerm) []portal.SearchDoc {
	b := newDocBuilder(g, terms)
	docs := make([]portal.SearchDoc, 0, 2*len(d.Services()))
	for _, o := range d.Orgs {
		docs = append(docs, b.orgDocs(o)...)
	}
	return docs
}

// guidelineRecordPrefix starts the id of a paragraph's record:
// "guideline:{lang}:{slug}:{block id}".
const guidelineRecordPrefix = "guideline:"

// serviceRecordPrefix starts the id of a service's record: "service:{lang}:{service id}",
// one record per service and language. The records of a service are one thing,
// "service:{service id}".
const serviceRecordPrefix = "service:"

// fieldSeparator joins the fields of a service's body (description, eligibility, how to
// apply, fees, organisation, types), so that a snippet that spans two of them shows where
// one ends: a snippet squeezes line breaks to spaces, and the fields have no full stops
// of their own.
const fieldSeparator = " · "

// ServiceID returns the id of the directory service whose record hit is, and false for a
// hit of any other kind: the one place that reads a service out of a record id.
func ServiceID(hit portal.SearchHit) (string, bool) {
	rest, ok := strings.CutPrefix(hit.ID, serviceRecordPrefix)
	if !ok {
		return "", false
	}
	_, id, ok := strings.Cut(rest, ":")
	return id, ok && id != ""
}

// docBuilder makes the records of the directory with the gazetteer and the type names.
type docBuilder struct {
	g     *portal.Gazetteer
	types map[string]portal.Text
}

func newDocBuilder(g *portal.Gazetteer, terms []portal.TaxonomyTerm) *docBuilder {
	if g == nil {
		g = &portal.Gazetteer{}
	}
	b := &docBuilder{g: g, types: make(map[string]portal.Text, len(terms))}
	for _, t := range terms {
		b.types[t.ID] = t.Name
	}
	return b
}

// orgDocs returns the records of the services of o, in service order, Mongolian first.
func (b *docBuilder) orgDocs(o *portal.DirectoryOrg) []portal.SearchDoc {
	docs := make([]portal.SearchDoc, 0, 2*len(o.Services))
	for i := range o.Services {
		s := &o.Services[i]
		places, aimags := b.places(o, s)
		updated := s.Modified
		if o.Modified.After(updated) {
			updated = o.Modified
		}
		for _, lang := range portal.Languages {
			d := portal.SearchDoc{
				ID:       serviceRecordPrefix + string(lang) + ":" + s.ID,
				Kind:     portal.KindService,
				Thing:    serviceRecordPrefix + s.ID,
				Language: lang,
				Title:    s.Name.In(lang),
				Body:     b.serviceBody(o, s, lang),
				Places:   places,
				URL:      portal.ServicePath(s.ID) + "?lang=" + string(lang),
				Aimags:   aimags,
				Types:    nonEmpty(s.Types),
				Updated:  dbTime(updated),
			}
			d.Hash = Hash(d)
			docs = append(docs, d)
		}
	}
	return docs
}

// serviceBody is what a service's record is found by besides its name and places.
func (b *docBuilder) serviceBody(o *portal.DirectoryOrg, s *portal.Service, lang portal.Language) string {
	parts := []string{s.Description.In(lang), s.Eligibility.In(lang), s.ApplicationProcess.In(lang),
		s.Fees.In(lang), o.Name.In(lang)}
	for _, t := range s.Types {
		if name, ok := b.types[t]; ok {
			parts = append(parts, name.In(lang))
		}
	}
	return joinWith(parts, fieldSeparator)
}

// places returns every spelling of the places s serves and is located in, and their aimag
// ids, sorted. A soum brings its aimag's names too: a shelter in Dalanzadgad is found by
// "Umnugovi". Only a location's aimag and soum are read.
func (b *docBuilder) places(o *portal.DirectoryOrg, s *portal.Service) (string, []string) {
	var names []string
	var aimags []string
	add := func(aimag, soum string) {
		if aimag == "" {
			return
		}
		aimags = append(aimags, aimag)
		if a := b.g.FindAimag(aimag); a != nil {
			names = append(names, placeNames(a.Name, a.Aliases)...)
		}
		if sm := b.g.FindSoum(aimag, soum); sm != nil {
			names = append(names, placeNames(sm.Name, sm.Aliases)...)
		}
	}
	for _, p := range s.Area {
		add(p.Aimag, p.Soum)
	}
	for _, id := range s.LocationIDs {
		if l := o.Location(id); l != nil {
			add(l.Aimag, l.Soum)
		}
	}
	return joinNonEmpty(dedupe(names)), sortedSet(aimags)
}

func placeNames(name portal.Text, aliases []string) []string {
	return append([]string{name.MN, name.EN}, aliases...)
}

// FromGuideline returns the records of rev, which must be the current revision of g read
// with its blocks (FindRevision): one per block below the headings (paragraph, list item,
// quote, table, code, footnote), titled with the guideline's title and the section the
// block is in, and opening the guideline at the block.
//
// A block is one thing with its counterpart in the translation when the two are kept in
// step: a block's thing is "guideline:{translation key}:{shape}:{n}", n its place among
// the revision's blocks and shape a hash of the kinds of all its blocks and the
// revision's year. The language versions of a guideline whose current revisions have the
// same blocks in the same order (as a translation has) thus share their blocks' things,
// the n-th paragraph of one being the n-th of the other; versions that differ in shape
// share none, and each of their blocks is found on its own. The year is in the shape so
// that the records of one thing have the same facet values.
//
// Every status of a guideline is public: a draft is published for comment, and visitors
// read drafts, open, adopted and archived guidelines alike. What a visitor cannot see is a
// revision other than the current one as the guideline lists it (a revision saved ahead of
// its guideline, or an older one, which is history, not the text); for such a revision,
// or a revision of another guideline, FromGuideline returns nothing.
func FromGuideline(g *portal.Guideline, rev *portal.Revision) []portal.SearchDoc {
	if g == nil || rev == nil || rev.GuidelineID != g.ID || rev.Number != g.Revision || !g.Language.Valid() {
		return nil
	}
	sections := make(map[string]bool, len(rev.TOC))
	for _, e := range rev.TOC {
		sections[e.ID] = true
	}
	base := portal.GuidelinePath(g.Slug) + "?lang=" + string(g.Language) + "#"
	year := rev.CreatedAt.In(portal.MongoliaTime).Year()
	thing := guidelineRecordPrefix + g.TranslationKey + ":" + blockShape(rev.Blocks, year) + ":"
	section := ""
	var docs []portal.SearchDoc
	for n, bl := range rev.Blocks {
		if bl.Kind == portal.BlockHeading {
			if sections[bl.ID] {
				section = bl.Text
			}
			continue
		}
		text := strings.TrimSpace(bl.Text)
		if text == "" {
			continue
		}
		title := g.Title
		if section != "" {
			title += " — " + section
		}
		d := portal.SearchDoc{
			ID:       guidelineRecordPrefix + string(g.Language) + ":" + g.Slug + ":" + bl.ID,
			Kind:     portal.KindGuideline,
			Thing:    thing + strconv.Itoa(n),
			Language: g.Language,
			Title:    title,
			Body:     text,
			URL:      base + url.PathEscape(bl.ID),
			Year:     year,
			Updated:  dbTime(rev.CreatedAt),
		}
		d.Hash = Hash(d)
		docs = append(docs, d)
	}
	return docs
}

// blockShape is a short hash of the kinds of blocks, in order, and the year: what two
// language versions of a guideline must share for their blocks to be paired.
func blockShape(blocks []portal.Block, year int) string {
	h := sha256.New()
	for _, b := range blocks {
		io.WriteString(h, string(b.Kind))
		h.Write([]byte{0})
	}
	io.WriteString(h, strconv.Itoa(year))
	return hex.EncodeToString(h.Sum(nil)[:6])
}

// Hash returns the hash of every indexed field of d (its Hash aside): two records with
// the same hash index the same. Differences that no engine keeps do not count: the time
// zone and the sub-millisecond part of Updated (the database keeps milliseconds, so a
// record made from what was just saved and one made from what is read back agree), and
// an empty list against none.
func Hash(d portal.SearchDoc) string {
	h := sha256.New()
	var buf [8]byte
	field := func(s string) {
		// Each field is preceded by its length, so no two records hash alike by moving
		// text from one field to the next.
		binary.BigEndian.PutUint64(buf[:], uint64(len(s)))
		h.Write(buf[:])
		io.WriteString(h, s)
	}
	list := func(l []string) {
		field(strconv.Itoa(len(l)))
		for _, s := range l {
			field(s)
		}
	}
	field(d.ID)
	field(d.Kind)
	field(d.Thing)
	field(string(d.Language))
	field(d.Title)
	field(d.Body)
	field(d.Places)
	field(d.URL)
	list(d.Aimags)
	list(d.Types)
	field(strconv.Itoa(d.Year))
	field(strconv.FormatInt(dbTime(d.Updated).UnixMilli(), 10))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Synonyms maps every folded spelling of a place in the gazetteer (its names in both
// scripts and its aliases) to its other folded spellings, for an engine that takes
// synonyms (Meilisearch). Spellings that Fold already makes equal need no entry. A
// spelling shared by two places lists the spellings of both.
func Synonyms(g *portal.Gazetteer) map[string][]string {
	syn := map[string][]string{}
	group := func(name portal.Text, aliases []string) {
		var folded []string
		for _, n := range placeNames(name, aliases) {
			if f := Fold(n); f != "" {
				folded = append(folded, f)
			}
		}
		folded = sortedSet(folded)
		for _, f := range folded {
			for _, other := range folded {
				if other != f {
					syn[f] = append(syn[f], other)
				}
			}
		}
	}
	if g == nil {
		return syn
	}
	for _, a := range g.Aimags {
		group(a.Name, a.Aliases)
		for _, s := range a.Soums {
			group(s.Name, s.Aliases)
		}
	}
	for f, others := range syn {
		syn[f] = sortedSet(others)
	}
	return syn
}

// dbTime is t as the database keeps it: in UTC, to the millisecond.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// nonEmpty returns a copy of list, nil when it is empty.
func nonEmpty(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return slices.Clone(list)
}

func joinNonEmpty(parts []string) string { return joinWith(parts, "\n") }

// joinWith joins the parts that are not blank, trimmed, with sep.
func joinWith(parts []string, sep string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// dedupe drops repeated strings, keeping the first of each.
func dedupe(list []string) []string {
	seen := make(map[string]bool, len(list))
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// sortedSet returns the distinct strings of list, sorted; nil for none.
func sortedSet(list []string) []string {
	out := dedupe(list)
	sort.Strings(out)
	return out
}
