package portal

import "context"

// contextKey is unexported so no other package can collide with the portal's keys.
type contextKey int

const languageContextKey contextKey = iota + 1

// NewContextWithLanguage returns a copy of ctx carrying the request's UI language.
func NewContextWithLanguage(ctx context.Context, lang Language) context.Context {
	return context.WithValue(ctx, languageContextKey, lang)
}

// LanguageFromContext returns the UI language carried by ctx, or Mongolian, the site's
// first language, when there is none.
func LanguageFromContext(ctx context.Context) Language {
	if lang, ok := ctx.Value(languageContextKey).(Language); ok && lang.Valid() {
		return lang
	}
	return Mongolian
}

const userContextKey contextKey = languageContextKey + 1

// NewContextWithUser returns a copy of ctx carrying the signed-in person.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey, u)
}

// UserFromContext returns the signed-in person carried by ctx, or nil for a visitor.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}

const pageVersionContextKey contextKey = userContextKey + 1

// NewContextWithPageVersion returns a copy of ctx carrying the version of what the public
// pages show, as the page cache read it for the request: a string that changes whenever a
// page every visitor may see could change (the guidelines, the directory, the search
// index, this process's writes, the minute). Handlers key the parts of a signed-in
// person's page that are the same for everyone on it.
func NewContextWithPageVersion(ctx context.Context, version string) context.Context {
	return context.WithValue(ctx, pageVersionContextKey, version)
}

// PageVersionFromContext returns the page version carried by ctx, and false when there is
// none (the route is not a public page, or the version could not be read).
func PageVersionFromContext(ctx context.Context) (string, bool) {
	v, ok := ctx.Value(pageVersionContextKey).(string)
	return v, ok
}
