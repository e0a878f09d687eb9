package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/internal/testkit/storetest"
	"github.com/gobidialogue/portal/store"
)

func TestMeta(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.Open(t)
	for _, v := range []string{"2025-03-14", "", "дахин"} {
		if err := db.SetMeta(ctx, "starter_imported", v); err != nil {
			t.Fatalf("SetMeta(%q): %v", v, err)
		}
		got, err := db.GetMeta(ctx, "starter_imported")
		if err != nil || got != v {
			t.Errorf("GetMeta = %q, %v; want %q", got, err, v)
		}
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	if err := db.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Ping(ctx); err == nil || portal.ErrorCode(err) != portal.EINTERNAL {
		t.Errorf("Ping with a cancelled context = %v, want an internal error", err)
	}
}

// TestOpenTwice checks that creating the indexes again, as every start does, succeeds.
func TestOpenTwice(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	ctx := context.Background()
	again, err := store.Open(ctx, storetest.URI(t), db.Name())
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	if err := again.Close(ctx); err != nil {
		t.Error(err)
	}
}

func TestOpenFailsClearlyAndQuickly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, uri string
		want      []string // in the error
		notWant   string   // a secret
	}{
		{"nobody listening", "mongodb://portal:s3cret-pw@127.0.0.1:1/?connectTimeoutMS=200",
			[]string{"store: reach mongodb://portal:xxxxx@127.0.0.1:1/", "127.0.0.1:1"}, "s3cret-pw"},
		{"not a URI", "postgres://portal:s3cret-pw@db/", []string{"store: connect to postgres://portal:xxxxx@db/"}, "s3cret-pw"},
		{"bad option", "mongodb://127.0.0.1/?tlsCertificateKeyFilePassword=s3cret-pw&bogus", []string{"store: connect to"}, "s3cret-pw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			db, err := store.Open(ctx, tt.uri, "portal")
			if err == nil {
				db.Close(ctx)
				t.Fatal("Open succeeded")
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("Open took %v", d)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("error %q reveals %q", err, tt.notWant)
			}
		})
	}
}

func TestOpenUnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := store.Open(ctx, "mongodb://127.0.0.1:1/", "portal")
	if !store.IsUnavailable(err) || portal.ErrorCode(err) != portal.EINTERNAL {
		t.Errorf("Open = %v: IsUnavailable %v, code %q; want true, %q", err, store.IsUnavailable(err), portal.ErrorCode(err), portal.EINTERNAL)
	}
	if store.IsUnavailable(errors.New("other")) || store.IsUnavailable(portal.Errorf(portal.ENOTFOUND, "x")) {
		t.Error("IsUnavailable is true for an unrelated error")
	}
}

func TestRedactURI(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"mongodb://localhost:27017/", "mongodb://localhost:27017/"},
		{"mongodb://user:pa%40ss@h1:27017,h2:27017/db?replicaSet=rs0", "mongodb://user:xxxxx@h1:27017,h2:27017/db?replicaSet=rs0"},
		{"mongodb+srv://user:pw@cluster0.example.net/?retryWrites=true", "mongodb+srv://user:xxxxx@cluster0.example.net/?retryWrites=true"},
		{"mongodb://user@host/", "mongodb://user@host/"},
		{"mongodb://%2Ftmp%2Fportal%2Fmongodb.sock/", "mongodb://%2Ftmp%2Fportal%2Fmongodb.sock/"},
		{"mongodb://h/?tls=true&tlsCertificateKeyFilePassword=pw", "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=xxxxx"},
		{"not a uri", "not a uri"},
	}
	for _, tt := range tests {
		if got := store.RedactURI(tt.in); got != tt.want {
			t.Errorf("RedactURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
