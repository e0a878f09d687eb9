package server

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Write coalescing for pages served from memory.
//
// net/http writes a response through a 4 KB buffer per connection: the headers go into it
// first, then the body. A page from the page cache whose headers and body together pass
// 4 KB therefore costs two write system calls, one when the buffer fills and one for the
// rest, where a bare server sending the same bytes with its few headers makes one. On the
// loopback interface, where the per-request cost was measured, a write is the most
// expensive thing a request does (it runs the receiving side's TCP work too): the second
// one was the portal's whole gap to bare net/http on the 3-4 KB directory and search pages.
//
// So the listener's connections can hold a response's first write while servePage writes a
// page whose every byte is already in memory, and send it with the response's next write
// in one writev. Nothing else is ever held: servePage marks the response before writing it
// (coalesce), and unmarks it once written (settle), so that a response that fit the buffer
// after all, and every other response, is written as net/http writes it. Whatever is held
// is sent before anything else the connection does (a read, a close, a sendfile), so it can
// never wait on the client.

// coalescingListener wraps every accepted connection in a coalescingConn.
type coalescingListener struct{ net.Listener }

func (l coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &coalescingConn{Conn: c}, nil
}

// coalescingConn is a connection that can hold one write to send it with the next.
//
// Only the goroutine serving the connection's request marks it and writes to it; net/http
// may read it from another goroutine meanwhile (its background read), and a read sends
// what is held first. held is guarded by mu; marked and holding are atomic so that the
// writes of an unmarked response, nearly all of them, take no lock, and a read takes one
// only while something is held.
type coalescingConn struct {
	net.Conn

	mu      sync.Mutex
	held    []byte // the write held, copied: net/http reuses its buffer
	marked  atomic.Bool
	holding atomic.Bool
}

// connKey is the context key of the request's coalescingConn (Serve's ConnContext).
type connKey struct{}

// coalescerFrom returns the connection ctx's request came on, when it can coalesce.
func coalescerFrom(ctx context.Context) *coalescingConn {
	c, _ := ctx.Value(connKey{}).(*coalescingConn)
	return c
}

// coalesce marks the response about to be written: its first write is held for the next.
func (c *coalescingConn) coalesce() { c.marked.Store(true) }

// settle ends the mark once the response's body has been handed to net/http. If a write
// is held, the rest of the response is still in net/http's buffer and its flush at the
// end of the request sends both; if none is, the response fit the buffer and is written
// as usual.
func (c *coalescingConn) settle() {
	if !c.holding.Load() {
		c.marked.Store(false)
	}
}

func (c *coalescingConn) Write(p []byte) (int, error) {
	if !c.marked.Load() {
		return c.Conn.Write(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding.Load() {
		if !c.marked.Load() { // a read sent what was held and ended the mark meanwhile
			return c.Conn.Write(p)
		}
		c.held = append(c.held[:0], p...)
		c.holding.Store(true)
		return len(p), nil
	}
	c.marked.Store(false)
	c.holding.Store(false)
	bufs := net.Buffers{c.held, p}
	n, err := bufs.WriteTo(c.Conn) // one writev
	if err != nil {
		return max(0, int(n)-len(c.held)), err
	}
	return len(p), nil
}

// flush sends what is held, if anything, and ends the mark.
func (c *coalescingConn) flush() error {
	if !c.holding.Load() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding.Load() {
		return nil
	}
	// Written before the mark ends, so that a write of the response made meanwhile waits
	// for the lock and follows it.
	_, err := c.Conn.Write(c.held)
	c.holding.Store(false)
	c.marked.Store(false)
	return err
}

func (c *coalescingConn) Read(p []byte) (int, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *coalescingConn) Close() error {
	_ = c.flush()
	return c.Conn.Close()
}

// CloseWrite is what net/http calls to close a connection gracefully (TCP's half close).
func (c *coalescingConn) CloseWrite() error {
	if err := c.flush(); err != nil {
		return err
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps the connection's own ReadFrom (sendfile, for the static files).
func (c *coalescingConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(c.Conn, r)
}
