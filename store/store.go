// Package store keeps the portal's documents in MongoDB through the official driver: it maps
// the root package's types to BSON documents, creates the indexes a real MongoDB needs at
// start, and translates driver errors into portal error codes at its boundary. It also runs
// the embedded database, FerretDB on SQLite files, for installations without a MongoDB.
//
// Every record is read by its _id where possible, because the embedded engine pushes down
// nothing else: any other filter scans the whole collection. Times are stored as BSON dates,
// which keep milliseconds, and are read back in UTC (comment dates in portal.MongoliaTime).
package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gobidialogue/portal"
)

// Collection names.
const (
	guidelinesCollection = "guidelines"
	revisionsCollection  = "revisions"
	sourcesCollection    = "revision_sources"
	metaCollection       = "meta"
	claimsCollection     = "version_claims"

	usersCollection         = "users"
	identitiesCollection    = "identities"
	emailsCollection        = "emails"
	organisationsCollection = "organisations"
	orgListingsCollection   = "org_listings"
	sessionsCollection      = "sessions"
	tokensCollection        = "tokens"
	tokenEndsCollection     = "token_ends"
	throttlesCollection     = "throttles"
	auditCollection         = "audit"

	dirOrgsCollection         = "dir_orgs"
	dirConfidentialCollection = "dir_confidential"
	dirHiddenIDsCollection    = "dir_hidden_ids"
	dirSuggestionsCollection  = "dir_suggestions"
)

// Timeouts for reaching the server. They bound how long the portal hangs at start, or a
// request waits, when the database is down; a working server answers in milliseconds.
const (
	serverSelectionTimeout = 5 * time.Second
	connectTimeout         = 5 * time.Second
)

// The driver's connection pool. Every request that reads past the snapshots, and every
// write, holds a connection for its round trip; with the driver's default of 100, some of
// 200 concurrent requests would wait for another's connection while the server could
// answer them. 256 leaves room for 200 and the background work (snapshot reloads, the
// indexer, sweeps). A few connections stay open while idle, so that the first requests
// after a quiet spell do not all pay for a new one.
const (
	maxPoolSize = 256
	minPoolSize = 4
)

// DB is the portal's database. It is safe for concurrent use; the driver pools connections.
type DB struct {
	client *mongo.Client
	db     *mongo.Database

	guidelines    *mongo.Collection
	revisions     *mongo.Collection
	sources       *mongo.Collection
	meta          *mongo.Collection
	versionClaims *mongo.Collection // the claimed versions of the snapshots' values (snapshot.go)

	users         *mongo.Collection
	identities    *mongo.Collection // claims: provider|subject → user ID
	emails        *mongo.Collection // claims: normalised e-mail → user ID
	organisations *mongo.Collection
	orgListings   *mongo.Collection // claims: directory listing id → the organisation it is
	sessions      *mongo.Collection
	tokens        *mongo.Collection
	tokenEnds     *mongo.Collection // what ended each token: its use or its revocation
	throttles     *mongo.Collection
	audit         *mongo.Collection

	dirOrgs         *mongo.Collection
	dirConfidential *mongo.Collection // the addresses of confidential locations, by location id
	dirHiddenIDs    *mongo.Collection // which of those each organisation may have, by its id
	dirSuggestions  *mongo.Collection

	// The versioned snapshots (snapshot.go) of what pages read on every request, and when
	// this DB last swept old version claims.
	server         string // the server and database, which this process's DBs on them share
	sweepMu        sync.Mutex
	claimsSwept    time.Time
	hiddenRelisted time.Time // see relistHidden
	dirSnapshot    *snapshots[struct{}, *portal.Directory]
	guidelineList  *snapshots[struct{}, *guidelineList]
	revisionsCache *snapshots[string, *portal.Revision]
	authVersion    *snapshots[struct{}, struct{}] // holds nothing: follows AuthVersion (auth.go)
	pageWritesOnce sync.Once
	pageWrites     [2]*atomic.Int64 // this process's writes of the guidelines, the directory (pages.go)

	// The snapshots' background reloads: bg ends when Close begins, and Close waits for
	// them (tasks) before it disconnects.
	bgMu     sync.Mutex
	bg       context.Context
	bgCancel context.CancelFunc
	tasks    sync.WaitGroup
}

var (
	_ portal.GuidelineStore = (*DB)(nil)
	_ portal.AccountStore   = (*DB)(nil)
	_ portal.MetaStore      = (*DB)(nil)
	_ portal.Pinger         = (*DB)(nil)
	_ portal.DirectoryStore = (*DB)(nil)
)

// Open connects to uri, checks that the server answers, selects the database name and creates
// the collections and indexes. ctx bounds the whole of it. Errors name the step that failed and
// the URI, with any password redacted.
//
// When uri is that of an Embedded running in this process, Open also indexes the SQLite tables
// for _id lookups (see idLookupExpr).
func Open(ctx context.Context, uri, name string) (*DB, error) {
	opts := options.Client().
		ApplyURI(uri).
		SetServerSelectionTimeout(serverSelectionTimeout).
		SetConnectTimeout(connectTimeout).
		SetMaxPoolSize(maxPoolSize).
		SetMinPoolSize(minPoolSize).
		SetAppName("gobi-dialogue-portal")
	return open(ctx, uri, name, opts)
}

// open is Open with the client's options given.
func open(ctx context.Context, uri, name string, opts *options.ClientOptions) (*DB, error) {
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, uriError("connect to", uri, err)
	}
	db := newDB(client, name)
	db.server = RedactURI(uri) + "\x00" + name
	e := embeddedAt(uri)
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, uriError("reach", uri, err)
	}
	if err := db.prepare(ctx, e); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, uriError("prepare database "+name+" at", uri, err)
	}
	return db, nil
}

// prepare creates the collections and their indexes; on a database served by e, an Embedded
// of this process, it also adds the SQLite indexes FerretDB lacks (see idLookupExpr).
func (db *DB) prepare(ctx context.Context, e *Embedded) error {
	if err := db.createCollections(ctx); err != nil {
		return err
	}
	if err := db.createIndexes(ctx); err != nil {
		return err
	}
	if e != nil {
		if err := e.indexIDLookups(ctx, db.db.Name()); err != nil {
			return fmt.Errorf("index _id lookups: %w", err)
		}
	}
	return nil
}

// collectionsOf returns the DB of database name on client, without its snapshots.
func collectionsOf(client *mongo.Client, name string) *DB {
	db := client.Database(name)
	return &DB{
		client:        client,
		db:            db,
		guidelines:    db.Collection(guidelinesCollection),
		revisions:     db.Collection(revisionsCollection),
		sources:       db.Collection(sourcesCollection),
		meta:          db.Collection(metaCollection),
		versionClaims: db.Collection(claimsCollection),

		users:         db.Collection(usersCollection),
		identities:    db.Collection(identitiesCollection),
		emails:        db.Collection(emailsCollection),
		organisations: db.Collection(organisationsCollection),
		orgListings:   db.Collection(orgListingsCollection),
		sessions:      db.Collection(sessionsCollection),
		tokens:        db.Collection(tokensCollection),
		tokenEnds:     db.Collection(tokenEndsCollection),
		throttles:     db.Collection(throttlesCollection),
		audit:         db.Collection(auditCollection),

		dirOrgs:         db.Collection(dirOrgsCollection),
		dirConfidential: db.Collection(dirConfidentialCollection),
		dirHiddenIDs:    db.Collection(dirHiddenIDsCollection),
		dirSuggestions:  db.Collection(dirSuggestionsCollection),
	}
}

// newDB returns the DB of database name on client, with its snapshots.
func newDB(client *mongo.Client, name string) *DB {
	db := collectionsOf(client, name)
	db.dirSnapshot = directorySnapshot(db)
	db.guidelineList = guidelineListSnapshot(db)
	db.revisionsCache = revisionSnapshot(db)
	db.authVersion = authVersionSnapshot(db)
	db.bg, db.bgCancel = context.WithCancel(context.Background())
	return db
}

// background runs task in a goroutine of its own, under a context that ends when Close
// begins, unless db is closing; it reports whether it started it.
func (db *DB) background(task func(ctx context.Context)) bool {
	db.bgMu.Lock()
	defer db.bgMu.Unlock()
	if db.bg == nil || db.bg.Err() != nil {
		return false
	}
	db.tasks.Go(func() { task(db.bg) })
	return true
}

// Close ends the background reloads, then disconnects from the server, waiting for
// operations in progress until ctx ends.
func (db *DB) Close(ctx context.Context) error {
	db.bgMu.Lock()
	if db.bgCancel != nil {
		db.bgCancel()
	}
	db.bgMu.Unlock()
	db.tasks.Wait()
	if err := db.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("store: disconnect: %w", err)
	}
	return nil
}

// Ping reports whether the server answers: nil, or an internal error for which IsUnavailable
// reports true when the server cannot be reached in time.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Name returns the name of the database in use.
func (db *DB) Name() string { return db.db.Name() }

// collections lists every collection the store uses. Open creates them all, so that the
// embedded database's SQLite tables exist when Open indexes them.
var collections = []string{
	guidelinesCollection, revisionsCollection, sourcesCollection, metaCollection, claimsCollection,
	usersCollection, identitiesCollection, emailsCollection, organisationsCollection, orgListingsCollection,
	sessionsCollection, tokensCollection, tokenEndsCollection, throttlesCollection, auditCollection,
	dirOrgsCollection, dirConfidentialCollection, dirHiddenIDsCollection, dirSuggestionsCollection,
}

// createCollections creates the collections that do not exist yet. It asks first rather than
// ignoring "already exists": FerretDB logs every failed command at WARN.
func (db *DB) createCollections(ctx context.Context) error {
	existing, err := db.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	for _, c := range collections {
		if slices.Contains(existing, c) {
			continue
		}
		if err := db.db.CreateCollection(ctx, c); err != nil && !isNamespaceExists(err) {
			return fmt.Errorf("create collection %s: %w", c, err)
		}
	}
	return nil
}

// isNamespaceExists reports a collection created by another process since we listed them.
func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 48
}

// indexes lists the indexes each collection needs. Names are explicit so that a changed key
// shows up as a conflict at start instead of a silent second index. The embedded engine accepts
// them but uses none of them (it only pushes down _id); they are for a real MongoDB.
var indexes = map[string][]indexSpec{
	guidelinesCollection: {
		index("translation_key_1", bson.E{Key: "translation_key", Value: 1}),
		index("language_1_updated_at_-1", bson.E{Key: "language", Value: 1}, bson.E{Key: "updated_at", Value: -1}),
	},
	revisionsCollection: {
		index("guideline_id_1_number_1", bson.E{Key: "guideline_id", Value: 1}, bson.E{Key: "number", Value: 1}),
	},
	usersCollection: {
		index("org_id_1", bson.E{Key: "org_id", Value: 1}),
	},
	tokensCollection: {
		index("kind_1", bson.E{Key: "kind", Value: 1}),
	},
	dirConfidentialCollection: {
		index("org_id_1", bson.E{Key: "org_id", Value: 1}),
	},
	dirSuggestionsCollection: {
		index("status_1_created_-1", bson.E{Key: "status", Value: 1}, bson.E{Key: "created", Value: -1}),
	},
	auditCollection: {
		index("at_-1__id_-1", bson.E{Key: "at", Value: -1}, bson.E{Key: "_id", Value: -1}),
	},
}

// indexSpec describes an index. It is turned into a mongo.IndexModel for each call, not kept
// as one: the driver writes the name into the model's options builder as it creates the index,
// so a shared model is a data race between two Opens.
type indexSpec struct {
	name string
	keys bson.D
}

func index(name string, keys ...bson.E) indexSpec {
	return indexSpec{name: name, keys: bson.D(keys)}
}

func (s indexSpec) model() mongo.IndexModel {
	return mongo.IndexModel{Keys: s.keys, Options: options.Index().SetName(s.name)}
}

// createIndexes creates the indexes; creating an existing index is a no-op, so it runs at
// every start. It sends them one at a time: FerretDB v1.24.2 panics, and drops the connection,
// when one createIndexes command lists two or more indexes that already exist.
func (db *DB) createIndexes(ctx context.Context) error {
	for coll, specs := range indexes {
		for _, s := range specs {
			if _, err := db.db.Collection(coll).Indexes().CreateOne(ctx, s.model()); err != nil {
				return fmt.Errorf("collection %s: %w", coll, err)
			}
		}
	}
	return nil
}
