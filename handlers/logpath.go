package handlers

import (
	"strings"

	"github.com/gin-gonic/gin"
)

// secretParams are the route parameters whose value is a secret: the token of an
// invitation, a password reset or a one-time sign-in link. Whoever reads it can use the
// link, so it never goes into a log line.
var secretParams = map[string]bool{"token": true}

// secretPrefixes are the paths whose next segment is such a token, for a request that no
// route answers (a mistyped or extended link).
var secretPrefixes = []string{"/invitations/", "/reset/", "/login/link/"}

// SecretRoute reports whether a route pattern, such as "/reset/:token", has a secret
// parameter: its pages are kept out of caches and Referer headers, and out of logs.
func SecretRoute(pattern string) bool {
	// Segment by segment without splitting: every response asks, and a split allocates.
	for rest := pattern; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		if name, ok := strings.CutPrefix(seg, ":"); ok && secretParams[name] {
			return true
		}
	}
	return false
}

// LogPath returns the path of the request as a log line may hold it: the path, with the
// value of every secret route parameter replaced by the parameter's name
// ("/reset/:token"). For a request that no route answers, the segment after a link's
// prefix and any segment that looks like a token are replaced the same way. Every log
// line about a request (the request log, a failed request, a panic) uses it.
func LogPath(c *gin.Context) string {
	path := c.Request.URL.Path
	pattern := c.FullPath()
	if pattern == "" {
		return redactPath(path)
	}
	if !SecretRoute(pattern) {
		return path
	}
	pat, segs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(pat) != len(segs) {
		return pattern
	}
	for i, p := range pat {
		if name, ok := strings.CutPrefix(p, ":"); ok && secretParams[name] {
			segs[i] = p
		}
	}
	return strings.Join(segs, "/")
}

// redactPath replaces, in a path no route answers, the segment after a one-time link's
// prefix and every segment that looks like a token.
func redactPath(path string) string {
	segs := strings.Split(path, "/")
	changed := false
	for i, s := range segs {
		if s != "" && (looksLikeToken(s) || afterSecretPrefix(segs[:i])) {
			segs[i], changed = ":token", true
		}
	}
	if !changed {
		return path
	}
	return strings.Join(segs, "/")
}

// afterSecretPrefix reports whether the path made of before (its segments up to one)
// is a one-time link's prefix.
func afterSecretPrefix(before []string) bool {
	p := strings.Join(before, "/") + "/"
	for _, prefix := range secretPrefixes {
		if p == prefix {
			return true
		}
	}
	return false
}

// looksLikeToken reports whether s could be a secret token (accounts.NewToken: 43
// characters of base64url): 32 or more characters of that alphabet with at least one
// capital letter or underscore, which the portal's lower-case slugs and hex ids never have.
func looksLikeToken(s string) bool {
	if len(s) < 32 {
		return false
	}
	mixed := false
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 'A' && b <= 'Z', b == '_':
			mixed = true
		case b >= 'a' && b <= 'z', b >= '0' && b <= '9', b == '-':
		default:
			return false
		}
	}
	return mixed
}
