package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal/internal/testkit/portaltest"
)

// serveTCP serves p on a real loopback listener through Server.Serve, as portal serve does,
// until the test ends, and returns its address.
func serveTCP(t *testing.T, p *portaltest.Portal) string {
	return strings.TrimPrefix(p.Serve(t), "http://")
}

// rawRequest is one request written on a connection as a client would, and what the
// router answers it with in memory: the answer the connection must carry, byte for byte.
type rawRequest struct {
	method, path string
	headers      []string
}

func (r rawRequest) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: portal.test\r\n", r.method, r.path)
	for _, h := range r.headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// TestServeCachedPagesWhole: over a real connection, pages from the page cache, whose
// headers and body Serve sends in one write (conn.go), arrive whole and in order, the same
// bytes as the router answers, whatever their size against net/http's 4 KB buffer (the
// home page fits it, the directory and search pages pass it a little, the guideline page
// twice over): one request at a time on a kept-alive connection, pipelined ones, HEAD,
// 304, a client that does not take gzip, and the answers around them that are not
// coalesced (a static file sent with sendfile, a 404, the health check). Nothing waits on
// the client to be sent: every answer is read under a deadline.
func TestServeCachedPagesWhole(t *testing.T) {
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, StarterDirectory: true, Search: portaltest.IndexOnce, Now: fixedNow})
	addr := serveTCP(t, p)
	gz := "Accept-Encoding: gzip"
	guide := get(t, p, "/guidelines/truck-drivers?lang=en", gz)
	reqs := []rawRequest{
		{"GET", "/guidelines/truck-drivers?lang=en", []string{gz}},
		{"GET", "/directory?aimag=umnugovi&type=shelter", []string{gz}},
		{"GET", "/search?q=shelter&lang=en", []string{gz}},
		{"GET", "/", []string{gz}},
		{"GET", "/guidelines/truck-drivers?lang=en", nil},
		{"HEAD", "/guidelines/truck-drivers?lang=en", []string{gz}},
		{"GET", "/guidelines/truck-drivers?lang=en", []string{gz, "If-None-Match: " + guide.Header().Get("ETag")}},
		{"GET", p.Handlers.Theme.StaticURL("style.css"), nil},
		{"GET", "/no-such-page?q=<b>x</b>", []string{gz}},
		{"GET", "/healthz", nil},
		{"GET", "/directory?aimag=umnugovi&type=shelter", []string{gz, "Cookie: lang=en"}},
	}
	// What the router answers in memory, once the cache holds every page.
	want := make([]*http.Response, len(reqs))
	wantBody := make([][]byte, len(reqs))
	for round := range 2 {
		for i, r := range reqs {
			rec := get(t, p, r.path, r.headers...)
			if r.method == http.MethodHead {
				continue
			}
			if round == 1 {
				want[i], wantBody[i] = rec.Result(), rec.Body.Bytes()
			}
		}
	}
	check := func(t *testing.T, i int, resp *http.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s %s: %v", reqs[i].method, reqs[i].path, err)
		}
		got, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s %s: reading the body: %v", reqs[i].method, reqs[i].path, err)
		}
		if reqs[i].method == http.MethodHead {
			if len(got) != 0 || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Length") != guide.Header().Get("Content-Length") {
				t.Errorf("HEAD: %d, %d bytes of body, Content-Length %q", resp.StatusCode, len(got), resp.Header.Get("Content-Length"))
			}
			return
		}
		if resp.StatusCode != want[i].StatusCode || !bytes.Equal(got, wantBody[i]) {
			t.Errorf("%s %s: %d with %d bytes, want %d with %d bytes as the router answers",
				reqs[i].method, reqs[i].path, resp.StatusCode, len(got), want[i].StatusCode, len(wantBody[i]))
		}
		if cl := resp.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(got)) {
			t.Errorf("%s %s: Content-Length %s for %d bytes", reqs[i].method, reqs[i].path, cl, len(got))
		}
	}

	t.Run("one at a time", func(t *testing.T) {
		conn := dial(t, addr)
		br := bufio.NewReader(conn)
		for range 3 {
			for i, r := range reqs {
				send(t, conn, r.text())
				resp, err := http.ReadResponse(br, &http.Request{Method: r.method})
				check(t, i, resp, err)
			}
		}
	})
	t.Run("pipelined", func(t *testing.T) {
		conn := dial(t, addr)
		var all strings.Builder
		for _, r := range reqs {
			all.WriteString(r.text())
		}
		send(t, conn, all.String())
		br := bufio.NewReader(conn)
		for i, r := range reqs {
			resp, err := http.ReadResponse(br, &http.Request{Method: r.method})
			check(t, i, resp, err)
		}
	})
	t.Run("closed after", func(t *testing.T) {
		// The page is the last answer on its connection: it is sent before the close.
		conn := dial(t, addr)
		r := rawRequest{"GET", reqs[0].path, []string{gz, "Connection: close"}}
		send(t, conn, r.text())
		resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: r.method})
		check(t, 0, resp, err)
	})
}

// dial connects to addr for the rest of the test.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// send writes text on conn, whose answers must then come within 10 seconds.
func send(t *testing.T, conn net.Conn, text string) {
	t.Helper()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, text); err != nil {
		t.Fatal(err)
	}
}

// TestServeCachedPageOneWrite: a cached page whose headers and body pass net/http's 4 KB
// buffer costs the server one write system call, not two (Linux's count of the process's,
// /proc/self/io, less the client's; other work in the test process may add a few).
func TestServeCachedPageOneWrite(t *testing.T) {
	if _, err := os.Stat("/proc/self/io"); err != nil {
		t.Skip("no /proc/self/io here")
	}
	p := portaltest.New(t, portaltest.Options{StarterGuidelines: true, Now: fixedNow})
	addr := serveTCP(t, p)
	for _, path := range []string{"/guidelines/truck-drivers?lang=en", "/guidelines/truck-drivers?lang=mn"} {
		if rec := get(t, p, path, "Accept-Encoding: gzip"); rec.Body.Len() < 4096 {
			t.Fatalf("%s is %d bytes gzipped: it no longer passes the buffer, choose another page", path, rec.Body.Len())
		}
		conn := dial(t, addr)
		br := bufio.NewReader(conn)
		req := rawRequest{"GET", path, []string{"Accept-Encoding: gzip"}}.text()
		fetch := func() {
			send(t, conn, req)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		fetch() // into the cache
		const n = 300
		before := writeCalls(t)
		for range n {
			fetch()
		}
		// Each request is a write of the client's, in this process too.
		if calls := writeCalls(t) - before - n; calls > n+n/5 {
			t.Errorf("%s: %d write system calls for %d answers, want one each", path, calls, n)
		}
	}
}

// writeCalls returns the write system calls the process made so far.
func writeCalls(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no syscw in /proc/self/io")
	return 0
}
