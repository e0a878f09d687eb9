package accounts_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// password is the password of the people the tests create; hashing it once keeps the tests
// quick under the race detector, where one argon2 hash takes a good part of a second.
const password = "tall camels cross the gobi"

var passwordHash = sync.OnceValue(func() string {
	h, err := accounts.HashPassword(password)
	if err != nil {
		panic(err)
	}
	return h
})

// env is a Service on a database of its own, with a clock that moves only when told to.
type env struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	clock *fakeClock
	svc   *accounts.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.Open(t)
	clock := newFakeClock()
	return &env{
		t: t, ctx: t.Context(), db: db, clock: clock,
		svc: &accounts.Service{Store: db, Now: clock.Now, Limiter: &accounts.Limiter{Store: db, Now: clock.Now}},
	}
}

// sub returns e for the subtest t, whose failures must be reported on t.
func (e *env) sub(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// org stores an organisation with id.
func (e *env) org(id string) *portal.Organisation {
	e.t.Helper()
	o := &portal.Organisation{ID: id, NameMN: "Байгууллага " + id, NameEN: "Organisation " + id, Group: portal.GroupCivilSociety}
	if err := e.db.CreateOrganisation(e.ctx, o); err != nil {
		e.t.Fatal(err)
	}
	return o
}

// user creates a person with role and the test password, named after the e-mail's local
// part, through the service.
func (e *env) user(email string, role portal.Role) *portal.User {
	e.t.Helper()
	name, _, _ := strings.Cut(email, "@")
	u := &portal.User{Email: email, Name: "Test " + name, Role: role, PasswordHash: passwordHash()}
	if err := e.svc.CreateUser(e.ctx, "", u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// reload returns the stored version of u.
func (e *env) reload(u *portal.User) *portal.User {
	e.t.Helper()
	got, err := e.db.FindUser(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

// audit returns the audit entries with action, newest first.
func (e *env) audit(action string) []*portal.AuditEntry {
	e.t.Helper()
	all, err := e.db.FindAudit(e.ctx, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*portal.AuditEntry
	for _, a := range all {
		if a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

// wantAudit checks that exactly one entry with action was written, by actor on target,
// and that neither side mentions a password hash; it returns the entry.
func (e *env) wantAudit(action, actor, target string) *portal.AuditEntry {
	e.t.Helper()
	entries := e.audit(action)
	if len(entries) != 1 {
		e.t.Fatalf("%d audit entries %q, want 1", len(entries), action)
	}
	a := entries[0]
	if a.ActorID != actor || a.Target != target || a.ID == "" || !a.At.Equal(e.clock.Now()) {
		e.t.Errorf("audit %s = %+v, want actor %q, target %q, at %v, an ID", action, a, actor, target, e.clock.Now())
	}
	for _, s := range []string{a.Before, a.After} {
		if strings.Contains(s, "argon2") || strings.Contains(s, "password") {
			e.t.Errorf("audit %s mentions a password: %s", action, s)
		}
	}
	return a
}

// wantErr checks that err is target (by errors.Is) or, for a nil target, that it has code.
func wantErr(t *testing.T, err error, code string, target error) {
	t.Helper()
	if got := portal.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
	if target != nil && !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

// throttle returns the stored failures of key.
func (e *env) throttle(key string) int {
	e.t.Helper()
	th, err := e.db.FindThrottle(e.ctx, key)
	if err != nil {
		e.t.Fatal(err)
	}
	return th.Failures
}
