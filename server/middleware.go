package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
)

// recovery turns a panic into a logged error and the themed 500 page.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if err, ok := r.(error); ok && err == http.ErrAbortHandler {
					panic(r)
				}
				s.logger.ErrorContext(c.Request.Context(), "panic", "path", handlers.LogPath(c), "panic", fmt.Sprint(r))
				c.Abort()
				if !c.Writer.Written() {
					s.h.Error(c, fmt.Errorf("panic: %v", r))
				}
			}
		}()
		c.Next()
	}
}

// requestLog logs one line per request. It logs the path but never the query string,
// which may carry what a person searched for, and never the token of a one-time link
// (handlers.LogPath): whoever reads the log could otherwise accept an invitation or reset
// a password with it.
func (s *Server) requestLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		switch {
		case status == handlers.StatusClientClosed, c.Request.Context().Value(warmingKey{}) != nil:
			level = slog.LevelDebug
		case status >= 500:
			level = slog.LevelError
		}
		ctx := c.Request.Context()
		h := s.logger.Handler()
		if !h.Enabled(ctx, level) {
			return
		}
		// The record goes to the handler directly: Logger.LogAttrs would also look up the
		// caller's program counter, which this line never shows, at a cost of its own.
		r := slog.NewRecord(time.Now(), level, "request", 0)
		r.AddAttrs(
			slog.String("method", c.Request.Method),
			slog.String("path", handlers.LogPath(c)),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", r.Time.Sub(start)),
			slog.String("client", c.ClientIP()),
		)
		_ = h.Handle(ctx, r)
	}
}

// contentSecurityPolicy allows only the site's own styles, images and scripts, and no inline
// script or style at all.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders are the headers every response carries, by their canonical names. The
// values are shared by every response (net/http only reads them), so setting them costs no
// allocation.
var securityHeaders = []struct {
	name  string
	value []string
}{
	{"Content-Security-Policy", []string{contentSecurityPolicy}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"strict-origin-when-cross-origin"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=(), interest-cohort=()"}},
}

var strictTransportSecurity = []string{"max-age=31536000; includeSubDomains"}

// Headers of the pages whose address carries a secret (a one-time link's token): no cache
// keeps them, and no Referer header repeats their address to the page's own static files
// or to a site that a link on them leads to.
var (
	noStore    = []string{"no-store"}
	noReferrer = []string{"no-referrer"}
)

// securityHeaders sets the headers every response carries, and those of a page whose
// address carries a token.
func (s *Server) securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		for _, kv := range securityHeaders {
			h[kv.name] = kv.value
		}
		if s.secure {
			h["Strict-Transport-Security"] = strictTransportSecurity
		}
		if handlers.SecretRoute(c.FullPath()) {
			h["Cache-Control"], h["Referrer-Policy"] = noStore, noReferrer
		}
		c.Next()
	}
}

// crossOrigin refuses unsafe cross-origin requests (a form posted from another site) using
// the browser's Sec-Fetch-Site and Origin headers.
func (s *Server) crossOrigin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.crossOri.Check(c.Request); err != nil {
			c.Abort()
			s.h.Error(c, portal.Errorf(portal.EFORBIDDEN, "cross-origin request refused"))
			return
		}
		c.Next()
	}
}

// bodyLimit caps request bodies so an oversize upload fails fast instead of filling memory.
func (s *Server) bodyLimit() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > s.cfg.BodyLimit {
			c.Abort()
			s.h.Error(c, portal.Errorf(portal.ETOOLARGE, "request body too large"))
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody { // a GET has none to cap
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.BodyLimit)
		}
		c.Next()
	}
}

// language decides the UI language: ?lang=, then the cookie, then Accept-Language, then the
// site default. A valid ?lang= (in any letter case) is remembered in the cookie; an invalid
// one is an error.
func (s *Server) language() gin.HandlerFunc {
	return func(c *gin.Context) {
		lang := s.cfg.DefaultLanguage
		var query string
		var inQuery bool
		if strings.Contains(c.Request.URL.RawQuery, "lang=") {
			query, inQuery = c.GetQuery("lang") // parse the query only when it may say
		}
		var cookie string
		if len(c.Request.Header["Cookie"]) > 0 {
			cookie, _ = c.Cookie(handlers.LangCookie)
		}
		switch {
		case inQuery:
			l, err := portal.ParseLanguage(strings.ToLower(query)) // ?lang=EN names English too
			if err != nil {
				if l, err := portal.ParseLanguage(cookie); err == nil {
					lang = l
				}
				c.Request = c.Request.WithContext(portal.NewContextWithLanguage(c.Request.Context(), lang))
				c.Abort()
				s.h.BadLanguage(c, query)
				return
			}
			lang = l
			if cookie != string(lang) {
				s.h.RememberLanguage(c, lang)
			}
		case portal.Language(cookie).Valid():
			lang = portal.Language(cookie)
		default:
			if l, ok := acceptLanguage(c.GetHeader("Accept-Language")); ok {
				lang = l
			}
		}
		h := c.Writer.Header()
		h["Content-Language"] = contentLanguage[lang]
		h["Vary"] = varyLanguage
		c.Request = c.Request.WithContext(portal.NewContextWithLanguage(c.Request.Context(), lang))
		c.Next()
	}
}

// Header values of the language middleware, shared by every response.
var (
	contentLanguage = map[portal.Language][]string{portal.Mongolian: {"mn"}, portal.English: {"en"}}
	varyLanguage    = []string{"Accept-Language, Cookie"}
)

// acceptLanguage returns the supported language the header prefers most, if any.
func acceptLanguage(header string) (portal.Language, bool) {
	best, bestQ := portal.Language(""), 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if l := portal.Language(primary); l.Valid() && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best, bestQ > 0
}
