package server

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
)

// PageVersion is what the public page cache checks a page against (Config.PageVersion).
type PageVersion struct {
	// Shows changes whenever anything that public pages show changes: the guidelines, the
	// directory, the search index.
	Shows string
	// Local grows with every write made through this process. A page made before such a
	// write is rendered again before it is served, so that the write shows on the very
	// next request. A page that is out of date for any other reason (another process's
	// write, the search index catching up, the minute turning) is served as it is while
	// its new rendering is made in the background: such a change shows within the time of
	// one rendering, and no visitor waits for it.
	Local int64
}

// pageStamp is what a public page was rendered at: the version of what pages show and the
// page's minute on the handlers' clock. The minute is there because some of what a page
// shows follows the clock ("open now", whether a comment period is open, today's date): it
// changes on the minute at the finest, so a page is never more than a minute old (and the
// time of a rendering); it also bounds the staleness of anything a page might show that no
// version follows. Each page's minute turns at a second of its own (minuteOffset).
type pageStamp struct {
	PageVersion
	minute int64
}

// stamp returns the stamp of the page at key (pageKey) rendered now.
func (s *Server) stamp(ctx context.Context, key string) (pageStamp, error) {
	v, err := s.cfg.PageVersion(ctx)
	return pageStamp{PageVersion: v, minute: (s.h.Now().Unix() + minuteOffset(key)) / 60}, err
}

// minuteOffset returns the page at key's own offset into the minute, 0 to 59 seconds: its
// minute turns that many seconds before the clock's. With one minute for all, every page
// held went out of date on the same second, and its next visitor started its rendering
// again in the background: under the 10,000-service load the two background renderings
// allowed then ran flat out for seconds after each turn of the minute, and visitors'
// requests waited for the processors (the clusters of requests over 100 ms a second or
// two after each turn). Spread over the minute, the same renderings come a few at a time.
// A page still shows the clock's change within a minute and the time of a rendering.
func minuteOffset(key string) int64 {
	h := uint32(2166136261) // FNV-1a: cheap, and spreads the keys evenly
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int64(h % 60)
}

// pageKey returns the key of the page at u in lang: the language, the path and the query.
func pageKey(lang portal.Language, u *url.URL) string {
	return string(lang) + " " + u.Path + "?" + u.RawQuery
}

// String returns the stamp as the version handlers key shared parts of pages by.
func (st pageStamp) String() string {
	return st.Shows + "/" + strconv.FormatInt(st.Local, 10) + "/" + strconv.FormatInt(st.minute, 10)
}

// usable reports whether a page made at held may be served, while a fresh one is made,
// to a request at now: no write through this process since, and made this minute or the
// one before.
func (held pageStamp) usable(now pageStamp) bool {
	behind := now.minute - held.minute
	return held.Local == now.Local && behind >= 0 && behind <= 1
}

// signedIn reports whether the request carries a session cookie: whether it may be a
// signed-in person's, whose pages are never served from or kept in the page cache. A stale
// cookie counts too: that visitor is simply served without the cache.
func signedIn(r *http.Request) bool {
	if len(r.Header["Cookie"]) == 0 {
		return false
	}
	_, err := r.Cookie(handlers.SessionCookie)
	return err == nil
}

// cachePages serves a public page (a GET or HEAD route every visitor may see; HEAD is
// answered as GET, from the same entry) from the page cache
// to a visitor who is not signed in, and keeps what it renders for the next one. Signed-in
// people, and every answer that is not a plain 200 (errors, redirects), that sets a cookie,
// that says no-store (anything confidential, a degraded search) or that was rendered for a
// person, go around the cache: they are rendered per request as before.
func (s *Server) cachePages() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			c.Next()
			return
		}
		if signedIn(c.Request) {
			// Their page is rendered for them, but its main part is often the same for
			// everyone: the handler may keep that part by this version (handlers.render).
			if stamp, err := s.stamp(c.Request.Context(), pageKey(portal.LanguageFromContext(c.Request.Context()), c.Request.URL)); err == nil {
				c.Request = c.Request.WithContext(portal.NewContextWithPageVersion(c.Request.Context(), stamp.String()))
			}
			c.Next()
			return
		}
		ctx := c.Request.Context()
		key := pageKey(portal.LanguageFromContext(ctx), c.Request.URL)
		stamp, err := s.stamp(ctx, key)
		if err != nil {
			c.Next() // the handler meets the same error and answers it
			return
		}
		if lead, ok := ctx.Value(refreshKey{}).(*flight); ok {
			// refresh's own request: it makes the page others are served the old one for.
			s.renderPage(c, key, stamp, lead)
			return
		}
		p, wait, lead := s.pages.get(key, stamp, true)
		switch {
		case p != nil && lead != nil:
			// Out of date but usable: served while the new rendering is made.
			s.refresh(c, key, lead)
		case wait != nil:
			select {
			case <-wait.done:
				if p = wait.page; p != nil && p.stamp != stamp {
					p = nil
				}
			case <-ctx.Done():
				c.Abort() // the client went away
				c.Status(handlers.StatusClientClosed)
				return
			}
		}
		if p == nil {
			p = s.renderPage(c, key, stamp, lead)
			if p == nil {
				return // answered as rendered
			}
		}
		c.Abort()
		servePage(c, p)
	}
}

// refreshKey marks, in its context, the request that refresh sends through the router; its
// value is the flight the request ends.
type refreshKey struct{}

// maxRefreshes bounds the pages rendered in the background at once to half the processors,
// one on two: a rendering runs flat out, and visitors' requests come first. With two on
// two processors, a change that put many pages out of date together (another process's
// write, the index catching up) left visitors' requests to wait for a processor.
var maxRefreshes = max(1, runtime.GOMAXPROCS(0)/2)

// refresh renders the page of c's request again in the background, as a visitor in the
// request's language would have it, and ends the flight lead with it. When maxRefreshes
// are under way already it ends lead with nothing, and a later request tries again.
func (s *Server) refresh(c *gin.Context, key string, lead *flight) {
	select {
	case s.refreshes <- struct{}{}:
	default:
		s.pages.land(key, lead, nil)
		return
	}
	ctx := context.WithValue(context.WithoutCancel(c.Request.Context()), refreshKey{}, lead)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Request.URL.RequestURI(), nil)
	if err != nil {
		<-s.refreshes
		s.pages.land(key, lead, nil)
		return
	}
	// The language the page was asked in, whatever said it: the cookie says it as the
	// query or Accept-Language did (the query, when there is one, says the same).
	req.Header.Set("Cookie", handlers.LangCookie+"="+string(portal.LanguageFromContext(c.Request.Context())))
	req.RemoteAddr = c.Request.RemoteAddr
	go func() {
		defer func() { <-s.refreshes }()
		// Should the request not reach cachePages (it always does), the flight still ends.
		defer s.pages.land(key, lead, nil)
		s.engine.ServeHTTP(&discardWriter{header: http.Header{}}, req)
	}()
}

// discardWriter is the http.ResponseWriter of a refresh: the page goes to the cache.
type discardWriter struct{ header http.Header }

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// renderPage runs the handler into a buffer. When the answer may be kept it returns the
// page made of it (stored in the cache when lead is the render others wait for);
// otherwise it writes the answer as the handler made it and returns nil.
func (s *Server) renderPage(c *gin.Context, key string, stamp pageStamp, lead *flight) (kept *cachedPage) {
	if lead != nil {
		// Whatever happens, even a panic, the waiters are woken.
		defer func() { s.pages.land(key, lead, kept) }()
	}
	req := c.Request
	inm := req.Header.Get("If-None-Match")
	if inm != "" {
		// The handler renders the whole page, for the cache; the 304 is decided here
		// (servePage reads the header the client sent, put back once the handler ran).
		sent := req.Header
		req.Header = sent.Clone()
		req.Header.Del("If-None-Match")
		defer func() { req.Header = sent }()
	}
	orig := c.Writer
	h := orig.Header()
	cookies := len(h["Set-Cookie"])
	rec := &recorder{ResponseWriter: orig, status: http.StatusOK}
	c.Writer = rec
	defer func() { c.Writer = orig }() // also on a panic, which recovery answers
	c.Next()
	c.Writer = orig
	if rec.status == http.StatusOK && rec.buf.Len() > 0 && len(h["Set-Cookie"]) == cookies &&
		!strings.Contains(h.Get("Cache-Control"), "no-store") && h.Get("Content-Encoding") == "" &&
		portal.UserFromContext(req.Context()) == nil {
		return newCachedPage(key, stamp, h.Get("Content-Type"), h.Get("Cache-Control"), h.Get("ETag"),
			h.Get("Access-Control-Allow-Origin"), bytes.Clone(rec.buf.Bytes()))
	}
	if etag := h.Get("ETag"); rec.status == http.StatusOK && etag != "" && inm == etag {
		orig.WriteHeader(http.StatusNotModified)
		orig.WriteHeaderNow()
		return nil
	}
	writeBody(c, rec.status, rec.buf.Bytes())
	return nil
}

// Header values shared by every page served from the cache; net/http only reads them.
var (
	gzipEncoding = []string{"gzip"}
	varyPage     = []string{"Accept-Language, Cookie, Accept-Encoding"}
)

// servePage answers with p: a 304 when the client holds it already, else its gzip form
// when the client takes it, else its bytes.
func servePage(c *gin.Context, p *cachedPage) {
	h := c.Writer.Header()
	h["Content-Type"] = p.contentType
	h["Etag"] = p.etag
	if p.cacheControl != nil {
		h["Cache-Control"] = p.cacheControl
	}
	if p.allowOrigin != nil {
		h["Access-Control-Allow-Origin"] = p.allowOrigin
	}
	body, length := p.body, p.length
	if p.gz != nil {
		h["Vary"] = varyPage
		if acceptsGzip(c.Request) {
			h["Content-Encoding"] = gzipEncoding
			body, length = p.gz, p.gzLength
		}
	}
	if inm := c.Request.Header["If-None-Match"]; len(inm) == 1 && inm[0] == p.etag[0] {
		c.Writer.WriteHeader(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	if c.Request.Method == http.MethodHead {
		// GET's headers, Content-Length included, and no body.
		h["Content-Length"] = length
		c.Writer.WriteHeader(http.StatusOK)
		c.Writer.WriteHeaderNow()
		return
	}
	if body == nil {
		// A client that does not take gzip, rare: the page is decompressed for it.
		plain, err := p.plain()
		if err != nil {
			c.Writer.WriteHeader(http.StatusInternalServerError)
			return
		}
		body = plain
	}
	h["Content-Length"] = length
	c.Writer.WriteHeader(http.StatusOK)
	// The whole answer is in memory: its headers and body go in one write (conn.go).
	cc := coalescerFrom(c.Request.Context())
	if cc != nil {
		cc.coalesce()
	}
	_, _ = c.Writer.Write(body)
	if cc != nil {
		cc.settle()
	}
}

// recorder keeps what a handler writes, for the cache to decide on. Headers go to the real
// writer's map: they are the answer's either way.
type recorder struct {
	gin.ResponseWriter
	status  int
	buf     bytes.Buffer
	written bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.written && code > 0 {
		r.status = code
	}
}

func (r *recorder) WriteHeaderNow() { r.written = true }

func (r *recorder) Write(b []byte) (int, error) {
	r.written = true
	return r.buf.Write(b)
}

func (r *recorder) WriteString(s string) (int, error) {
	r.written = true
	return r.buf.WriteString(s)
}

func (r *recorder) Status() int   { return r.status }
func (r *recorder) Size() int     { return r.buf.Len() }
func (r *recorder) Written() bool { return r.written }
func (r *recorder) Flush()        {}
