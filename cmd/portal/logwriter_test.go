package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobidialogue/portal/internal/testkit/logtest"
)

// TestLogWriter: lines wait in the buffer, go out by themselves within the flush interval,
// and Close writes out the rest.
func TestLogWriter(t *testing.T) {
	var out logtest.Buffer
	w := newLogWriter(&out)
	w.Write([]byte("first\n"))
	deadline := time.Now().Add(5 * time.Second)
	for out.Count("first") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a line waited more than 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.Write([]byte("last\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.Count("last") != 1 {
		t.Error("Close did not write out what waited")
	}
	if err := w.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}

	// More than the buffer goes out without waiting for the interval, here an hour.
	w = newLogWriterEvery(&out, time.Hour)
	defer w.Close()
	w.Write([]byte(strings.Repeat("x", 40<<10) + "\n"))
	deadline = time.Now().Add(5 * time.Second)
	for out.Count("x") < 40<<10 {
		if time.Now().After(deadline) {
			t.Fatal("a write larger than the buffer waited more than 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestLogWriterConcurrentLines: lines written by many goroutines at once, through many
// writes out of the buffer, all go out whole, once each, and each goroutine's in its order.
func TestLogWriterConcurrentLines(t *testing.T) {
	var out logtest.Buffer
	w := newLogWriter(&out)
	const writers, lines = 8, 3000 // about 20 writes out of the buffer
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(w, "g=%d i=%d %s\n", g, i, strings.Repeat("-", 8))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines out, want %d", len(got), writers*lines)
	}
	for _, line := range got {
		var g, i int
		var rest string
		if _, err := fmt.Sscanf(line, "g=%d i=%d %s", &g, &i, &rest); err != nil || rest != strings.Repeat("-", 8) {
			t.Fatalf("line %q is not whole", line)
		}
		if i != next[g] {
			t.Fatalf("goroutine %d: line %d came where %d was due", g, i, next[g])
		}
		next[g]++
	}
}
