package accounts

import "testing"

// TestDummyHash checks that the hash checked for unknown e-mails costs what a real check
// costs: it must be parsable and made with the current parameters.
func TestDummyHash(t *testing.T) {
	if NeedsRehash(dummyHash) {
		t.Errorf("dummyHash is not a hash with the current parameters: make a new one with HashPassword")
	}
}
