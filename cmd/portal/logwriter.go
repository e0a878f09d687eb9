package main

import (
	"io"
	"sync"
	"time"
)

// logFlushEvery is how long a log line may wait in logWriter's buffer; logBufferBytes is
// how much may wait before it is written out at once; logBufferMost how much may wait at
// all: a write that finds that much waiting (the output is slower than the lines come)
// writes it out itself.
const (
	logFlushEvery  = 100 * time.Millisecond
	logBufferBytes = 32 << 10
	logBufferMost  = 1 << 20
)

// logWriter buffers the log on its way to stderr and writes it out every logFlushEvery, or
// as soon as logBufferBytes are waiting, instead of one write call per line: the request
// log is a line per request, and under load a system call per line is a cost of its own.
// A line reaches stderr at most logFlushEvery late; Close writes out what waits. Safe for
// concurrent use.
//
// Every request's goroutine writes its line through it, and the logger holds its own lock
// while it does: so a line only joins the buffer, under mu, and the buffer is written out
// by the flushing goroutine, under outMu alone, while the next lines gather in the other
// buffer. A write that fills the buffer wakes that goroutine instead of writing it out
// itself. (With the write call made under the logger's lock, as a bufio.Writer did, each
// write out of 32 KB parked every request that logged meanwhile: under 200 connections
// the logger's lock was the process's most waited-for.)
type logWriter struct {
	mu  sync.Mutex
	buf []byte // the lines waiting

	outMu sync.Mutex // held while a buffer is written out, so buffers go out in order
	out   io.Writer
	spare []byte // the buffer written out last, for the lines after the next; under outMu

	full chan struct{} // wakes the flushing goroutine: the buffer is full
	stop chan struct{}
	done chan struct{}
}

func newLogWriter(w io.Writer) *logWriter { return newLogWriterEvery(w, logFlushEvery) }

// newLogWriterEvery returns a logWriter that writes out what waits every d.
func newLogWriterEvery(w io.Writer, d time.Duration) *logWriter {
	l := &logWriter{out: w, buf: make([]byte, 0, logBufferBytes),
		full: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go l.flushEvery(d)
	return l
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf = append(l.buf, p...)
	n := len(l.buf)
	l.mu.Unlock()
	switch {
	case n >= logBufferMost:
		if err := l.Flush(); err != nil {
			return len(p), err
		}
	case n >= logBufferBytes:
		select {
		case l.full <- struct{}{}:
		default: // woken already
		}
	}
	return len(p), nil
}

// Flush writes out what waits.
func (l *logWriter) Flush() error {
	l.outMu.Lock()
	defer l.outMu.Unlock()
	l.mu.Lock()
	b := l.buf
	l.buf = l.spare[:0]
	l.mu.Unlock()
	if len(b) == 0 {
		l.spare = b
		return nil
	}
	_, err := l.out.Write(b)
	if cap(b) <= 4*logBufferBytes { // one huge line does not keep its buffer
		l.spare = b
	} else {
		l.spare = nil
	}
	return err
}

func (l *logWriter) flushEvery(d time.Duration) {
	defer close(l.done)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_ = l.Flush()
		case <-l.full:
			_ = l.Flush()
		}
	}
}

// Close stops the flushing and writes out what waits. Lines written after it still go
// out, at the next Close or never: call it last.
func (l *logWriter) Close() error {
	select {
	case <-l.stop:
	default:
		close(l.stop)
		<-l.done
	}
	return l.Flush()
}
