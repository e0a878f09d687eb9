package accounts

import (
	_ "embed"
	"errors"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gobidialogue/portal"
)

// Password length limits. The minimum counts characters, so a Mongolian Cyrillic password
// (two bytes a letter) is held to the same rule as a Latin one; the maximum counts bytes,
// which is what hashing costs.
const (
	MinPasswordRunes = 10
	MaxPasswordBytes = 200
)

// PasswordProblem says why a password was refused, as a stable code that the UI translates.
// It is the cause wrapped in the *portal.Error that ValidatePassword returns.
type PasswordProblem string

const (
	PasswordTooShort PasswordProblem = "too_short"
	PasswordTooLong  PasswordProblem = "too_long"
	PasswordCommon   PasswordProblem = "common"
	PasswordPersonal PasswordProblem = "personal"
)

// Error implements error, so that a PasswordProblem can be the cause of a *portal.Error.
func (p PasswordProblem) Error() string { return string(p) }

// PasswordProblemOf returns the problem ValidatePassword found in err, or "" when err is not
// a refused password.
func PasswordProblemOf(err error) PasswordProblem {
	var p PasswordProblem
	if errors.As(err, &p) {
		return p
	}
	return ""
}

// ValidatePassword checks a new password for the person with email and name: at least
// MinPasswordRunes characters, at most MaxPasswordBytes bytes, not one of the common
// passwords, and not containing the e-mail's local part or the person's name. It returns
// an EINVALID *portal.Error marking the "password" field, whose cause is a PasswordProblem.
func ValidatePassword(pw, email, name string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordRunes:
		return passwordError(PasswordTooShort, "a password needs at least %d characters", MinPasswordRunes)
	case len(pw) > MaxPasswordBytes:
		return passwordError(PasswordTooLong, "a password may be at most %d bytes long", MaxPasswordBytes)
	case IsCommonPassword(pw):
		return passwordError(PasswordCommon, "this password is one of the most common ones: choose another")
	case containsPersonal(pw, email, name):
		return passwordError(PasswordPersonal, "a password must not contain your e-mail address or your name")
	}
	return nil
}

func passwordError(p PasswordProblem, format string, args ...any) *portal.Error {
	e := portal.FieldError("password", format, args...)
	e.Err = p
	return e
}

// minPersonal is the shortest part of a name or e-mail that a password may not contain:
// shorter ones ("bat", "od") occur inside too many unrelated words.
const minPersonal = 4

// containsPersonal reports whether pw contains, ignoring case, the local part of email, the
// whole name without spaces, or any word of either of at least minPersonal characters.
func containsPersonal(pw, email, name string) bool {
	pw = strings.ToLower(pw)
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	name = strings.ToLower(name)
	parts := []string{local, strings.Join(strings.Fields(name), "")}
	notWord := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
	parts = append(parts, strings.FieldsFunc(local, notWord)...)
	parts = append(parts, strings.FieldsFunc(name, notWord)...)
	for _, p := range parts {
		if utf8.RuneCountInString(p) >= minPersonal && strings.Contains(pw, p) {
			return true
		}
	}
	return false
}

//go:embed common-passwords.txt
var commonPasswordsFile string

// commonPasswords is the embedded list as a set, built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 12000)
	for line := range strings.Lines(commonPasswordsFile) {
		line = strings.TrimRight(line, "\r\n")
		if line != "" && !strings.HasPrefix(line, "#") {
			set[line] = struct{}{}
		}
	}
	return set
})

// IsCommonPassword reports whether pw, ignoring case, is in the embedded list of common
// passwords.
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(pw)]
	return ok
}
