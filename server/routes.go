package server

// routes registers every route of the portal, grouped by who may call them. Nothing else
// registers routes.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.recovery(), s.requestLog(), s.securityHeaders(), s.crossOrigin(), s.bodyLimit())

	// Operations: no language, no compression.
	e.GET("/healthz", s.h.HandleHealth)
	e.HEAD("/healthz", s.h.HandleHealth)
	e.GET("/static/:file", s.static)
	e.HEAD("/static/:file", s.static)

	// Public pages: visitors and every role.
	pages := e.Group("/", s.gzip(), s.language())
	pages.GET("/", s.h.HandleHome)
	pages.GET("/guidelines", s.h.HandleGuidelines)
	pages.GET("/guidelines/:slug", s.h.HandleGuideline)
	pages.GET("/guidelines/:slug/revisions", s.h.HandleRevisions)
	pages.GET("/guidelines/:slug/revisions/:n", s.h.HandleRevision)
	pages.GET("/guidelines/:slug/diff", s.h.HandleDiff)

	e.NoRoute(s.gzip(), s.language(), s.h.NotFound)
}
