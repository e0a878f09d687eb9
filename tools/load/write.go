package main

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
	"github.com/gobidialogue/portal/store"
)

// socketPath is where `portal serve --data dir` has its embedded database listen:
// cmd/portal starts it in dir/db, and store puts its socket there as mongodb.sock.
func socketPath(dataDir string) string { return filepath.Join(dataDir, "db", "mongodb.sock") }

// socketURI is the mongodb:// URI of a Unix socket, as FerretDB writes it: the path,
// escaped, in the host part.
func socketURI(sock string) string {
	return (&url.URL{Scheme: "mongodb", Host: sock, Path: "/"}).String()
}

// openOther connects to the embedded database of the portal running on dataDir through
// its Unix socket: this process is then another process writing to it, as a second portal
// or `portal import` would through a shared database. It starts no engine of its own.
func openOther(ctx context.Context, dataDir, dbName string) (*store.DB, error) {
	sock := socketPath(dataDir)
	fi, err := os.Stat(sock)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no database socket at %s: is `portal serve --data %s` running with the embedded database?", sock, dataDir)
	case err != nil:
		return nil, err
	case fi.Mode()&fs.ModeSocket == 0:
		return nil, fmt.Errorf("%s is not a socket", sock)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return store.Open(ctx, socketURI(sock), dbName)
}

// WriteResult is one write from another process and how long the portal took to show it.
type WriteResult struct {
	N         int     `json:"n"`
	At        float64 `json:"at_s"`
	Service   string  `json:"service"`
	Name      string  `json:"name_en"`
	StoreMS   float64 `json:"store_ms"`
	Visible   bool    `json:"visible"`
	VisibleMS float64 `json:"visible_after_ms"` // from the end of the write to the first page showing it
	Polls     int     `json:"polls"`
	Err       string  `json:"error,omitempty"`
}

func (w WriteResult) text() string {
	s := fmt.Sprintf("%d at %.1f s: %s renamed %q; stored in %.1f ms", w.N, w.At, w.Service, w.Name, w.StoreMS)
	switch {
	case w.Err != "":
		s += "; " + w.Err
	case w.Visible:
		s += fmt.Sprintf("; its page showed it %.0f ms later (%d polls)", w.VisibleMS, w.Polls)
	}
	return s
}

// visibleWithin is how long the writer waits for a write to show before calling it lost.
const visibleWithin = 30 * time.Second

// writer changes generated services through another process's connection to the portal's
// database, and watches the portal's page of each until it shows the change.
type writer struct {
	db     *store.DB
	orgs   []*portal.DirectoryOrg // the generated directory, as seeded
	base   string
	client *http.Client
	tag    string // tells this run's names from an earlier run's on a reused directory
}

// write renames a service of the n-th organisation chosen (its English name gets
// " (load test TAG-N)"), stores the organisation with SaveDirectoryOrg, and polls the
// service's page until the name shows.
//
// The organisation is taken from the generated directory, which the seed made, rather than
// read back: reading 10,000 services through the portal's engine would load it with this
// script's work, and the write, not the read, is what is measured.
func (w *writer) write(ctx context.Context, n int, start time.Time) WriteResult {
	o := cloneOrg(w.orgs[(n*7919+len(w.orgs)/2)%len(w.orgs)])
	s := &o.Services[0]
	mark := fmt.Sprintf("load test %s-%d", w.tag, n) // letters, digits and a hyphen: no HTML escape changes it
	s.Name.EN = fmt.Sprintf("%s (%s)", s.Name.EN, mark)
	now := time.Now()
	s.Modified, o.Modified = now, now
	r := WriteResult{N: n, Service: s.ID, Name: s.Name.EN}
	t0 := time.Now()
	r.At = secs(t0.Sub(start))
	err := w.db.SaveDirectoryOrg(ctx, o)
	done := time.Now()
	r.StoreMS = ms(done.Sub(t0))
	if err != nil {
		r.Err = "store: " + oneLine(err.Error())
		return r
	}
	page := w.base + portal.ServicePath(s.ID) + "?lang=en"
	deadline := done.Add(visibleWithin)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		r.Polls++
		body, err := fetch(ctx, w.client, page)
		if err == nil && strings.Contains(body, mark) {
			r.Visible, r.VisibleMS = true, ms(time.Since(done))
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
	if ctx.Err() == nil {
		r.Err = fmt.Sprintf("the service's page did not show the new name within %s", visibleWithin)
	}
	return r
}

// cloneOrg copies o deep enough for write to change a service's name and times.
func cloneOrg(o *portal.DirectoryOrg) *portal.DirectoryOrg {
	c := *o
	c.Services = append([]portal.Service(nil), o.Services...)
	return &c
}

// fetch returns the body of url, gunzipped.
func fetch(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return "", err
		}
		body = zr
	}
	b, err := io.ReadAll(io.LimitReader(body, 8<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("%s: %s", url, resp.Status)
	}
	return string(b), nil
}

// startSessions signs n visitors in: one member (a person of no organisation), created
// for this run, with a session each. It returns the session tokens for their cookies.
func startSessions(ctx context.Context, db *store.DB, n int) ([]string, error) {
	acc := &accounts.Service{Store: db, Now: time.Now}
	u := &portal.User{Email: fmt.Sprintf("load-%d@example.org", time.Now().UnixNano()), Name: "Load test visitor",
		Role: portal.RoleMember, Language: portal.Mongolian}
	if err := acc.CreateUser(ctx, "", u); err != nil {
		return nil, fmt.Errorf("create the signed-in visitor: %w", err)
	}
	var tokens []string
	for range n {
		token, _, err := acc.StartSession(ctx, u, portal.ProviderLocal)
		if err != nil {
			return nil, fmt.Errorf("start a session: %w", err)
		}
		tokens = append(tokens, token)
	}
	return tokens, nil
}
