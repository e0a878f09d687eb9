package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A running `portal serve` holds its data directory (the lock in lock.go) and says in
// data_dir/server.json where it is: the site's base URL, and the address of its embedded
// database. The other commands read it when they find the directory held, and then use
// that database through its Unix socket instead of refusing to run; the server's snapshots
// and its search indexer pick their changes up as they pick up another process's.
const serverRecordName = "server.json"

// serverRecord is what data_dir/server.json holds while a server runs.
type serverRecord struct {
	PID int    `json:"pid"`
	URL string `json:"url"`          // the base URL links are printed with
	DB  string `json:"db,omitempty"` // the mongodb:// URI of its embedded database, if it runs one
}

// waitForServer is how long a command waits for a server that holds the data directory to
// write its record: a server writes it once its database answers and it listens, about a
// second after it took the directory.
const waitForServer = 15 * time.Second

// writeServerRecord writes r to dir/server.json, readable by its owner only (the URI leads
// to the database), replacing the file whole so that a reader never sees half of it.
func writeServerRecord(dir string, r serverRecord) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, serverRecordName+".*")
	if err != nil {
		return fmt.Errorf("data_dir: %w", err)
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, serverRecordName))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("data_dir: write %s: %w", serverRecordName, err)
	}
	return nil
}

// readServerRecord reads dir/server.json; fs.ErrNotExist when there is none.
func readServerRecord(dir string) (*serverRecord, error) {
	data, err := os.ReadFile(filepath.Join(dir, serverRecordName))
	if err != nil {
		return nil, err
	}
	var r serverRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("data_dir: %s: %w", serverRecordName, err)
	}
	return &r, nil
}

// removeServerRecord removes dir/server.json: the server stops, or whoever holds the
// directory knows that no server runs on it and the record is a crashed server's.
func removeServerRecord(dir string) {
	_ = os.Remove(filepath.Join(dir, serverRecordName))
}

// claimDataDir is how a command other than serve takes the data directory: it locks it when
// no other process holds it, and otherwise returns the record of the server that does,
// waiting for it while the server starts. When another command holds the directory (it
// writes no record) it says so.
func claimDataDir(ctx context.Context, dir string) (*dataLock, *serverRecord, error) {
	lock, err := lockDataDir(dir)
	switch {
	case err == nil:
		removeServerRecord(dir)
		return lock, nil, nil
	case !errors.Is(err, errDataDirInUse):
		return nil, nil, err
	}
	rec, err := awaitServerRecord(ctx, dir, waitForServer)
	if err != nil {
		return nil, nil, err
	}
	return nil, rec, nil
}

// awaitServerRecord reads the record of the server holding dir, waiting up to wait for it.
func awaitServerRecord(ctx context.Context, dir string, wait time.Duration) (*serverRecord, error) {
	deadline := time.Now().Add(wait)
	for {
		rec, err := readServerRecord(dir)
		switch {
		case err == nil:
			return rec, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		case time.Now().After(deadline):
			return nil, fmt.Errorf("data_dir %s is in use by another portal command (not a server): "+
				"run this one again when it has finished", dir)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// probeServer returns the record of a server running on dir, or nil when none does (or
// none says so within a moment), for a command that needs nothing of the directory but the
// server's address. It creates nothing.
func probeServer(ctx context.Context, dir string) *serverRecord {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil
	}
	lock, err := lockDataDir(dir)
	if err == nil {
		lock.release()
		return nil
	}
	rec, _ := awaitServerRecord(ctx, dir, 2*time.Second)
	return rec
}

// listenURL returns the http:// URL of the address a server listens on, as a browser on
// this machine reaches it: an address that stands for every interface (0.0.0.0, ::) is
// reached at localhost.
func listenURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, fmt.Sprint(tcp.Port))}).String()
}

// addrURL returns the http:// URL of server.addr HOST:PORT as listenURL would make it once
// the server listens there, or "" when the port is chosen at start (0) and nothing can
// know it before.
func addrURL(hostport string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || port == "0" || port == "" {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}).String()
}

// trimBase returns a base URL without its trailing slash, so that paths join it with one.
func trimBase(base string) string { return strings.TrimSuffix(base, "/") }
