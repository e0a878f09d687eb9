package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

func TestAudit(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	if es, err := db.FindAudit(ctx, 10); err != nil || len(es) != 0 {
		t.Fatalf("FindAudit of an empty log = %v, %v", es, err)
	}
	// Appended out of order; two share a time, and then the one appended last comes first.
	appended := []*portal.AuditEntry{
		{At: base.Add(time.Hour), ActorID: "admin", Action: "user.role", Target: "u1",
			Before: `{"role":"member"}`, After: `{"role":"moderator"}`},
		{At: base, ActorID: "secretariat", Action: "organisation.verify", Target: "oyu-tolgoi",
			Before: `{"verified":false}`, After: `{"verified":true,"name":"Оюу Толгой"}`},
		{At: base.Add(2 * time.Hour).In(portal.MongoliaTime), ActorID: "admin", Action: "invitation.create", Target: "i1", After: `{}`},
		{At: base.Add(time.Hour), ActorID: "admin", Action: "user.disable", Target: "u2"},
		{ID: "given-id", At: base.Add(-time.Hour), ActorID: "admin", Action: "user.enable", Target: "u2"},
	}
	for _, e := range appended {
		if err := db.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.ID == "" {
			t.Fatal("AppendAudit left the entry without an ID")
		}
	}
	if appended[4].ID != "given-id" {
		t.Errorf("AppendAudit replaced a given ID with %q", appended[4].ID)
	}
	if err := db.AppendAudit(ctx, &portal.AuditEntry{ID: "given-id", At: base}); portal.ErrorCode(err) != portal.ECONFLICT {
		t.Errorf("AppendAudit with a taken ID = %v, want ECONFLICT", err)
	}
	newestFirst := []*portal.AuditEntry{appended[2], appended[3], appended[0], appended[1], appended[4]}
	want := *appended[2]
	want.At = want.At.UTC() // stored in UTC
	newestFirst[0] = &want

	for _, limit := range []int{0, 1, 3, 5, 10} {
		got, err := db.FindAudit(ctx, limit)
		if err != nil {
			t.Fatal(err)
		}
		w := newestFirst
		if limit > 0 && limit < len(w) {
			w = w[:limit]
		}
		if len(got) != len(w) {
			t.Errorf("FindAudit(%d) returned %d entries, want %d", limit, len(got), len(w))
			continue
		}
		assertEqual(t, "audit log", got, w)
	}
}

func TestAuditIDsSortByTime(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	var ids []string
	for range 20 {
		e := &portal.AuditEntry{At: base, ActorID: "admin", Action: "user.role", Target: "u1"}
		if err := db.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Errorf("IDs in the order appended are not increasing and distinct: %q", ids)
	}
}
