// Package mailtest is a small SMTP server for tests, on 127.0.0.1: enough of the protocol
// (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to receive the portal's
// messages and hand them to the test, headers parsed and body decoded.
package mailtest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options shape the server.
type Options struct {
	// TLS, when set, is offered through STARTTLS, or spoken from the first byte when
	// Implicit is set.
	TLS      *tls.Config
	Implicit bool
	// Username and Password, when set, are offered as AUTH PLAIN: accepted only over TLS.
	Username, Password string
	// Silent accepts connections and never says a word: a server that hangs.
	Silent bool
}

// Message is one message the server took.
type Message struct {
	From string   // MAIL FROM
	To   []string // RCPT TO
	User string   // who authenticated, if anyone
	TLS  bool     // whether the session was encrypted
	Raw  []byte   // the DATA as sent, dot-stuffing undone, line ends as they came
	// Header and Body are Raw parsed: Body decoded from its transfer encoding to text.
	Header  mail.Header
	Subject string // decoded
	Body    string
	Err     error // why Raw did not parse, if it did not
}

// Server is a running fake SMTP server.
type Server struct {
	opts Options
	ln   net.Listener

	mu       sync.Mutex
	messages []*Message
	commands []string // every command verb received, in order
}

// Start starts a server on 127.0.0.1 and stops it when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{opts: opts, ln: ln}
	var wg sync.WaitGroup
	done := make(chan struct{})
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if opts.Silent {
					<-done
					return
				}
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		close(done)
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

// Addr is the server's HOST:PORT.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Messages returns the messages taken so far.
func (s *Server) Messages() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.messages...)
}

// Commands returns the verbs of every command received so far, such as "EHLO" or "AUTH".
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

// session is one connection's state.
type session struct {
	conn net.Conn
	r    *bufio.Reader
	tls  bool
	user string
	msg  *Message
}

func (s *Server) serve(c net.Conn) {
	ss := &session{conn: c, r: bufio.NewReader(c)}
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	if s.opts.Implicit {
		tc := tls.Server(c, s.opts.TLS)
		if tc.Handshake() != nil {
			return
		}
		ss.conn, ss.r, ss.tls = tc, bufio.NewReader(tc), true
	}
	ss.reply("220 mailtest ESMTP ready")
	for {
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		verb = strings.ToUpper(verb)
		s.mu.Lock()
		s.commands = append(s.commands, verb)
		s.mu.Unlock()
		if !s.command(ss, verb, arg) {
			return
		}
	}
}

// command answers one command and reports whether the session goes on.
func (s *Server) command(ss *session, verb, arg string) bool {
	switch verb {
	case "EHLO", "HELO":
		ss.msg = nil
		lines := []string{"mailtest"}
		if s.opts.TLS != nil && !ss.tls {
			lines = append(lines, "STARTTLS")
		}
		if s.opts.Username != "" {
			lines = append(lines, "AUTH PLAIN")
		}
		lines = append(lines, "8BITMIME")
		for i, l := range lines {
			sep := "-"
			if i == len(lines)-1 {
				sep = " "
			}
			ss.reply("250" + sep + l)
		}
	case "STARTTLS":
		if s.opts.TLS == nil || ss.tls {
			ss.reply("502 5.5.1 not offered")
			return true
		}
		ss.reply("220 2.0.0 go ahead")
		tc := tls.Server(ss.conn, s.opts.TLS)
		if tc.Handshake() != nil {
			return false
		}
		ss.conn, ss.r, ss.tls, ss.msg = tc, bufio.NewReader(tc), true, nil
	case "AUTH":
		s.auth(ss, arg)
	case "MAIL":
		from, ok := path(arg, "FROM:")
		switch {
		case !ok:
			ss.reply("501 5.5.4 syntax: MAIL FROM:<address>")
		case s.opts.Username != "" && ss.user == "":
			ss.reply("530 5.7.0 authentication required")
		default:
			ss.msg = &Message{From: from, User: ss.user, TLS: ss.tls}
			ss.reply("250 2.1.0 ok")
		}
	case "RCPT":
		to, ok := path(arg, "TO:")
		switch {
		case ss.msg == nil:
			ss.reply("503 5.5.1 MAIL first")
		case !ok:
			ss.reply("501 5.5.4 syntax: RCPT TO:<address>")
		default:
			ss.msg.To = append(ss.msg.To, to)
			ss.reply("250 2.1.5 ok")
		}
	case "DATA":
		if ss.msg == nil || len(ss.msg.To) == 0 {
			ss.reply("503 5.5.1 RCPT first")
			return true
		}
		ss.reply("354 end with <CRLF>.<CRLF>")
		raw, err := readData(ss.r)
		if err != nil {
			return false
		}
		m := ss.msg
		ss.msg = nil
		m.Raw = raw
		m.parse()
		s.mu.Lock()
		s.messages = append(s.messages, m)
		s.mu.Unlock()
		ss.reply("250 2.0.0 queued")
	case "RSET":
		ss.msg = nil
		ss.reply("250 2.0.0 ok")
	case "NOOP":
		ss.reply("250 2.0.0 ok")
	case "QUIT":
		ss.reply("221 2.0.0 bye")
		return false
	default:
		ss.reply("502 5.5.2 command not recognised")
	}
	return true
}

// auth answers AUTH PLAIN, only over TLS.
func (s *Server) auth(ss *session, arg string) {
	mech, resp, _ := strings.Cut(arg, " ")
	switch {
	case s.opts.Username == "" || !strings.EqualFold(mech, "PLAIN"):
		ss.reply("504 5.5.4 mechanism not offered")
		return
	case !ss.tls:
		ss.reply("538 5.7.11 encryption required for requested authentication mechanism")
		return
	case resp == "":
		ss.reply("334 ")
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return
		}
		resp = strings.TrimRight(line, "\r\n")
	}
	b, err := base64.StdEncoding.DecodeString(resp)
	parts := strings.Split(string(b), "\x00")
	if err != nil || len(parts) != 3 || parts[1] != s.opts.Username || parts[2] != s.opts.Password {
		ss.reply("535 5.7.8 authentication credentials invalid")
		return
	}
	ss.user = parts[1]
	ss.reply("235 2.7.0 authentication successful")
}

func (ss *session) reply(line string) { _, _ = io.WriteString(ss.conn, line+"\r\n") }

// path reads "FROM:<a@b> PARAMS" after its prefix.
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") || !strings.Contains(rest, ">") {
		return "", false
	}
	return rest[1:strings.Index(rest, ">")], true
}

// readData reads DATA up to the line holding only a dot, undoing dot-stuffing and keeping
// line ends as they came.
func readData(r *bufio.Reader) ([]byte, error) {
	var b bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if line == ".\r\n" || line == ".\n" {
			return b.Bytes(), nil
		}
		b.WriteString(strings.TrimPrefix(line, "."))
	}
}

// parse fills Header, Subject and Body from Raw.
func (m *Message) parse() {
	pm, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		m.Err = err
		return
	}
	m.Header = pm.Header
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Subject")); err != nil {
		m.Err = err
		return
	}
	var body io.Reader = pm.Body
	switch enc := strings.ToLower(pm.Header.Get("Content-Transfer-Encoding")); enc {
	case "quoted-printable":
		body = quotedprintable.NewReader(pm.Body)
	case "", "7bit", "8bit":
	default:
		m.Err = fmt.Errorf("mailtest: transfer encoding %q", enc)
		return
	}
	b, err := io.ReadAll(body)
	m.Body, m.Err = strings.ReplaceAll(string(b), "\r\n", "\n"), err
}

// Certificate returns a self-signed certificate for hosts, as a server's TLS config and
// the pool a client trusts it with.
func Certificate(t testing.TB, hosts ...string) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: hosts[0]},
		DNSNames:     hosts,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true,

		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}, pool
}

// WaitMessages returns the messages taken so far once there are at least n, waiting up to
// ten seconds: the portal may send after it has answered the request that caused the mail.
func (s *Server) WaitMessages(n int) []*Message {
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := s.Messages()
		if len(msgs) >= n || time.Now().After(deadline) {
			return msgs
		}
		time.Sleep(20 * time.Millisecond)
	}
}
