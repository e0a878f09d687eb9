package server

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/handlers"
)

// authenticate puts the signed-in person, if any, in the request's context. A cookie whose
// session has ended (expired, signed out everywhere, account disabled) is cleared. A person
// who must choose a password first (accounts.MustChoosePassword) is sent to do so.
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		token, err := c.Cookie(handlers.SessionCookie)
		if err != nil || token == "" {
			c.Next()
			return
		}
		u, sess, err := s.h.Accounts.Authenticate(c.Request.Context(), token)
		switch code := portal.ErrorCode(err); code {
		case "":
			if accounts.MustChoosePassword(u, sess) && !handlers.OpenBeforePassword(c.Request.URL.Path) {
				// Signed in with a one-time link and no other way back in: the password
				// first, or the person is locked out once the session ends.
				c.Abort()
				c.Redirect(http.StatusSeeOther, "/profile/password")
				return
			}
			c.Request = c.Request.WithContext(portal.NewContextWithUser(c.Request.Context(), u))
		case portal.ENOTFOUND, portal.EUNAUTHORIZED:
			s.h.ClearSessionCookie(c)
		default:
			c.Abort()
			s.h.Error(c, err)
			return
		}
		c.Next()
	}
}

// allow lets the request through when the policy allows the person its action. A visitor
// asking for a page that needs a sign-in is sent to the sign-in page and back; a
// signed-in person without the role gets 403.
func (s *Server) allow(action portal.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := portal.UserFromContext(c.Request.Context())
		if portal.Can(u, action) {
			c.Next()
			return
		}
		c.Abort()
		if u == nil && (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) {
			c.Redirect(http.StatusSeeOther, "/login?return_to="+url.QueryEscape(c.Request.URL.RequestURI()))
			return
		}
		if u == nil {
			s.h.Error(c, portal.Errorf(portal.EUNAUTHORIZED, "sign in first"))
			return
		}
		s.h.Error(c, portal.Errorf(portal.EFORBIDDEN, "not allowed"))
	}
}
