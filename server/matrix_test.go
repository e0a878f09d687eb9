package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// operational routes are registered outside the table: they answer everyone and carry no
// page.
var operational = map[string]bool{
	"GET /healthz": true, "HEAD /healthz": true, "GET /metrics": true, "HEAD /metrics": true, "GET /static/:file": true,
	"HEAD /static/:file": true,
}

// TestAuthorizationMatrix requests every route of the table as every role and checks the
// answer against the policy. It is generated from the table, so a new route is covered
// the moment it is added, and a route whose action the policy does not know fails.
func TestAuthorizationMatrix(t *testing.T) {
	p := portaltest.New(t, portaltest.Options{StarterDirectory: true})
	ctx := context.Background()
	db, svc, s := p.DB, p.Accounts, p.Server

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
	for _, r := range s.Table() {
		table[r.Method+" "+r.Path] = true
		min, ok := portal.MinRole(r.Action)
		if !ok {
			t.Errorf("%s %s: action %q is not in the policy table", r.Method, r.Path, r.Action)
			continue
		}
		path := strings.NewReplacer(":slug", "truck-drivers", ":n", "1", ":token", "no-such-token", ":id", "no-such-id",
			":org", "ub-safe-house", ":loc", "ub-safe-house-shelter").Replace(r.Path)
		for _, role := range append([]portal.Role{portal.RoleVisitor}, portal.Roles...) {
			req := httptest.NewRequest(r.Method, path, nil)
			if c := cookie(role); c != "" {
				req.Header.Set("Cookie", c)
			}
			if r.Method == http.MethodPost {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if r.Method == http.MethodGet {
				// HEAD is answered as GET is, for every role.
				head := httptest.NewRequest(http.MethodHead, path, nil)
				head.Header = req.Header
				hrec := httptest.NewRecorder()
				s.Handler().ServeHTTP(hrec, head)
				if hrec.Code != rec.Code || hrec.Header().Get("Location") != rec.Header().Get("Location") {
					t.Errorf("HEAD %s as %s: %d %s, GET: %d %s", r.Path, role, hrec.Code, hrec.Header().Get("Location"),
						rec.Code, rec.Header().Get("Location"))
				}
			}
			allowed := role.AtLeast(min)
			toLogin := rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/login?")
			denied := rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden || toLogin
			switch {
			case allowed && rec.Code >= 500:
				t.Errorf("%s %s as %s: %d, so the route was not really checked", r.Method, r.Path, role, rec.Code)
			case allowed && denied:
				t.Errorf("%s %s as %s: %d %s, want it allowed", r.Method, r.Path, role, rec.Code, rec.Header().Get("Location"))
			case !allowed && role == portal.RoleVisitor && r.Method == http.MethodGet && !toLogin:
				t.Errorf("%s %s as visitor: %d, want a redirect to sign in", r.Method, r.Path, rec.Code)
			case !allowed && role == portal.RoleVisitor && r.Method != http.MethodGet && rec.Code != http.StatusUnauthorized:
				t.Errorf("%s %s as visitor: %d, want 401", r.Method, r.Path, rec.Code)
			case !allowed && role != portal.RoleVisitor && rec.Code != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403", r.Method, r.Path, role, rec.Code)
			}
		}
	}
	for _, ri := range s.Registered() {
		key := ri.Method + " " + ri.Path
		if !table[key] && !operational[key] && !(ri.Method == http.MethodHead && table["GET "+ri.Path]) {
			t.Errorf("route %s is registered outside the table: the matrix cannot check it", key)
		}
	}
}
