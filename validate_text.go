package portal

import (
	"unicode"
	"unicode/utf8"
)

// Limits of the texts of the directory, in bytes: the forms refuse longer ones, and so do
// DirectoryOrg.Validate and the HSDS import.
const (
	MaxLineBytes = 300  // a one-line text: a name
	MaxTextBytes = 5000 // a multi-line text: a description, an address
)

// TextProblem says what is wrong with a text, as a stable code that a form translates.
type TextProblem string

const (
	// TextTooLong is a text longer than its field allows.
	TextTooLong TextProblem = "too_long"
	// TextInvalid is a text that is not UTF-8 or holds a control character (NUL, a
	// terminal's escape, a line end in a one-line field).
	TextInvalid TextProblem = "invalid"
	// TextBidi is a one-line text holding a control of the direction of text
	// (IsBidiControl): "NGO " + U+202E + "gnp.exe" shows as "NGO exe.png".
	TextBidi TextProblem = "bidi"
)

// CheckText returns what is wrong with s, or "" when nothing is: more than max bytes (no
// limit when max is 0), not valid UTF-8, a control character (line ends and tabs are
// allowed in a multi-line text), or, in a one-line text, a bidirectional control.
func CheckText(s string, max int, oneLine bool) TextProblem {
	switch {
	case max > 0 && len(s) > max:
		return TextTooLong
	case !utf8.ValidString(s):
		return TextInvalid
	}
	bidi := false
	for _, r := range s {
		switch {
		case unicode.IsControl(r) && (oneLine || r != '\n' && r != '\t'):
			return TextInvalid
		case oneLine && IsBidiControl(r):
			bidi = true
		}
	}
	if bidi {
		return TextBidi
	}
	return ""
}

// IsBidiControl reports whether r changes the direction in which the text around it is
// shown: the embeddings and overrides U+202A to U+202E, the isolates U+2066 to U+2069, and
// the marks U+200E, U+200F and U+061C. The portal's languages are both written left to
// right, so no name needs one; the marks are refused with the rest because they are
// invisible, and so make two names that look the same differ.
func IsBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// ValidText checks the text s of field as CheckText does, and returns nil or an EINVALID
// error marking field, with a message in English.
func ValidText(field, s string, max int, oneLine bool) error {
	switch CheckText(s, max, oneLine) {
	case TextTooLong:
		return FieldError(field, "longer than %d bytes", max)
	case TextInvalid:
		if oneLine {
			return FieldError(field, "not valid UTF-8, or holds a control character or a line end")
		}
		return FieldError(field, "not valid UTF-8, or holds a control character")
	case TextBidi:
		return FieldError(field, "holds an invisible character that changes the direction of the text (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F or U+061C)")
	}
	return nil
}
