package portal

import (
	"errors"
	"fmt"
)

// Error codes, shared by every layer. Handlers turn them into HTTP statuses; the CLI into
// exit messages.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "too_large"
	EUNAVAILABLE  = "unavailable"
)

// Error is an application error: a code, and a message safe to show a user. Internal
// errors carry no user message; their cause is wrapped in Err and only logged.
type Error struct {
	Code    string
	Message string
	// Fields names the form fields or parameters in error, with a message for each, so that
	// a form can mark them.
	Fields map[string]string
	Err    error
}

// Error implements the error interface.
func (e *Error) Error() string {
	switch {
	case e.Message != "" && e.Err != nil:
		return fmt.Sprintf("portal %s: %s: %v", e.Code, e.Message, e.Err)
	case e.Message != "":
		return fmt.Sprintf("portal %s: %s", e.Code, e.Message)
	case e.Err != nil:
		return fmt.Sprintf("portal %s: %v", e.Code, e.Err)
	}
	return "portal " + e.Code
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error that marks one field.
func FieldError(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err, or "" for internal errors, whose
// details must never reach a user.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return ""
}
