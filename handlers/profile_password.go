package handlers

import (
	"errors"
	"math"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// passwordForm is the form that sets a password: on the choose-password page a one-time
// sign-in link leads to, and on the profile.
type passwordForm struct {
	formState
	AskCurrent  bool // the current password is asked for (accounts.AsksCurrentPassword)
	HasPassword bool
	MinPassword int
}

// fields returns the form's fields in page order, with their labels' catalog keys, for
// its error summary.
func (f *passwordForm) fields() []string {
	password := "password@reset.password"
	if f.HasPassword {
		password = "password@reset.new_password"
	}
	return []string{"current@password.current", password, "confirm@reset.confirm"}
}

// choosePasswordPage is the data of GET /profile/password.
type choosePasswordPage struct {
	Page
	Password passwordForm
	Heading  string
	Intro    string
	// Must: the person may not skip the page (accounts.MustChoosePassword); they may
	// still sign out.
	Must bool
	// Providers names the providers the person signs in with, when they may skip.
	Providers string
}

// HandleChoosePassword serves GET /profile/password: "choose your password" after a
// one-time sign-in link, and "change" or "set" a password for anyone else signed in.
func (h *Handlers) HandleChoosePassword(c *gin.Context) {
	p, ok := h.choosePasswordPage(c)
	if !ok {
		return
	}
	noStore(c)
	h.render(c, http.StatusOK, "choose-password", p)
}

// HandlePasswordPost serves POST /profile/password: a new password, from the
// choose-password page or from the profile (whose form says on=profile, and which shows the
// form again when it is refused). It signs this browser in afresh and everyone else out.
func (h *Handlers) HandlePasswordPost(c *gin.Context) {
	u, sess, token, err := h.session(c)
	if err != nil {
		h.Error(c, err)
		return
	}
	current, password, errs := c.PostForm("current"), c.PostForm("password"), fieldErrors{}
	if accounts.AsksCurrentPassword(u, sess) {
		switch {
		case current == "":
			errs.add("current", "form.required")
		case len(current) > maxPassword:
			errs.add("current", "form.too_long")
		}
	}
	if errs.newPassword(password, c.PostForm("confirm")); len(errs) > 0 {
		h.passwordRefused(c, http.StatusBadRequest, "", errs)
		return
	}
	changed, err := h.Accounts.ChangePassword(c.Request.Context(), token, current, password)
	var throttled *accounts.ThrottledError
	switch {
	case err == nil:
		if err := h.startSession(c, changed, portal.ProviderLocal); err != nil {
			h.Error(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/profile?password=1")
	case errors.Is(err, accounts.ErrWrongCurrentPassword):
		h.passwordRefused(c, http.StatusBadRequest, "", fieldErrors{"current": "password.wrong_current"})
	case errors.As(err, &throttled):
		minutes := max(int(math.Ceil(throttled.Wait.Minutes())), 1)
		h.passwordRefused(c, http.StatusTooManyRequests, h.page(c, "", "").T("login.throttled", minutes), nil)
	case passwordProblem(err) != "":
		h.passwordRefused(c, http.StatusBadRequest, "", fieldErrors{"password": passwordProblem(err)})
	default:
		h.Error(c, err)
	}
}

// passwordRefused shows the password form again, where it was sent from, with its
// problems: errs (catalog keys by field) and message, about the whole form.
func (h *Handlers) passwordRefused(c *gin.Context, status int, message string, errs fieldErrors) {
	if c.PostForm("on") == "profile" {
		p, ok := h.profilePage(c)
		if !ok {
			return
		}
		p.Password.refuse(&p.Page, message, errs.messages(&p.Page), p.Password.fields()...)
		h.render(c, status, "profile", p)
		return
	}
	p, ok := h.choosePasswordPage(c)
	if !ok {
		return
	}
	p.Password.refuse(&p.Page, message, errs.messages(&p.Page), p.Password.fields()...)
	h.render(c, status, "choose-password", p)
}

// choosePasswordPage returns the choose-password page of the request's person, or answers
// the request itself and returns false.
func (h *Handlers) choosePasswordPage(c *gin.Context) (*choosePasswordPage, bool) {
	u, sess, _, err := h.session(c)
	if err != nil {
		h.Error(c, err)
		return nil, false
	}
	p := &choosePasswordPage{Page: h.page(c, "", "profile"), Password: h.passwordForm(u, sess),
		Must: accounts.MustChoosePassword(u, sess)}
	switch {
	case sess.Provider == accounts.SessionLink:
		p.Heading, p.Intro = p.T("password.choose_title"), p.T("password.choose_intro")
		p.Providers = h.providerLabels(u)
	case u.PasswordHash == "":
		p.Heading, p.Intro = p.T("password.set_title"), p.T("password.set_intro")
	default:
		p.Heading = p.T("password.change_title")
	}
	p.Title = p.Heading
	return p, true
}

// sessionPasswordForm returns the empty password form of the request's person, or answers
// the request itself and returns false.
func (h *Handlers) sessionPasswordForm(c *gin.Context) (passwordForm, bool) {
	u, sess, _, err := h.session(c)
	if err != nil {
		h.Error(c, err)
		return passwordForm{}, false
	}
	return h.passwordForm(u, sess), true
}

// passwordForm returns the empty password form of u, signed in with sess.
func (h *Handlers) passwordForm(u *portal.User, sess *portal.Session) passwordForm {
	return passwordForm{AskCurrent: accounts.AsksCurrentPassword(u, sess), HasPassword: u.PasswordHash != "",
		MinPassword: accounts.MinPasswordRunes}
}

// providerLabels names the providers u signs in with, as the sign-in page labels them.
func (h *Handlers) providerLabels(u *portal.User) string {
	var labels []string
	for _, id := range u.Identities {
		if id.Provider == portal.ProviderLocal {
			continue
		}
		label := id.Provider
		for _, pl := range h.Providers {
			if pl.Name == id.Provider {
				label = pl.Label
			}
		}
		labels = append(labels, label)
	}
	return strings.Join(labels, ", ")
}

// session returns the person and the session of the request's cookie, and the cookie's
// token. The server has authenticated it already; this reads it from what the account
// service remembers.
func (h *Handlers) session(c *gin.Context) (*portal.User, *portal.Session, string, error) {
	token, err := c.Cookie(SessionCookie)
	if err != nil {
		return nil, nil, "", accounts.ErrSessionEnded
	}
	u, sess, err := h.Accounts.Authenticate(c.Request.Context(), token)
	return u, sess, token, err
}

// OpenBeforePassword reports whether a person who must choose a password first
// (accounts.MustChoosePassword) may open path: the choose-password page, signing out, a
// fresh sign-in link, and linking a provider, which makes the password unnecessary.
// Everything else sends them to the choose-password page.
func OpenBeforePassword(path string) bool {
	return path == "/profile/password" || path == "/logout" ||
		strings.HasPrefix(path, "/login/link/") || strings.HasPrefix(path, "/auth/")
}
