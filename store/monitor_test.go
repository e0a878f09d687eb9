package store_test

import (
	"context"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

// command is a command a client sent, as its monitor saw it.
type command struct {
	name, collection string
	// filters are the documents it selects by: a find's filter, each update's and
	// delete's q, a findAndModify's query; a command that selects otherwise (an
	// aggregation, a count) has the whole command as its filter.
	filters []bson.Raw
}

// byID reports whether every filter of c selects one document by its _id, the only query
// the embedded engine does not answer with a scan.
func (c command) byID() bool {
	switch c.name {
	case "find", "findAndModify", "update", "delete":
		if len(c.filters) == 0 {
			return false // a filter the monitor did not see
		}
	}
	for _, f := range c.filters {
		elems, err := f.Elements()
		if err != nil || len(elems) != 1 || elems[0].Key() != "_id" || elems[0].Value().Type != bson.TypeString {
			return false
		}
	}
	return true
}

// watcher records the commands that match of a DB of its own.
type watcher struct {
	db    *store.DB // on the database watched, opened with the monitor
	match func(command) bool
	mu    sync.Mutex
	seen  []command
}

// watch opens a DB on db's database, through a client whose commands that match are
// recorded, and closes it when t ends.
func watch(t *testing.T, db *store.DB, match func(command) bool) *watcher {
	t.Helper()
	w := &watcher{match: match}
	m := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) { w.add(e) }}
	var err error
	w.db, err = store.OpenMonitored(context.Background(), storetest.URI(t), db.Name(), m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.db.Close(context.Background()) })
	return w
}

func (w *watcher) add(e *event.CommandStartedEvent) {
	c := command{name: e.CommandName}
	if v, err := e.Command.LookupErr(e.CommandName); err == nil {
		c.collection, _ = v.StringValueOK()
	}
	switch c.name {
	case "find":
		c.filters = docs(e.Command, "filter")
	case "findAndModify":
		c.filters = docs(e.Command, "query")
	case "update":
		c.filters = docs(e.Command, "updates", "q")
	case "delete":
		c.filters = docs(e.Command, "deletes", "q")
	case "aggregate", "count", "distinct":
		c.filters = []bson.Raw{e.Command}
	}
	if w.match(c) {
		w.mu.Lock()
		w.seen = append(w.seen, c)
		w.mu.Unlock()
	}
}

// docs returns the document at key in cmd, or, with in, the document at in of each
// document of the array at key.
func docs(cmd bson.Raw, key string, in ...string) []bson.Raw {
	v, err := cmd.LookupErr(key)
	if err != nil {
		return nil
	}
	if d, ok := v.DocumentOK(); ok && len(in) == 0 {
		return []bson.Raw{d}
	}
	a, ok := v.ArrayOK()
	if !ok {
		return nil
	}
	vals, _ := a.Values()
	var out []bson.Raw
	for _, x := range vals {
		if d, ok := x.DocumentOK(); ok {
			out = append(out, docs(d, in[0])...)
		}
	}
	return out
}

func (w *watcher) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = nil
}

func (w *watcher) commands() []command {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]command(nil), w.seen...)
}

func (w *watcher) count() int { return len(w.commands()) }
