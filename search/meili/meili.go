// Package meili is the production search engine: a portal.Searcher on a Meilisearch server,
// through github.com/meilisearch/meilisearch-go.
//
// Meilisearch cannot fold Mongolian spellings, so the portal folds for it: every record
// carries folded copies of its text (title_f, places_f, body_f, made with search.Fold), only
// those are searchable, and the query is folded the same way. "Umnugovi", "Ömnögovi" and
// "Өмнөговь" all reach Meilisearch as "omnogovi", which the folded copy of a record about
// Өмнөговь holds; Meilisearch then adds what it is good at (typo tolerance, prefixes,
// synonyms, ranking) on top. The raw text is stored for display only. Snippets are cut from
// the raw body by the portal, with the words marked that Meilisearch matched in the folded
// copy (see snippet.go), so a Latin query marks the Cyrillic word it found.
//
// Every write is a Meilisearch task; a method returns only when its tasks are done, and a
// task that failed is an error even though the call that enqueued it succeeded.
//
// Compared with the embedded engine (search/bleve), which queries both the raw and the
// folded fields:
//   - the spelling typed ranks first only within a page (see Search): Meilisearch itself
//     sees folded words alone;
//   - Meilisearch reads the first 10 words of a query, and counts a result exactly up to
//     maxTotalHits;
//   - its typos are Damerau-Levenshtein (a swap is one typo) and a wrong first letter counts
//     as two, so a few near-misses differ from bleve's Levenshtein edits;
//   - it needs Meilisearch 1.15 or later (the client sends typoTolerance.disableOnNumbers).
package meili

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/meilisearch/meilisearch-go"
)

// Config says where the engine is and how the index is set up.
type Config struct {
	// URL is the server's address, such as http://127.0.0.1:7700.
	URL string
	// Key is an API key allowed to manage the index, or the master key; empty when the
	// server runs without one.
	Key string
	// Index is the uid of the index; "portal" when empty. Letters, digits, - and _ only.
	Index string
	// Synonyms are Meilisearch's one-way synonyms: a query word that is a key also finds
	// its values. search.Synonyms makes them, both ways, from the gazetteer's spellings and
	// aliases. Keys and values are folded with search.Fold, as the text they meet is.
	Synonyms map[string][]string
	// Timeout bounds each request to the server; 10 seconds when zero.
	Timeout time.Duration
	// TaskTimeout bounds the wait for one task (an indexing batch, a settings change);
	// 2 minutes when zero.
	TaskTimeout time.Duration
}

// Defaults of Config.
const (
	DefaultIndex       = "portal"
	DefaultTimeout     = 10 * time.Second
	DefaultTaskTimeout = 2 * time.Minute
)

// pollInterval is how often a task's status is asked for while waiting: most tasks of the
// portal (a record or a few) finish within a few of them.
const pollInterval = 20 * time.Millisecond

var validUID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,400}$`)

// Index is a Meilisearch index holding the portal's search records. It is safe for
// concurrent use.
type Index struct {
	client      meilisearch.ServiceManager
	index       meilisearch.IndexManager
	uid         string
	url         string // redacted, for errors
	taskTimeout time.Duration
}

var _ portal.Searcher = (*Index)(nil)

// Open connects to the server at cfg.URL, creates the index when it is missing (primary
// key "id") and applies the settings the portal searches with, waiting until they are in
// force. A server that does not answer, refuses the key or fails a task is an error naming
// the URL (never the key).
func Open(ctx context.Context, cfg Config) (*Index, error) {
	if cfg.Index == "" {
		cfg.Index = DefaultIndex
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.TaskTimeout <= 0 {
		cfg.TaskTimeout = DefaultTaskTimeout
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("meili: the URL %q is not an http(s) address", redact(cfg.URL))
	}
	if !validUID.MatchString(cfg.Index) {
		return nil, fmt.Errorf("meili: index uid %q: only letters, digits, - and _ are allowed", cfg.Index)
	}
	client := meilisearch.New(cfg.URL,
		meilisearch.WithAPIKey(cfg.Key),
		meilisearch.WithCustomClient(&http.Client{Timeout: cfg.Timeout}),
		// One retry, a second later, rides out a proxy's hiccup without holding a
		// search for long when the engine is really down.
		meilisearch.WithCustomRetries([]int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}, 1),
	)
	ix := &Index{
		client:      client,
		index:       client.Index(cfg.Index),
		uid:         cfg.Index,
		url:         u.Redacted(),
		taskTimeout: cfg.TaskTimeout,
	}
	if err := ix.start(ctx, cfg); err != nil {
		client.Close()
		return nil, err
	}
	return ix, nil
}

// start checks the server, then makes the index and its settings what the portal needs.
func (ix *Index) start(ctx context.Context, cfg Config) error {
	h, err := ix.client.Health(ctx)
	if err != nil {
		return ix.errorf(err, "Meilisearch at %s does not answer", ix.url)
	}
	if h.Status != "available" {
		return &portal.Error{Code: portal.EUNAVAILABLE, Err: fmt.Errorf("meili: Meilisearch at %s is %q, not available", ix.url, h.Status)}
	}
	// /health needs no key; /version does, so a wrong key shows here, clearly, rather
	// than at the first search.
	v, err := ix.client.Version(ctx)
	if err != nil {
		return ix.errorf(err, "Meilisearch at %s: check the key", ix.url)
	}
	if !recentEnough(v.PkgVersion) {
		return fmt.Errorf("meili: Meilisearch at %s is version %s; the portal needs %d.%d or later", ix.url, v.PkgVersion, minVersion[0], minVersion[1])
	}
	if err := ix.ensureIndex(ctx); err != nil {
		return err
	}
	return ix.applySettings(ctx, cfg.Synonyms)
}

// ensureIndex creates the index when it is missing and checks its primary key.
func (ix *Index) ensureIndex(ctx context.Context) error {
	info, err := ix.client.GetIndex(ctx, ix.uid)
	var me *meilisearch.Error
	switch {
	case err == nil:
		if info.PrimaryKey != "" && info.PrimaryKey != primaryKey {
			return fmt.Errorf("meili: index %q at %s has the primary key %q, not %q: delete it or choose another index", ix.uid, ix.url, info.PrimaryKey, primaryKey)
		}
		return nil
	case errors.As(err, &me) && me.HasCode(meilisearch.APIErrCodeIndexNotFound):
		task, err := ix.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: ix.uid, PrimaryKey: primaryKey})
		err = ix.wait(ctx, task, err, "create index "+ix.uid)
		var te *TaskError
		if errors.As(err, &te) && te.Code == string(meilisearch.APIErrCodeIndexAlreadyExists) {
			return nil // another portal process made it first
		}
		return err
	default:
		return ix.errorf(err, "get index %s at %s", ix.uid, ix.url)
	}
}

// Drop deletes the index and everything in it. Tests use it to clean up; the portal never
// needs it, since the index is rebuilt in place.
func (ix *Index) Drop(ctx context.Context) error {
	task, err := ix.client.DeleteIndex(ctx, ix.uid)
	return ix.wait(ctx, task, err, "delete index "+ix.uid)
}

// Close releases the client's idle connections.
func (ix *Index) Close() error {
	ix.client.Close()
	return nil
}

// minVersion is the oldest Meilisearch the portal's settings work on: the client sends
// typoTolerance.disableOnNumbers, which came with v1.15.
var minVersion = [2]int{1, 15}

// recentEnough reports whether a version ("1.15.2", "v1.16.0-rc.1") is minVersion or later;
// a version it cannot read passes, and the settings will tell.
func recentEnough(version string) bool {
	var major, minor int
	if _, err := fmt.Sscanf(strings.TrimPrefix(version, "v"), "%d.%d", &major, &minor); err != nil {
		return true
	}
	return major > minVersion[0] || major == minVersion[0] && minor >= minVersion[1]
}

// TaskError is a Meilisearch task that did not succeed: the request was accepted, the work
// was not done.
type TaskError struct {
	Op      string // what the task was for
	UID     int64
	Status  string // "failed" or "canceled"
	Code    string // Meilisearch's error code, such as "invalid_document_id"
	Message string
}

func (e *TaskError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("meili: %s: task %d %s", e.Op, e.UID, e.Status)
	}
	return fmt.Sprintf("meili: %s: task %d %s: %s (%s)", e.Op, e.UID, e.Status, e.Message, e.Code)
}

// wait waits for the task that a call enqueued, and turns its outcome into an error: the
// call's own error, a wait that timed out, or a task that failed or was canceled.
func (ix *Index) wait(ctx context.Context, info *meilisearch.TaskInfo, err error, op string) error {
	if err != nil {
		return ix.errorf(err, "%s", op)
	}
	ctx, cancel := context.WithTimeout(ctx, ix.taskTimeout)
	defer cancel()
	task, err := ix.client.WaitForTask(ctx, info.TaskUID, pollInterval)
	if err != nil {
		return ix.errorf(err, "%s: wait for task %d", op, info.TaskUID)
	}
	if task.Status == meilisearch.TaskStatusSucceeded {
		return nil
	}
	return &TaskError{Op: op, UID: info.TaskUID, Status: string(task.Status), Code: string(task.Error.Code), Message: task.Error.Message}
}

// errorf describes err, an error of the client, briefly: Meilisearch's own message and
// code, or the network's reason. An engine that is down, overloaded or too slow is
// portal.EUNAVAILABLE, so that a page can say so politely; anything else is internal.
func (ix *Index) errorf(err error, format string, args ...any) error {
	e := &engineError{op: fmt.Sprintf(format, args...), err: err}
	var me *meilisearch.Error
	switch {
	case errors.As(err, &me) && me.APIError.Code != "":
		e.msg = fmt.Sprintf("%s (%s, HTTP %d)", me.APIError.Message, me.APIError.Code, me.StatusCode)
		if me.StatusCode >= 500 {
			return &portal.Error{Code: portal.EUNAVAILABLE, Err: e}
		}
		return e
	case errors.As(err, &me) && me.OriginError != nil:
		e.msg = cause(me.OriginError)
	case errors.As(err, &me) && me.StatusCode != 0:
		e.msg = fmt.Sprintf("HTTP %d", me.StatusCode)
		if me.StatusCode < 500 {
			return e
		}
	case errors.As(err, &me):
		e.msg = "no answer but HTTP 502, 503 or 504, after a retry"
	default:
		e.msg = cause(err)
	}
	return &portal.Error{Code: portal.EUNAVAILABLE, Err: e}
}

// cause is the reason under a request's error, without the request's URL and method.
func cause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}

// engineError is a failed call to Meilisearch, told in a line; the client's error, with
// all its details, stays in the chain.
type engineError struct {
	op, msg string
	err     error
}

func (e *engineError) Error() string { return "meili: " + e.op + ": " + e.msg }
func (e *engineError) Unwrap() error { return e.err }

// redact hides the password of a URL that has one.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(an unparsable URL)"
}
