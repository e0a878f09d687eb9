package portaltest

import (
	"context"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
)

// Person creates someone without a password, and returns them and a Cookie header value
// that signs them in.
func (p *Portal) Person(tb testing.TB, email, name string, role portal.Role, org string) (*portal.User, string) {
	tb.Helper()
	ctx := context.Background()
	u := &portal.User{Email: email, Name: name, Role: role, OrgID: org}
	if err := p.Accounts.CreateUser(ctx, "", u); err != nil {
		tb.Fatal(err)
	}
	token, _, err := p.Accounts.StartSession(ctx, u, portal.ProviderLocal)
	if err != nil {
		tb.Fatal(err)
	}
	return u, handlers.SessionCookie + "=" + token
}

// Organisation stores an organisation straight in the database: no one created it, and
// the audit log does not mention it.
func (p *Portal) Organisation(tb testing.TB, id, nameMN, nameEN string, group portal.StakeholderGroup, verified bool) {
	tb.Helper()
	o := &portal.Organisation{ID: id, NameMN: nameMN, NameEN: nameEN, Group: group, Verified: verified}
	if err := p.DB.CreateOrganisation(context.Background(), o); err != nil {
		tb.Fatal(err)
	}
}

// SignInLink creates u and returns the path of a one-time link that signs them in, as the
// CLI prints it for a first admin.
func (p *Portal) SignInLink(tb testing.TB, u *portal.User) string {
	tb.Helper()
	ctx := context.Background()
	if err := p.Accounts.CreateUser(ctx, "", u); err != nil {
		tb.Fatal(err)
	}
	token, err := p.Accounts.IssueSignInLink(ctx, "", u.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return "/login/link/" + token
}
