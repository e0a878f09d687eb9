package server

import (
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

		// Invitations and password resets: anyone holding the link.
		{"GET", "/invitations/:token", portal.ActionSignIn, h.HandleInvitation},
		{"POST", "/invitations/:token", portal.ActionSignIn, h.HandleInvitationPost},
		{"GET", "/reset", portal.ActionSignIn, h.HandleResetRequest},
		{"POST", "/reset", portal.ActionSignIn, h.HandleResetRequestPost},
		{"GET", "/reset/:token", portal.ActionSignIn, h.HandleReset},
		{"POST", "/reset/:token", portal.ActionSignIn, h.HandleResetPost},

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
// middleware pages share and the policy check of its action.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.recovery(), s.requestLog(), s.securityHeaders(), s.crossOrigin(), s.bodyLimit())

	// Operations: no language, no session, no compression.
	e.GET("/healthz", s.h.HandleHealth)
	e.HEAD("/healthz", s.h.HandleHealth)
	e.GET("/static/:file", s.static)
	e.HEAD("/static/:file", s.static)

	pages := e.Group("/", s.gzip(), s.language(), s.authenticate())
	for _, r := range s.table() {
		pages.Handle(r.method, r.path, s.allow(r.action), r.handler)
	}
	e.NoRoute(s.gzip(), s.language(), s.authenticate(), s.h.NotFound)
}
