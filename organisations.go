package portal

import (
	"cmp"
	"slices"
)

// OrgEntry is one real organisation as the secretariat manages it: its member record (who
// may sign in for it, its stakeholder group, whether it is verified; nil for an
// organisation that is only listed in the directory) and its directory listing (nil for one
// without). A record and a listing are one organisation when the record's ListingID is the
// listing's id: the same id, or an explicit link (Organisation.DirectoryID).
type OrgEntry struct {
	Org     *Organisation
	Listing *DirectoryOrg // public: confidential locations without their address
}

// ID returns the organisation's id: its record's, or its listing's when it has no record.
func (e *OrgEntry) ID() string {
	if e.Org != nil {
		return e.Org.ID
	}
	return e.Listing.ID
}

// Name returns the organisation's name in lang (in the other language when it has none
// in lang): its record's, or its listing's when it has no record.
func (e *OrgEntry) Name(lang Language) string {
	if e.Org != nil {
		return e.Org.Name(lang)
	}
	return e.Listing.Name.In(lang)
}

// Group returns the organisation's stakeholder group: its record's, which its listing
// follows, or its listing's when it has no record.
func (e *OrgEntry) Group() StakeholderGroup {
	if e.Org != nil {
		return e.Org.Group
	}
	return e.Listing.Group
}

// Verified reports whether the organisation is verified: only a record can be.
func (e *OrgEntry) Verified() bool { return e.Org != nil && e.Org.Verified }

// JoinOrganisations returns every organisation once: each record of orgs with the listing
// of its ListingID in d (nil when d has none, or d is nil), and each listing of d that no
// record names, on its own. They come by name in lang (CompareNames), then by id, a record
// before a listing of the same name. Should two records name one listing (the store
// refuses that), the first of orgs has it.
func JoinOrganisations(orgs []*Organisation, d *Directory, lang Language) []OrgEntry {
	entries := make([]OrgEntry, 0, len(orgs))
	taken := map[string]bool{}
	for _, o := range orgs {
		e := OrgEntry{Org: o}
		if id := o.ListingID(); d != nil && !taken[id] {
			e.Listing = d.Org(id)
			taken[id] = e.Listing != nil
		}
		entries = append(entries, e)
	}
	if d != nil {
		for _, l := range d.Orgs {
			if !taken[l.ID] {
				entries = append(entries, OrgEntry{Listing: l})
			}
		}
	}
	slices.SortStableFunc(entries, func(a, b OrgEntry) int {
		return cmp.Or(CompareNames(a.Name(lang), b.Name(lang)), cmp.Compare(a.ID(), b.ID()),
			cmp.Compare(recordless(a), recordless(b)))
	})
	return entries
}

func recordless(e OrgEntry) int {
	if e.Org == nil {
		return 1
	}
	return 0
}
