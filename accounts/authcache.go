package accounts

import (
	"sync"
	"time"

	"github.com/gobidialogue/portal"
)

// authCacheMaxAge bounds how long Authenticate trusts what it read of a session and its
// person without reading them again, whatever the version says.
const authCacheMaxAge = time.Minute

// authCacheMax bounds the sessions Authenticate keeps; past it, the cache starts afresh.
const authCacheMax = 10_000

// authCache holds, per process and by session id, the session and the person Authenticate
// last read from the store, and the store's AuthVersion they were read at. An entry serves
// while the version stands (every ended session and every change to a person moves it: in
// this process at once, from another process within the store's claim check) and for at
// most authCacheMaxAge: a signed-in page then costs no database round trip for who is
// signed in.
type authCache struct {
	mu      sync.Mutex
	entries map[string]*authEntry
}

type authEntry struct {
	user     portal.User
	sess     portal.Session
	version  string
	loadedAt time.Time
}

// get returns copies of the session and person held for id at version, if any and young
// enough at now. The copies are the caller's to change.
func (c *authCache) get(id, version string, now time.Time) (*portal.User, *portal.Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || e.version != version || now.Sub(e.loadedAt) >= authCacheMaxAge || now.Before(e.loadedAt) {
		return nil, nil, false
	}
	u, sess := e.user, e.sess
	u.Identities = append([]portal.Identity(nil), e.user.Identities...)
	return &u, &sess, true
}

// put keeps copies of sess and u, read at version at now.
func (c *authCache) put(version string, u *portal.User, sess *portal.Session, now time.Time) {
	e := &authEntry{user: *u, sess: *sess, version: version, loadedAt: now}
	e.user.Identities = append([]portal.Identity(nil), u.Identities...)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= authCacheMax {
		c.entries = make(map[string]*authEntry)
	}
	c.entries[sess.ID] = e
}

// touched records that the session with id was seen at t, as the store now has it.
func (c *authCache) touched(id string, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok {
		e.sess.LastSeenAt = t
	}
}

// forget drops the session with id.
func (c *authCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}

// clear drops every session: a person changed through this process.
func (c *authCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
}
