package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

const (
	benchUsers    = 1000
	benchSessions = 10000
)

// BenchmarkSignedInRequest measures what the store adds to every page a signed-in person asks
// for: the session by the hash of the cookie, and then its user.
func BenchmarkSignedInRequest(b *testing.B) {
	ctx, db := context.Background(), storetest.Open(b)
	for i := range benchUsers {
		u := newUser(fmt.Sprintf("u%d", i), fmt.Sprintf("user%d@gobi.mn", i), fmt.Sprintf("Хэрэглэгч %d", i))
		if err := db.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	ids := make([]string, benchSessions)
	for i := range ids {
		ids[i] = fmt.Sprintf("%064x", i*7919)
		if err := db.CreateSession(ctx, newSession(ids[i], fmt.Sprintf("u%d", i%benchUsers))); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	for b.Loop() {
		s, err := db.FindSession(ctx, ids[i%len(ids)])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.FindUser(ctx, s.UserID); err != nil {
			b.Fatal(err)
		}
		i += 7
	}
}

// BenchmarkFindUserByIdentity measures a sign-in's lookup: the claim, then the user.
func BenchmarkFindUserByIdentity(b *testing.B) {
	ctx, db := context.Background(), storetest.Open(b)
	for i := range benchUsers {
		u := newUser(fmt.Sprintf("u%d", i), fmt.Sprintf("user%d@gobi.mn", i), fmt.Sprintf("Хэрэглэгч %d", i))
		if err := db.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	for b.Loop() {
		if _, err := db.FindUserByIdentity(ctx, portal.ProviderLocal, fmt.Sprintf("user%d@gobi.mn", i%benchUsers)); err != nil {
			b.Fatal(err)
		}
		i += 7
	}
}
