package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
)

// adminPage is the data of the admin home: the sections the person may open.
type adminPage struct {
	Page
	People, Organisations, Invitations, Audit bool
	// Suggestions is whether the person reviews suggested directory edits, and Pending how
	// many wait.
	Suggestions bool
	Pending     int
}

// HandleAdmin serves GET /admin.
func (h *Handlers) HandleAdmin(c *gin.Context) {
	p := adminPage{Page: h.page(c, "", "admin")}
	p.Title = p.T("admin.title")
	u := p.User
	p.People = portal.Can(u, portal.ActionManageUsers)
	p.Organisations = portal.Can(u, portal.ActionManageOrgs)
	p.Invitations = portal.Can(u, portal.ActionInvite)
	p.Audit = portal.Can(u, portal.ActionViewAudit)
	if portal.Can(u, portal.ActionEditDirectory) && h.Directory != nil {
		pending, err := h.Directory.FindSuggestions(c.Request.Context(), portal.SuggestionFilter{Status: portal.SuggestionPending})
		if err != nil {
			h.Error(c, err)
			return
		}
		p.Suggestions, p.Pending = true, len(pending)
	}
	h.render(c, http.StatusOK, "admin", p)
}

// auditLimit is how many entries the audit page shows: the newest.
const auditLimit = 200

// auditPage is the data of the audit log page.
type auditPage struct {
	Page
	Entries []auditRow
}

// auditRow is one entry of the audit log as the page shows it.
type auditRow struct {
	At            time.Time // in Mongolia's time zone
	When          string
	Who           string
	Action        string // translated when the catalog knows it
	Target        string
	Before, After string // indented JSON
}

// HandleAudit serves GET /admin/audit: the newest entries of the audit log.
func (h *Handlers) HandleAudit(c *gin.Context) {
	p := auditPage{Page: h.page(c, "", "admin")}
	p.Title = p.T("audit.title")
	ctx := c.Request.Context()
	entries, err := h.Accounts.Store.FindAudit(ctx, auditLimit)
	if err == nil {
		p.Entries, err = h.auditRows(ctx, &p.Page, entries)
	}
	if err != nil {
		h.Error(c, err)
		return
	}
	h.render(c, http.StatusOK, "audit", p)
}

// personTargets are the actions whose target is a person: the page shows their name.
var personTargets = map[string]bool{"invitation.accept": true, "reset_link.create": true, "signin_link.create": true}

// auditRows describes entries in p's language: who by name, the action translated, when
// in Mongolia's time.
func (h *Handlers) auditRows(ctx context.Context, p *Page, entries []*portal.AuditEntry) ([]auditRow, error) {
	names, rows := userNames{}, make([]auditRow, 0, len(entries))
	for _, e := range entries {
		row := auditRow{At: e.At.In(portal.MongoliaTime), Action: e.Action, Target: shortID(e.Target),
			Before: indentJSON(e.Before), After: indentJSON(e.After)}
		row.When = dateTime(p, e.At)
		if key := "audit.action." + e.Action; p.Has(key) {
			row.Action = p.T(key)
		}
		var err error
		if row.Who = p.T("audit.cli"); e.ActorID != "" {
			if row.Who, err = names.of(ctx, h, e.ActorID); err != nil {
				return nil, err
			}
		}
		if strings.HasPrefix(e.Action, "user.") || personTargets[e.Action] {
			if row.Target, err = names.of(ctx, h, e.Target); err != nil {
				return nil, err
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// userNames looks people's names up by ID, each once.
type userNames map[string]string

// of returns the name of the person with id, or id itself when nobody has it.
func (n userNames) of(ctx context.Context, h *Handlers, id string) (string, error) {
	if name, ok := n[id]; ok {
		return name, nil
	}
	name := id
	u, err := h.Accounts.Store.FindUser(ctx, id)
	switch {
	case err == nil:
		name = u.Name
	case portal.ErrorCode(err) != portal.ENOTFOUND:
		return "", err
	}
	n[id] = name
	return name, nil
}

// indentJSON returns s indented for reading, or s itself when it is not JSON.
func indentJSON(s string) string {
	var buf bytes.Buffer
	if s == "" || json.Indent(&buf, []byte(s), "", "  ") != nil {
		return s
	}
	return buf.String()
}

// dateTime formats the date and time of day of t in Mongolia, in p's language.
func dateTime(p *Page, t time.Time) string {
	return p.Date(t) + " " + t.In(portal.MongoliaTime).Format("15:04")
}

// shortID shortens an ID too long to read, such as the hash that names an invitation: its
// first characters tell entries apart, and the rest would only push the page sideways on
// a phone.
func shortID(id string) string {
	if len(id) <= 24 {
		return id
	}
	return id[:12] + "…"
}
