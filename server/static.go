package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// static serves GET /static/{file}: theme files under content-hashed names, cached for a
// year, gzipped ahead of time.
func (s *Server) static(c *gin.Context) {
	a, ok := s.theme.Asset(c.Param("file"))
	if !ok {
		c.Header("Cache-Control", "no-store")
		c.String(http.StatusNotFound, "404 not found")
		return
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", a.ETag)
	h.Set("Vary", "Accept-Encoding")
	if match := c.GetHeader("If-None-Match"); match == a.ETag {
		c.Status(http.StatusNotModified)
		return
	}
	body := a.Body
	if a.Gzip != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = a.Gzip
	}
	c.Data(http.StatusOK, a.ContentType, body)
}
