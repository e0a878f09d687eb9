package content

import (
	"context"
	"fmt"
	"maps"

	"github.com/gobidialogue/portal"
)

// plan works out which files of one guideline become new revisions, and renders them.
func (im *Importer) plan(ctx context.Context, id string, files []*File) (*plan, error) {
	p := &plan{files: files}
	g, err := im.Store.FindGuideline(ctx, id)
	switch portal.ErrorCode(err) {
	case "":
		p.g = g
	case portal.ENOTFOUND:
		p.isNew = true
		p.g = &portal.Guideline{ID: id}
	default:
		return nil, fmt.Errorf("content: import %s: %w", files[0].Name, err)
	}
	latest := ""
	if !p.isNew {
		if latest, err = im.storedHash(ctx, id, p.g.Revision); err != nil {
			return nil, err
		}
	}
	next := p.g.Revision + 1
	for _, f := range files {
		hash := Hash(f)
		switch {
		case f.Revision != 0 && f.Revision < next && f.Revision <= p.g.Revision:
			stored, err := im.storedHash(ctx, id, f.Revision)
			if err != nil {
				return nil, err
			}
			if stored != hash {
				return nil, portal.Errorf(portal.ECONFLICT,
					"%s: revision %d of %s is already stored with different content; remove `revision:` from the file to add it as a new revision",
					f.Name, f.Revision, id)
			}
			continue
		case f.Revision != 0 && f.Revision != next:
			return nil, portal.Errorf(portal.EINVALID, "%s: revision %d of %s cannot follow revision %d: revision %d is missing",
				f.Name, f.Revision, id, next-1, next)
		case f.Revision == 0 && hash == latest:
			continue
		}
		rev, err := im.revision(f, id, next, hash)
		if err != nil {
			return nil, err
		}
		p.newRevs = append(p.newRevs, rev)
		latest, next = hash, next+1
	}
	if len(p.newRevs) > 0 {
		im.apply(p)
	}
	return p, nil
}

// storedHash returns the hash of revision n of guideline id.
func (im *Importer) storedHash(ctx context.Context, id string, n int) (string, error) {
	rev, err := im.Store.FindRevision(ctx, id, n)
	if err != nil {
		return "", fmt.Errorf("content: import: read %s: %w", portal.RevisionID(id, n), err)
	}
	return rev.Hash, nil
}

// revision renders f as revision n of guideline id.
func (im *Importer) revision(f *File, id string, n int, hash string) (*portal.Revision, error) {
	out, err := im.Renderer.Render(f.Body)
	if err != nil {
		return nil, portal.Errorf(portal.EINVALID, "%s: %v", f.Name, errorText(err))
	}
	created := im.Now()
	if f.Date != nil {
		created = *f.Date
	}
	return &portal.Revision{
		ID: portal.RevisionID(id, n), GuidelineID: id, Number: n,
		GuidelineMeta: f.Meta, Body: f.Body, Hash: hash,
		HTML: out.HTML, TOC: out.TOC, Blocks: out.Blocks, Words: out.Words,
		CreatedAt: created,
	}, nil
}

// apply makes the newest of p's new revisions the guideline's current state.
func (im *Importer) apply(p *plan) {
	g := p.g
	latest := p.newRevs[len(p.newRevs)-1]
	translations := g.Translations
	g.GuidelineMeta = latest.GuidelineMeta
	g.Translations = translations
	for _, r := range p.newRevs {
		g.Revisions = append(g.Revisions, r.Info())
	}
	g.Revision = latest.Number
	if p.isNew {
		g.CreatedAt = p.newRevs[0].CreatedAt
	}
	g.UpdatedAt = latest.CreatedAt
}

// linkTranslations checks that every imported guideline has its translation (in this
// import or in the store), sets the translations map of the imported guidelines, and
// returns the new maps of stored guidelines outside the import whose links change.
func (im *Importer) linkTranslations(ctx context.Context, plans []*plan) (map[string]map[portal.Language]string, error) {
	byKey := map[string]map[portal.Language]*portal.Guideline{}
	inImport := map[string]*plan{}
	var errs []error
	add := func(g *portal.Guideline, name string) {
		langs := byKey[g.TranslationKey]
		if langs == nil {
			langs = map[portal.Language]*portal.Guideline{}
			byKey[g.TranslationKey] = langs
		}
		if other, ok := langs[g.Language]; ok && other.ID != g.ID {
			errs = append(errs, portal.Errorf(portal.ECONFLICT, "%s: translation_key %q in language %s is already used by guideline %q",
				name, g.TranslationKey, g.Language, other.Slug))
			return
		}
		langs[g.Language] = g
	}
	for _, p := range plans {
		inImport[p.g.ID] = p
		add(p.g, p.files[len(p.files)-1].Name)
	}
	for _, key := range sortedKeys(byKey) {
		stored, err := im.Store.FindGuidelines(ctx, portal.GuidelineFilter{TranslationKey: key})
		if err != nil {
			return nil, fmt.Errorf("content: import: find translations of %q: %w", key, err)
		}
		for _, g := range stored {
			if _, ok := inImport[g.ID]; !ok {
				add(g, g.ID)
			}
		}
	}
	for _, p := range plans {
		for _, lang := range portal.Languages {
			if _, ok := byKey[p.g.TranslationKey][lang]; !ok {
				errs = append(errs, portal.Errorf(portal.EINVALID,
					"%s: translation_key %q has no %s version (missing translation target): import its translation together with it",
					p.files[len(p.files)-1].Name, p.g.TranslationKey, lang))
			}
		}
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	updates := map[string]map[portal.Language]string{}
	for _, langs := range byKey {
		for _, g := range langs {
			want := map[portal.Language]string{}
			for lang, other := range langs {
				if lang != g.Language {
					want[lang] = other.Slug
				}
			}
			if maps.Equal(want, g.Translations) {
				continue
			}
			if p, ok := inImport[g.ID]; ok {
				p.g.Translations = want
				p.linksChanged = true
				continue
			}
			updates[g.ID] = want
		}
	}
	return updates, nil
}
