package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

// ImportReport says what an import did.
type ImportReport struct {
	// Organisations, Services and Locations count what the import held.
	Organisations, Services, Locations int
	// Created, Changed and Unchanged count its organisations: new to the directory,
	// stored again with changes (each audited), and left alone.
	Created, Changed, Unchanged int
}

// importBatch is how many organisations Import stores at once (SaveDirectoryOrgs): enough
// that a batch's few commands and its one claim cost little beside its documents, few
// enough that a failure part way leaves few organisations stored without their audit
// entries.
const importBatch = 200

// Import stores whole organisations, with their locations and services, that an import
// read (portal import --hsds). All of them are checked before the first is stored; any
// problem stores nothing. An organisation that changes nothing is left alone. One that is
// new or changed is stored and audited as "directory.org.import" by actorID ("" for the
// command line): the entry holds the fields that changed, before and after, with
// confidential addresses as portal.ConfidentialMark. The caller checks that actorID may
// import. An organisation or service that changed is marked modified now, unless the
// import gives a time; a confidential location imported without its address keeps the one
// stored before.
//
// What changed is worked out for all of them first; then they are stored importBatch at a
// time, each batch in a few writes (SaveDirectoryOrgs), and audited one by one after their
// batch. A database that fails part way stops the import: the batches stored before are
// audited, and importing again completes it. Storing and auditing are two writes, so the
// organisations of a batch stored before a failure (any of the batch, at most
// importBatch, where one at a time it was at most one) stay without their audit entries
// (issue 12 makes them one).
func (e *Editor) Import(ctx context.Context, actorID string, orgs []*portal.DirectoryOrg) (*ImportReport, error) {
	terms := e.terms()
	for _, o := range orgs {
		if err := o.Validate(e.Gazetteer, terms); err != nil {
			return nil, fmt.Errorf("organisation %s: %w", o.ID, err)
		}
	}
	d, err := e.Store.Directory(ctx)
	if err != nil {
		return nil, err
	}
	now := e.Now().UTC()
	r := &ImportReport{Organisations: len(orgs)}
	var todo []orgImport
	for _, o := range orgs {
		r.Services += len(o.Services)
		r.Locations += len(o.Locations)
		old := d.Org(o.ID)
		changed, err := e.hiddenChanged(ctx, o)
		if err != nil {
			return nil, err
		}
		before, after := orgChanges(old, o, changed)
		if old != nil && len(after) == 0 {
			r.Unchanged++
			continue
		}
		stamp(o, old, before, after, now)
		todo = append(todo, orgImport{o, old == nil, before, after})
	}
	stored := 0
	for batch := range slices.Chunk(todo, importBatch) {
		save := make([]*portal.DirectoryOrg, len(batch))
		for i, c := range batch {
			save[i] = c.o
		}
		if err := e.Store.SaveDirectoryOrgs(ctx, save); err != nil {
			return nil, fmt.Errorf("stopped after storing %d of %d organisations, at the %d from %s: %w", stored, len(todo), len(batch), batch[0].o.ID, err)
		}
		for _, c := range batch {
			if err := e.audit(ctx, actorID, "directory.org.import", c.o.ID, c.before, c.after); err != nil {
				return nil, err
			}
			if c.created {
				r.Created++
			} else {
				r.Changed++
			}
		}
		stored += len(batch)
	}
	return r, nil
}

// orgImport is an organisation that an import stores: new or changed, and its audit.
type orgImport struct {
	o             *portal.DirectoryOrg
	created       bool
	before, after map[string]any
}

// hiddenChanged returns the ids of o's confidential locations whose address or
// coordinates o changes: those it gives that differ from the ones stored. Nothing of them
// leaves this function but the ids.
func (e *Editor) hiddenChanged(ctx context.Context, o *portal.DirectoryOrg) (map[string]bool, error) {
	_, hidden := o.Public()
	if len(hidden) == 0 {
		return nil, nil
	}
	ids := make([]string, len(hidden))
	for i, h := range hidden {
		ids[i] = h.LocationID
	}
	stored, err := e.Store.ConfidentialPlaces(ctx, ids)
	if err != nil {
		return nil, err
	}
	changed := map[string]bool{}
	for _, h := range hidden {
		if s, ok := stored[h.LocationID]; !ok || s.Address != h.Address || !sameCoord(s.Latitude, h.Latitude) || !sameCoord(s.Longitude, h.Longitude) {
			changed[h.LocationID] = true
		}
	}
	return changed, nil
}

func sameCoord(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// stamp sets when o and its services were modified, against old (nil for a new
// organisation) and the fields that changed (the keys of before and after, orgChanges):
// what changed is modified now, unless the import gives a later time than the one stored
// (a time it repeats from an export is not the time of its change); what did not change
// keeps its time.
func stamp(o, old *portal.DirectoryOrg, before, after map[string]any, now time.Time) {
	changed := func(in func(string) bool) bool {
		for _, m := range []map[string]any{before, after} {
			for k := range m {
				if in(k) && !strings.HasSuffix(k, ".last_modified") {
					return true
				}
			}
		}
		return false
	}
	if old == nil || changed(func(k string) bool { return !strings.HasPrefix(k, "services.") }) {
		o.Modified = now
	} else {
		o.Modified = old.Modified
	}
	for i := range o.Services {
		s := &o.Services[i]
		var prev *portal.Service
		if old != nil {
			for j := range old.Services {
				if old.Services[j].ID == s.ID {
					prev = &old.Services[j]
				}
			}
		}
		switch {
		case prev == nil || changed(func(k string) bool { return strings.HasPrefix(k, "services."+s.ID+".") }):
			if s.Modified.IsZero() || prev != nil && !s.Modified.After(prev.Modified) {
				s.Modified = now
			}
		case s.Modified.IsZero():
			s.Modified = prev.Modified
		}
	}
}

// orgChanges returns what the audit entry of importing o over old records: the state of
// every field that differs, before and after. hidden names the confidential locations
// whose address o changes; they are recorded as changed, the address as
// portal.ConfidentialMark. For a new organisation (old nil), before is nil and after is
// all of o. Both are empty when nothing changes.
func orgChanges(old, o *portal.DirectoryOrg, hidden map[string]bool) (before, after map[string]any) {
	is := orgState(o, nil)
	for id := range hidden {
		is["locations."+id+".address_changed"] = true
	}
	if old == nil {
		return nil, is
	}
	// A location confidential now hides what it was before too: its old public address
	// is a shelter's address now.
	hide := map[string]bool{}
	for _, l := range o.Locations {
		hide[l.ID] = l.Confidential
	}
	was := orgState(old, hide)
	// A time of modification the import gives is data too; one it does not give is not a
	// change.
	for i := range o.Services {
		s := &o.Services[i]
		for _, p := range old.Services {
			if p.ID == s.ID && !s.Modified.IsZero() && !p.Modified.Equal(s.Modified.Truncate(time.Millisecond)) {
				key := "services." + s.ID + ".last_modified"
				was[key], is[key] = timeText(p.Modified), timeText(s.Modified)
			}
		}
	}
	before, after = map[string]any{}, map[string]any{}
	for _, m := range []map[string]any{was, is} {
		for k := range m {
			if jsonText(was[k]) != jsonText(is[k]) {
				if v, ok := was[k]; ok {
					before[k] = v
				}
				if v, ok := is[k]; ok {
					after[k] = v
				}
			}
		}
	}
	if len(before) == 0 && len(after) == 0 {
		return nil, nil
	}
	return before, after
}

// orgState is every field of o as the audit log may hold it, by a dotted key:
// the organisation's own fields, "locations.ID" (a confidential one, or one that hide names,
// without its address and coordinates) and "services.ID.FIELD" (the fields of Fields, with
// verification and the example mark).
func orgState(o *portal.DirectoryOrg, hide map[string]bool) map[string]any {
	m := orgAudit(o)
	m["phones"] = phonesState(o.Phones)
	m["example"] = o.Example
	for i := range o.Locations {
		l := &o.Locations[i]
		m["locations."+l.ID] = locationAudit(l, hide[l.ID])
	}
	for i := range o.Services {
		s := &o.Services[i]
		key := "services." + s.ID + "."
		for _, f := range Fields(s, portal.English) {
			m[key+f.Key] = f.Value
		}
		m[key+"phones"] = phonesState(s.Phones)
		m[key+"assured_date"] = mongoliaDate(s.AssuredDate)
		m[key+"assured_by"] = s.AssuredBy
		m[key+"assured_by_mn"] = s.AssuredByMN
		m[key+"example"] = s.Example
	}
	return m
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// phonesState writes phones as FormatPhones does, with their example marks.
func phonesState(phones []portal.Phone) []string {
	out := make([]string, len(phones))
	for i, p := range phones {
		out[i] = FormatPhones([]portal.Phone{p})
		if p.Example {
			out[i] += " (example)"
		}
	}
	return out
}

// jsonText is v as JSON, to compare states whatever their Go types.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
