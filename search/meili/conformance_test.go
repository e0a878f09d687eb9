package meili_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search/meili"
	"github.com/gobidialogue/portal/search/searchtest"
)

// TestConformance runs the suite both engines pass against a real Meilisearch (1.15 or
// later), each subtest on an index of its own, deleted when the subtest ends.
func TestConformance(t *testing.T) {
	url := os.Getenv("TEST_MEILI_URL")
	if url == "" {
		t.Skip("no Meilisearch to test against: run with TEST_MEILI_URL=http://127.0.0.1:7700 " +
			"(and TEST_MEILI_KEY=<master key> when it has one) go test ./search/meili/")
	}
	key := os.Getenv("TEST_MEILI_KEY")
	run := time.Now().UnixNano()
	var n atomic.Int64
	searchtest.Run(t, func(t *testing.T) portal.Searcher {
		t.Helper()
		ctx := context.Background()
		ix, err := meili.Open(ctx, meili.Config{URL: url, Key: key, Index: fmt.Sprintf("portal_test_%d_%d", run, n.Add(1))})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			if err := ix.Drop(context.Background()); err != nil {
				t.Errorf("drop the test index: %v", err)
			}
			ix.Close()
		})
		return ix
	})
}
