package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
)

// route is one entry of the routing table: what it answers, and the action it performs,
// which the policy table (portal.Can) decides on before the handler runs.
type route struct {
	method, path string
	action       portal.Action
	handler      gin.HandlerFunc
}

// table lists every route of the portal. Nothing else registers routes, and a test
// requests each of them as every role.
func (s *Server) table() []route {
	h := s.h
	return []route{
		// Public pages: visitors and every role.
		{"GET", "/", portal.ActionView, h.HandleHome},
		{"GET", "/guidelines", portal.ActionView, h.HandleGuidelines},
		{"GET", "/guidelines/:slug", portal.ActionView, h.HandleGuideline},
		{"GET", "/guidelines/:slug/revisions", portal.ActionView, h.HandleRevisions},
		{"GET", "/guidelines/:slug/revisions/:n", portal.ActionView, h.HandleRevision},
		{"GET", "/guidelines/:slug/diff", portal.ActionView, h.HandleDiff},

		// Search across everything public.
		{"GET", "/search", portal.ActionView, h.HandleSearch},
		{"GET", "/search/suggest", portal.ActionView, h.HandleSuggest},

		// The referral directory.
		{"GET", "/directory", portal.ActionView, h.HandleDirectory},
		{"GET", "/directory/print", portal.ActionView, h.HandlePrint},
		{"GET", "/directory/services/:id", portal.ActionView, h.HandleService},

		// Open data: the HSDS API.
		{"GET", "/api/hsds/", portal.ActionView, h.HandleHSDSMeta},
		{"GET", "/api/hsds/services", portal.ActionView, h.HandleHSDSServices},
		{"GET", "/api/hsds/services/:id", portal.ActionView, h.HandleHSDSService},
		{"GET", "/api/hsds/organizations", portal.ActionView, h.HandleHSDSOrganisations},
		{"GET", "/api/hsds/organizations/:id", portal.ActionView, h.HandleHSDSOrganisation},
		{"GET", "/api/hsds/taxonomy_terms", portal.ActionView, h.HandleHSDSTaxonomyTerms},
		{"GET", "/api/hsds/taxonomy_terms/:id", portal.ActionView, h.HandleHSDSTaxonomyTerm},
		{"GET", "/api/hsds/taxonomies", portal.ActionView, h.HandleHSDSTaxonomies},
		{"GET", "/api/hsds/taxonomies/:id", portal.ActionView, h.HandleHSDSTaxonomy},

		// Signing in and out.
		{"GET", "/login", portal.ActionSignIn, h.HandleLogin},
		{"POST", "/login", portal.ActionSignIn, h.HandleLoginPost},
		{"POST", "/logout", portal.ActionSignIn, h.HandleLogout},
		{"GET", "/login/link/:token", portal.ActionSignIn, h.HandleSignInLink},
		{"POST", "/login/link/:token", portal.ActionSignIn, h.HandleSignInLinkPost},

		// Sign-in with a provider.
		{"GET", "/auth/:provider", portal.ActionSignIn, h.HandleOAuthBegin},
		{"GET", "/auth/:provider/callback", portal.ActionSignIn, h.HandleOAuthCallback},

		// Signed-in people.
		{"GET", "/profile", portal.ActionProfile, h.HandleProfile},
		{"POST", "/profile", portal.ActionProfile, h.HandleProfilePost},
		{"POST", "/profile/sessions/end", portal.ActionProfile, h.HandleEndSessions},
		{"GET", "/profile/password", portal.ActionProfile, h.HandleChoosePassword},
		{"POST", "/profile/password", portal.ActionProfile, h.HandlePasswordPost},

		// Invitations and password resets: anyone holding the link.
		{"GET", "/invitations/:token", portal.ActionSignIn, h.HandleInvitation},
		{"POST", "/invitations/:token", portal.ActionSignIn, h.HandleInvitationPost},
		{"GET", "/reset", portal.ActionSignIn, h.HandleResetRequest},
		{"POST", "/reset", portal.ActionSignIn, h.HandleResetRequestPost},
		{"GET", "/reset/:token", portal.ActionSignIn, h.HandleReset},
		{"POST", "/reset/:token", portal.ActionSignIn, h.HandleResetPost},

		// Keeping the directory: members suggest edits, the secretariat edits, verifies
		// and reviews. A member sees only their own suggestions.
		{"GET", "/directory/services/:id/suggest", portal.ActionSuggestEdit, h.HandleServiceSuggest},
		{"POST", "/directory/services/:id/suggest", portal.ActionSuggestEdit, h.HandleServiceSuggestPost},
		{"GET", "/directory/services/:id/edit", portal.ActionEditDirectory, h.HandleServiceEdit},
		{"POST", "/directory/services/:id/edit", portal.ActionEditDirectory, h.HandleServiceEditPost},
		{"POST", "/directory/services/:id/verify", portal.ActionEditDirectory, h.HandleServiceVerify},
		{"GET", "/directory/suggestions", portal.ActionSuggestEdit, h.HandleSuggestions},
		{"GET", "/directory/suggestions/:id", portal.ActionSuggestEdit, h.HandleSuggestion},
		{"POST", "/directory/suggestions/:id/accept", portal.ActionEditDirectory, h.HandleSuggestionAccept},
		{"POST", "/directory/suggestions/:id/reject", portal.ActionEditDirectory, h.HandleSuggestionReject},
		{"GET", "/directory/organizations/:org/edit", portal.ActionEditDirectory, h.HandleOrgEdit},
		{"POST", "/directory/organizations/:org/edit", portal.ActionEditDirectory, h.HandleOrgEditPost},
		{"GET", "/directory/organizations/:org/locations/:loc/edit", portal.ActionEditDirectory, h.HandleLocationEdit},
		{"POST", "/directory/organizations/:org/locations/:loc/edit", portal.ActionEditDirectory, h.HandleLocationEditPost},

		// Administration: the secretariat onboards organisations and people; admins
		// manage accounts and read the audit log.
		{"GET", "/admin", portal.ActionAdmin, h.HandleAdmin},
		{"GET", "/admin/invitations", portal.ActionInvite, h.HandleInvitations},
		{"POST", "/admin/invitations", portal.ActionInvite, h.HandleInvitationCreate},
		{"POST", "/admin/invitations/:id/revoke", portal.ActionInvite, h.HandleInvitationRevoke},
		{"GET", "/admin/organisations", portal.ActionManageOrgs, h.HandleOrganisations},
		{"POST", "/admin/organisations", portal.ActionManageOrgs, h.HandleOrganisationCreate},
		{"POST", "/admin/organisations/:id", portal.ActionManageOrgs, h.HandleOrganisationUpdate},
		{"POST", "/admin/organisations/:id/verify", portal.ActionManageOrgs, h.HandleOrganisationVerify},
		{"GET", "/admin/people", portal.ActionManageUsers, h.HandlePeople},
		{"GET", "/admin/people/:id", portal.ActionManageUsers, h.HandlePerson},
		{"POST", "/admin/people/:id", portal.ActionManageUsers, h.HandlePersonPost},
		{"POST", "/admin/people/:id/reset-link", portal.ActionManageUsers, h.HandlePersonResetLink},
		{"GET", "/admin/audit", portal.ActionViewAudit, h.HandleAudit},
	}
}

// routes registers the operational endpoints, then every page of the table behind the
// middleware pages share and the policy check of its action; every GET route answers HEAD
// too.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.recovery(), s.requestLog(), s.securityHeaders(), s.crossOrigin(), s.bodyLimit())

	// Operations: no language, no session, no compression.
	e.GET("/healthz", s.h.HandleHealth)
	e.HEAD("/healthz", s.h.HandleHealth)
	e.GET("/static/:file", s.static)
	e.HEAD("/static/:file", s.static)
	e.GET("/metrics", s.metrics)
	e.HEAD("/metrics", s.metrics)

	pages := e.Group("/", s.language(), s.authenticate())
	for _, r := range s.table() {
		chain := []gin.HandlerFunc{s.allow(r.action)}
		if s.pages != nil && r.method == "GET" && r.action == portal.ActionView {
			// A page every visitor may see: from the public page cache (cache.go).
			chain = append(chain, s.cachePages())
		}
		chain = append(chain, s.gzip(), r.handler)
		pages.Handle(r.method, r.path, chain...)
		if r.method == http.MethodGet {
			// HEAD answers as GET does, through the same chain (the page cache and gzip
			// included), so its headers are GET's; net/http sends no body with it.
			pages.Handle(http.MethodHead, r.path, chain...)
		}
	}
	e.NoRoute(s.gzip(), s.language(), s.authenticate(), s.h.NotFound)
}
