package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2Params are the cost parameters of an argon2id hash.
type argon2Params struct {
	memory  uint32 // KiB
	time    uint32 // passes
	threads uint8
}

// defaultArgon2 is what HashPassword uses: OWASP's minimum for argon2id (19 MiB, two passes,
// one thread), which costs tens of milliseconds on the portal's small machines. Stored hashes
// carry their own parameters, so raising these later leaves old hashes valid, and
// SignInPassword rehashes a person's password the next time they sign in.
var defaultArgon2 = argon2Params{memory: 19 * 1024, time: 2, threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// Bounds on parameters read from a stored hash, so that a corrupt or hostile value in the
// database cannot make one check take gigabytes or minutes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 128
)

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of pw in PHC string format,
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>", with a fresh random salt.
func HashPassword(pw string) (string, error) {
	p := defaultArgon2
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("accounts: password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches hash. A hash that cannot be parsed matches
// nothing.
func CheckPassword(hash, pw string) bool {
	h, err := parseHash(hash)
	if err != nil {
		return false
	}
	key := argon2.IDKey([]byte(pw), h.salt, h.params.time, h.params.memory, h.params.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1
}

// NeedsRehash reports whether hash was made with parameters other than HashPassword's (or
// cannot be parsed), so that it should be replaced when the password is next known.
func NeedsRehash(hash string) bool {
	h, err := parseHash(hash)
	return err != nil || h.params != defaultArgon2 || len(h.key) != keyLen || len(h.salt) != saltLen
}

// phcHash is a parsed argon2id PHC string.
type phcHash struct {
	params argon2Params
	salt   []byte
	key    []byte
}

var errBadHash = errors.New("accounts: not an argon2id PHC hash")

// parseHash parses "$argon2id$v=19$m=M,t=T,p=P$salt$hash", refusing other algorithms and
// versions and parameters out of bounds.
func parseHash(s string) (*phcHash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, errBadHash
	}
	var h phcHash
	if err := h.params.parse(parts[3]); err != nil {
		return nil, err
	}
	var err error
	if h.salt, err = b64.Strict().DecodeString(parts[4]); err != nil || len(h.salt) < minSaltLen || len(h.salt) > maxSaltLen {
		return nil, errBadHash
	}
	if h.key, err = b64.Strict().DecodeString(parts[5]); err != nil || len(h.key) < minKeyLen || len(h.key) > maxKeyLen {
		return nil, errBadHash
	}
	return &h, nil
}

// parse reads "m=M,t=T,p=P", in that order, as the PHC format requires.
func (p *argon2Params) parse(s string) error {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return errBadHash
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok || v == "" || (len(v) > 1 && v[0] == '0') {
			return errBadHash
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return errBadHash
		}
		vals[i] = n
	}
	m, t, threads := vals[0], vals[1], vals[2]
	if threads < 1 || threads > 255 || t < 1 || t > maxTime || m < 8*threads || m > maxMemory {
		return errBadHash
	}
	*p = argon2Params{memory: uint32(m), time: uint32(t), threads: uint8(threads)}
	return nil
}

// dummyHash is checked against when there is no real hash to check (an unknown e-mail, an
// account without a password), so that such a sign-in takes as long as a real one. It is
// a hash with the current parameters of a password nobody has; a test keeps it current.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$sVG4FyDzRkh3eZvE3Uvgwg$2RlscoiwwUqnf7cw39DyhJIXxZkvwrIQktm3301pVZ0"
