package search

import (
	"context"
	"fmt"
	"sync"

	"github.com/gobidialogue/portal"
)

// Source is a part of the database the index holds records of. The Indexer follows each
// source through its Version, and every source is followed the same way: the guidelines
// and the directory today, comments and meetings next.
type Source interface {
	// Prefix starts the id of every record of the source, such as "service:": a record
	// with it that the source no longer gives is deleted.
	Prefix() string
	// Version returns a value that changes whenever the source's records may have
	// changed; reading it is cheap (one _id lookup).
	Version(ctx context.Context) (string, error)
	// Records returns every record the index should hold of the source. A source may
	// remember what it made, so as to make again only the records of what changed.
	Records(ctx context.Context) ([]portal.SearchDoc, error)
}

// Sources returns the sources of what the portal indexes: the guidelines and the
// directory (with the gazetteer's place names and the service types' names).
func Sources(guidelines portal.GuidelineStore, dir portal.DirectoryStore, g *portal.Gazetteer, terms []portal.TaxonomyTerm) []Source {
	return []Source{GuidelineSource(guidelines), DirectorySource(dir, g, terms)}
}

// Desired returns every record the index should hold, read from the sources, in id order.
func Desired(ctx context.Context, sources ...Source) ([]portal.SearchDoc, error) {
	var docs []portal.SearchDoc
	for _, s := range sources {
		d, err := s.Records(ctx)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d...)
	}
	sortByID(docs)
	return docs, nil
}

// readVersion reads a store's version of what, naming it in an error.
func readVersion(ctx context.Context, what string, read func(context.Context) (string, error)) (string, error) {
	v, err := read(ctx)
	if err != nil {
		return "", fmt.Errorf("search: read the version of %s: %w", what, err)
	}
	return v, nil
}

// GuidelineSource returns the source of the current revision of every guideline, in both
// languages, followed through store.GuidelinesVersion. It reads again only the revisions
// of guidelines that changed since it last made their records.
func GuidelineSource(store portal.GuidelineStore) Source {
	return &guidelineSource{store: store, made: guidelineCache{}}
}

type guidelineSource struct {
	store portal.GuidelineStore
	mu    sync.Mutex
	made  guidelineCache
}

func (s *guidelineSource) Prefix() string { return guidelineRecordPrefix }

func (s *guidelineSource) Version(ctx context.Context) (string, error) {
	return readVersion(ctx, "the guidelines", s.store.GuidelinesVersion)
}

func (s *guidelineSource) Records(ctx context.Context) ([]portal.SearchDoc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return guidelineDocs(ctx, s.store, s.made)
}

// DirectorySource returns the source of every service of the directory, followed through
// store.DirectoryVersion. It makes again only the records of organisations that changed
// since it last made them.
func DirectorySource(store portal.DirectoryStore, g *portal.Gazetteer, terms []portal.TaxonomyTerm) Source {
	return &directorySource{store: store, builder: newDocBuilder(g, terms), orgs: map[string]orgEntry{}}
}

type directorySource struct {
	store   portal.DirectoryStore
	builder *docBuilder
	mu      sync.Mutex
	orgs    map[string]orgEntry // the records of each organisation, by its id
}

// orgEntry holds the records made from one organisation. A Directory is never modified,
// and the store keeps the organisations that a write did not touch, so an organisation at
// the same address has the same records.
type orgEntry struct {
	org  *portal.DirectoryOrg
	docs []portal.SearchDoc
}

func (s *directorySource) Prefix() string { return serviceRecordPrefix }

func (s *directorySource) Version(ctx context.Context) (string, error) {
	return readVersion(ctx, "the directory", s.store.DirectoryVersion)
}

func (s *directorySource) Records(ctx context.Context) ([]portal.SearchDoc, error) {
	d, err := s.store.Directory(ctx)
	if err != nil {
		return nil, fmt.Errorf("search: read the directory: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	docs := make([]portal.SearchDoc, 0, 2*len(d.Services()))
	seen := make(map[string]bool, len(d.Orgs))
	for _, o := range d.Orgs {
		seen[o.ID] = true
		e, ok := s.orgs[o.ID]
		if !ok || e.org != o {
			e = orgEntry{org: o, docs: s.builder.orgDocs(o)}
			s.orgs[o.ID] = e
		}
		docs = append(docs, e.docs...)
	}
	for id := range s.orgs {
		if !seen[id] {
			delete(s.orgs, id)
		}
	}
	return docs, nil
}
