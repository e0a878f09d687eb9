// Package handlers serves the portal's pages. Each handler parses the request, checks the
// policy, calls the stores or content/, and renders a typed page struct through the theme.
// Handlers see stores only through the root package's interfaces.
package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/search"
	"github.com/gobidialogue/portal/themes"
)

// Handlers holds what the page handlers need. Every field is required but Secure, BaseURL
// (without it, links shown to pass on are site-relative; a Mailer needs it),
// DefaultLanguage and Mailer.
type Handlers struct {
	Guidelines portal.GuidelineStore
	Directory  portal.DirectoryStore
	// Search is the search engine; nil while the portal runs without one (some tests):
	// then /search says so and the directory matches its text box in memory.
	Search portal.Searcher
	// Finder selects services for the directory, the referral sheet and the HSDS API.
	Finder *directory.Finder
	// Editor changes the directory: edits, verification, suggestions and their review.
	Editor *directory.Editor
	// Gazetteer and Taxonomy are the places and service types of the directory.
	Gazetteer *portal.Gazetteer
	Taxonomy  []portal.TaxonomyTerm
	Accounts  *accounts.Service
	DB        portal.Pinger
	Theme     *themes.Theme
	Logger    *slog.Logger
	Now       portal.Clock
	// Secure marks cookies Secure: the site is served over https.
	Secure bool
	// BaseURL is the public URL of the site, such as https://dialogue.example.mn: one-time
	// links shown to an admin to pass on are built on it.
	BaseURL string
	// DefaultLanguage is the site's language, in which an invitation e-mail is written
	// unless the inviter chooses another; empty means Mongolian.
	DefaultLanguage portal.Language
	// Mailer sends password-reset links and invitations. It is nil while the portal sends
	// no e-mail: then a reset asked for on the reset page is not created at all, and an
	// admin creates one from the person's admin page instead; an invitation's link is only
	// shown, for the inviter to pass on.
	Mailer Mailer
	// Providers are the sign-in providers the sign-in page offers, besides the password.
	Providers []ProviderLink

	langCookiesOnce  sync.Once
	langCookieValues map[portal.Language]string // RememberLanguage's Set-Cookie values
	placeKindsOnce   sync.Once
	placeKinds       *search.PlaceKinds // the Gazetteer's places and their kinds, for searchText
	fragments        fragments
}

// Page is the part every page shares: the language and its strings (through the embedded
// Translator, so templates write {{.T "key"}} and {{.Date t}}), the title and navigation.
type Page struct {
	*themes.Translator
	Lang        portal.Language
	Title       string
	Description string
	Nav         string // the menu entry to mark as current
	Languages   []LangLink
	User        *portal.User // nil for a visitor
	ShowAdmin   bool         // the person may open the admin pages
	// ErrorSummary is set on a refused form's page (summarize, in forms.go): the page
	// shows it at the top and its title starts with "Error:".
	ErrorSummary *ErrorSummary
	// Main is the page's main part rendered already (its "content" template), when it was
	// kept from before: the layout shows it instead of rendering the part again.
	Main template.HTML
}

// setMain lets render give a page its main part kept from before.
func (p *Page) setMain(main template.HTML) { p.Main = main }

// sharedMain names the pages whose main part is the same for everyone who may see them,
// signed in or not: only the layout around it (the menu) is personal. For a signed-in
// person that part is kept, by the page version, and rendered once for all of them, as the
// page cache keeps the whole page for visitors. A page whose main part shows anything
// personal or confidential must not be here (TestSharedMainIsTheSameForEveryone compares
// them), and its handler passes its data as a pointer.
var sharedMain = map[string]bool{"home": true, "guidelines": true, "guideline": true, "revisions": true, "diff": true}

// LangLink is a link that shows the current page in a language.
type LangLink struct {
	Code    portal.Language
	Label   string
	URL     string
	Current bool
}

// page returns the base page for the request.
func (h *Handlers) page(c *gin.Context, title, nav string) Page {
	lang := portal.LanguageFromContext(c.Request.Context())
	u := portal.UserFromContext(c.Request.Context())
	p := Page{Translator: h.Theme.Translator(lang), Lang: lang, Title: title, Nav: nav,
		User: u, ShowAdmin: portal.Can(u, portal.ActionAdmin)}
	for _, l := range portal.Languages {
		p.Languages = append(p.Languages, LangLink{
			Code:    l,
			Label:   h.Theme.Translator(l).T("lang.name"),
			URL:     withLang(c.Request.URL, l),
			Current: l == lang,
		})
	}
	return p
}

// withLang returns the path and query of u with the lang parameter set to lang.
func withLang(u *url.URL, lang portal.Language) string {
	q := u.Query()
	q.Set("lang", string(lang))
	return u.Path + "?" + q.Encode()
}

// render writes the page with status. The theme renders into a buffer first, so a template
// error becomes a 500 page instead of half a page.
func (h *Handlers) render(c *gin.Context, status int, page string, data any) {
	buf := getPageBuffer()
	defer putPageBuffer(buf)
	main, err := h.keptMain(c, page, data)
	if err == nil {
		err = h.Theme.Render(buf, page, data)
	}
	if err != nil {
		h.Logger.ErrorContext(c.Request.Context(), "render", "page", page, "err", err)
		if page != "error" {
			h.renderError(c, http.StatusInternalServerError, "")
			return
		}
		c.String(http.StatusInternalServerError, "500 internal server error")
		return
	}
	if status == http.StatusOK {
		// Pages are revalidated on every visit, and a page that did not change costs a
		// 304 instead of its bytes: it matters on mobile data in the Gobi.
		sum := sha256.Sum256(buf.Bytes())
		etag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
		c.Header("ETag", etag)
		keepCacheControl(c, "private, no-cache")
		if c.GetHeader("If-None-Match") == etag {
			c.Status(http.StatusNotModified)
			return
		}
	}
	if w, ok := c.Writer.(deflatedWriter); ok && main.deflated != nil {
		// The main part goes out compressed as it was kept; only the layout around it
		// is compressed for this answer.
		body := buf.Bytes()
		if at := bytes.Index(body, main.plain); at >= 0 {
			c.Header("Content-Type", "text/html; charset=utf-8")
			c.Status(status)
			end := at + len(main.plain)
			if _, err := w.Write(body[:at]); err == nil {
				if err = w.WriteDeflated(body[at:end], main.deflated); err == nil {
					_, _ = w.Write(body[end:])
				}
			}
			return
		}
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// deflatedWriter is a response writer that can send a part of the answer deflated before
// (the server's gzip writer): it compresses what is written as it comes, and puts plain's
// deflated form in the stream as it is when it compresses, plain when it does not.
type deflatedWriter interface {
	Write(b []byte) (int, error)
	WriteDeflated(plain, deflated []byte) error
}

// keptMain gives data, the data of page for a signed-in person, the main part kept for
// everyone at this page version, rendering (and deflating) and keeping it if need be, and
// returns it. It does nothing for a visitor (the page cache keeps their whole page), for a
// page not in sharedMain, or when the request carries no page version.
func (h *Handlers) keptMain(c *gin.Context, page string, data any) (fragment, error) {
	ctx := c.Request.Context()
	setter, ok := data.(interface{ setMain(template.HTML) })
	if !ok || !sharedMain[page] || portal.UserFromContext(ctx) == nil {
		return fragment{}, nil
	}
	version, ok := portal.PageVersionFromContext(ctx)
	if !ok {
		return fragment{}, nil
	}
	u := c.Request.URL
	key := "main\x00" + page + "\x00" + string(portal.LanguageFromContext(ctx)) + "\x00" + u.Path + "?" + u.RawQuery + "\x00" + version
	main, err := h.fragments.get(key, true, func(buf *bytes.Buffer) error {
		return h.Theme.RenderFragment(buf, page, "content", data)
	})
	if err == nil {
		setter.setMain(main.html)
	}
	return main, err
}

// pageBuffers holds the buffers pages are rendered into: a page is tens of kilobytes, and
// growing a new buffer to that size for every request was a third of the bytes a guideline
// page allocated.
var pageBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

func getPageBuffer() *bytes.Buffer { return pageBuffers.Get().(*bytes.Buffer) }

// putPageBuffer gives buf back once what was written from it has been copied (every
// writer on a response's path copies). An unusually large one is left to the collector.
func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 1<<20 {
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}

// keepCacheControl sets Cache-Control to value unless the handler said no-store already.
func keepCacheControl(c *gin.Context, value string) {
	if !strings.Contains(c.Writer.Header().Get("Cache-Control"), "no-store") {
		c.Header("Cache-Control", value)
	}
}

// StatusClientClosed is what the request log records for a request whose client went away
// before its answer was ready (nginx's 499): no error of the portal's.
const StatusClientClosed = 499

// errorPage is the data of the error page.
type errorPage struct {
	Page
	Status  int
	Heading string
	Text    string
	Detail  string
}

func (h *Handlers) renderError(c *gin.Context, status int, detail string) {
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		// The open-data API answers its errors as JSON too: a mistyped address, a bad
		// ?lang=.
		p := h.page(c, "", "")
		if detail == "" {
			detail = p.T("error." + statusKey(status) + ".title")
		}
		h.writeJSON(c, status, hsdsErrorBody{status, detail})
		return
	}
	p := errorPage{Page: h.page(c, "", ""), Status: status, Detail: detail}
	key := "error." + statusKey(status)
	p.Heading, p.Text = p.T(key+".title"), p.T(key+".text")
	p.Title = p.Heading
	h.render(c, status, "error", p)
}

func statusKey(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
		http.StatusRequestEntityTooLarge, http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return strconv.Itoa(status)
	}
	return "500"
}

// userError is an error whose detail was written for the user, in the request's language.
type userError struct {
	status int
	detail string
}

func (e *userError) Error() string { return e.detail }

// badRequest returns a 400 error with a message from the catalog in the user's language.
func badRequest(p *Page, key string, args ...any) error {
	return &userError{status: http.StatusBadRequest, detail: p.T(key, args...)}
}

// notFound returns a 404 error with a message from the catalog in the user's language.
func notFound(p *Page, key string, args ...any) error {
	return &userError{status: http.StatusNotFound, detail: p.T(key, args...)}
}

// Error renders err as a themed error page. Internal errors are logged and their details
// never shown; the others map to a status by their portal error code.
func (h *Handlers) Error(c *gin.Context, err error) {
	if ctx := c.Request.Context(); ctx.Err() != nil {
		// The client went away (closed the tab, lost the signal): whatever failed for it,
		// nobody is left to answer, and the portal did nothing wrong.
		h.Logger.DebugContext(ctx, "client went away", "path", LogPath(c), "err", err)
		c.Abort()
		c.Status(StatusClientClosed)
		return
	}
	var ue *userError
	if errors.As(err, &ue) {
		h.renderError(c, ue.status, ue.detail)
		return
	}
	status := statusOf(portal.ErrorCode(err))
	if status == http.StatusInternalServerError || status == http.StatusServiceUnavailable {
		h.Logger.ErrorContext(c.Request.Context(), "request failed", "path", LogPath(c), "err", err)
	}
	h.renderError(c, status, "")
}

func statusOf(code string) int {
	switch code {
	case portal.EINVALID:
		return http.StatusBadRequest
	case portal.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case portal.EFORBIDDEN:
		return http.StatusForbidden
	case portal.ENOTFOUND:
		return http.StatusNotFound
	case portal.ECONFLICT:
		return http.StatusConflict
	case portal.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case portal.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// NotFound serves every path no route matches.
func (h *Handlers) NotFound(c *gin.Context) { h.renderError(c, http.StatusNotFound, "") }

// BadLanguage answers a request whose lang parameter names no supported language.
func (h *Handlers) BadLanguage(c *gin.Context, value string) {
	p := h.page(c, "", "")
	h.Error(c, badRequest(&p, "error.bad_language", value))
}
