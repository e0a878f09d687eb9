// Package storetest gives tests of any package a real database: a *store.DB in a fresh
// database of its own, on the MongoDB at TEST_MONGO_URL when it is set, otherwise on one
// embedded FerretDB that all tests of the test binary share.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gobidialogue/portal/store"
)

// EnvMongoURL names the environment variable with the URI of a MongoDB to test against.
const EnvMongoURL = "TEST_MONGO_URL"

// timeout bounds each set-up and clean-up step, so a dead server fails a test instead of
// hanging it.
const timeout = 30 * time.Second

// server is the database server shared by the tests of this process.
var server struct {
	once     sync.Once
	uri      string
	embedded *store.Embedded // nil when TEST_MONGO_URL is used
	dir      string          // the embedded database's temporary directory
	admin    *mongo.Client   // drops the tests' databases
	err      error
}

// Open returns a *store.DB in a fresh, uniquely named database, which is dropped and closed
// when tb and its subtests have finished.
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	uri, admin := serverURI(tb)
	name := databaseName(tb)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	db, err := store.Open(ctx, uri, name)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := admin.Database(name).Drop(ctx); err != nil {
			tb.Errorf("storetest: drop database %s: %v", name, err)
		}
		if err := db.Close(ctx); err != nil {
			tb.Errorf("storetest: %v", err)
		}
	})
	return db
}

// URI returns the URI of the server the tests use, starting the embedded one if need be.
// Tests that need a database name of their own, such as a test of the CLI, pass it to
// store.Open; they drop it themselves.
func URI(tb testing.TB) string {
	tb.Helper()
	uri, _ := serverURI(tb)
	return uri
}

// IsEmbedded reports whether the tests run against the embedded FerretDB rather than MongoDB;
// tests of behaviour that only MongoDB has skip when it is true.
func IsEmbedded() bool { return os.Getenv(EnvMongoURL) == "" }

// serverURI starts the shared server on first use and returns its URI and admin client.
func serverURI(tb testing.TB) (string, *mongo.Client) {
	tb.Helper()
	server.once.Do(startServer)
	if server.err != nil {
		tb.Fatalf("storetest: %v", server.err)
	}
	return server.uri, server.admin
}

func startServer() {
	server.uri = os.Getenv(EnvMongoURL)
	if server.uri == "" {
		server.err = startEmbedded()
		if server.err != nil {
			return
		}
	}
	server.admin, server.err = mongo.Connect(options.Client().ApplyURI(server.uri))
	if server.err != nil {
		server.err = fmt.Errorf("connect to %s: %w", store.RedactURI(server.uri), server.err)
	}
}

// startEmbedded starts FerretDB in a temporary directory that outlives any one test: it is
// removed by Main, or left in the temporary directory when the package has no TestMain. Once
// every test has dropped its database it holds no data, only a lock file.
func startEmbedded() error {
	dir, err := os.MkdirTemp("", "storetest-")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := store.StartEmbedded(ctx, dir, logger)
	if err != nil {
		os.RemoveAll(dir)
		return err
	}
	server.embedded, server.dir, server.uri = e, dir, e.URI()
	return nil
}

// Main runs the tests and then stops the shared embedded database, if one was started, and
// removes its directory. Call it from TestMain: func TestMain(m *testing.M) { storetest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func stop() error {
	if server.admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		_ = server.admin.Disconnect(ctx)
	}
	if server.embedded == nil {
		return nil
	}
	if err := server.embedded.Close(); err != nil {
		return err
	}
	return os.RemoveAll(server.dir)
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// databaseName returns a name unique across processes, which matters when several test
// binaries share one MongoDB, and that still says which test made it. It fits the rules of
// both engines: FerretDB allows [a-zA-Z0-9_-]{1,63}, MongoDB 63 bytes.
func databaseName(tb testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := unsafeName.ReplaceAllString(tb.Name(), "_")
	if len(prefix) > 40 {
		prefix = prefix[:40]
	}
	return "t_" + prefix + "_" + hex.EncodeToString(b[:])
}
