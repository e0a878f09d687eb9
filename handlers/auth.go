package handlers

import (
	"cmp"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

// SessionCookie names the cookie that carries the session token. It is HttpOnly and
// SameSite=Lax, and Secure when the site is served over https.
const SessionCookie = "portal_session"

// Form field limits: anything longer is refused before any work is done.
const (
	maxEmail    = 254
	maxPassword = 200
	maxName     = 200
)

// loginPage is the data of the sign-in page.
type loginPage struct {
	Page
	Email     string
	ReturnTo  string
	Errors    map[string]string // field → message, in the user's language
	Message   string            // a message about the whole form
	Providers []ProviderLink
}

// HandleLogin serves GET /login.
func (h *Handlers) HandleLogin(c *gin.Context) {
	p := loginPage{Page: h.page(c, "", "login"), ReturnTo: safeReturn(c.Query("return_to")), Providers: h.Providers}
	p.Title = p.T("login.title")
	if p.User != nil {
		c.Redirect(http.StatusSeeOther, p.ReturnTo)
		return
	}
	h.render(c, http.StatusOK, "login", p)
}

// HandleLoginPost serves POST /login: e-mail and password.
func (h *Handlers) HandleLoginPost(c *gin.Context) {
	p := loginPage{Page: h.page(c, "", "login"), Errors: map[string]string{}, Providers: h.Providers}
	p.Title = p.T("login.title")
	p.Email = strings.TrimSpace(c.PostForm("email"))
	password := c.PostForm("password")
	p.ReturnTo = safeReturn(c.PostForm("return_to"))
	switch {
	case p.Email == "":
		p.Errors["email"] = p.T("form.required")
	case len(p.Email) > maxEmail:
		p.Errors["email"] = p.T("form.too_long")
	}
	switch {
	case password == "":
		p.Errors["password"] = p.T("form.required")
	case len(password) > maxPassword:
		p.Errors["password"] = p.T("form.too_long")
	}
	if len(p.Errors) > 0 {
		p.summarize("", p.Errors, "email@login.email", "password@login.password")
		h.render(c, http.StatusBadRequest, "login", p)
		return
	}
	ctx := c.Request.Context()
	u, devices, err := h.Accounts.SignInWithDevice(ctx, accounts.PasswordSignIn{Email: p.Email, Password: password,
		ClientIP: c.ClientIP(), Devices: h.devices(c)})
	if err != nil {
		status, msg := h.signInFailure(&p.Page, err)
		if status == 0 {
			h.Error(c, err)
			return
		}
		p.Message = msg
		p.summarize(msg, nil)
		h.render(c, status, "login", p)
		return
	}
	if err := h.startSession(c, u, portal.ProviderLocal); err != nil {
		h.Error(c, err)
		return
	}
	h.setDeviceCookie(c, devices)
	c.Redirect(http.StatusSeeOther, p.ReturnTo)
}

// DeviceCookie names the cookie that marks a browser that signed in with a password
// before (accounts.SignInWithDevice): the device tokens it holds, joined by dots. Only the
// sign-in form needs it, so it goes to /login alone; it is HttpOnly and SameSite=Strict.
const DeviceCookie = "portal_device"

// devices returns the device tokens of the browser.
func (h *Handlers) devices(c *gin.Context) []string {
	v, err := c.Cookie(DeviceCookie)
	if err != nil || v == "" || len(v) > 1000 {
		return nil
	}
	return strings.Split(v, ".")
}

func (h *Handlers) setDeviceCookie(c *gin.Context, devices []string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: DeviceCookie, Value: strings.Join(devices, "."), Path: "/login",
		MaxAge:   int(cmp.Or(h.Accounts.DeviceTTL, accounts.DefaultDeviceTTL) / time.Second),
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteStrictMode,
	})
}

// signInFailure returns the status and message for a refused sign-in, or 0 for an
// internal error. Every refusal reads the same, so nobody learns whether an e-mail has an
// account.
func (h *Handlers) signInFailure(p *Page, err error) (int, string) {
	var throttled *accounts.ThrottledError
	switch {
	case errors.As(err, &throttled):
		minutes := int(math.Ceil(throttled.Wait.Minutes()))
		return http.StatusTooManyRequests, p.T("login.throttled", max(minutes, 1))
	case portal.ErrorCode(err) == portal.EUNAUTHORIZED:
		return http.StatusUnauthorized, p.T("login.failed")
	}
	return 0, ""
}

// startSession signs u in on this browser: a new session with a new token, replacing the
// session the browser had (the token rotates at every sign-in).
func (h *Handlers) startSession(c *gin.Context, u *portal.User, provider string) error {
	ctx := c.Request.Context()
	if old, err := c.Cookie(SessionCookie); err == nil && old != "" {
		if err := h.Accounts.EndSession(ctx, old); err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
			return err
		}
	}
	token, sess, err := h.Accounts.StartSession(ctx, u, provider)
	if err != nil {
		return err
	}
	h.setSessionCookie(c, token, sess.ExpiresAt)
	if _, err := c.Cookie(LangCookie); err != nil && u.Language.Valid() && !rememberingLanguage(c) {
		// A browser that has not chosen a language gets the person's preferred one.
		h.RememberLanguage(c, u.Language)
	}
	return nil
}

// rememberingLanguage reports whether this response already remembers a language
// (RememberLanguage): the request chose one (?lang=), which the person's preferred
// language must not undo.
func rememberingLanguage(c *gin.Context) bool {
	_, ok := c.Get(langRemembered)
	return ok
}

func (h *Handlers) setSessionCookie(c *gin.Context, token string, expires time.Time) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// ClearSessionCookie tells the browser to forget its session.
func (h *Handlers) ClearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// HandleLogout serves POST /logout.
func (h *Handlers) HandleLogout(c *gin.Context) {
	if token, err := c.Cookie(SessionCookie); err == nil && token != "" {
		if err := h.Accounts.EndSession(c.Request.Context(), token); err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
			h.Error(c, err)
			return
		}
	}
	h.ClearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/")
}

// linkPage is the data of the page that confirms a one-time sign-in link. The link is used
// only when the person presses the button (a POST), so a mail scanner that follows links
// cannot use it up.
type linkPage struct {
	Page
	Action string
}

// HandleSignInLink serves GET /login/link/{token}.
func (h *Handlers) HandleSignInLink(c *gin.Context) {
	// The form keeps the language the page is read in: the person who follows a link from
	// portal user create has chosen no language yet, and the account's default one must not
	// switch the next page (choosing a password) to the other language.
	p := linkPage{Page: h.page(c, "", "login")}
	p.Action = "/login/link/" + url.PathEscape(c.Param("token")) + "?lang=" + string(p.Lang)
	p.Title = p.T("link.title")
	h.render(c, http.StatusOK, "signin-link", p)
}

// HandleSignInLinkPost serves POST /login/link/{token}: it signs the person in and takes
// them to choose their password.
func (h *Handlers) HandleSignInLinkPost(c *gin.Context) {
	p := h.page(c, "", "login")
	u, err := h.Accounts.UseSignInLink(c.Request.Context(), c.Param("token"))
	if err != nil {
		if code := portal.ErrorCode(err); code == portal.EINVALID || code == portal.ENOTFOUND || code == portal.ECONFLICT {
			h.Error(c, &userError{status: http.StatusBadRequest, detail: p.T("link.invalid")})
			return
		}
		h.Error(c, err)
		return
	}
	// The link's session exists to choose a password: it is short, and the page it leads
	// to may be skipped only by someone who signs in with a provider.
	if err := h.startSession(c, u, accounts.SessionLink); err != nil {
		h.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/profile/password")
}

// safeReturn returns s when it is a path on this site, and "/" otherwise: a return_to
// parameter must never send a person to another site.
func safeReturn(s string) string {
	if s == "" || len(s) > 2000 || s[0] != '/' || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return s
}
