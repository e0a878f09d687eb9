package handlers_test

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/logtest"
	"github.com/gobidialogue/portal/internal/testkit/portaltest"
	"github.com/gobidialogue/portal/store"
)

// Confidential addresses never reach the log: not when a member reads them, not when the
// secretariat edits them, not when a form with one is refused, even at debug level.
func TestConfidentialNeverLogged(t *testing.T) {
	var logs logtest.Buffer
	p := editServerWith(t, portaltest.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	p.Organisation(t, "gobi-ngo", "Говь ТББ", "Gobi NGO", portal.GroupCivilSociety, false)
	verifyOrganisation(t, p.DB, "gobi-ngo")
	_, memberCookie := p.Person(t, "naraa@gobi-ngo.mn", "Нараа", portal.RoleMember, "gobi-ngo")
	_, secCookie := p.Person(t, "sec@council.mn", "Ажлын алба", portal.RoleSecretariat, "")
	_, _, orgs, _ := directory.LoadStarter()
	var secrets []string
	for _, o := range orgs {
		for _, l := range o.Locations {
			if l.Confidential {
				secrets = append(secrets, l.Address.MN, l.Address.EN)
			}
		}
	}

	r := get(t, p.Router, "GET", "/directory/services/ub-safe-house-shelter?lang=en", "Cookie", memberCookie)
	if r.Code != 200 || !containsAny(r.body, secrets) {
		t.Fatalf("the verified member does not see the shelter's address (%d)", r.Code)
	}
	locPath := "/directory/organizations/ub-safe-house/locations/ub-safe-house-shelter/edit"
	r = get(t, p.Router, "GET", locPath+"?lang=en", "Cookie", secCookie)
	form := formValues(r, "form.location-form")
	form.Set("place", r.doc.Find(`select[name="place"] option[selected]`).AttrOr("value", ""))
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("latitude", "north")
	if r := post(t, p.Router, locPath, bad, "Cookie", secCookie); r.Code != 400 {
		t.Fatalf("refused form: %d", r.Code)
	}
	form.Set("address_en", "Moved: 99 Hidden lane")
	if r := post(t, p.Router, locPath, form, "Cookie", secCookie); r.Code != 303 {
		t.Fatalf("save: %d", r.Code)
	}
	log := logs.String()
	if !strings.Contains(log, "/directory/services/ub-safe-house-shelter") {
		t.Fatalf("the log did not record the requests at all:\n%s", log)
	}
	for _, s := range append(secrets, "99 Hidden lane") {
		if s != "" && strings.Contains(log, s) {
			t.Errorf("the log holds the address %q", s)
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if x != "" && strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// verifyOrganisation marks an organisation verified, as the secretariat does.
func verifyOrganisation(t *testing.T, db *store.DB, id string) {
	t.Helper()
	o, err := db.FindOrganisation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	o.Verified, o.VerifiedAt, o.VerifiedBy = true, &now, "test"
	if err := db.UpdateOrganisation(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}
