package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// File names inside the embedded database's directory, next to FerretDB's *.sqlite files.
const (
	socketName = "mongodb.sock"
	lockName   = "portal.lock"
)

// ErrDataDirInUse is returned by StartEmbedded when another process, or another Embedded in
// this one, already serves the directory. Two engines on the same SQLite files would each
// cache their own idea of which collections exist, so only one may run at a time.
var ErrDataDirInUse = errors.New("store: data directory in use by another portal process")

// Embedded is a FerretDB server running in this process on SQLite files in a directory.
type Embedded struct {
	dir    string
	uri    string
	cancel context.CancelFunc
	done   chan struct{} // closed when FerretDB has stopped and closed its files
	unlock func() error

	closeOnce sync.Once
	closeErr  error
}

// newMu serializes ferretdb.New, which writes a package-level variable of FerretDB's.
var newMu sync.Mutex

// StartEmbedded creates dir (0700) if needed and starts FerretDB on SQLite files in it,
// listening only locally: on a Unix domain socket in dir where the platform has them, so that
// only users who may enter dir can reach the data, otherwise on TCP at 127.0.0.1 on a free
// port. It returns once the server answers a ping, or an error when ctx ends first. The server
// runs until Close, independently of ctx.
//
// logger receives FerretDB's warnings and errors; its chatter below WARN, and the warnings a
// MongoDB client's routine disconnect causes, are dropped.
func StartEmbedded(ctx context.Context, dir string, logger *slog.Logger) (*Embedded, error) {
	if logger == nil {
		logger = slog.Default()
	}
	dir, err := prepareDir(dir)
	if err != nil {
		return nil, err
	}
	unlock, err := lockDir(filepath.Join(dir, lockName))
	switch {
	case errors.Is(err, ErrDataDirInUse):
		return nil, fmt.Errorf("%w: %s", err, dir)
	case err != nil:
		return nil, fmt.Errorf("store: lock data directory %s: %w", dir, err)
	}
	e, err := start(dir, listenerConfig(dir, logger), logger)
	if err != nil {
		_ = unlock()
		return nil, err
	}
	e.unlock = unlock
	if err := waitReady(ctx, e.uri); err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("store: embedded database in %s does not answer: %w", dir, err)
	}
	running.Store(e.uri, e)
	return e, nil
}

// prepareDir returns dir made absolute, creating it if needed. It rejects the characters that
// FerretDB would pass unescaped into an SQLite URI, where they would change its meaning.
func prepareDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("store: data directory %q: %w", dir, err)
	}
	if strings.ContainsAny(abs, "?#%") {
		return "", fmt.Errorf("store: data directory %q: the path may not contain ?, # or %%", abs)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("store: create data directory: %w", err)
	}
	return abs, nil
}

// listenerConfig prefers a Unix socket in dir and falls back to loopback TCP when the platform
// has no Unix sockets or the socket's path would be too long for it.
func listenerConfig(dir string, logger *slog.Logger) ferretdb.ListenerConfig {
	sock := filepath.Join(dir, socketName)
	if !unixSockets {
		return ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}
	}
	if len(sock) >= maxSocketPath() {
		logger.Info("embedded database listens on TCP 127.0.0.1: its socket path would be too long",
			slog.String("socket", sock), slog.Int("max_bytes", maxSocketPath()-1))
		return ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}
	}
	return ferretdb.ListenerConfig{Unix: sock}
}

// maxSocketPath is the size of sun_path: a socket path must be shorter, leaving room for NUL.
func maxSocketPath() int {
	if runtime.GOOS == "linux" {
		return 108
	}
	return 104 // macOS and the BSDs
}

// start creates the FerretDB server and runs it in a goroutine.
func start(dir string, lc ferretdb.ListenerConfig, logger *slog.Logger) (*Embedded, error) {
	if lc.Unix != "" {
		// We hold the lock, so a socket left here belongs to a process that died.
		if err := os.Remove(lc.Unix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: remove stale socket: %w", err)
		}
	}
	sqliteURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir) + "/"}).String()
	newMu.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  lc,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
		Logger:    slog.New(quietHandler{h: logger.Handler()}),
	})
	newMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("store: start embedded database in %s: %w", dir, err)
	}
	if lc.Unix != "" {
		// The directory already keeps other users out; this also does where it is shared.
		_ = os.Chmod(lc.Unix, 0o600)
	}

	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{dir: dir, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(ctx) // always nil; it returns once listeners, connections and files are closed
	}()
	e.uri = f.MongoDBURI()
	if lc.Unix != "" {
		e.uri = socketURI(lc.Unix)
	}
	return e, nil
}

// socketURI returns the mongodb:// URI of the server listening on the Unix socket at path,
// such as mongodb://%2Fpath%2Fto%2Fmongodb.sock/. Every byte of the path but the
// unreserved ones is escaped: FerretDB's own URI leaves a comma as it is, and the driver
// reads a comma in the host part as the start of a second host.
func socketURI(path string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.WriteString("mongodb://")
	for i := 0; i < len(path); i++ {
		switch c := path[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	b.WriteString("/")
	return b.String()
}

// waitReady pings the server at uri until it answers or ctx ends.
func waitReady(ctx context.Context, uri string) error {
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		return err
	}
	defer client.Disconnect(context.WithoutCancel(ctx))
	return client.Ping(ctx, nil)
}

// URI returns the mongodb:// URI at which the server answers. Pass it to Open unchanged: Open
// recognises it, and only then adds what the embedded engine needs (see Open).
func (e *Embedded) URI() string { return e.uri }

// Dir returns the absolute path of the directory holding the database files.
func (e *Embedded) Dir() string { return e.dir }

// Close stops the server and returns once its connections are closed and its files written
// and closed. Clients still connected are cut off after a grace period of 3 seconds, so close
// them first. Close may be called more than once.
func (e *Embedded) Close() error {
	e.closeOnce.Do(func() {
		running.CompareAndDelete(e.uri, e)
		e.cancel()
		<-e.done
		if e.unlock != nil {
			e.closeErr = e.unlock()
		}
	})
	return e.closeErr
}

// quietHandler passes on FerretDB's records at WARN and above, except the ones that report
// nothing wrong. FerretDB logs every command that fails at WARN, as a header record and a
// message record; the header alone says nothing that the message does not, and the driver's
// endSessions on disconnect, which FerretDB v1 does not implement, fails every time.
//
// It also defers WithAttrs and WithGroup until a record is handled. FerretDB calls
// logger.With(query arguments...) before each SQL statement it logs at DEBUG, whether DEBUG
// is enabled or not; the arguments include the whole document as JSON, and slog's own handlers
// format attributes as soon as With is called. Passed on eagerly, that formatting took a sixth
// of the CPU time of a write.
type quietHandler struct {
	h   slog.Handler
	ops []func(slog.Handler) slog.Handler // pending WithAttrs and WithGroup calls, in order
}

func (q quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && q.h.Enabled(ctx, l)
}

func (q quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "Response header:") || strings.Contains(r.Message, "no such command: 'endSessions'") {
		return nil
	}
	h := q.h
	for _, op := range q.ops {
		h = op(h)
	}
	return h.Handle(ctx, r)
}

func (q quietHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return q
	}
	return q.with(func(h slog.Handler) slog.Handler { return h.WithAttrs(as) })
}

func (q quietHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return q
	}
	return q.with(func(h slog.Handler) slog.Handler { return h.WithGroup(name) })
}

// with returns q with op pending; Clip makes append copy, so derived handlers never share ops.
func (q quietHandler) with(op func(slog.Handler) slog.Handler) quietHandler {
	return quietHandler{h: q.h, ops: append(slices.Clip(q.ops), op)}
}
