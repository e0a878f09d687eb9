package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// invitationsLimit is how many invitations the invitations page lists: the newest.
const invitationsLimit = 200

// invitationsPage is the data of the admin page of invitations: the form that sends one,
// the link of the one just created (shown this once), and the invitations sent.
type invitationsPage struct {
	Page
	formState
	Email         string
	Roles, Orgs   []option
	Mail          bool     // the portal sends e-mail: the link goes to the address too
	MailLanguages []option // of the e-mail, when Mail
	Link          string
	LinkEmail     string
	LinkExpires   string
	Mailed        bool // the link went to LinkEmail by e-mail
	MailFailed    bool // sending it failed: the inviter must pass the link on
	Invitations   []invitationRow
}

// invitationRow is one invitation as the page lists it.
type invitationRow struct {
	*portal.Token
	RoleName, OrgName, InvitedBy string
	Created, Expires             string
	State                        accounts.LinkState
	StateName                    string
	RevokeURL                    string // empty when the person may not withdraw it
}

// inviteForm is what the invitation form posts.
type inviteForm struct {
	Email    string
	Role     portal.Role
	OrgID    string
	Language portal.Language // of the e-mail; lang when the form names none
}

// readInviteForm reads and checks the form against what actor may give and the
// organisations there are; lang is the e-mail's language when the form names none.
func readInviteForm(c *gin.Context, actor *portal.User, orgs []*portal.Organisation, lang portal.Language) (inviteForm, fieldErrors) {
	f := inviteForm{Email: postField(c, "email"), Role: portal.Role(postField(c, "role")), OrgID: postField(c, "org"),
		Language: lang}
	errs := fieldErrors{}
	if v := postField(c, "language"); v != "" {
		f.Language = portal.Language(v)
		if !f.Language.Valid() {
			errs.add("language", "admin.field.invalid")
		}
	}
	errs.email("email", f.Email)
	errs.text("role", string(f.Role), maxChoice, true)
	errs.text("org", f.OrgID, maxOrgID, false)
	switch {
	case f.Role.Rank() < 1:
		errs.add("role", "admin.field.invalid")
	case !portal.CanAssign(actor, f.Role):
		errs.add("role", "admin.field.role_forbidden")
	case f.Role == portal.RoleMember && f.OrgID == "":
		errs.add("org", "admin.invite.member_needs_org")
	}
	if f.OrgID != "" && findOrg(orgs, f.OrgID) == nil {
		errs.add("org", "admin.field.no_org")
	}
	return f, errs
}

// HandleInvitations serves GET /admin/invitations.
func (h *Handlers) HandleInvitations(c *gin.Context) {
	h.renderInvitations(c, http.StatusOK, inviteForm{}, nil)
}

// HandleInvitationCreate serves POST /admin/invitations: it creates the invitation, sends
// its link to the invited address when the portal sends e-mail, and shows the link, this
// once, for the secretariat to pass on (another way, should the e-mail not arrive).
func (h *Handlers) HandleInvitationCreate(c *gin.Context) {
	ctx := c.Request.Context()
	actor := portal.UserFromContext(ctx)
	orgs, err := h.Accounts.Store.FindOrganisations(ctx)
	if err != nil {
		h.Error(c, err)
		return
	}
	f, errs := readInviteForm(c, actor, orgs, h.defaultLanguage())
	if len(errs) > 0 {
		h.renderInvitations(c, http.StatusBadRequest, f, errs)
		return
	}
	token, t, err := h.Accounts.Invite(ctx, actor, f.Email, f.Role, f.OrgID)
	switch {
	case errors.Is(err, accounts.ErrLookAlike):
		h.renderInvitations(c, http.StatusConflict, f, fieldErrors{"email": "admin.invite.email_lookalike"})
	case portal.ErrorCode(err) == portal.ECONFLICT:
		h.renderInvitations(c, http.StatusConflict, f, fieldErrors{"email": "admin.invite.email_taken"})
	case err != nil:
		h.Error(c, err)
	default:
		if p, ok := h.invitations(c, inviteForm{}, nil); ok {
			p.Link, p.LinkEmail, p.LinkExpires = h.linkURL(invitationURL(token)), t.Email, dateTime(&p.Page, t.ExpiresAt)
			if h.Mailer != nil {
				err := h.mailInvitation(ctx, actor, f.Language, t, findOrg(orgs, t.OrgID), p.Link)
				p.Mailed, p.MailFailed = err == nil, err != nil
			}
			noStore(c)
			h.render(c, http.StatusCreated, "admin-invitations", p)
		}
	}
}

// mailInvitation sends the link of invitation t, from actor, to the address it is bound to.
// A failure is logged, without the link: the invitation stands, and the page says so.
func (h *Handlers) mailInvitation(ctx context.Context, actor *portal.User, lang portal.Language, t *portal.Token,
	org *portal.Organisation, link string) error {
	orgName := ""
	if org != nil {
		orgName = org.Name(lang)
	}
	err := h.Mailer.SendInvitation(ctx, t.Email, lang, actor.Name, orgName, link, t.ExpiresAt)
	if err != nil {
		h.Logger.ErrorContext(ctx, "send invitation", "invitation", t.ID, "err", err)
	}
	return err
}

// HandleInvitationRevoke serves POST /admin/invitations/{id}/revoke: the invitation's link
// stops working.
func (h *Handlers) HandleInvitationRevoke(c *gin.Context) {
	ctx := c.Request.Context()
	err := h.Accounts.RevokeInvitation(ctx, portal.UserFromContext(ctx), c.Param("id"))
	if portal.ErrorCode(err) == portal.ECONFLICT {
		p := h.page(c, "", "admin")
		err = &userError{status: http.StatusConflict, detail: p.T("admin.invite.already_used")}
	}
	if err != nil {
		h.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/invitations")
}

// renderInvitations renders the invitations page with the form f and its problems.
func (h *Handlers) renderInvitations(c *gin.Context, status int, f inviteForm, errs fieldErrors) {
	if p, ok := h.invitations(c, f, errs); ok {
		h.render(c, status, "admin-invitations", p)
	}
}

// invitations returns the invitations page with the form f and its problems, or answers
// the request itself and returns false.
func (h *Handlers) invitations(c *gin.Context, f inviteForm, errs fieldErrors) (*invitationsPage, bool) {
	p := &invitationsPage{Page: h.page(c, "", "admin"), Email: f.Email}
	p.Title = p.T("admin.invite.title")
	ctx := c.Request.Context()
	orgs, err := h.Accounts.Store.FindOrganisations(ctx)
	if err == nil {
		err = h.listInvitations(ctx, p, orgs)
	}
	if err != nil {
		h.Error(c, err)
		return nil, false
	}
	p.Roles, p.Orgs = roleOptions(&p.Page, p.User, string(f.Role)), orgOptions(&p.Page, orgs, f.OrgID)
	if p.Mail = h.Mailer != nil; p.Mail {
		p.MailLanguages = h.languageOptions(cmp.Or(f.Language, h.defaultLanguage()))
	}
	fields := []string{"email@login.email", "role@profile.role", "org@profile.organisation"}
	if p.Mail {
		fields = append(fields, "language@admin.invite.language")
	}
	p.refuse(&p.Page, "", errs.messages(&p.Page), fields...)
	return p, true
}

// languageOptions returns the languages, each named in itself.
func (h *Handlers) languageOptions(selected portal.Language) []option {
	var opts []option
	for _, l := range portal.Languages {
		opts = append(opts, option{Value: string(l), Label: h.Theme.Translator(l).T("lang.name"), Selected: l == selected})
	}
	return opts
}

// defaultLanguage returns the site's language.
func (h *Handlers) defaultLanguage() portal.Language {
	if h.DefaultLanguage.Valid() {
		return h.DefaultLanguage
	}
	return portal.Mongolian
}

// listInvitations adds the newest invitations to p.
func (h *Handlers) listInvitations(ctx context.Context, p *invitationsPage, orgs []*portal.Organisation) error {
	ts, err := h.Accounts.Store.FindTokens(ctx, portal.TokenInvitation)
	if err != nil {
		return err
	}
	names := userNames{}
	for _, t := range ts[:min(len(ts), invitationsLimit)] {
		row := invitationRow{Token: t, RoleName: p.T("role." + string(t.Role)), OrgName: t.OrgID,
			Created: p.Date(t.CreatedAt), Expires: dateTime(&p.Page, t.ExpiresAt), State: h.Accounts.StateOf(t)}
		row.StateName = p.T("admin.invite.state." + string(row.State))
		if o := findOrg(orgs, t.OrgID); o != nil {
			row.OrgName = o.Name(p.Lang)
		}
		if row.InvitedBy, err = names.of(ctx, h, t.CreatedBy); err != nil {
			return err
		}
		if row.State == accounts.LinkPending && portal.CanAssign(p.User, t.Role) {
			row.RevokeURL = "/admin/invitations/" + url.PathEscape(t.ID) + "/revoke"
		}
		p.Invitations = append(p.Invitations, row)
	}
	return nil
}
