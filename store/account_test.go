package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// newUser returns a member of oyu-tolgoi with every field but Disabled set, who signs in with a
// password and with Google.
func newUser(id, email, name string) *portal.User {
	return &portal.User{
		ID:           id,
		Email:        email,
		Name:         name,
		OrgID:        "oyu-tolgoi",
		Role:         portal.RoleMember,
		Language:     portal.Mongolian,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		Identities: []portal.Identity{
			{Provider: portal.ProviderLocal, Subject: email, Email: email, LinkedAt: base},
			{Provider: "google", Subject: "g-" + id, Email: email, LinkedAt: base.Add(time.Hour)},
		},
		SessionEpoch: 3,
		CreatedAt:    base,
		UpdatedAt:    base.Add(2 * time.Hour),
		LastSignIn:   base.Add(3 * time.Hour),
	}
}

func TestUserRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(u *portal.User)
	}{
		{"every field set", func(u *portal.User) { u.Disabled, u.Role, u.Language = true, portal.RoleAdmin, portal.English }},
		{"nil identities, no organisation, never signed in", func(u *portal.User) {
			u.Identities, u.OrgID, u.LastSignIn, u.PasswordHash, u.Language = nil, "", time.Time{}, "", ""
		}},
		{"empty identities", func(u *portal.User) { u.Identities = []portal.Identity{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, db := context.Background(), storetest.Open(t)
			u := newUser("u1", "tsetseg@gobi.mn", "Цэцэгмаа Өлзийбат")
			tt.edit(u)
			mustCreateUser(t, db, u)

			got, err := db.FindUser(ctx, u.ID)
			if err != nil {
				t.Fatalf("FindUser: %v", err)
			}
			assertEqual(t, "user", got, u)
			for _, id := range u.Identities {
				got, err := db.FindUserByIdentity(ctx, id.Provider, id.Subject)
				if err != nil {
					t.Fatalf("FindUserByIdentity(%s, %s): %v", id.Provider, id.Subject, err)
				}
				assertEqual(t, "user by identity", got, u)
			}
		})
	}
}

func TestAccountTimesReadBackInUTC(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	u := newUser("u1", "a@gobi.mn", "Бат")
	u.CreatedAt = base.In(portal.MongoliaTime)
	u.Identities[0].LinkedAt = base.In(time.FixedZone("X", -5*3600))
	mustCreateUser(t, db, u)
	got, err := db.FindUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, tm := range map[string]time.Time{"CreatedAt": got.CreatedAt, "LinkedAt": got.Identities[0].LinkedAt} {
		if tm.Location() != time.UTC || !tm.Equal(base) {
			t.Errorf("%s = %v, want %v in UTC", name, tm, base)
		}
	}
}

// TestCreateUserConflicts checks that a user whose e-mail, identity or ID is taken is refused
// with a message naming what is taken, and that nothing of theirs is left: no user, and none
// of the claims written before the conflict showed.
func TestCreateUserConflicts(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	mustCreateUser(t, db, newUser("u1", "bat@gobi.mn", "Бат"))

	tests := []struct {
		name string
		u    *portal.User
		msg  string
	}{
		{"same e-mail in other case", newUser("u2", "BAT@Gobi.mn", "Дорж"), "e-mail bat@gobi.mn is already used by another account"},
		{"same identity", func() *portal.User {
			u := newUser("u2", "dorj@gobi.mn", "Дорж")
			u.Identities[1].Subject = "g-u1"
			return u
		}(), "google sign-in g-u1 (dorj@gobi.mn) is already linked to another account"},
		{"same ID", newUser("u1", "dorj@gobi.mn", "Дорж"), "user u1 already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := claimCounts(t, db)
			err := db.CreateUser(ctx, tt.u)
			if code := portal.ErrorCode(err); code != portal.ECONFLICT {
				t.Fatalf("CreateUser = %v, code %q; want %q", err, code, portal.ECONFLICT)
			}
			if msg := portal.ErrorMessage(err); msg != tt.msg {
				t.Errorf("message = %q, want %q", msg, tt.msg)
			}
			if after := claimCounts(t, db); after != before {
				t.Errorf("claims (e-mails, identities) = %v, were %v before", after, before)
			}
			if tt.u.ID != "u1" {
				if _, err := db.FindUser(ctx, tt.u.ID); portal.ErrorCode(err) != portal.ENOTFOUND {
					t.Errorf("FindUser(%s) = %v, want ENOTFOUND", tt.u.ID, err)
				}
			}
		})
	}
	got, err := db.FindUserByIdentity(ctx, "google", "g-u1")
	if err != nil || got.ID != "u1" {
		t.Errorf("after the conflicts, FindUserByIdentity(google, g-u1) = %v, %v; want u1", got, err)
	}
}

func TestCreateUserRejectsInvalidKeys(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	tests := []struct {
		name string
		edit func(u *portal.User)
	}{
		{"no ID", func(u *portal.User) { u.ID = "" }},
		{"bad e-mail", func(u *portal.User) { u.Email = "not an address" }},
		{"identity without subject", func(u *portal.User) { u.Identities[1].Subject = "" }},
		{"provider with a bar", func(u *portal.User) { u.Identities[1].Provider = "oidc|x" }},
	}
	for _, tt := range tests {
		u := newUser("u1", "a@gobi.mn", "Бат")
		tt.edit(u)
		if err := db.CreateUser(ctx, u); portal.ErrorCode(err) != portal.EINVALID {
			t.Errorf("%s: CreateUser = %v, want EINVALID", tt.name, err)
		}
	}
	if n := claimCounts(t, db); n != [2]int64{} {
		t.Errorf("claims (e-mails, identities) = %v after invalid users, want none", n)
	}
}

func TestUpdateUserIdentitiesAndEmail(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	u := newUser("u1", "bat@gobi.mn", "Бат")
	mustCreateUser(t, db, u)

	// Link Microsoft, unlink Google, change the address (and the password identity with it).
	u.Identities = []portal.Identity{
		{Provider: portal.ProviderLocal, Subject: "bat@mining.mn", Email: "bat@mining.mn", LinkedAt: base},
		{Provider: "microsoft", Subject: "ms-1", Email: "bat@mining.mn", LinkedAt: base.Add(time.Hour)},
	}
	u.Email, u.Name, u.UpdatedAt = "bat@mining.mn", "Батболд", base.Add(5*time.Hour)
	if err := db.UpdateUser(ctx, u); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	got, err := db.FindUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "updated user", got, u)
	for _, id := range u.Identities {
		if got, err := db.FindUserByIdentity(ctx, id.Provider, id.Subject); err != nil || got.ID != u.ID {
			t.Errorf("FindUserByIdentity(%s, %s) = %v, %v; want u1", id.Provider, id.Subject, got, err)
		}
	}
	for _, gone := range [][2]string{{"google", "g-u1"}, {portal.ProviderLocal, "bat@gobi.mn"}} {
		if _, err := db.FindUserByIdentity(ctx, gone[0], gone[1]); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Errorf("FindUserByIdentity(%s, %s) after unlinking = %v, want ENOTFOUND", gone[0], gone[1], err)
		}
	}
	if n := claimCounts(t, db); n != [2]int64{1, 2} {
		t.Errorf("claims (e-mails, identities) = %v, want [1 2]: the old ones must be deleted", n)
	}
	// What u1 let go is free for someone else.
	other := newUser("u2", "bat@gobi.mn", "Дорж")
	other.Identities[1].Subject = "g-u1"
	mustCreateUser(t, db, other)
}

// TestUpdateUserConflict checks that a user cannot take another's identity or address, and
// that the refused update changes nothing: not the user, and not the claims it wrote before
// it met the conflict.
func TestUpdateUserConflict(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	a, b := newUser("a", "a@gobi.mn", "Ану"), newUser("b", "b@gobi.mn", "Болд")
	mustCreateUser(t, db, a)
	mustCreateUser(t, db, b)
	before := claimCounts(t, db)

	tests := []struct {
		name string
		edit func(u *portal.User)
		msg  string
	}{
		{"another's identity after a new one", func(u *portal.User) {
			u.Identities = append(u.Identities,
				portal.Identity{Provider: "microsoft", Subject: "ms-b", LinkedAt: base},
				portal.Identity{Provider: "google", Subject: "g-a", LinkedAt: base})
		}, "google sign-in g-a is already linked to another account"},
		{"another's e-mail", func(u *portal.User) { u.Email = "A@gobi.mn" }, "e-mail a@gobi.mn is already used by another account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := newUser("b", "b@gobi.mn", "Болд")
			tt.edit(changed)
			err := db.UpdateUser(ctx, changed)
			if code := portal.ErrorCode(err); code != portal.ECONFLICT {
				t.Fatalf("UpdateUser = %v, code %q; want %q", err, code, portal.ECONFLICT)
			}
			if msg := portal.ErrorMessage(err); msg != tt.msg {
				t.Errorf("message = %q, want %q", msg, tt.msg)
			}
			got, err := db.FindUser(ctx, "b")
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "user after a refused update", got, b)
			if after := claimCounts(t, db); after != before {
				t.Errorf("claims (e-mails, identities) = %v, were %v before", after, before)
			}
			if got, err := db.FindUserByIdentity(ctx, "google", "g-a"); err != nil || got.ID != "a" {
				t.Errorf("FindUserByIdentity(google, g-a) = %v, %v; want a", got, err)
			}
		})
	}
}

// TestAbandonedClaims checks claims that a failed call left behind, written here straight into
// the database: they block nobody once older than the lease, and they find nobody.
func TestAbandonedClaims(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	emails, identities := rawCollection(t, db, "emails"), rawCollection(t, db, "identities")
	mustCreateUser(t, db, newUser("owner", "owner@gobi.mn", "Эзэн"))
	old, fresh := base, time.Now().UTC()
	// Age the owner's own e-mail claim past the lease: it still counts, because owner lists it.
	if _, err := emails.UpdateOne(ctx, bson.M{"_id": "owner@gobi.mn"}, bson.M{"$set": bson.M{"claimed_at": old}}); err != nil {
		t.Fatal(err)
	}
	insert := func(coll *mongo.Collection, id, userID string, at time.Time) {
		t.Helper()
		doc := bson.D{{Key: "_id", Value: id}, {Key: "user_id", Value: userID}, {Key: "email", Value: ""}, {Key: "claimed_at", Value: at}}
		if _, err := coll.InsertOne(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	insert(emails, "ghost@gobi.mn", "ghost", old)         // its user was never written
	insert(emails, "young@gobi.mn", "ghost", fresh)       // perhaps being written right now
	insert(identities, "google|g-gone", "owner", old)     // unlinked, but the delete failed
	insert(identities, "google|g-fresh", "owner2", fresh) // young
	insert(emails, "owner2@gobi.mn", "owner", old)        // owner does not list it

	if _, err := db.FindUserByIdentity(ctx, "google", "g-gone"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("FindUserByIdentity through an abandoned claim = %v, want ENOTFOUND", err)
	}
	tests := []struct {
		name, email, google string
		code                string
	}{
		{"old claim of a user never written", "ghost@gobi.mn", "g-1", ""},
		{"old identity claim the owner no longer lists", "new1@gobi.mn", "g-gone", ""},
		{"old claim the owner does not list", "owner2@gobi.mn", "g-2", ""},
		{"young claim", "young@gobi.mn", "g-3", portal.ECONFLICT},
		{"young identity claim", "new2@gobi.mn", "g-fresh", portal.ECONFLICT},
		{"old claim the owner lists", "owner@gobi.mn", "g-4", portal.ECONFLICT},
	}
	for i, tt := range tests {
		u := newUser(string(rune('a'+i)), tt.email, "Шинэ")
		u.Identities[1].Subject = tt.google
		err := db.CreateUser(ctx, u)
		if code := portal.ErrorCode(err); code != tt.code {
			t.Errorf("%s: CreateUser = %v, want code %q", tt.name, err, tt.code)
			continue
		}
		if tt.code == "" {
			if got, err := db.FindUserByIdentity(ctx, "google", tt.google); err != nil || got.ID != u.ID {
				t.Errorf("%s: FindUserByIdentity = %v, %v; want %s", tt.name, got, err, u.ID)
			}
		}
	}
}

// TestUpdateUserRepairsClaims checks that an update restores a claim its user lists but that
// is missing, as after a failed call.
func TestUpdateUserRepairsClaims(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	u := newUser("u1", "bat@gobi.mn", "Бат")
	mustCreateUser(t, db, u)
	if _, err := rawCollection(t, db, "identities").DeleteOne(ctx, bson.M{"_id": "google|g-u1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindUserByIdentity(ctx, "google", "g-u1"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("FindUserByIdentity without its claim = %v, want ENOTFOUND", err)
	}
	u.LastSignIn = base.Add(24 * time.Hour)
	if err := db.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FindUserByIdentity(ctx, "google", "g-u1"); err != nil || got.ID != "u1" {
		t.Errorf("FindUserByIdentity after the update = %v, %v; want u1", got, err)
	}
}

func TestFindUsers(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	add := func(id, email, name, org string, role portal.Role) {
		t.Helper()
		u := newUser(id, email, name)
		u.OrgID, u.Role = org, role
		mustCreateUser(t, db, u)
	}
	// In Mongolian order: Latin first, then А, Ё (after Е), О, Ө (after О), Ү (after У), Я.
	add("u1", "yargui@gobi.mn", "Яргуй", "oyu-tolgoi", portal.RoleMember)
	add("u2", "ulzii@mining.mn", "Өлзий", "erdenes", portal.RoleModerator)
	add("u3", "anu@gobi.mn", "Ану", "oyu-tolgoi", portal.RoleAdmin)
	add("u4", "undral@ngo.mn", "Үндрал", "", portal.RoleMember)
	add("u5", "john@un.org", "John Smith", "unicef", portal.RoleMember)
	add("u6", "ochir@gobi.mn", "Очир", "erdenes", portal.RoleMember)
	add("u7", "yondon@gobi.mn", "Ёндон", "oyu-tolgoi", portal.RoleMember)
	add("u0", "anu2@ngo.mn", "Ану", "", portal.RoleSecretariat) // same name as u3: ID decides

	tests := []struct {
		name   string
		filter portal.UserFilter
		want   []string
	}{
		{"all", portal.UserFilter{}, []string{"u5", "u0", "u3", "u7", "u6", "u2", "u4", "u1"}},
		{"Cyrillic name, other case", portal.UserFilter{Query: "ӨЛЗ"}, []string{"u2"}},
		{"part of a name", portal.UserFilter{Query: "ну"}, []string{"u0", "u3"}},
		{"e-mail", portal.UserFilter{Query: " @Gobi.mn "}, []string{"u3", "u7", "u6", "u1"}},
		{"Latin name", portal.UserFilter{Query: "smith"}, []string{"u5"}},
		{"organisation", portal.UserFilter{OrgID: "erdenes"}, []string{"u6", "u2"}},
		{"role", portal.UserFilter{Role: portal.RoleMember}, []string{"u5", "u7", "u6", "u4", "u1"}},
		{"all fields", portal.UserFilter{Query: "gobi", OrgID: "oyu-tolgoi", Role: portal.RoleMember}, []string{"u7", "u1"}},
		{"no match", portal.UserFilter{Query: "зочин"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			us, err := db.FindUsers(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, u := range us {
				ids = append(ids, u.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("FindUsers(%+v) = %q, want %q", tt.filter, ids, tt.want)
			}
		})
	}
}

// TestAccountNotFound checks the ENOTFOUND errors of the account store and their messages.
func TestAccountNotFound(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	tests := []struct {
		name string
		call func() error
		msg  string
	}{
		{"user", func() error { _, err := db.FindUser(ctx, "u404"); return err }, "user u404 not found"},
		{"identity", func() error { _, err := db.FindUserByIdentity(ctx, "google", "404"); return err },
			"no user signs in with google identity 404"},
		{"update user", func() error { return db.UpdateUser(ctx, newUser("u404", "a@gobi.mn", "Бат")) }, "user u404 not found"},
		{"organisation", func() error { _, err := db.FindOrganisation(ctx, "absent"); return err }, "organisation absent not found"},
		{"update organisation", func() error { return db.UpdateOrganisation(ctx, newOrganisation("absent", "Байхгүй")) },
			"organisation absent not found"},
		{"session", func() error { _, err := db.FindSession(ctx, "absent"); return err }, "session not found"},
		{"touch session", func() error { return db.TouchSession(ctx, "absent", base) }, "session not found"},
		{"token", func() error { _, err := db.FindToken(ctx, "absent"); return err }, "link not found"},
		{"use token", func() error { return db.UseToken(ctx, "absent", base) }, "link not found"},
		{"revoke token", func() error { return db.RevokeToken(ctx, "absent", base) }, "link not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if code := portal.ErrorCode(err); code != portal.ENOTFOUND {
				t.Fatalf("error %v has code %q, want %q", err, code, portal.ENOTFOUND)
			}
			if msg := portal.ErrorMessage(err); msg != tt.msg {
				t.Errorf("message = %q, want %q", msg, tt.msg)
			}
		})
	}
	if n := claimCounts(t, db); n != [2]int64{} {
		t.Errorf("an update of a missing user left claims (e-mails, identities) %v", n)
	}
}

func mustCreateUser(t *testing.T, db *store.DB, u *portal.User) {
	t.Helper()
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser(%s): %v", u.ID, err)
	}
}

// rawCollection returns the collection name of db's database through a client of its own, for
// tests that look at or damage what the store wrote.
func rawCollection(t *testing.T, db *store.DB, name string) *mongo.Collection {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(storetest.URI(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database(db.Name()).Collection(name)
}

// claimCounts returns the number of e-mail and identity claims in db.
func claimCounts(t *testing.T, db *store.DB) [2]int64 {
	t.Helper()
	var n [2]int64
	for i, name := range []string{"emails", "identities"} {
		c, err := rawCollection(t, db, name).CountDocuments(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		n[i] = c
	}
	return n
}
