package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
)

// profilePage is the data of a person's own profile.
type profilePage struct {
	Page
	Org       *portal.Organisation
	RoleName  string
	GroupName string
	Name      string            // the name field, as submitted
	Language  portal.Language   // the preferred-language field, as submitted
	Errors    map[string]string // field → message
	Saved     bool
	Linked    bool
	// Linkable are the providers the person may add as a way to sign in.
	Linkable []ProviderLink
	// Password is the form that changes (or sets) the password (profile_password.go), and
	// PasswordSaved says it just did.
	Password      passwordForm
	PasswordSaved bool
	// Listing is what the profile shows of the organisation's directory entry
	// (profile_listing.go); nil for nothing.
	Listing *orgListing
}

// profileFields are the fields of the profile's form, for its error summary.
var profileFields = []string{"name@profile.name", "language@profile.language"}

// HandleProfile serves GET /profile.
func (h *Handlers) HandleProfile(c *gin.Context) {
	p, ok := h.profilePage(c)
	if !ok {
		return
	}
	p.Saved, p.Linked = c.Query("saved") == "1", c.Query("linked") == "1"
	p.PasswordSaved = c.Query("password") == "1"
	h.render(c, http.StatusOK, "profile", p)
}

func (h *Handlers) profilePage(c *gin.Context) (profilePage, bool) {
	p := profilePage{Page: h.page(c, "", "profile"), Errors: map[string]string{}}
	p.Title = p.T("profile.title")
	u := p.User
	p.RoleName = p.T("role." + string(portal.RoleOf(u)))
	p.Name, p.Language = u.Name, u.Language
	password, ok := h.sessionPasswordForm(c)
	if !ok {
		return p, false
	}
	p.Password = password
	for _, pl := range h.Providers {
		if !slices.ContainsFunc(u.Identities, func(id portal.Identity) bool { return id.Provider == pl.Name }) {
			p.Linkable = append(p.Linkable, pl)
		}
	}
	if !p.Language.Valid() {
		p.Language = p.Lang
	}
	if u.OrgID != "" {
		org, err := h.Accounts.Store.FindOrganisation(c.Request.Context(), u.OrgID)
		if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
			h.Error(c, err)
			return p, false
		}
		p.Org = org
		if org != nil {
			p.GroupName = p.T("group." + string(org.Group))
		}
	}
	var err error
	if p.Listing, err = h.orgListing(c.Request.Context(), &p.Page, p.Org); err != nil {
		h.Error(c, err)
		return p, false
	}
	return p, true
}

// HandleProfilePost serves POST /profile: a person changes their name or preferred language.
func (h *Handlers) HandleProfilePost(c *gin.Context) {
	p, ok := h.profilePage(c)
	if !ok {
		return
	}
	p.Name = strings.TrimSpace(c.PostForm("name"))
	p.Language = portal.Language(c.PostForm("language"))
	// The name gets the checks of every other name: no control or bidi character.
	errs := fieldErrors{}
	if errs.text("name", p.Name, maxName, true); len(errs) > 0 {
		p.Errors["name"] = p.T(errs["name"])
	}
	if !p.Language.Valid() {
		p.Errors["language"] = p.T("profile.bad_language")
		p.Language = p.Lang
	}
	if len(p.Errors) > 0 {
		p.summarize("", p.Errors, profileFields...)
		h.render(c, http.StatusBadRequest, "profile", p)
		return
	}
	u, err := h.Accounts.UpdateProfile(c.Request.Context(), p.User.ID, p.Name, p.Language)
	var pe *portal.Error
	if errors.As(err, &pe) && pe.Code == portal.EINVALID {
		p.Errors["name"] = p.T("form.invalid")
		p.summarize("", p.Errors, profileFields...)
		h.render(c, http.StatusBadRequest, "profile", p)
		return
	}
	if err != nil {
		h.Error(c, err)
		return
	}
	h.RememberLanguage(c, u.Language)
	c.Redirect(http.StatusSeeOther, "/profile?saved=1")
}

// HandleEndSessions serves POST /profile/sessions/end: sign out everywhere.
func (h *Handlers) HandleEndSessions(c *gin.Context) {
	u := portal.UserFromContext(c.Request.Context())
	if err := h.Accounts.EndAllSessions(c.Request.Context(), u.ID, u.ID); err != nil {
		h.Error(c, err)
		return
	}
	h.ClearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/login")
}

// LangCookie remembers the UI language a person chose.
const LangCookie = "lang"

// langRemembered is the gin context key RememberLanguage sets: this response remembers a
// language already.
const langRemembered = "handlers.langRemembered"

// RememberLanguage makes lang the UI language of this browser from now on.
func (h *Handlers) RememberLanguage(c *gin.Context, lang portal.Language) {
	c.Writer.Header().Add("Set-Cookie", h.langCookies()[lang])
	c.Set(langRemembered, lang)
}

// langCookies returns the Set-Cookie value that remembers each language, made once: every
// request with ?lang= from a browser that did not remember it yet sets one.
func (h *Handlers) langCookies() map[portal.Language]string {
	h.langCookiesOnce.Do(func() {
		h.langCookieValues = map[portal.Language]string{}
		for _, l := range portal.Languages {
			h.langCookieValues[l] = (&http.Cookie{Name: LangCookie, Value: string(l), Path: "/",
				MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode}).String()
		}
	})
	return h.langCookieValues
}
