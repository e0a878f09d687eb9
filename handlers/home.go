package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gobidialogue/portal"
)

// homePage is the data of the home page: find help (the directory and the national
// numbers, in the template), the latest guidelines, and the meetings to come. The page is
// cached per language and shared by everyone, so it holds nothing personal.
type homePage struct {
	Page
	OpenTotal   int // how many guidelines are open for comment
	Latest      []guidelineItem
	MeetingsURL string // "" while there are no meeting pages: the heading is then no link
}

// homeLatestMax is how many of the latest guidelines the home page shows: on a phone, find
// help comes first and the guidelines must not push the meetings off the page; a link
// leads to all of them.
const homeLatestMax = 3

// HandleHome serves GET /.
func (h *Handlers) HandleHome(c *gin.Context) {
	p := homePage{Page: h.page(c, "", "home")}
	p.Description = p.T("home.lead")
	gs, err := h.Guidelines.FindGuidelines(c.Request.Context(), portal.GuidelineFilter{Language: p.Lang})
	if err != nil {
		h.Error(c, err)
		return
	}
	items := h.items(&p.Page, gs)
	for _, it := range items {
		if it.CommentOpen {
			p.OpenTotal++
		}
	}
	p.Latest = items[:min(len(items), homeLatestMax)]
	h.render(c, http.StatusOK, "home", &p)
}

// health is the JSON body of /healthz.
type health struct {
	Status   string `json:"status"`
	Database string `json:"database"`
	Version  string `json:"version"`
}

// HandleHealth serves GET /healthz: 200 when the database answers within two seconds,
// 503 when not.
func (h *Handlers) HandleHealth(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	c.Header("Cache-Control", "no-store")
	if err := h.DB.Ping(ctx); err != nil {
		h.Logger.WarnContext(ctx, "health check: database does not answer", "err", err)
		c.JSON(http.StatusServiceUnavailable, health{Status: "unavailable", Database: "unreachable", Version: portal.Version})
		return
	}
	c.JSON(http.StatusOK, health{Status: "ok", Database: "ok", Version: portal.Version})
}
