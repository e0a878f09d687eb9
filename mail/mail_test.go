package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"mime"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/mail/mailtest"
)

// now is the tests' clock: 12:00 in Ulaanbaatar.
func now() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, portal.MongoliaTime) }

const (
	from = "Gobi Dialogue Portal <portal@example.mn>"
	link = "https://dialogue.example.mn/reset/Zm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODk"
)

// newMailer returns a Mailer for cfg on the tests' clock, failing the test on an error.
func newMailer(t *testing.T, cfg Config) *Mailer {
	t.Helper()
	cfg.Now = now
	if cfg.From == "" {
		cfg.From = from
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// remote points m, whose Addr names a remote host, at srv instead.
func remote(m *Mailer, srv *mailtest.Server) {
	m.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Addr())
	}
}

// only returns the one message srv took.
func only(t *testing.T, srv *mailtest.Server) *mailtest.Message {
	t.Helper()
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("the server took %d messages, want 1", len(msgs))
	}
	if msgs[0].Err != nil {
		t.Fatalf("the message does not parse: %v\n%s", msgs[0].Err, msgs[0].Raw)
	}
	return msgs[0]
}

func TestResetLinkMessage(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	m := newMailer(t, Config{Addr: srv.Addr()})
	u := &portal.User{Email: "saraa@example.mn", Name: "Сараа Батын", Language: portal.Mongolian}
	if err := m.SendResetLink(context.Background(), u, link); err != nil {
		t.Fatal(err)
	}
	msg := only(t, srv)
	if msg.From != "portal@example.mn" || strings.Join(msg.To, ",") != "saraa@example.mn" {
		t.Errorf("envelope from %q to %v", msg.From, msg.To)
	}

	// The headers, exactly, and nothing else.
	var names []string
	for _, line := range strings.Split(string(msg.Raw[:strings.Index(string(msg.Raw), "\r\n\r\n")]), "\r\n") {
		if name, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
			names = append(names, name)
		}
	}
	if got := strings.Join(names, " "); got != "From To Subject Date Message-ID MIME-Version Content-Type Content-Transfer-Encoding Auto-Submitted" {
		t.Errorf("headers %s", got)
	}
	h := msg.Header
	want := map[string]string{
		"From":                      `"Gobi Dialogue Portal" <portal@example.mn>`,
		"Date":                      "Fri, 27 Nov 2026 12:00:00 +0800",
		"MIME-Version":              "1.0",
		"Content-Type":              "text/plain; charset=UTF-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"Auto-Submitted":            "auto-generated",
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, h.Get(k), v)
		}
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Name != "Сараа Батын" || to[0].Address != "saraa@example.mn" {
		t.Errorf("To %q: %v %v", h.Get("To"), to, err)
	}
	if !regexp.MustCompile(`^<[0-9a-f]{32}@example\.mn>$`).MatchString(h.Get("Message-ID")) {
		t.Errorf("Message-ID %q", h.Get("Message-ID"))
	}
	if !strings.HasPrefix(h.Get("Subject"), "=?UTF-8?B?") || msg.Subject != "Нууц үг сэргээх холбоос · Password reset link" {
		t.Errorf("Subject %q, decoded %q", h.Get("Subject"), msg.Subject)
	}

	// On the wire: 7-bit, CRLF line ends, lines folded.
	for i, line := range strings.Split(string(msg.Raw), "\r\n") {
		if len(line) > 78 || strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d is %d bytes or has a bare line end: %q", i+1, len(line), line)
		}
		for _, b := range []byte(line) {
			if b >= 0x80 {
				t.Fatalf("line %d is not 7-bit: %q", i+1, line)
			}
		}
	}

	// The body: Mongolian first, then English, each with the link, until when it works
	// (an hour from now) and what to do with an unexpected message.
	wantBody := `Сайн байна уу, Сараа Батын.

Говийн яриа хэлэлцээний портал дахь таны бүртгэлийн нууц үгийг сэргээх хүсэлт ирлээ. Шинэ нууц үг сонгохын тулд энэ холбоосыг нээнэ үү:

` + link + `

Холбоос нэг удаа ажиллах бөгөөд 2026 оны 11-р сарын 27 13:00 хүртэл хүчинтэй (Улаанбаатарын цагаар).

Хэрэв та ийм хүсэлт гаргаагүй бол энэ и-мэйлийг үл тоомсорлоно уу: таны нууц үг өөрчлөгдөхгүй.

----------------------------------------

Hello Сараа Батын,

Someone asked to reset the password of your account on the Gobi Dialogue Portal. Open this link to choose a new password:

` + link + `

The link works once, until 27 November 2026 13:00 (Ulaanbaatar time).

If you did not ask for this, ignore this e-mail: your password stays as it is.
`
	if msg.Body != wantBody {
		t.Errorf("body:\n%s\nwant:\n%s", msg.Body, wantBody)
	}
}

func TestResetLinkInEnglishFirst(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	m := newMailer(t, Config{Addr: srv.Addr(), ResetTTL: 2 * time.Hour})
	u := &portal.User{Email: "jane@example.org", Name: "Jane Doe", Language: portal.English}
	if err := m.SendResetLink(context.Background(), u, link); err != nil {
		t.Fatal(err)
	}
	msg := only(t, srv)
	en, mn := strings.Index(msg.Body, "Hello Jane Doe,"), strings.Index(msg.Body, "Сайн байна уу, Jane Doe.")
	if msg.Subject != "Password reset link · Нууц үг сэргээх холбоос" || en != 0 || mn < en ||
		!strings.Contains(msg.Body, "until 27 November 2026 14:00") || strings.Count(msg.Body, link) != 2 {
		t.Errorf("subject %q, body:\n%s", msg.Subject, msg.Body)
	}
	if msg.Header.Get("To") != `"Jane Doe" <jane@example.org>` {
		t.Errorf("To %q", msg.Header.Get("To"))
	}
}

func TestInvitationMessage(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	m := newMailer(t, Config{Addr: srv.Addr()})
	expires := now().Add(7 * 24 * time.Hour)
	invite := "https://dialogue.example.mn/invitations/abc"
	err := m.SendInvitation(context.Background(), "csr@oyutolgoi.mn", portal.English, "Админ Батбаяр", "Oyu Tolgoi LLC", invite, expires)
	if err != nil {
		t.Fatal(err)
	}
	msg := only(t, srv)
	if strings.Join(msg.To, ",") != "csr@oyutolgoi.mn" || msg.Header.Get("To") != "<csr@oyutolgoi.mn>" {
		t.Errorf("to %v, header %q", msg.To, msg.Header.Get("To"))
	}
	if msg.Subject != "Invitation to the Gobi Dialogue Portal · Говийн яриа хэлэлцээний порталын урилга" {
		t.Errorf("subject %q", msg.Subject)
	}
	for _, s := range []string{
		"Hello,\n\nYou are invited",
		"\n" + invite + "\n",
		"Invited by: Админ Батбаяр\nOrganisation: Oyu Tolgoi LLC\n",
		"The link is for csr@oyutolgoi.mn only and works once, until 4 December 2026 12:00 (Ulaanbaatar time).",
		"If you did not expect this invitation, ignore this e-mail",
		"Урьсан: Админ Батбаяр\nБайгууллага: Oyu Tolgoi LLC\n",
		"2026 оны 12-р сарын 4 12:00 хүртэл хүчинтэй",
		"Хэрэв та энэ урилгыг хүлээж байгаагүй бол энэ и-мэйлийг үл тоомсорлоно уу",
	} {
		if !strings.Contains(msg.Body, s) {
			t.Errorf("the body lacks %q:\n%s", s, msg.Body)
		}
	}
	if !strings.HasPrefix(msg.Body, "Hello,") || strings.Index(msg.Body, "Сайн байна уу.") < strings.Index(msg.Body, "ignore this e-mail") {
		t.Errorf("English is not first:\n%s", msg.Body)
	}

	// Without an organisation there is no organisation line; Mongolian comes first.
	if err := m.SendInvitation(context.Background(), "a@example.mn", portal.Mongolian, "Сараа", "", invite, expires); err != nil {
		t.Fatal(err)
	}
	body := srv.Messages()[1].Body
	if !strings.HasPrefix(body, "Сайн байна уу.\n") || strings.Contains(body, "Байгууллага:") || strings.Contains(body, "Organisation:") {
		t.Errorf("invitation without organisation:\n%s", body)
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	m := newMailer(t, Config{Addr: srv.Addr()})
	ctx, expires := context.Background(), now().Add(time.Hour)
	tests := []struct {
		name string
		send func() error
	}{
		{"address with CRLF", func() error {
			return m.SendInvitation(ctx, "a@example.mn\r\nBcc: victim@example.org", portal.English, "X", "", link, expires)
		}},
		{"address with LF", func() error {
			return m.SendResetLink(ctx, &portal.User{Email: "a@example.mn\nBcc: victim@example.org", Name: "A"}, link)
		}},
		{"name with CR", func() error {
			return m.SendResetLink(ctx, &portal.User{Email: "a@example.mn", Name: "A\rSubject: hi"}, link)
		}},
		{"link with LF", func() error {
			return m.SendResetLink(ctx, &portal.User{Email: "a@example.mn", Name: "A"}, link+"\nclick here instead")
		}},
		{"inviter with CRLF", func() error {
			return m.SendInvitation(ctx, "a@example.mn", portal.English, "X\r\nBcc: v@example.org", "", link, expires)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.send(); !errors.Is(err, ErrHeader) {
				t.Errorf("error %v, want ErrHeader", err)
			}
		})
	}
	if err := m.SendInvitation(ctx, `"Bob" <bob@example.org>, eve@example.org`, portal.English, "X", "", link, expires); err == nil {
		t.Errorf("a list of addresses was taken for one")
	}
	if n := len(srv.Commands()); n != 0 {
		t.Errorf("the refused messages reached the server: %v", srv.Commands())
	}
	if _, err := New(Config{Addr: srv.Addr(), From: "Portal <portal@example.mn>\r\nBcc: victim@example.org"}); !errors.Is(err, ErrHeader) {
		t.Errorf("From with CRLF: %v", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no port", Config{Addr: "smtp.example.mn", From: from}, "HOST:PORT"},
		{"no host", Config{Addr: ":587", From: from}, "HOST:PORT"},
		{"bad port", Config{Addr: "smtp.example.mn:smtp", From: from}, "HOST:PORT"},
		{"port out of range", Config{Addr: "smtp.example.mn:70000", From: from}, "HOST:PORT"},
		{"no from", Config{Addr: "smtp.example.mn:587"}, "sender address"},
		{"from without domain", Config{Addr: "smtp.example.mn:587", From: "Portal <portal>"}, "sender address"},
		{"username without password", Config{Addr: "smtp.example.mn:587", From: from, Username: "portal"}, "without a password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Silent: true})
	m := newMailer(t, Config{Addr: srv.Addr(), Timeout: 300 * time.Millisecond})
	start := time.Now()
	err := m.SendResetLink(context.Background(), &portal.User{Email: "a@example.mn", Name: "A"}, link)
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v, want about 300ms", d)
	}
	// Cancelling the request ends the session too.
	m = newMailer(t, Config{Addr: srv.Addr()})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if err := m.SendResetLink(ctx, &portal.User{Email: "a@example.mn", Name: "A"}, link); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestDefaultTimeout(t *testing.T) {
	m := newMailer(t, Config{Addr: "smtp.example.mn:587"})
	if m.cfg.Timeout != 15*time.Second || m.implicit {
		t.Errorf("timeout %v, implicit TLS %v", m.cfg.Timeout, m.implicit)
	}
}

func TestSTARTTLSAndAuth(t *testing.T) {
	serverTLS, roots := mailtest.Certificate(t, "smtp.example.mn")
	srv := mailtest.Start(t, mailtest.Options{TLS: serverTLS, Username: "portal", Password: "s3cret"})
	m := newMailer(t, Config{Addr: "smtp.example.mn:587", Username: "portal", Password: "s3cret", TLS: &tls.Config{RootCAs: roots}})
	remote(m, srv)
	if err := m.SendResetLink(context.Background(), &portal.User{Email: "a@example.mn", Name: "A"}, link); err != nil {
		t.Fatal(err)
	}
	if msg := only(t, srv); !msg.TLS || msg.User != "portal" {
		t.Errorf("TLS %v, user %q", msg.TLS, msg.User)
	}
	if got := strings.Join(srv.Commands(), " "); got != "EHLO STARTTLS EHLO AUTH MAIL RCPT DATA QUIT" {
		t.Errorf("commands %s", got)
	}

	// A certificate the client does not trust ends the session: no falling back to plain text.
	srv = mailtest.Start(t, mailtest.Options{TLS: serverTLS})
	m = newMailer(t, Config{Addr: "smtp.example.mn:587"})
	remote(m, srv)
	if err := m.SendResetLink(context.Background(), &portal.User{Email: "a@example.mn", Name: "A"}, link); err == nil ||
		!strings.Contains(err.Error(), "starttls") || len(srv.Messages()) != 0 {
		t.Errorf("untrusted certificate: %v", err)
	}
}

func TestImplicitTLSOnPort465(t *testing.T) {
	serverTLS, roots := mailtest.Certificate(t, "smtp.example.mn")
	srv := mailtest.Start(t, mailtest.Options{TLS: serverTLS, Implicit: true, Username: "portal", Password: "s3cret"})
	m := newMailer(t, Config{Addr: "smtp.example.mn:465", Username: "portal", Password: "s3cret", TLS: &tls.Config{RootCAs: roots}})
	remote(m, srv)
	if err := m.SendInvitation(context.Background(), "a@example.mn", portal.Mongolian, "X", "", link, now()); err != nil {
		t.Fatal(err)
	}
	if msg := only(t, srv); !msg.TLS || msg.User != "portal" {
		t.Errorf("TLS %v, user %q", msg.TLS, msg.User)
	}
	if got := strings.Join(srv.Commands(), " "); got != "EHLO AUTH MAIL RCPT DATA QUIT" {
		t.Errorf("commands %s", got)
	}
}

func TestNoPasswordInTheClear(t *testing.T) {
	// A remote server without TLS: the password is not sent at all.
	srv := mailtest.Start(t, mailtest.Options{Username: "portal", Password: "s3cret"})
	m := newMailer(t, Config{Addr: "smtp.example.mn:587", Username: "portal", Password: "s3cret"})
	remote(m, srv)
	err := m.SendResetLink(context.Background(), &portal.User{Email: "a@example.mn", Name: "A"}, link)
	if err == nil || !strings.Contains(err.Error(), "unencrypted") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %v", err)
	}
	if cmds := strings.Join(srv.Commands(), " "); strings.Contains(cmds, "AUTH") || strings.Contains(cmds, "MAIL") {
		t.Errorf("commands %s", cmds)
	}

	// To this machine the client may try; a server that wants TLS first refuses.
	m = newMailer(t, Config{Addr: srv.Addr(), Username: "portal", Password: "s3cret"})
	err = m.SendResetLink(context.Background(), &portal.User{Email: "a@example.mn", Name: "A"}, link)
	if err == nil || !strings.Contains(err.Error(), "538") || len(srv.Messages()) != 0 {
		t.Errorf("AUTH over plain text to localhost, refused by the server: %v", err)
	}
}

func TestEncodeWords(t *testing.T) {
	for _, s := range []string{"", "plain ASCII", "Нууц үг сэргээх холбоос · Password reset link", strings.Repeat("ж", 100), "a\xffb"} {
		enc := encodeWords(s)
		for _, w := range strings.Fields(enc) {
			if len("Subject: "+w) > 78 && !isASCII(s) {
				t.Errorf("%q: word %q too long", s, w)
			}
		}
		got, err := new(mime.WordDecoder).DecodeHeader(enc)
		if err != nil || (got != s && s != "a\xffb") {
			t.Errorf("%q → %q → %q, %v", s, enc, got, err)
		}
	}
}
