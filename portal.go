// Package portal is the vocabulary of the Gobi Dialogue Portal: its domain types, their
// validation and state transitions, the one authorization table (policy.go), the error
// codes every layer speaks, the audit entry, and the interfaces that store/ and the search
// engines implement. It imports only the standard library, so the rest of the code can
// depend on it without depending on any database, engine or framework. Parsers, query
// engines and caches live in the packages that use them (directory/, content/, store/).
package portal

import "time"

// Version is the portal's release, set at build time with
// -ldflags "-X github.com/gobidialogue/portal.Version=...".
var Version = "dev"

// Language is a UI and content language. The portal is bilingual by design: Mongolian first,
// English second.
type Language string

const (
	Mongolian Language = "mn"
	English   Language = "en"
)

// Languages lists the supported languages in the order the UI offers them.
var Languages = []Language{Mongolian, English}

// ParseLanguage returns the language named by s, or an EINVALID error.
func ParseLanguage(s string) (Language, error) {
	switch Language(s) {
	case Mongolian, English:
		return Language(s), nil
	}
	return "", Errorf(EINVALID, "unknown language %q: use mn or en", s)
}

// Valid reports whether l is a supported language.
func (l Language) Valid() bool { return l == Mongolian || l == English }

// Other returns the other supported language: the one a translation link offers.
func (l Language) Other() Language {
	if l == English {
		return Mongolian
	}
	return English
}

// Clock is the time source; tests replace it to make dates deterministic.
type Clock func() time.Time

// MongoliaTime is the time zone in which dates are shown and "open now" is computed.
// Mongolia has observed UTC+8 all year since 2017; a fixed zone avoids depending on the
// machine's tzdata.
var MongoliaTime = time.FixedZone("ULAT", 8*60*60)
