package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// invitationPage is the data of the page on which an invited person creates their account.
type invitationPage struct {
	Page
	formState
	Token       string // the invitation's secret, from the address
	Action      string // where the form posts
	Invitation  *portal.Token
	RoleName    string
	Org         *portal.Organisation
	GroupName   string
	InvitedBy   string
	Name        string // as typed
	Providers   []ProviderLink
	MinPassword int
}

// acceptForm is what the invitation form posts.
type acceptForm struct {
	Email, Name, Password, Confirm string
}

// acceptFormFields are the invitation form's fields from top to bottom, for its error summary.
var acceptFormFields = []string{"email@login.email", "name@invite.name", "password@reset.password", "confirm@reset.confirm"}

func readAcceptForm(c *gin.Context) acceptForm {
	return acceptForm{Email: postField(c, "email"), Name: postField(c, "name"),
		Password: c.PostForm("password"), Confirm: c.PostForm("confirm")}
}

// Validate checks what the form can check alone; the account service checks the rest.
func (f *acceptForm) Validate() fieldErrors {
	errs := fieldErrors{}
	errs.email("email", f.Email)
	errs.text("name", f.Name, maxName, true)
	errs.newPassword(f.Password, f.Confirm)
	return errs
}

// HandleInvitation serves GET /invitations/{token}: who invited the person, to what, and
// the form that creates their account. Nothing is used up by looking.
func (h *Handlers) HandleInvitation(c *gin.Context) {
	p, ok := h.invitation(c)
	if !ok {
		return
	}
	h.render(c, http.StatusOK, "invitation", p)
}

// HandleInvitationPost serves POST /invitations/{token}: it creates the account, signs the
// person in and takes them to their profile.
func (h *Handlers) HandleInvitationPost(c *gin.Context) {
	p, ok := h.invitation(c)
	if !ok {
		return
	}
	f := readAcceptForm(c)
	p.Name = f.Name
	if errs := f.Validate(); len(errs) > 0 {
		p.refuse(&p.Page, "", errs.messages(&p.Page), acceptFormFields...)
		h.render(c, http.StatusBadRequest, "invitation", p)
		return
	}
	u, err := h.Accounts.AcceptInvitation(c.Request.Context(), p.Token, f.Email, f.Name, f.Password)
	if err != nil {
		h.acceptRefused(c, p, err)
		return
	}
	h.signedIn(c, u)
}

// invitation finds the invitation of the request and describes it, or answers the request
// itself (a dead link, a failing database) and returns false.
func (h *Handlers) invitation(c *gin.Context) (*invitationPage, bool) {
	token := c.Param("token")
	p := &invitationPage{Page: h.page(c, "", ""), Token: token, Action: invitationURL(token), Providers: h.Providers,
		MinPassword: accounts.MinPasswordRunes}
	p.Title = p.T("invite.accept_title")
	ctx := c.Request.Context()
	t, err := h.Accounts.FindInvitation(ctx, p.Token)
	if err == nil {
		err = h.describeInvitation(ctx, p, t)
	}
	if err != nil {
		if !h.linkProblem(c, &p.Page, "invite", err) {
			h.Error(c, err)
		}
		return nil, false
	}
	return p, true
}

func (h *Handlers) describeInvitation(ctx context.Context, p *invitationPage, t *portal.Token) error {
	p.Invitation = t
	p.RoleName = p.T("role." + string(t.Role))
	if t.OrgID != "" {
		org, err := h.Accounts.Store.FindOrganisation(ctx, t.OrgID)
		if err != nil {
			return err
		}
		p.Org, p.GroupName = org, p.T("group."+string(org.Group))
	}
	inviter, err := h.Accounts.Store.FindUser(ctx, t.CreatedBy)
	switch {
	case err == nil:
		p.InvitedBy = inviter.Name
	case portal.ErrorCode(err) != portal.ENOTFOUND:
		return err
	}
	return nil
}

// acceptRefused answers an acceptance the account service refused: the form again with
// the reason, or the page of a dead link.
func (h *Handlers) acceptRefused(c *gin.Context, p *invitationPage, err error) {
	if h.linkProblem(c, &p.Page, "invite", err) {
		return
	}
	status, errs, message := http.StatusBadRequest, fieldErrors{}, ""
	switch {
	case passwordProblem(err) != "":
		errs.add("password", passwordProblem(err))
	case errors.Is(err, accounts.ErrOtherEmail):
		errs.add("email", "invite.other_email")
	case portal.ErrorCode(err) == portal.ECONFLICT:
		status, message = http.StatusConflict, p.T("invite.account_exists")
	case hasField(err, "name"):
		errs.add("name", "admin.field.invalid")
	case portal.ErrorCode(err) == portal.EINVALID:
		message = p.T("invite.cannot_accept")
	default:
		h.Error(c, err)
		return
	}
	p.refuse(&p.Page, message, errs.messages(&p.Page), acceptFormFields...)
	h.render(c, status, "invitation", p)
}

// linkProblemPage is the data of the page that says why a one-time link cannot be used.
type linkProblemPage struct {
	Page
	Heading, Text      string
	NextURL, NextLabel string
}

// linkProblem answers a request whose one-time link (kind "invite" or "reset") cannot be
// used, saying why, and reports whether err was such a problem. A link nobody knows is a
// 400; one that was good once (expired, used, withdrawn) is gone: 410.
func (h *Handlers) linkProblem(c *gin.Context, p *Page, kind string, err error) bool {
	reason, status := "", http.StatusGone
	switch {
	case errors.Is(err, accounts.ErrLinkInvalid):
		reason, status = "invalid", http.StatusBadRequest
	case errors.Is(err, accounts.ErrLinkExpired):
		reason = "expired"
	case errors.Is(err, accounts.ErrLinkUsed):
		reason = "used"
	case errors.Is(err, accounts.ErrLinkRevoked):
		reason = "revoked"
	case errors.Is(err, accounts.ErrDisabled):
		reason, status = "disabled", http.StatusForbidden
	default:
		return false
	}
	lp := linkProblemPage{Page: *p, Heading: p.T(kind + ".link.title"), Text: p.T(kind + ".link." + reason)}
	lp.Title = lp.Heading
	lp.NextURL, lp.NextLabel = "/login", p.T("nav.sign_in")
	if kind == "reset" && reason != "used" {
		lp.NextURL, lp.NextLabel = "/reset", p.T("reset.ask_again")
	}
	h.render(c, status, "link-problem", lp)
	return true
}

// invitationURL is the path of the invitation whose secret is token.
func invitationURL(token string) string { return "/invitations/" + url.PathEscape(token) }
