package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// NewToken returns a new secret token for a cookie or a link (32 random bytes, base64url
// without padding) and the ID under which it is stored: its SHA-256 in hex. Only the ID
// is stored, so a copy of the database holds no usable token.
func NewToken() (token, id string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand crashes the program rather than return an error
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenID(token)
}

// TokenID returns the stored ID of token: its SHA-256 in hex.
func TokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newUserID returns a random user ID: 128 bits in lower-case base32, 26 characters.
func newUserID() string {
	return strings.ToLower(rand.Text())
}
