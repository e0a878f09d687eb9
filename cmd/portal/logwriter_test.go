package main

import (
	"strings"
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
	w.Write([]byte(strings.Repeat("x", 40<<10) + "\n")) // more than the buffer: out at once
	if out.Count("x") < 40<<10 {
		t.Error("a write larger than the buffer waited")
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
}
