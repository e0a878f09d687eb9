package accounts_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/accounts"
)

func TestHashPassword(t *testing.T) {
	const pw = "Говийн элс 2024 ногоон"
	hash, err := accounts.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %q, want argon2id PHC with OWASP parameters", hash)
	}
	if !accounts.CheckPassword(hash, pw) {
		t.Error("CheckPassword(hash, pw) = false, want true")
	}
	for _, wrong := range []string{"", "говийн элс 2024 ногоон", pw + " ", pw[:len(pw)-1]} {
		if accounts.CheckPassword(hash, wrong) {
			t.Errorf("CheckPassword(hash, %q) = true, want false", wrong)
		}
	}
	again, err := accounts.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if accounts.NeedsRehash(hash) {
		t.Error("NeedsRehash(new hash) = true, want false")
	}
}

// weakHash returns a hash of pw with parameters below the current ones, m=8192,t=1,p=2,
// as if made before they were raised.
func weakHash(pw string) string {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(pw), salt, 1, 8*1024, 2, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=2$%s$%s", b64.EncodeToString(salt), b64.EncodeToString(key))
}

// TestCheckPasswordOtherParameters checks that the parameters are read from the stored
// hash, so hashes made before the defaults were raised still verify.
func TestCheckPasswordOtherParameters(t *testing.T) {
	hash := weakHash("old password 1")
	if !accounts.CheckPassword(hash, "old password 1") {
		t.Error("CheckPassword with m=8192,t=1,p=2 = false, want true")
	}
	if accounts.CheckPassword(hash, "old password 2") {
		t.Error("CheckPassword(wrong) = true, want false")
	}
	if !accounts.NeedsRehash(hash) {
		t.Error("NeedsRehash(weaker hash) = false, want true")
	}
}

func TestCheckPasswordRejectsGarbage(t *testing.T) {
	good, err := accounts.HashPassword("a fine password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", "argon2id", "v=19", params, salt, hash
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := map[string]string{
		"empty":            "",
		"plain text":       "a fine password",
		"bcrypt":           "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":          with(1, "argon2i"),
		"version 16":       with(2, "v=16"),
		"no version":       strings.Join(append(parts[:2:2], parts[3:]...), "$"),
		"params reordered": with(3, "t=2,m=19456,p=1"),
		"params missing":   with(3, "m=19456,t=2"),
		"zero time":        with(3, "m=19456,t=0,p=1"),
		"zero threads":     with(3, "m=19456,t=2,p=0"),
		"leading zero":     with(3, "m=019456,t=2,p=1"),
		"huge memory":      with(3, "m=4194304,t=2,p=1"),
		"huge time":        with(3, "m=19456,t=1000,p=1"),
		"negative":         with(3, "m=-1,t=2,p=1"),
		"salt not base64":  with(4, "!!!!"),
		"salt padded":      with(4, parts[4]+"=="),
		"salt too short":   with(4, "YWJj"),
		"hash not base64":  with(5, "%%%"),
		"hash too short":   with(5, "YWJj"),
		"extra field":      good + "$x",
		"trailing dollar":  good + "$",
		"leading text":     "x" + good,
	}
	for name, hash := range tests {
		t.Run(name, func(t *testing.T) {
			if accounts.CheckPassword(hash, "a fine password") {
				t.Errorf("CheckPassword(%q) = true, want false", hash)
			}
			if !accounts.NeedsRehash(hash) {
				t.Errorf("NeedsRehash(%q) = false, want true", hash)
			}
		})
	}
}

func TestValidatePassword(t *testing.T) {
	const email, name = "Bat-Erdene.Dorj@mining.mn", "Бат-Эрдэнэ Дорж"
	tests := []struct {
		name, pw string
		want     accounts.PasswordProblem
	}{
		{"long enough", "tall camels cross", ""},
		{"nine characters", "abcdefgh9", accounts.PasswordTooShort},
		{"empty", "", accounts.PasswordTooShort},
		{"ten Cyrillic characters (20 bytes)", "тэмээнүүдх", ""},
		{"nine Cyrillic characters (18 bytes)", "тэмээнүүд", accounts.PasswordTooShort},
		{"200 bytes", strings.Repeat("ab", 100), ""},
		{"201 bytes", strings.Repeat("ab", 100) + "c", accounts.PasswordTooLong},
		{"101 Cyrillic characters (202 bytes)", strings.Repeat("ө", 101), accounts.PasswordTooLong},
		{"common", "1234567890", accounts.PasswordCommon},
		{"common, other case", "BaseBall12", accounts.PasswordCommon},
		{"common in Mongolia", "Ulaanbaatar", accounts.PasswordCommon},
		{"common in Cyrillic", "УЛААНБААТАР", accounts.PasswordCommon},
		{"Mongolian keyboard row", "фцужэнгшүз", accounts.PasswordCommon},
		{"e-mail local part", "bat-erdene.dorj", accounts.PasswordPersonal},
		{"contains e-mail local part", "xxbat-erdene.dorj!!", accounts.PasswordPersonal},
		{"contains a word of the e-mail", "Dorj-family-2024", accounts.PasswordPersonal},
		{"contains the name", "миний нэр бат-эрдэнэ", accounts.PasswordPersonal},
		{"contains the name without spaces", "Бат-ЭрдэнэДорж1", accounts.PasswordPersonal},
		{"contains a short part of the name", "combat zone 99", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := accounts.ValidatePassword(tt.pw, email, name)
			if got := accounts.PasswordProblemOf(err); got != tt.want {
				t.Fatalf("ValidatePassword(%q) problem = %q (err %v), want %q", tt.pw, got, err, tt.want)
			}
			if tt.want == "" {
				return
			}
			var e *portal.Error
			if !errors.As(err, &e) || e.Code != portal.EINVALID || e.Fields["password"] == "" {
				t.Errorf("ValidatePassword(%q) = %#v, want an EINVALID error marking the password field", tt.pw, err)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("errors.Is(err, %q) = false", tt.want)
			}
		})
	}
}

func TestPasswordProblemOfOtherErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("x"), portal.FieldError("password", "x")} {
		if got := accounts.PasswordProblemOf(err); got != "" {
			t.Errorf("PasswordProblemOf(%v) = %q, want empty", err, got)
		}
	}
}

func TestCommonPasswords(t *testing.T) {
	for _, pw := range []string{"123456", "password", "qwerty", "dragon", "iloveyou", "mongolia", "99119911", "монгол", "нууцүг123"} {
		if !accounts.IsCommonPassword(pw) {
			t.Errorf("IsCommonPassword(%q) = false, want true", pw)
		}
	}
	for _, pw := range []string{"", "#", "tall camels cross", "Part 1: the 10,000 most common."} {
		if accounts.IsCommonPassword(pw) {
			t.Errorf("IsCommonPassword(%q) = true, want false", pw)
		}
	}
}

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		token, id := accounts.NewToken()
		if len(token) != 43 || strings.ContainsAny(token, "+/=") {
			t.Fatalf("token %q is not 32 bytes of unpadded base64url", token)
		}
		if b, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(b) != 32 {
			t.Fatalf("token %q does not decode to 32 bytes: %v", token, err)
		}
		if len(id) != 64 || id != accounts.TokenID(token) {
			t.Fatalf("id = %q, want TokenID(token) = %q", id, accounts.TokenID(token))
		}
		if seen[token] {
			t.Fatalf("token %q twice", token)
		}
		seen[token] = true
	}
	// SHA-256 of "abc", a published test vector.
	if got, want := accounts.TokenID("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("TokenID(abc) = %s, want %s", got, want)
	}
}
