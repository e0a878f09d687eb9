package server

import (
	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
)

// Route is a route of the table, as the external tests see it.
type Route struct {
	Method, Path string
	Action       portal.Action
}

// Table returns the routes of s's table.
func (s *Server) Table() []Route {
	var out []Route
	for _, r := range s.table() {
		out = append(out, Route{Method: r.method, Path: r.path, Action: r.action})
	}
	return out
}

// Registered returns the routes registered on s's engine, from the table or not.
func (s *Server) Registered() gin.RoutesInfo { return s.engine.Routes() }

// EachCachedPage calls fn with every page the public page cache holds.
func (s *Server) EachCachedPage(fn func(key string, body []byte)) { s.pages.each(fn) }

// PageCacheHits returns how many answers the public page cache gave.
func (s *Server) PageCacheHits() int64 { return s.pages.stats().Hits }
