package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/smtp"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gobidialogue/portal"
)

// maxLine is the length a header line is folded at, as RFC 5322 recommends.
const maxLine = 78

// send writes the message and hands it to the server, within the timeout.
func (m *Mailer) send(ctx context.Context, to *netmail.Address, subject, body string) error {
	msg, err := m.message(to, subject, body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	err = m.deliver(ctx, to.Address, msg)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("mail: %s: %w (%w)", m.cfg.Addr, ctx.Err(), err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The connection's deadline, which is ctx's, may pass a moment before ctx says so.
		return fmt.Errorf("mail: %s: %w (%w)", m.cfg.Addr, context.DeadlineExceeded, err)
	}
	return fmt.Errorf("mail: %s: %w", m.cfg.Addr, err)
}

// deliver runs one SMTP session that sends msg to rcpt.
func (m *Mailer) deliver(ctx context.Context, rcpt string, msg []byte) error {
	conn, err := m.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The deadline bounds every read and write; cancelling ctx ends a session at once.
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if !m.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(m.tlsConfig()); err != nil {
				return fmt.Errorf("starttls: %w", err)
			}
		}
	}
	if err := m.auth(c); err != nil {
		return err
	}
	if err := c.Mail(m.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// connect opens the connection, speaking TLS from the start on port 465.
func (m *Mailer) connect(ctx context.Context) (net.Conn, error) {
	conn, err := m.dial(ctx, "tcp", m.cfg.Addr)
	if err != nil || !m.implicit {
		return conn, err
	}
	tc := tls.Client(conn, m.tlsConfig())
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("tls: %w", err)
	}
	return tc, nil
}

// auth signs in with AUTH PLAIN when a username is set: only over TLS, or to a server on
// this machine, so the password never crosses a network in the clear.
func (m *Mailer) auth(c *smtp.Client) error {
	if m.cfg.Username == "" {
		return nil
	}
	if _, isTLS := c.TLSConnectionState(); !isTLS && !isLocalhost(m.host) {
		return errors.New("the server offers no TLS: refusing to send the password unencrypted")
	}
	if ok, _ := c.Extension("AUTH"); !ok {
		return errors.New("the server offers no AUTH, but mail.username is set")
	}
	if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.host)); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	return nil
}

// isLocalhost reports whether host names this machine, as net/smtp's PLAIN auth decides.
func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

func (m *Mailer) tlsConfig() *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if m.cfg.TLS != nil {
		cfg = m.cfg.TLS.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = m.host
	}
	return cfg
}

// message returns the whole message: the headers, each checked for line breaks and folded,
// then the body, quoted-printable with CRLF line ends, so every byte is 7-bit.
func (m *Mailer) message(to *netmail.Address, subject, body string) ([]byte, error) {
	id, err := m.messageID()
	if err != nil {
		return nil, err
	}
	headers := [][2]string{
		{"From", addressHeader(m.from)},
		{"To", addressHeader(to)},
		{"Subject", encodeWords(subject)},
		{"Date", m.cfg.Now().In(portal.MongoliaTime).Format(time.RFC1123Z)},
		{"Message-ID", id},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=UTF-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
		// No out-of-office replies to a message nobody reads (RFC 3834).
		{"Auto-Submitted", "auto-generated"},
	}
	var b bytes.Buffer
	for _, h := range headers {
		if err := oneLine(h[1]); err != nil {
			return nil, err
		}
		writeHeader(&b, h[0], h[1])
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeHeader writes "name: value", folded at spaces (between encoded words) so that lines
// stay within maxLine where they can.
func writeHeader(b *bytes.Buffer, name, value string) {
	line := name + ":"
	for _, word := range strings.Split(value, " ") {
		if len(line)+1+len(word) > maxLine && strings.TrimSpace(line) != name+":" {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + word
	}
	b.WriteString(line + "\r\n")
}

// addressHeader writes an address for a header, its name encoded when it is not ASCII.
func addressHeader(a *netmail.Address) string {
	if isASCII(a.Name) {
		return a.String()
	}
	return encodeWords(a.Name) + " <" + a.Address + ">"
}

// maxWordBytes is how much UTF-8 one encoded word carries: its 56 characters of base64 and
// "Subject: " fit in maxLine.
const maxWordBytes = 42

// encodeWords encodes s as RFC 2047 encoded words (B, UTF-8) of whole characters, spaced
// so that writeHeader can fold between them; ASCII s is returned as it is. Decoders drop the
// spaces between encoded words.
func encodeWords(s string) string {
	if isASCII(s) {
		return s
	}
	var words []string
	for s != "" {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > maxWordBytes {
				break
			}
			n += size
		}
		words = append(words, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// messageID returns a unique Message-ID in the sender's domain.
func (m *Mailer) messageID() (string, error) {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	domain := m.from.Address[strings.LastIndexByte(m.from.Address, '@')+1:]
	return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">", nil
}
