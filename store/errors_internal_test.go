package store

import (
	"errors"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gobidialogue/portal"
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	notFound := portal.Errorf(portal.ENOTFOUND, "guideline en:x not found")
	dup := mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key"}}}
	tests := []struct {
		name     string
		err      error
		notFound *portal.Error
		code     string
		text     string
	}{
		{"nil", nil, notFound, "", ""},
		{"no document", mongo.ErrNoDocuments, notFound, portal.ENOTFOUND, "guideline en:x not found"},
		{"no document where none is expected", mongo.ErrNoDocuments, nil, portal.EINTERNAL, "store: find guideline en:x: mongo: no documents"},
		{"duplicate key", dup, nil, portal.ECONFLICT, "find guideline en:x: it was changed at the same time; try again"},
		{"other", errors.New("boom"), notFound, portal.EINTERNAL, "store: find guideline en:x: boom"},
	}
	for _, tt := range tests {
		got := translate(tt.err, tt.notFound, "find guideline %s", "en:x")
		if code := portal.ErrorCode(got); code != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, code, tt.code)
		}
		if got != nil && !strings.Contains(got.Error(), tt.text) {
			t.Errorf("%s: error %q does not contain %q", tt.name, got, tt.text)
		}
		// WriteException is not comparable, so errors.Is cannot find it; look for it by type.
		if tt.err != nil && tt.code != portal.ENOTFOUND && !errors.Is(got, tt.err) && !mongo.IsDuplicateKeyError(got) {
			t.Errorf("%s: the cause is lost: %v", tt.name, got)
		}
	}
}
