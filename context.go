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
