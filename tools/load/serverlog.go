package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ServerLog is what the portal's own log says about the run: the requests it served
// during the load with the time it took (from its request log, so a slow request that the
// server handled fast was queued or slowed outside the handler), and its warnings and
// errors.
type ServerLog struct {
	Path       string   `json:"path"`
	Requests   int      `json:"requests_during_load"`
	OverLimit  int      `json:"server_over_limit"`
	MaxMS      float64  `json:"server_max_ms"`
	MaxPath    string   `json:"server_max_path,omitempty"`
	Warnings   int      `json:"warnings"`
	Errors     int      `json:"errors"`
	Lines      []string `json:"warning_and_error_lines,omitempty"` // the first few
	Imported   []string `json:"start_messages,omitempty"`          // what the start imported
	ParseError string   `json:"parse_error,omitempty"`
}

func (l *ServerLog) summary() string {
	s := fmt.Sprintf("%d requests logged during the load, %d over the limit by the server's own timing (max %.1f ms %s); %d warnings, %d errors",
		l.Requests, l.OverLimit, l.MaxMS, l.MaxPath, l.Warnings, l.Errors)
	if len(l.Imported) > 0 {
		s += "; at start: " + strings.Join(l.Imported, "; ")
	}
	if l.ParseError != "" {
		s += " (" + l.ParseError + ")"
	}
	return s
}

// maxLogLines is how many warning and error lines the report quotes.
const maxLogLines = 12

// readServerLog reads the portal's text log at path; from and to bound the load.
func readServerLog(path string, from, to time.Time, limit time.Duration) *ServerLog {
	l := &ServerLog{Path: path}
	f, err := os.Open(path)
	if err != nil {
		l.ParseError = err.Error()
		return l
	}
	defer f.Close()
	l.scan(f, from, to, limit)
	return l
}

// scan reads log lines in slog's text format (key=value, values with spaces quoted).
func (l *ServerLog) scan(r io.Reader, from, to time.Time, limit time.Duration) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	seen := map[string]bool{}
	for sc.Scan() {
		line := sc.Text()
		kv := logFields(line)
		switch kv["level"] {
		case "WARN", "ERROR":
			if kv["level"] == "WARN" {
				l.Warnings++
			} else {
				l.Errors++
			}
			short := oneLine(strings.TrimSpace(strings.TrimPrefix(line, "time="+kv["time"])))
			if len(l.Lines) < maxLogLines && !seen[short] {
				seen[short] = true
				l.Lines = append(l.Lines, short)
			}
		}
		switch msg := kv["msg"]; {
		case msg == "request":
			l.request(kv, from, to, limit)
		case strings.HasPrefix(msg, "imported starter"):
			l.Imported = append(l.Imported, oneLine(strings.TrimSpace(strings.TrimPrefix(line, "time="+kv["time"]))))
		}
	}
	if err := sc.Err(); err != nil {
		l.ParseError = err.Error()
	}
}

// request counts one request-log line, when it was logged during the load.
func (l *ServerLog) request(kv map[string]string, from, to time.Time, limit time.Duration) {
	t, err := time.Parse(time.RFC3339Nano, kv["time"])
	if err != nil || t.Before(from) || t.After(to) {
		return
	}
	d, err := time.ParseDuration(kv["duration"])
	if err != nil {
		return
	}
	l.Requests++
	if limit > 0 && d > limit {
		l.OverLimit++
	}
	if m := ms(d); m > l.MaxMS {
		l.MaxMS, l.MaxPath = m, kv["path"]
	}
}

// logFields splits a slog text line into its keys and values (quoted values unquoted
// roughly: enough for time, level, msg, path and duration).
func logFields(line string) map[string]string {
	kv := map[string]string{}
	for len(line) > 0 {
		line = strings.TrimLeft(line, " ")
		k, rest, ok := strings.Cut(line, "=")
		if !ok || strings.ContainsAny(k, " \"") {
			break
		}
		var v string
		if strings.HasPrefix(rest, `"`) {
			end := closingQuote(rest)
			v, line = strings.ReplaceAll(rest[1:end], `\"`, `"`), rest[min(end+1, len(rest)):]
		} else {
			v, line, _ = strings.Cut(rest, " ")
		}
		kv[k] = v
	}
	return kv
}

// closingQuote returns the index of the quote that ends the quoted value s starts with,
// or len(s)-1 when there is none.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(s) - 1
}
