package store

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gobidialogue/portal"
)

// translate turns a driver error into what callers of the store expect: no document becomes
// notFound (an ENOTFOUND error), a duplicate key an ECONFLICT error, and anything else an
// internal error that says what the store was doing. Messages of the first two are for users;
// the conflict keeps the driver error as its cause, for the log.
func translate(err error, notFound *portal.Error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	switch {
	case notFound != nil && errors.Is(err, mongo.ErrNoDocuments):
		return notFound
	case mongo.IsDuplicateKeyError(err):
		return &portal.Error{Code: portal.ECONFLICT, Message: what + ": it was changed at the same time; try again", Err: err}
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// IsUnavailable reports whether err says that the database could not be reached or did not
// answer in time, as opposed to a failed operation. /healthz and the CLI use it to tell
// "the database is down" from a bug. Such errors are internal errors for portal.ErrorCode.
func IsUnavailable(err error) bool {
	return mongo.IsTimeout(err) ||
		mongo.IsNetworkError(err) ||
		errors.Is(err, mongo.ErrClientDisconnected)
}

// uriError reports that the store failed to do something with the server at uri. The URI
// appears with its password redacted, and so does any echo of the password in err.
func uriError(what, uri string, err error) error {
	msg := fmt.Sprintf("store: %s %s: %v", what, RedactURI(uri), err)
	for _, pw := range passwords(uri) {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return &redactedError{msg: msg, err: err}
}

// redactedError carries a message scrubbed of secrets but keeps the cause for errors.Is/As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactURI returns uri with the password in its user information, and the value of any
// option whose name mentions a password, replaced by "xxxxx". It works on MongoDB URIs that
// net/url rejects, such as a Unix socket path escaped into the host.
func RedactURI(uri string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return uri
	}
	authority, query, hasQuery := strings.Cut(rest, "?")
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		if user, _, hasPW := strings.Cut(authority[:at], ":"); hasPW {
			authority = user + ":xxxxx" + authority[at:]
		}
	}
	if hasQuery {
		query = redactQuery(query)
		authority += "?" + query
	}
	return scheme + "://" + authority
}

// redactQuery hides option values such as tlsCertificateKeyFilePassword.
func redactQuery(query string) string {
	opts := strings.Split(query, "&")
	for i, opt := range opts {
		if k, _, ok := strings.Cut(opt, "="); ok && strings.Contains(strings.ToLower(k), "password") {
			opts[i] = k + "=xxxxx"
		}
	}
	return strings.Join(opts, "&")
}

// passwords returns the password in uri's user information as written and unescaped, the
// forms in which a driver error might echo it. Passwords shorter than 4 bytes are not
// returned: scrubbing them would garble the message and they protect nothing anyway.
func passwords(uri string) []string {
	_, rest, _ := strings.Cut(uri, "://")
	authority, _, _ := strings.Cut(rest, "?")
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return nil
	}
	_, pw, _ := strings.Cut(authority[:at], ":")
	if len(pw) < 4 {
		return nil
	}
	out := []string{pw}
	if u, err := url.PathUnescape(pw); err == nil && u != pw {
		out = append(out, u)
	}
	return out
}
