package main

import (
	"strings"
	"testing"
	"time"
)

func TestLogFields(t *testing.T) {
	kv := logFields(`time=2026-11-27T20:00:01.250+08:00 level=INFO msg=request method=GET path="/directory/services/a b" status=200 bytes=5120 duration=12.5ms client=127.0.0.1`)
	for k, want := range map[string]string{"level": "INFO", "msg": "request", "path": "/directory/services/a b", "duration": "12.5ms", "client": "127.0.0.1"} {
		if kv[k] != want {
			t.Errorf("%s = %q, want %q", k, kv[k], want)
		}
	}
	if kv := logFields(`time=x level=WARN msg="say \"hi\"" err="a=b"`); kv["msg"] != `say "hi"` || kv["err"] != "a=b" {
		t.Errorf("quoted: %q", kv)
	}
}

func TestServerLogScan(t *testing.T) {
	from := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	log := strings.Join([]string{
		`time=2026-11-27T11:59:00.000Z level=INFO msg="imported starter content" guidelines=4 revisions=8`,
		`time=2026-11-27T11:59:59.000Z level=INFO msg=request method=GET path=/healthz status=200 bytes=10 duration=900ms client=127.0.0.1`,
		`time=2026-11-27T12:00:01.000Z level=INFO msg=request method=GET path=/ status=200 bytes=10 duration=2ms client=127.0.0.1`,
		`time=2026-11-27T12:00:02.000Z level=INFO msg=request method=GET path=/directory status=200 bytes=10 duration=180.5ms client=127.0.0.1`,
		`time=2026-11-27T12:00:03.000Z level=ERROR msg=request method=GET path=/search status=500 bytes=10 duration=3ms client=127.0.0.1`,
		`time=2026-11-27T12:00:04.000Z level=WARN msg="search index not updated" err="boom"`,
		`not a log line`,
	}, "\n")
	l := &ServerLog{}
	l.scan(strings.NewReader(log), from, from.Add(time.Minute), 100*time.Millisecond)
	if l.Requests != 3 || l.OverLimit != 1 || l.MaxMS != 180.5 || l.MaxPath != "/directory" || l.Warnings != 1 || l.Errors != 1 || len(l.Lines) != 2 || len(l.Imported) != 1 {
		t.Errorf("scan = %+v", l)
	}
	if !strings.HasPrefix(l.Lines[0], "level=ERROR") {
		t.Errorf("lines: %q", l.Lines)
	}
}
