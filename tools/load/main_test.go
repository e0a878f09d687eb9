package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestLoopbackURL(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" means refused
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"http://127.1.2.3:9000", "http://127.1.2.3:9000"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"http://LOCALHOST", "http://LOCALHOST"},
		{"https://[::1]:8443", "https://[::1]:8443"},
		{"http://[::ffff:127.0.0.1]:80", "http://[::ffff:127.0.0.1]:80"},
		{"http://128.0.0.1:8080", ""},
		{"http://10.0.0.5:8080", ""},
		{"http://0.0.0.0:8080", ""},
		{"http://[::]:8080", ""},
		{"http://example.org", ""},
		{"http://localhost.example.org", ""},
		{"http://127.0.0.1.nip.io", ""},
		{"http://localhost@example.org", ""},
		{"http://user:pw@127.0.0.1", ""},
		{"ftp://127.0.0.1", ""},
		{"127.0.0.1:8080", ""},
		{"http://127.0.0.1:8080/directory", ""},
		{"http://127.0.0.1:8080/?x=1", ""},
	} {
		got, err := loopbackURL(tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("loopbackURL(%q) = %q, want it refused", tc.in, got)
		case tc.want != "" && err != nil:
			t.Errorf("loopbackURL(%q): %v", tc.in, err)
		case got != tc.want:
			t.Errorf("loopbackURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseTimes(t *testing.T) {
	got, err := parseTimes(" 2m, 5m30s,,")
	if err != nil || len(got) != 2 || got[0] != 2*time.Minute || got[1] != 5*time.Minute+30*time.Second {
		t.Errorf("parseTimes = %v, %v", got, err)
	}
	for _, none := range []string{"", "0", "off"} {
		if got, err := parseTimes(none); err != nil || len(got) != 0 {
			t.Errorf("parseTimes(%q) = %v, %v, want none", none, got, err)
		}
	}
	if _, err := parseTimes("soon"); err == nil {
		t.Error("parseTimes(soon): no error")
	}
}

func TestFlagsRefuse(t *testing.T) {
	for _, args := range [][]string{
		{"-url", "http://192.168.1.10:8080"},
		{"-duration", "16m"},
		{"-duration", "0s"},
		{"-workers", "0"},
		{"-signed-in", "1.5"},
		{"-write-at", "7m"}, // beyond the default 6m
		{"-seed-only"},      // no -data
		{"-pid", "12"},      // without -url
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q): no error", strings.Join(args, " "))
		}
	}
	cfg, err := parseFlags([]string{"-services", "2000", "-duration", "40s", "-write-at", "15s"}, io.Discard)
	if err != nil || cfg.services != 2000 || cfg.duration != 40*time.Second || len(cfg.writeAt) != 1 || cfg.maxLatency != 100*time.Millisecond || cfg.maxFailures != 0 {
		t.Errorf("parseFlags = %+v, %v", cfg, err)
	}
}

func TestAgeNote(t *testing.T) {
	if n := ageNote(-20*time.Second, []time.Duration{2 * time.Minute}); !strings.Contains(n, "write at 2m0s reloaded") {
		t.Errorf("a write before the age: %s", n)
	}
	if n := ageNote(-20*time.Second, []time.Duration{5 * time.Minute}); !strings.Contains(n, "by 280 s") {
		t.Errorf("a write after the age: %s", n)
	}
}
