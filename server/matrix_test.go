package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/content"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/store/storetest"
	"github.com/gobidialogue/portal/themes"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// operational routes are registered outside the table: they answer everyone and carry no
// page.
var operational = map[string]bool{
	"GET /healthz": true, "HEAD /healthz": true, "GET /static/:file": true, "HEAD /static/:file": true,
}

// TestAuthorizationMatrix requests every route of the table as every role and checks the
// answer against the policy. It is generated from the table, so a new route is covered
// the moment it is added, and a route whose action the policy does not know fails.
func TestAuthorizationMatrix(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	svc := &accounts.Service{Store: db, Now: time.Now, Limiter: &accounts.Limiter{Store: db, Now: time.Now}}
	theme, err := themes.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := content.ImportStarterDirectory(ctx, db, db, time.Now); err != nil {
		t.Fatal(err)
	}
	g, terms, _, err := content.LoadStarterDirectory()
	if err != nil {
		t.Fatal(err)
	}
	h := &handlers.Handlers{Guidelines: db, Directory: db, Gazetteer: g, Taxonomy: terms, Accounts: svc, DB: db, Theme: theme,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now,
		Editor: &content.DirectoryEditor{Store: db, Audit: db, Gazetteer: g, Terms: terms, Now: time.Now}}
	s, err := New(Config{}, h)
	if err != nil {
		t.Fatal(err)
	}

	users := map[portal.Role]string{}
	for _, role := range portal.Roles {
		u := &portal.User{Email: string(role) + "@example.org", Name: "Test " + string(role), Role: role}
		if err := svc.CreateUser(ctx, "", u); err != nil {
			t.Fatal(err)
		}
		users[role] = u.ID
	}
	// cookie signs the role in afresh for each request: some routes end sessions.
	cookie := func(role portal.Role) string {
		if role == portal.RoleVisitor {
			return ""
		}
		u, err := db.FindUser(ctx, users[role])
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := svc.StartSession(ctx, u, portal.ProviderLocal)
		if err != nil {
			t.Fatal(err)
		}
		return handlers.SessionCookie + "=" + token
	}

	table := map[string]bool{}
	for _, r := range s.table() {
		table[r.method+" "+r.path] = true
		min, ok := portal.MinRole(r.action)
		if !ok {
			t.Errorf("%s %s: action %q is not in the policy table", r.method, r.path, r.action)
			continue
		}
		path := strings.NewReplacer(":slug", "truck-drivers", ":n", "1", ":token", "no-such-token", ":id", "no-such-id",
			":org", "ub-safe-house", ":loc", "ub-safe-house-shelter").Replace(r.path)
		for _, role := range append([]portal.Role{portal.RoleVisitor}, portal.Roles...) {
			req := httptest.NewRequest(r.method, path, nil)
			if c := cookie(role); c != "" {
				req.Header.Set("Cookie", c)
			}
			if r.method == http.MethodPost {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			allowed := role.AtLeast(min)
			toLogin := rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/login?")
			denied := rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden || toLogin
			switch {
			case allowed && rec.Code >= 500:
				t.Errorf("%s %s as %s: %d, so the route was not really checked", r.method, r.path, role, rec.Code)
			case allowed && denied:
				t.Errorf("%s %s as %s: %d %s, want it allowed", r.method, r.path, role, rec.Code, rec.Header().Get("Location"))
			case !allowed && role == portal.RoleVisitor && r.method == http.MethodGet && !toLogin:
				t.Errorf("%s %s as visitor: %d, want a redirect to sign in", r.method, r.path, rec.Code)
			case !allowed && role == portal.RoleVisitor && r.method != http.MethodGet && rec.Code != http.StatusUnauthorized:
				t.Errorf("%s %s as visitor: %d, want 401", r.method, r.path, rec.Code)
			case !allowed && role != portal.RoleVisitor && rec.Code != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403", r.method, r.path, role, rec.Code)
			}
		}
	}
	for _, ri := range s.engine.Routes() {
		key := ri.Method + " " + ri.Path
		if !table[key] && !operational[key] {
			t.Errorf("route %s is registered outside the table: the matrix cannot check it", key)
		}
	}
}
