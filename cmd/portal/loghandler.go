package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
)

// lineHandler is a slog handler that formats each record with slog's own text or JSON
// handler into a buffer of its own, and then writes the line to out in one Write.
//
// slog's handlers format a line without a lock but write it under one lock shared by
// every goroutine that logs: the request log is a line per request, so under 200
// connections every request took that lock, and whenever the goroutine holding it lost
// its processor the others queued behind it (the process's most waited-for lock). Here
// each line is formatted by a handler that only one goroutine uses at a time (a pool of
// them, each writing to its own buffer), and out (logWriter) takes the line with a copy
// under its own lock. The lines are byte for byte what slog's handler writes.
type lineHandler struct {
	newInner func(w io.Writer) slog.Handler // slog.NewTextHandler or NewJSONHandler, with options
	derive   []func(slog.Handler) slog.Handler
	out      io.Writer
	pool     *sync.Pool // of *lineFormatter
	probe    slog.Handler
}

// lineFormatter is a handler of the pool and the buffer it writes to.
type lineFormatter struct {
	buf bytes.Buffer
	h   slog.Handler
}

// newLineHandler returns a lineHandler writing to out lines that newInner's handlers make,
// each handler derived with derive in order (a logger's With and WithGroup).
func newLineHandler(out io.Writer, newInner func(w io.Writer) slog.Handler, derive ...func(slog.Handler) slog.Handler) *lineHandler {
	l := &lineHandler{newInner: newInner, derive: derive, out: out}
	l.pool = &sync.Pool{New: func() any {
		f := &lineFormatter{}
		f.h = l.build(&f.buf)
		return f
	}}
	l.probe = l.build(io.Discard)
	return l
}

// build returns newInner's handler writing to w, with the attributes and groups of l.
func (l *lineHandler) build(w io.Writer) slog.Handler {
	h := l.newInner(w)
	for _, d := range l.derive {
		h = d(h)
	}
	return h
}

func (l *lineHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return l.probe.Enabled(ctx, level)
}

func (l *lineHandler) Handle(ctx context.Context, r slog.Record) error {
	f := l.pool.Get().(*lineFormatter)
	f.buf.Reset()
	err := f.h.Handle(ctx, r)
	if err == nil {
		_, err = l.out.Write(f.buf.Bytes())
	}
	if f.buf.Cap() <= 64<<10 { // a huge line does not keep its buffer
		l.pool.Put(f)
	}
	return err
}

func (l *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return l
	}
	return l.with(func(h slog.Handler) slog.Handler { return h.WithAttrs(attrs) })
}

func (l *lineHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return l
	}
	return l.with(func(h slog.Handler) slog.Handler { return h.WithGroup(name) })
}

func (l *lineHandler) with(d func(slog.Handler) slog.Handler) *lineHandler {
	derive := append(append([]func(slog.Handler) slog.Handler(nil), l.derive...), d)
	return newLineHandler(l.out, l.newInner, derive...)
}
