package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/markbates/goth/gothic"
)

// ProviderLink is a sign-in provider as the sign-in page offers it.
type ProviderLink struct {
	Name  string // the route name: google, microsoft, oidc-NAME
	Label string
}

// nextCookie carries, from the start of a provider sign-in to its callback, where to go
// afterwards and the invitation being accepted, if any. gothic's own cookie holds the
// OAuth state; this one holds nothing secret (return_to is checked again on use).
const nextCookie = "portal_signin_next"

func (h *Handlers) provider(c *gin.Context, p *Page) (string, bool) {
	name := c.Param("provider")
	if !slices.ContainsFunc(h.Providers, func(l ProviderLink) bool { return l.Name == name }) {
		h.Error(c, notFound(p, "oauth.unknown_provider", name))
		return "", false
	}
	return name, true
}

// HandleOAuthBegin serves GET /auth/{provider}: it sends the person to the provider.
func (h *Handlers) HandleOAuthBegin(c *gin.Context) {
	p := h.page(c, "", "login")
	name, ok := h.provider(c, &p)
	if !ok {
		return
	}
	next := url.Values{"return_to": {safeReturn(c.Query("return_to"))}}
	if inv := c.Query("invitation"); inv != "" && len(inv) < 100 {
		next.Set("invitation", inv)
	}
	if c.Query("link") == "1" && p.User != nil {
		next.Set("link", p.User.ID) // checked again at the callback against the session
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: nextCookie, Value: next.Encode(), Path: "/auth", MaxAge: 600,
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode})
	req := gothic.GetContextWithProvider(c.Request, name)
	url, err := gothic.GetAuthURL(c.Writer, req)
	if err != nil {
		h.Error(c, err)
		return
	}
	c.Redirect(http.StatusFound, url)
}

// HandleOAuthCallback serves GET /auth/{provider}/callback: the provider sends the person
// back here. A known identity signs in; an identity accepting an invitation creates the
// account; anyone else is refused, whatever their e-mail address.
func (h *Handlers) HandleOAuthCallback(c *gin.Context) {
	p := h.page(c, "", "login")
	name, ok := h.provider(c, &p)
	if !ok {
		return
	}
	if c.Query("error") != "" {
		h.Error(c, badRequest(&p, "oauth.refused"))
		return
	}
	gu, err := gothic.CompleteUserAuth(c.Writer, gothic.GetContextWithProvider(c.Request, name))
	if err != nil {
		// A forged, replayed or expired state, or the provider failing: try again.
		h.Logger.WarnContext(c.Request.Context(), "provider sign-in failed", "provider", name, "err", err)
		h.Error(c, badRequest(&p, "oauth.failed"))
		return
	}
	next := url.Values{}
	if ck, err := c.Cookie(nextCookie); err == nil {
		next, _ = url.ParseQuery(ck)
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: nextCookie, Path: "/auth", MaxAge: -1, HttpOnly: true, Secure: h.Secure})
	id := portal.Identity{Provider: name, Subject: gu.UserID, Email: gu.Email}
	ctx := c.Request.Context()
	var u *portal.User
	if me := p.User; me != nil && next.Get("link") == me.ID {
		h.linkIdentity(c, &p, me, id)
		return
	}
	if inv := next.Get("invitation"); inv != "" {
		u, err = h.Accounts.AcceptInvitationExternal(ctx, inv, id, displayName(gu.Name, gu.FirstName, gu.LastName, gu.NickName, gu.Email))
	} else {
		u, err = h.Accounts.SignInExternal(ctx, id)
	}
	if err != nil {
		// The code only: the messages of refusals can name an e-mail address.
		h.Logger.InfoContext(ctx, "provider sign-in refused", "provider", name, "code", portal.ErrorCode(err))
	}
	switch portal.ErrorCode(err) {
	case "":
	case portal.EUNAUTHORIZED, portal.ENOTFOUND:
		h.Error(c, &userError{status: http.StatusForbidden, detail: p.T("oauth.no_account")})
		return
	case portal.EFORBIDDEN, portal.EINVALID, portal.ECONFLICT:
		h.Error(c, &userError{status: http.StatusForbidden, detail: p.T("oauth.invitation_refused")})
		return
	default:
		h.Error(c, err)
		return
	}
	if err := h.startSession(c, u, name); err != nil {
		h.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, safeReturn(next.Get("return_to")))
}

// displayName returns the first name a provider gave for the person: the full name, else
// given and family names, else the nickname, else the part of the e-mail before the @.
// Providers differ in which claims they send.
func displayName(name, first, last, nick, email string) string {
	if n := strings.TrimSpace(name); n != "" {
		return n
	}
	if n := strings.TrimSpace(first + " " + last); n != "" {
		return n
	}
	if n := strings.TrimSpace(nick); n != "" {
		return n
	}
	local, _, _ := strings.Cut(email, "@")
	return local
}

// linkIdentity adds the provider identity to the signed-in person and returns them to
// their profile.
func (h *Handlers) linkIdentity(c *gin.Context, p *Page, me *portal.User, id portal.Identity) {
	_, err := h.Accounts.LinkIdentity(c.Request.Context(), me.ID, id)
	switch portal.ErrorCode(err) {
	case "":
		c.Redirect(http.StatusSeeOther, "/profile?linked=1")
	case portal.ECONFLICT:
		h.Error(c, &userError{status: http.StatusConflict, detail: p.T("oauth.link_taken")})
	default:
		h.Error(c, err)
	}
}
