package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLineHandlerWritesWhatSlogWrites: for text and JSON, with attributes of every kind,
// groups, a logger's With and WithGroup, and a level below the minimum, lineHandler
// writes byte for byte what slog's handler writes, one Write per line.
func TestLineHandlerWritesWhatSlogWrites(t *testing.T) {
	at := time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC)
	opts := &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Time(slog.TimeKey, at) // the two loggers log at different instants
		}
		return a
	}}
	for _, format := range []struct {
		name string
		new  func(io.Writer) slog.Handler
	}{
		{"text", func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, opts) }},
		{"json", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, opts) }},
	} {
		t.Run(format.name, func(t *testing.T) {
			var want bytes.Buffer
			var got countingWriter
			logs := func(l *slog.Logger) {
				l.Info("request", "method", "GET", "path", `/search?q="<b>x</b>"`, "status", 200,
					"duration", 41*time.Microsecond, "ok", true, "ratio", 0.5)
				l.Debug("not shown")
				l.Warn("with a group", slog.Group("req", "id", 7, "who", "Сараа"))
				l.With("component", "indexer").WithGroup("batch").Error("failed", "err", errors.New("line\nbreak"))
				l.WithGroup("").With().Info("nothing added")
			}
			logs(slog.New(format.new(&want)))
			logs(slog.New(newLineHandler(&got, format.new)))
			if got.String() != want.String() {
				t.Errorf("lineHandler wrote\n%s\nslog wrote\n%s", got.String(), want.String())
			}
			if lines := strings.Count(want.String(), "\n"); got.writes != lines {
				t.Errorf("%d writes for %d lines", got.writes, lines)
			}
		})
	}
}

// TestLineHandlerConcurrent: lines logged by many goroutines at once come out whole.
func TestLineHandlerConcurrent(t *testing.T) {
	var out countingWriter
	l := slog.New(newLineHandler(&out, func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				l.Info("line", "g", g, "i", i, "pad", strings.Repeat("x", i%50+1))
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8*500 {
		t.Fatalf("%d lines, want %d", len(lines), 8*500)
	}
	for _, line := range lines {
		var g, i int
		if _, err := fmt.Sscanf(line[strings.Index(line, " g=")+1:], "g=%d i=%d", &g, &i); err != nil || !strings.HasSuffix(line, "pad="+strings.Repeat("x", i%50+1)) {
			t.Fatalf("line %q is not whole", line)
		}
	}
}

// countingWriter keeps what is written and counts the writes; safe for concurrent use.
type countingWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	return w.buf.Write(p)
}

func (w *countingWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
