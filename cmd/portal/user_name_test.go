package main

import (
	"strings"
	"testing"
)

// TestUserCreateChecksName: `portal user create --name` gets the checks of every other
// name field: no control character (a NUL, a terminal's escape), no line end, no bidi
// control. Nothing is created, and the message does not repeat the name.
func TestUserCreateChecksName(t *testing.T) {
	data := t.TempDir()
	for _, name := range []string{"Бат\x00", "Bat\x1b]0;owned\x07", "Bat\nAdmin", "Bat \u202enimda", "\u2066Бат"} {
		stdout, stderr, err := runCmd(t, "user", "create", "--data", data, "--email", "bat@example.mn", "--name", name, "--role", "admin")
		if err == nil {
			t.Fatalf("user create --name %q succeeded: %s", name, stdout)
		}
		msg := errText(err) + stderr
		if !strings.Contains(msg, "name") || strings.ContainsAny(msg, "\x00\x1b\u202e\u2066") {
			t.Errorf("--name %q: %q", name, msg)
		}
	}
	// Nothing was stored: the address is free.
	if _, stderr, err := runCmd(t, "user", "create", "--data", data, "--email", "bat@example.mn", "--name", "Бат <b>Б.</b>", "--role", "admin"); err != nil {
		t.Fatalf("a good name after the refusals: %v\n%s", err, stderr)
	}
}
