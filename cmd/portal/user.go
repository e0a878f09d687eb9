package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

const userUsage = `usage: portal user create --email E --name N --role R [--org ORG]
       portal user link --email E`

// runUser serves `portal user create` and `portal user link`.
func runUser(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return runUserCreate(ctx, args[1:], getenv, stdout, stderr)
		case "link":
			return runUserLink(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, userUsage)
	return errUsage
}

// runUserCreate serves `portal user create --email E --name N --role R [--org ORG]`: it
// creates a person (the first admin of a fresh install, typically) and prints a one-time
// sign-in link, which leads them to choose their password.
func runUserCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, flags := newFlags("user create", stderr)
	email := fs.String("email", "", "the person's e-mail `address`")
	name := fs.String("name", "", "the person's `name`")
	role := fs.String("role", "", "member, moderator, secretariat or admin")
	org := fs.String("org", "", "the `id` of the person's organisation (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r, err := portal.ParseRole(*role)
	if err != nil {
		return err
	}
	a, err := flags.open(ctx, getenv, stderr, dataUse{})
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
		if portal.ErrorCode(err) == portal.ECONFLICT && hasEmailField(err) {
			return fmt.Errorf("%s already has an account: to print a new one-time sign-in link for it, run\n  portal user link --email %s",
				strings.TrimSpace(*email), strings.TrimSpace(*email))
		}
		return err
	}
	token, err := a.accounts.IssueSignInLink(ctx, "", u.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s <%s> as %s.\n", u.Name, u.Email, u.Role)
	a.printSignInLink(stdout, token)
	return nil
}

// runUserLink serves `portal user link --email E`: a fresh one-time sign-in link for a
// person who has an account, which leads them to choose a new password. It is how the
// person running the server gets back in when they (or the only admin) forgot the password.
func runUserLink(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, flags := newFlags("user link", stderr)
	email := fs.String("email", "", "the person's e-mail `address`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: portal user link [--config FILE] [--data DIR] --email E")
		return errUsage
	}
	normal, err := portal.NormalizeEmail(*email)
	if err != nil {
		return fmt.Errorf("--email: %s", errText(err))
	}
	a, err := flags.open(ctx, getenv, stderr, dataUse{})
	if err != nil {
		return err
	}
	defer a.close()
	u, err := a.accounts.Store.FindUserByIdentity(ctx, portal.ProviderLocal, normal)
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return fmt.Errorf("no account has the e-mail address %s: portal user create makes one", normal)
	} else if err != nil {
		return err
	}
	token, err := a.accounts.IssueSignInLink(ctx, "", u.ID)
	if errors.Is(err, accounts.ErrDisabled) {
		return fmt.Errorf("the account of %s is disabled: an admin enables it again on %s/admin/people/%s", u.Email, a.baseURL(), u.ID)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s <%s>, %s.\n", u.Name, u.Email, u.Role)
	a.printSignInLink(stdout, token)
	return nil
}

// printSignInLink prints the one-time sign-in link of token.
func (a *app) printSignInLink(stdout io.Writer, token string) {
	fmt.Fprintln(stdout, "One-time sign-in link (valid for 24 hours; it works once, and leads to choosing a password):")
	if base := a.baseURL(); base != "" {
		fmt.Fprintf(stdout, "%s/login/link/%s\n", base, token)
		return
	}
	fmt.Fprintf(stdout, "/login/link/%s\n(after the address that portal serve prints when it starts: server.addr chooses its port then)\n", token)
}

// hasEmailField reports whether err is a *portal.Error that marks the e-mail field.
func hasEmailField(err error) bool {
	var pe *portal.Error
	if errors.As(err, &pe) {
		_, ok := pe.Fields["email"]
		return ok
	}
	return false
}
