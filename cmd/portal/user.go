package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/gobidialogue/portal"
)

// runUser serves `portal user create --email E --name N --role R [--org ORG]`: it creates
// a person (the first admin of a fresh install, typically) and prints a one-time sign-in
// link, since the person has no password yet.
func runUser(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "usage: portal user create --email E --name N --role R [--org ORG]")
		return errUsage
	}
	fs, flags := newFlags("user create", stderr)
	email := fs.String("email", "", "the person's e-mail `address`")
	name := fs.String("name", "", "the person's `name`")
	role := fs.String("role", "", "member, moderator, secretariat or admin")
	org := fs.String("org", "", "the `id` of the person's organisation (optional)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	r, err := portal.ParseRole(*role)
	if err != nil {
		return err
	}
	a, err := flags.open(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	if *org != "" {
		if _, err := a.accounts.Store.FindOrganisation(ctx, *org); err != nil {
			return fmt.Errorf("--org %s: %w", *org, err)
		}
	}
	u := &portal.User{Email: *email, Name: strings.TrimSpace(*name), Role: r, OrgID: *org, Language: a.cfg.Site.DefaultLanguage}
	if err := a.accounts.CreateUser(ctx, "", u); err != nil {
		return err
	}
	token, err := a.accounts.IssueSignInLink(ctx, "", u.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s <%s> as %s.\nOne-time sign-in link (valid for 24 hours; it works once):\n%s/login/link/%s\n",
		u.Name, u.Email, u.Role, strings.TrimSuffix(a.cfg.Site.BaseURL, "/"), token)
	return nil
}
