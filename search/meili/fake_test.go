package meili

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakeKey is the API key the tests open the fake with; no error may show it.
const fakeKey = "s3cret-key-4a9c"

// request is a request the fake received.
type request struct {
	Method, Path, Query, Auth, ContentType string
	Body                                   []byte
}

// route is how a request is named: "POST /indexes/portal/documents".
func (r request) route() string { return r.Method + " " + r.Path }

// reply is what the fake answers.
type reply struct {
	status int
	body   string
}

// fakeMeili is an httptest server speaking Meilisearch's API as its documentation shows it:
// it records every request, enqueues a task for every write (202 with the summarised task),
// and answers GET /tasks/:uid with the task processing once, then succeeded, or failed with
// the error a test set for the route that enqueued it. Reads answer what a test set.
type fakeMeili struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []request
	tasks    []*fakeTask
	// replies answer a route instead of the defaults, given the request's body.
	replies map[string]func(body []byte) reply
	// failTasks makes the tasks a route enqueues fail with this error object.
	failTasks map[string]string
	// stuckTasks keeps the tasks a route enqueues processing for ever.
	stuckTasks map[string]bool
	// index is the answer to GET /indexes/portal; 404 index_not_found when empty.
	index string
}

type fakeTask struct {
	uid        int64
	typ, route string
	polled     int
	failWith   string
	stuck      bool
}

func newFake(t *testing.T) *fakeMeili {
	t.Helper()
	f := &fakeMeili{t: t, replies: map[string]func([]byte) reply{}, failTasks: map[string]string{}, stuckTasks: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// open opens the index "portal" on the fake, with the fake's key.
func (f *fakeMeili) open(t *testing.T, cfg Config) *Index {
	t.Helper()
	cfg.URL, cfg.Key = f.srv.URL, fakeKey
	ix, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// taskTypes are the task types of the routes that enqueue one.
var taskTypes = map[string]string{
	"POST /indexes":                               "indexCreation",
	"DELETE /indexes/portal":                      "indexDeletion",
	"PATCH /indexes/portal/settings":              "settingsUpdate",
	"DELETE /indexes/portal/settings/synonyms":    "settingsUpdate",
	"POST /indexes/portal/documents":              "documentAdditionOrUpdate",
	"POST /indexes/portal/documents/delete-batch": "documentDeletion",
}

func (f *fakeMeili) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: body}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	answer, ok := f.replies[req.route()]
	f.mu.Unlock()
	if ok {
		write(w, answer(body))
		return
	}
	if typ, ok := taskTypes[req.route()]; ok {
		write(w, f.enqueue(req.route(), typ))
		return
	}
	switch {
	case req.route() == "GET /health":
		write(w, reply{200, `{"status":"available"}`})
	case req.route() == "GET /version":
		write(w, reply{200, `{"commitSha":"b46889b5f0f2f8b91438a08a358ba8f05fc09fc1","commitDate":"2024-11-04T13:37:23Z","pkgVersion":"1.15.2"}`})
	case req.route() == "GET /indexes/portal":
		f.mu.Lock()
		index := f.index
		f.mu.Unlock()
		if index == "" {
			write(w, apiError(404, "Index `portal` not found.", "index_not_found"))
			return
		}
		write(w, reply{200, index})
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/tasks/"):
		uid, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/tasks/"))
		write(w, f.task(int64(uid)))
	default:
		f.t.Errorf("fake Meilisearch: unexpected %s", req.route())
		write(w, apiError(404, "Not found.", "not_found"))
	}
}

func write(w http.ResponseWriter, r reply) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.status)
	io.WriteString(w, r.body)
}

// apiError is Meilisearch's error body.
func apiError(status int, message, code string) reply {
	typ := "invalid_request"
	switch {
	case status == 401 || status == 403:
		typ = "auth"
	case status >= 500:
		typ = "internal"
	}
	b, _ := json.Marshal(map[string]string{"message": message, "code": code, "type": typ, "link": "https://docs.meilisearch.com/errors#" + code})
	return reply{status, string(b)}
}

// enqueue answers a write: 202 and the summarised task.
func (f *fakeMeili) enqueue(route, typ string) reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTask{uid: int64(len(f.tasks)), typ: typ, route: route, failWith: f.failTasks[route], stuck: f.stuckTasks[route]}
	f.tasks = append(f.tasks, t)
	return reply{202, fmt.Sprintf(`{"taskUid":%d,"indexUid":"portal","status":"enqueued","type":%q,"enqueuedAt":"2024-11-04T10:00:00.000000Z"}`, t.uid, typ)}
}

// task answers GET /tasks/:uid: processing the first time, then done.
func (f *fakeMeili) task(uid int64) reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	if uid < 0 || uid >= int64(len(f.tasks)) {
		return apiError(404, fmt.Sprintf("Task `%d` not found.", uid), "task_not_found")
	}
	t := f.tasks[uid]
	t.polled++
	status, errBody, finished := "succeeded", "null", `"2024-11-04T10:00:00.120000Z"`
	switch {
	case t.polled == 1 || t.stuck:
		status, finished = "processing", "null"
	case t.failWith != "":
		status, errBody = "failed", t.failWith
	}
	return reply{200, fmt.Sprintf(`{"uid":%d,"batchUid":%d,"indexUid":"portal","status":%q,"type":%q,"canceledBy":null,"details":{},"error":%s,"duration":null,"enqueuedAt":"2024-11-04T10:00:00.000000Z","startedAt":"2024-11-04T10:00:00.010000Z","finishedAt":%s}`,
		t.uid, t.uid, status, t.typ, errBody, finished)}
}

// calls lists the requests received, as routes (with their query), without the polling of
// tasks.
func (f *fakeMeili) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		if strings.HasPrefix(r.Path, "/tasks/") {
			continue
		}
		c := r.route()
		if r.Query != "" {
			c += "?" + r.Query
		}
		out = append(out, c)
	}
	return out
}

// bodies returns the bodies of the requests to route, in order.
func (f *fakeMeili) bodies(route string) [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]byte
	for _, r := range f.requests {
		if r.route() == route {
			out = append(out, r.Body)
		}
	}
	return out
}

// reset forgets the requests received so far (those of Open, say).
func (f *fakeMeili) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = nil
}

// checkJSON fails the test unless got and want are the same JSON value (key order and
// spacing aside).
func checkJSON(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: the body sent is not JSON: %v\n%s", what, err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: the expected body is not JSON: %v\n%s", what, err, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: sent\n%s\nwant\n%s", what, indent(got), indent([]byte(want)))
	}
}

// checkGolden compares got with testdata/name as JSON; with -update it rewrites the file.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, append(indent(got), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	checkJSON(t, name, got, string(want))
}

func indent(b []byte) []byte {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return b
	}
	return out.Bytes()
}
