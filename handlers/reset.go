package handlers

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// Mailer sends one-time links by e-mail, each message in the recipient's language first.
type Mailer interface {
	// SendResetLink sends a person the password-reset link they asked for.
	SendResetLink(ctx context.Context, to *portal.User, link string) error
	// SendInvitation sends an invitation link to the address it is bound to: who invites,
	// to which organisation (orgName, empty for none), and until when the link works.
	SendInvitation(ctx context.Context, email string, lang portal.Language, inviterName, orgName, link string, expires time.Time) error
}

// resetRequestPage is the data of the page on which a person asks for a reset link.
type resetRequestPage struct {
	Page
	formState
	Email string
	Sent  bool // the request was taken: say what happens next
	Mail  bool // the portal sends e-mail
}

// HandleResetRequest serves GET /reset.
func (h *Handlers) HandleResetRequest(c *gin.Context) {
	p := resetRequestPage{Page: h.page(c, "", "login"), Sent: c.Query("sent") == "1", Mail: h.Mailer != nil}
	p.Title = p.T("reset.title")
	h.render(c, http.StatusOK, "reset-request", p)
}

// HandleResetRequestPost serves POST /reset. Every well-formed address gets the same
// answer, whether it has an account or not. Without a mailer the page offers no form and
// nothing is created: a link nobody receives would only wait in the database.
func (h *Handlers) HandleResetRequestPost(c *gin.Context) {
	if h.Mailer == nil {
		c.Redirect(http.StatusSeeOther, "/reset?sent=1")
		return
	}
	p := resetRequestPage{Page: h.page(c, "", "login"), Email: postField(c, "email"), Mail: true}
	p.Title = p.T("reset.title")
	errs := fieldErrors{}
	if errs.email("email", p.Email); len(errs) > 0 {
		p.refuse(&p.Page, "", errs.messages(&p.Page), "email@login.email")
		h.render(c, http.StatusBadRequest, "reset-request", p)
		return
	}
	ctx := c.Request.Context()
	token, u, err := h.Accounts.RequestReset(ctx, p.Email)
	if err != nil {
		h.Error(c, err)
		return
	}
	// The mail goes out after the answer, so neither the time the answer takes nor a
	// failure to send tells whether the address has an account; failures are logged.
	if u != nil {
		link := h.linkURL(resetURL(token))
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if err := h.Mailer.SendResetLink(ctx, u, link); err != nil {
				h.Logger.ErrorContext(ctx, "send reset link", "user", u.ID, "err", err)
			}
		}()
	}
	c.Redirect(http.StatusSeeOther, "/reset?sent=1")
}

// resetPage is the data of the page on which a person sets a new password with a link.
type resetPage struct {
	Page
	formState
	Action      string
	Email       string // whose password it is, for the person and their password manager
	MinPassword int
}

// HandleReset serves GET /reset/{token}. Nothing is used up by looking.
func (h *Handlers) HandleReset(c *gin.Context) {
	p, ok := h.reset(c)
	if !ok {
		return
	}
	h.render(c, http.StatusOK, "reset", p)
}

// HandleResetPost serves POST /reset/{token}: the new password. It signs the person in
// here and ends their other sessions.
func (h *Handlers) HandleResetPost(c *gin.Context) {
	p, ok := h.reset(c)
	if !ok {
		return
	}
	password, errs := c.PostForm("password"), fieldErrors{}
	if errs.newPassword(password, c.PostForm("confirm")); len(errs) > 0 {
		h.resetRefused(c, p, errs)
		return
	}
	u, err := h.Accounts.ResetPassword(c.Request.Context(), c.Param("token"), password)
	switch {
	case err == nil:
		h.signedIn(c, u)
	case h.linkProblem(c, &p.Page, "reset", err): // answered: the link is dead
	case passwordProblem(err) != "":
		h.resetRefused(c, p, fieldErrors{"password": passwordProblem(err)})
	default:
		h.Error(c, err)
	}
}

// resetRefused shows the reset form again with its problems.
func (h *Handlers) resetRefused(c *gin.Context, p *resetPage, errs fieldErrors) {
	p.refuse(&p.Page, "", errs.messages(&p.Page), "password@reset.new_password", "confirm@reset.confirm")
	h.render(c, http.StatusBadRequest, "reset", p)
}

// reset finds the reset link of the request, or answers the request itself and returns
// false.
func (h *Handlers) reset(c *gin.Context) (*resetPage, bool) {
	token := c.Param("token")
	p := &resetPage{Page: h.page(c, "", "login"), Action: resetURL(token), MinPassword: accounts.MinPasswordRunes}
	p.Title = p.T("reset.new_title")
	t, err := h.Accounts.FindReset(c.Request.Context(), token)
	if err != nil {
		if !h.linkProblem(c, &p.Page, "reset", err) {
			h.Error(c, err)
		}
		return nil, false
	}
	p.Email = t.Email
	return p, true
}

// signedIn signs u in on this browser and takes them to their profile.
func (h *Handlers) signedIn(c *gin.Context, u *portal.User) {
	if err := h.startSession(c, u, portal.ProviderLocal); err != nil {
		h.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/profile")
}

// resetURL is the path of the reset link whose secret is token.
func resetURL(token string) string { return "/reset/" + url.PathEscape(token) }
