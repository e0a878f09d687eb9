package accounts

import (
	"fmt"
	"time"

	"github.com/gobidialogue/portal"
)

// Errors that callers tell apart with errors.Is, for instance to show a translated message.
// Each is a *portal.Error, so portal.ErrorCode and portal.ErrorMessage work on them.
var (
	// ErrWrongCredentials refuses a sign-in with e-mail and password. It reads the same
	// whether the e-mail is unknown, the password wrong or the account disabled, so that
	// nobody learns which addresses have accounts.
	ErrWrongCredentials = portal.Errorf(portal.EUNAUTHORIZED, "wrong e-mail or password")
	// ErrThrottled refuses a sign-in because of too many failures; it is returned wrapped in
	// a *ThrottledError that says how long to wait.
	ErrThrottled = portal.Errorf(portal.EUNAUTHORIZED, "too many failed sign-ins: wait a little and try again")
	// ErrSessionEnded is what Authenticate returns for any session that does not sign
	// anyone in: unknown, expired, signed out everywhere, or of a disabled account.
	ErrSessionEnded = portal.Errorf(portal.EUNAUTHORIZED, "your session has ended: please sign in again")
	// ErrDisabled refuses a person whose account is disabled, where saying so reveals
	// nothing (they proved who they are with a link or a provider).
	ErrDisabled = portal.Errorf(portal.EUNAUTHORIZED, "this account is disabled")
	// ErrNoAccount refuses a provider sign-in that no account is linked to: accounts are
	// made only through invitations.
	ErrNoAccount = portal.Errorf(portal.EUNAUTHORIZED, "no account uses this sign-in: ask the secretariat for an invitation")

	// One-time links (invitations, resets, sign-in links) that cannot be used.
	ErrLinkInvalid = portal.Errorf(portal.EINVALID, "this link is not valid")
	ErrLinkExpired = portal.Errorf(portal.EINVALID, "this link has expired")
	ErrLinkUsed    = portal.Errorf(portal.EINVALID, "this link has already been used")
	ErrLinkRevoked = portal.Errorf(portal.EINVALID, "this link has been withdrawn")

	// ErrOtherEmail refuses an invitation accepted under another e-mail address.
	ErrOtherEmail = portal.Errorf(portal.EFORBIDDEN, "this invitation is for another e-mail address")
)

// ThrottledError refuses a sign-in because the account or the client failed too often. It
// wraps ErrThrottled, so portal.ErrorCode gives EUNAUTHORIZED and errors.Is(err,
// ErrThrottled) holds.
type ThrottledError struct {
	Wait time.Duration // until the next attempt is allowed
}

// Error implements error.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%v (%v to wait)", ErrThrottled, e.Wait.Round(time.Second))
}

// Unwrap returns ErrThrottled.
func (e *ThrottledError) Unwrap() error { return ErrThrottled }
