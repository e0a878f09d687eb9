package accounts

import (
	"context"
	"time"

	"github.com/gobidialogue/portal"
)

// Device cookies (OWASP, "Slow down online guessing attacks with device cookies"): the
// throttle of an account locks out everyone who guesses its password, the owner too. A
// browser that has signed in to the account with its password holds a device token of
// the account, and is throttled apart: its failures count against its token alone, and
// the account's lockout, which every other browser shares, does not stop it. A token is
// random and only its hash is stored, like a session's, so it cannot be forged, and it
// names one account: a token of one's own account is no help against another's.
const (
	// DefaultDeviceTTL is how long a browser stays trusted after the sign-in that made its
	// token; the first sign-in after that makes a new one.
	DefaultDeviceTTL = 180 * 24 * time.Hour
	// MaxDevices is how many accounts' tokens one browser keeps: a computer shared in an
	// office signs several people in.
	MaxDevices = 4
)

// DeviceKey returns the throttle key of the browser holding the device token with id.
func DeviceKey(id string) string { return "device:" + id }

// PasswordSignIn is one attempt to sign in with e-mail and password.
type PasswordSignIn struct {
	Email, Password string
	// ClientIP is the client's address, "" when there is none (the CLI).
	ClientIP string
	// Devices are the device tokens the browser holds (its device cookie), newest first.
	Devices []string
}

// SignInWithDevice signs a person in as SignInPassword does, but throttles a browser that
// holds a valid device token of the account (one that signed in to it with the password
// before) by that token alone: while the token is not blocked itself, neither the account's
// failures nor the client address's stop it, and its failures count against the token
// only. A browser without one, or whose token is blocked, shares the account's throttle.
//
// On success it returns the tokens the browser keeps from now on: the account's first (a
// new one when the browser had none), then the others it had, at most MaxDevices. A
// trusted sign-in forgets the failures of its token, not the account's: those are the
// guesses of others.
func (s *Service) SignInWithDevice(ctx context.Context, a PasswordSignIn) (*portal.User, []string, error) {
	device, secret, err := s.trustedDevice(ctx, a.Email, a.Devices)
	if err != nil {
		return nil, nil, err
	}
	keys := []string{AccountKey(a.Email)}
	if a.ClientIP != "" {
		keys = append(keys, ClientKey(a.ClientIP))
	}
	if device != nil {
		wait, err := s.limiter().Wait(ctx, DeviceKey(device.ID))
		switch {
		case err != nil:
			return nil, nil, err
		case wait == 0:
			keys = []string{DeviceKey(device.ID)}
		default:
			device = nil // a blocked token is no better than none
		}
	}
	u, err := s.signIn(ctx, a.Email, a.Password, keys)
	if err != nil {
		return nil, nil, err
	}
	if device == nil {
		if secret, err = s.newDevice(ctx, u); err != nil {
			return nil, nil, err
		}
	}
	return u, keep(a.Devices, secret), nil
}

// trustedDevice returns the token among devices that marks the browser trusted for email
// now, and its secret; nil when there is none.
func (s *Service) trustedDevice(ctx context.Context, email string, devices []string) (*portal.Token, string, error) {
	e, err := portal.NormalizeEmail(email)
	if err != nil {
		return nil, "", nil
	}
	for _, secret := range devices[:min(len(devices), MaxDevices)] {
		if secret == "" {
			continue
		}
		t, err := s.Store.FindToken(ctx, TokenID(secret))
		switch {
		case portal.ErrorCode(err) == portal.ENOTFOUND:
			continue
		case err != nil:
			return nil, "", err
		case t.Kind == portal.TokenDevice && t.Email == e && s.usable(t) == nil:
			return t, secret, nil
		}
	}
	return nil, "", nil
}

// newDevice stores a new device token for u and returns its secret.
func (s *Service) newDevice(ctx context.Context, u *portal.User) (string, error) {
	secret, t := s.newToken(portal.TokenDevice, u.ID, orDefault(s.DeviceTTL, DefaultDeviceTTL))
	t.UserID, t.Email = u.ID, u.Email
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return "", err
	}
	return secret, nil
}

// keep returns first, then the other tokens of devices, at most MaxDevices in all.
func keep(devices []string, first string) []string {
	out := []string{first}
	for _, d := range devices {
		if d != first && d != "" && len(out) < MaxDevices {
			out = append(out, d)
		}
	}
	return out
}
