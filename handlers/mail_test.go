package handlers_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/handlers"
	"github.com/gobidialogue/portal/mail"
	"github.com/gobidialogue/portal/mail/mailtest"
)

// smtpMailer returns the real mailer, sending through the SMTP server at addr.
func smtpMailer(t *testing.T, addr string) *mail.Mailer {
	t.Helper()
	m, err := mail.New(mail.Config{Addr: addr, From: "Gobi Dialogue Portal <portal@example.mn>"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mailedLink returns the path of the only link to baseURL+prefix in the message, which
// each of its two languages repeats.
func mailedLink(t *testing.T, msg *mailtest.Message, prefix string) string {
	t.Helper()
	if msg.Err != nil {
		t.Fatalf("the message does not parse: %v", msg.Err)
	}
	links := regexp.MustCompile(regexp.QuoteMeta(baseURL+prefix)+`\S+`).FindAllString(msg.Body, -1)
	if len(links) != 2 || links[0] != links[1] {
		t.Fatalf("links %q in\n%s", links, msg.Body)
	}
	return strings.TrimPrefix(links[0], baseURL)
}

// TestResetBySMTP: a reset asked for on the reset page arrives by e-mail, and its link
// sets the new password.
func TestResetBySMTP(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	p := accountsServer(t, func(h *handlers.Handlers) { h.Mailer = smtpMailer(t, smtp.Addr()) })
	u := member(t, p, "saraa@example.mn")
	if r := post(t, p.Router, "/reset", url.Values{"email": {"Saraa@Example.mn"}}); r.Code != 303 || r.Header().Get("Location") != "/reset?sent=1" {
		t.Fatalf("reset request: %d %q", r.Code, r.Header().Get("Location"))
	}
	msgs := smtp.WaitMessages(1)
	if len(msgs) != 1 || strings.Join(msgs[0].To, ",") != u.Email || !strings.Contains(msgs[0].Subject, "Password reset link") ||
		!strings.HasPrefix(msgs[0].Body, "Сайн байна уу, "+u.Name+".") {
		t.Fatalf("%d messages: %+v", len(msgs), msgs)
	}
	link := mailedLink(t, msgs[0], "/reset/")
	const newPassword = "long road to khanbogd"
	r := post(t, p.Router, link, url.Values{"password": {newPassword}, "confirm": {newPassword}})
	if r.Code != 303 || r.Header().Get("Location") != "/profile" || sessionCookie(r) == nil {
		t.Fatalf("reset with the mailed link: %d %q", r.Code, r.Header().Get("Location"))
	}
	if r := post(t, p.Router, "/login", url.Values{"email": {u.Email}, "password": {newPassword}}); r.Code != 303 {
		t.Errorf("sign in with the new password: %d", r.Code)
	}
	// An address without an account gets no message, and the same answer.
	if r := post(t, p.Router, "/reset", url.Values{"email": {"nobody@example.mn"}}); r.Code != 303 || len(smtp.Messages()) != 1 {
		t.Errorf("unknown address: %d, %d messages", r.Code, len(smtp.Messages()))
	}
}

// TestInvitationBySMTP: with a mailer, an invitation goes to the invited address in the
// language chosen (the site's by default), and the page says so and shows the link once.
func TestInvitationBySMTP(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	p := accountsServer(t, func(h *handlers.Handlers) {
		h.Mailer, h.DefaultLanguage = smtpMailer(t, smtp.Addr()), portal.English
	})
	p.Organisation(t, "oyu-tolgoi", "Оюу толгой ХХК", "Oyu Tolgoi LLC <script>alert(1)</script>", portal.GroupMining, false)
	_, sec := p.Person(t, "sec@council.mn", hostileName, portal.RoleSecretariat, "")

	r := get(t, p.Router, "GET", "/admin/invitations?lang=mn", "Cookie", sec)
	if v, _ := r.doc.Find(`select[name="language"] option[selected]`).Attr("value"); r.Code != 200 || v != "en" {
		t.Fatalf("invitations page: %d, language %q selected, want the site's", r.Code, v)
	}
	if r := post(t, p.Router, "/admin/invitations?lang=en", url.Values{"email": {"a@x.mn"}, "role": {"moderator"}, "language": {"fr"}}, "Cookie", sec); r.Code != 400 ||
		!strings.Contains(fieldError(r, "language"), "not valid") || len(smtp.Messages()) != 0 {
		t.Fatalf("unknown language: %d %q", r.Code, fieldError(r, "language"))
	}

	tests := []struct {
		name, email, language string
		first, orgName        string // how the message begins, the organisation it names
	}{
		{"chosen Mongolian", "csr@oyutolgoi.mn", "mn", "Сайн байна уу.", "Оюу толгой ХХК"},
		{"site default", "hse@oyutolgoi.mn", "", "Hello,", "Oyu Tolgoi LLC <script>alert(1)</script>"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"email": {tt.email}, "role": {"member"}, "org": {"oyu-tolgoi"}}
			if tt.language != "" {
				form.Set("language", tt.language)
			}
			r := post(t, p.Router, "/admin/invitations?lang=en", form, "Cookie", sec)
			if r.Code != http.StatusCreated || !strings.Contains(r.text(".once"), "An e-mail with this link went to that address") ||
				r.doc.Find(".mail-failed").Length() != 0 || strings.Contains(r.body, "<script>") {
				t.Fatalf("invite: %d\n%.1500s", r.Code, r.body)
			}
			shown := shownLink(t, r)
			msgs := smtp.Messages()
			if len(msgs) != i+1 {
				t.Fatalf("%d messages, want %d", len(msgs), i+1)
			}
			msg := msgs[i]
			if strings.Join(msg.To, ",") != tt.email || !strings.HasPrefix(msg.Body, tt.first) ||
				!strings.Contains(msg.Body, hostileName) || !strings.Contains(msg.Body, tt.orgName) {
				t.Errorf("message to %v:\n%s", msg.To, msg.Body)
			}
			if link := mailedLink(t, msg, "/invitations/"); link != shown {
				t.Errorf("mailed %q, shown %q", link, shown)
			}
			if r := get(t, p.Router, "GET", shown+"?lang=en"); r.Code != 200 || r.text(".facts .email") != tt.email {
				t.Errorf("the mailed invitation: %d %q", r.Code, r.text(".facts .email"))
			}
		})
	}
}

// TestInvitationMailFails: when the e-mail cannot be sent, the invitation stands, the page
// says so and shows the link, and the log says what failed without the link.
func TestInvitationMailFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	var logs bytes.Buffer
	p := accountsServer(t, func(h *handlers.Handlers) {
		h.Mailer, h.Logger = smtpMailer(t, closed), slog.New(slog.NewTextHandler(&logs, nil))
	})
	_, sec := p.Person(t, "sec@council.mn", "Сараа", portal.RoleSecretariat, "")
	r := post(t, p.Router, "/admin/invitations?lang=en", url.Values{"email": {"x@example.mn"}, "role": {"moderator"}, "language": {"en"}}, "Cookie", sec)
	if r.Code != http.StatusCreated || !strings.Contains(r.text(".once .mail-failed"), "The e-mail to x@example.mn could not be sent") ||
		strings.Contains(r.text(".once"), "went to that address") {
		t.Fatalf("failed mail: %d %q\n%.1500s", r.Code, r.text(".once .mail-failed"), r.body)
	}
	link := shownLink(t, r)
	if ts, err := p.DB.FindTokens(context.Background(), portal.TokenInvitation); err != nil || len(ts) != 1 {
		t.Fatalf("%d invitations (%v), want the one created", len(ts), err)
	}
	if !strings.Contains(logs.String(), "send invitation") || strings.Contains(logs.String(), strings.TrimPrefix(link, "/invitations/")) {
		t.Errorf("log:\n%s", logs.String())
	}
	if r := get(t, p.Router, "GET", link+"?lang=en"); r.Code != 200 {
		t.Errorf("the invitation whose e-mail failed: %d", r.Code)
	}
}
