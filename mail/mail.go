// Package mail sends the portal's e-mail: password-reset links and invitations, each a
// plain-text message in both languages, the recipient's first. It speaks SMTP through the
// standard library: STARTTLS whenever the server offers it, implicit TLS on port 465, and a
// password only over TLS or to a server on this machine.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

// Defaults of the Config durations.
const (
	// DefaultTimeout bounds one message: connecting, TLS, and the whole SMTP exchange.
	DefaultTimeout = 15 * time.Second
	// DefaultResetTTL is how long a reset link works when Config.ResetTTL is zero: the
	// account service's default.
	DefaultResetTTL = time.Hour
)

// ErrHeader is returned for a recipient, a name or a link that would break out of its
// header or line: a CR or LF in it.
var ErrHeader = errors.New("mail: a line break in a header value")

// Config says how to reach the SMTP server and what the messages say of themselves.
type Config struct {
	// Addr is the SMTP server, HOST:PORT. Port 465 speaks TLS from the first byte; any
	// other port upgrades with STARTTLS when the server offers it.
	Addr string
	// From is the sender, such as "Gobi Dialogue Portal <portal@example.mn>".
	From string
	// Username and Password authenticate with AUTH PLAIN; empty Username sends without.
	Username, Password string
	// ResetTTL is how long a reset link works, for the message to say until when; zero
	// means DefaultResetTTL. Set it to the account service's ResetTTL.
	ResetTTL time.Duration
	// Timeout bounds each message; zero means DefaultTimeout.
	Timeout time.Duration
	// TLS configures TLS to the server; nil means the system's roots. ServerName defaults
	// to the host of Addr.
	TLS *tls.Config
	// Now is the clock of the Date header and of reset links' expiry; nil means time.Now.
	Now portal.Clock
}

// Mailer sends the portal's messages through one SMTP server. It is safe for concurrent
// use: each message has a connection of its own.
type Mailer struct {
	cfg      Config
	from     *netmail.Address
	host     string
	implicit bool // TLS from the first byte
	// dial opens the TCP connection; tests point it elsewhere to play a remote server.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// New checks cfg and returns a Mailer. It connects to nothing yet.
func New(cfg Config) (*Mailer, error) {
	host, port, err := SplitAddr(cfg.Addr)
	if err != nil {
		return nil, err
	}
	from, err := ParseFrom(cfg.From)
	if err != nil {
		return nil, err
	}
	if cfg.Username != "" && cfg.Password == "" {
		return nil, errors.New("mail: a username without a password")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ResetTTL <= 0 {
		cfg.ResetTTL = DefaultResetTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Mailer{cfg: cfg, from: from, host: host, implicit: port == 465, dial: (&net.Dialer{}).DialContext}, nil
}

// SplitAddr splits an SMTP server's HOST:PORT, and checks both.
func SplitAddr(addr string) (host string, port int, err error) {
	host, p, err := net.SplitHostPort(addr)
	if err == nil {
		port, err = strconv.Atoi(p)
	}
	if err != nil || host == "" || port < 1 || port > 65535 || strings.ContainsAny(host, "\r\n /") {
		return "", 0, fmt.Errorf("mail: %q is not HOST:PORT", addr)
	}
	return host, port, nil
}

// ParseFrom parses a sender such as "Gobi Dialogue Portal <portal@example.mn>".
func ParseFrom(from string) (*netmail.Address, error) {
	if strings.ContainsAny(from, "\r\n") {
		return nil, ErrHeader
	}
	a, err := netmail.ParseAddress(from)
	if err != nil || !strings.Contains(a.Address, "@") {
		return nil, fmt.Errorf("mail: %q is not a sender address such as \"Gobi Dialogue Portal <portal@example.mn>\"", from)
	}
	return a, nil
}

// SendResetLink sends u the link that sets a new password, in their language first; it
// says the link works until ResetTTL from now.
func (m *Mailer) SendResetLink(ctx context.Context, u *portal.User, link string) error {
	to, err := recipient(u.Name, u.Email)
	if err != nil {
		return err
	}
	if err := oneLine(link); err != nil {
		return err
	}
	expires := m.cfg.Now().Add(m.cfg.ResetTTL)
	subject := bilingual(u.Language, " · ", func(t texts) string { return t.resetSubject })
	body := bilingual(u.Language, separator, func(t texts) string {
		greeting := t.greeting
		if name := strings.TrimSpace(u.Name); name != "" {
			greeting = fill(t.greetingName, "name", name)
		}
		return fill(t.resetBody, "greeting", greeting, "link", link, "expires", t.date(expires))
	})
	return m.send(ctx, to, subject, body)
}

// SendInvitation sends the invitation link to email, in lang first: who invites, to which
// organisation (orgName, empty for none), and until when the link works.
func (m *Mailer) SendInvitation(ctx context.Context, email string, lang portal.Language, inviterName, orgName, link string, expires time.Time) error {
	to, err := recipient("", email)
	if err != nil {
		return err
	}
	for _, s := range []string{inviterName, orgName, link} {
		if err := oneLine(s); err != nil {
			return err
		}
	}
	subject := bilingual(lang, " · ", func(t texts) string { return t.inviteSubject })
	body := bilingual(lang, separator, func(t texts) string {
		org := ""
		if orgName != "" {
			org = fill(t.inviteOrg, "org", orgName)
		}
		return fill(t.inviteBody, "link", link, "inviter", inviterName, "org", org, "email", to.Address,
			"expires", t.date(expires))
	})
	return m.send(ctx, to, subject, body)
}

// recipient checks the address a message goes to: one bare address, and a name, without a
// line break in either.
func recipient(name, email string) (*netmail.Address, error) {
	if err := oneLine(name + email); err != nil {
		return nil, err
	}
	a, err := netmail.ParseAddress(email)
	if err != nil || a.Address != email {
		return nil, fmt.Errorf("mail: %q is not an e-mail address", email)
	}
	return &netmail.Address{Name: name, Address: email}, nil
}

// oneLine refuses a CR or LF in s.
func oneLine(s string) error {
	if strings.ContainsAny(s, "\r\n") {
		return ErrHeader
	}
	return nil
}
