package portal

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// Role is what a person may do on the platform. Visitors are not signed in; every signed-in
// person has exactly one of the other roles.
type Role string

const (
	RoleVisitor     Role = "visitor"
	RoleMember      Role = "member"
	RoleModerator   Role = "moderator"
	RoleSecretariat Role = "secretariat"
	RoleAdmin       Role = "admin"
)

// Roles lists the roles a person can be given, lowest first.
var Roles = []Role{RoleMember, RoleModerator, RoleSecretariat, RoleAdmin}

// Rank orders roles: visitor 0, member 1, moderator 2, secretariat 3, admin 4; unknown -1.
func (r Role) Rank() int {
	switch r {
	case RoleVisitor:
		return 0
	case RoleMember:
		return 1
	case RoleModerator:
		return 2
	case RoleSecretariat:
		return 3
	case RoleAdmin:
		return 4
	}
	return -1
}

// AtLeast reports whether r ranks at or above min; unknown roles rank below everything.
func (r Role) AtLeast(min Role) bool {
	return r.Rank() >= 0 && min.Rank() >= 0 && r.Rank() >= min.Rank()
}

// ParseRole returns the assignable role named by s, or EINVALID.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if r.Rank() < 1 {
		return "", Errorf(EINVALID, "unknown role %q: use member, moderator, secretariat or admin", s)
	}
	return r, nil
}

// StakeholderGroup is the side of the dialogue an organisation belongs to.
type StakeholderGroup string

const (
	GroupGovernment    StakeholderGroup = "government"
	GroupMining        StakeholderGroup = "mining_company"
	GroupCivilSociety  StakeholderGroup = "civil_society"
	GroupInternational StakeholderGroup = "international_organisation"
	GroupSecretariat   StakeholderGroup = "council_secretariat"
)

// StakeholderGroups lists the groups in the order the UI offers them.
var StakeholderGroups = []StakeholderGroup{GroupGovernment, GroupMining, GroupCivilSociety, GroupInternational, GroupSecretariat}

// Valid reports whether g is a known group.
func (g StakeholderGroup) Valid() bool {
	for _, x := range StakeholderGroups {
		if g == x {
			return true
		}
	}
	return false
}

// Organisation is a member organisation of the platform, in exactly one stakeholder group:
// the record that says who may sign in for it and whether it is verified. Its listing in
// the referral directory, if it has one, is the DirectoryOrg of ListingID: the two records
// are one organisation (see OrgEntry).
type Organisation struct {
	ID     string // a slug, such as "oyu-tolgoi"
	NameMN string
	NameEN string
	Group  StakeholderGroup
	// DirectoryID is the id of the organisation's directory listing when it is not the
	// organisation's own ID (an organisation and a listing made apart, under two ids, then
	// linked); "" means the listing of its own ID, if there is one. It changes only through
	// AccountStore.LinkListing, which keeps a listing to one organisation.
	DirectoryID string
	Verified    bool
	VerifiedAt  *time.Time
	VerifiedBy  string // user ID
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Name returns the organisation's name in lang, or in the other language when it has none.
func (o *Organisation) Name(lang Language) string {
	if lang == English && o.NameEN != "" || o.NameMN == "" {
		return o.NameEN
	}
	return o.NameMN
}

// ListingID returns the id of the organisation's directory listing: DirectoryID, or its own
// ID. The directory may hold no listing of that id.
func (o *Organisation) ListingID() string {
	if o.DirectoryID != "" {
		return o.DirectoryID
	}
	return o.ID
}

// Validate checks an organisation before it is saved.
func (o *Organisation) Validate() error {
	switch {
	case !ValidSlug(o.ID):
		return FieldError("id", "organisation id %q must be lower-case letters, digits and hyphens", o.ID)
	case strings.TrimSpace(o.NameMN) == "" && strings.TrimSpace(o.NameEN) == "":
		return FieldError("name_mn", "an organisation needs a name")
	case len(o.NameMN) > 300 || len(o.NameEN) > 300:
		return FieldError("name_mn", "a name is longer than 300 bytes")
	case CheckText(o.NameMN, 0, true) != "":
		return FieldError("name_mn", "%s", badName)
	case CheckText(o.NameEN, 0, true) != "":
		return FieldError("name_en", "%s", badName)
	case !o.Group.Valid():
		return FieldError("group", "unknown stakeholder group %q", o.Group)
	case o.DirectoryID != "" && !ValidSlug(o.DirectoryID):
		return FieldError("listing", "directory listing id %q is not valid", o.DirectoryID)
	}
	return nil
}

// badName says why a name fails CheckText, without repeating it.
const badName = "a name may not hold a control character, a line end, invalid UTF-8 or an invisible character that changes the direction of the text"

// Identity is one way a person signs in: a provider ("local" for a password, "google",
// "microsoft", "oidc-NAME") and the subject the provider gives. People are keyed by
// (provider, subject), never by e-mail alone.
type Identity struct {
	Provider string
	Subject  string
	Email    string // as the provider reported it, for display
	LinkedAt time.Time
}

// ProviderLocal is the provider of e-mail and password accounts; its subject is the
// normalised e-mail address.
const ProviderLocal = "local"

// User is a person with an account.
type User struct {
	ID       string
	Email    string // normalised with NormalizeEmail
	Name     string
	OrgID    string
	Role     Role
	Language Language
	Disabled bool
	// PasswordHash is an argon2id hash in PHC format, or empty when the person has no
	// password.
	PasswordHash string
	Identities   []Identity
	// SessionEpoch ends every session of the person at once when it is incremented
	// (disabling them, "sign out everywhere"): a session is valid only while its epoch
	// matches. It needs no query on sessions, which the embedded engine would scan.
	SessionEpoch int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastSignIn   time.Time
}

// NormalizeEmail returns the address of s in lower case, or EINVALID when s is not a
// single plain address. An address with an invisible character (a control, a
// bidirectional control, a zero-width space or another format character) is refused: it
// would look like another address.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") ||
		strings.ContainsFunc(s, invisible) {
		return "", FieldError("email", "%q is not an e-mail address", s)
	}
	return strings.ToLower(s), nil
}

// invisible reports whether r shows nothing, or changes how what is around it shows.
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || IsBidiControl(r)
}

// Validate checks a user before it is saved.
func (u *User) Validate() error {
	if _, err := NormalizeEmail(u.Email); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(u.Name) == "":
		return FieldError("name", "a name is required")
	case len(u.Name) > 200:
		return FieldError("name", "a name is longer than 200 bytes")
	case CheckText(u.Name, 0, true) != "":
		return FieldError("name", "%s", badName)
	case u.Role.Rank() < 1:
		return FieldError("role", "unknown role %q", u.Role)
	case u.Language != "" && !u.Language.Valid():
		return FieldError("language", "unknown language %q", u.Language)
	case u.OrgID != "" && !ValidSlug(u.OrgID):
		return FieldError("org", "organisation id %q is not valid", u.OrgID)
	}
	return nil
}

// Session is a signed-in browser. Its ID is the SHA-256 of the random token in the cookie:
// the token itself is never stored, so a copy of the database cannot sign anyone in.
type Session struct {
	ID         string
	UserID     string
	Epoch      int // the user's SessionEpoch when the session began
	Provider   string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
}

// TokenKind names what a one-time link does.
type TokenKind string

const (
	TokenInvitation TokenKind = "invitation"
	TokenReset      TokenKind = "reset"
	TokenSignIn     TokenKind = "signin"
	// TokenDevice is not a link: it marks a browser that signed in to the account with its
	// password (the device cookie), which sign-in throttling trusts. It is never used up.
	TokenDevice TokenKind = "device"
)

// Token is a one-time link: an invitation, a password reset or a sign-in link. Its ID is
// the SHA-256 of the random token in the link.
type Token struct {
	ID        string
	Kind      TokenKind
	Email     string // invitations are bound to this address
	UserID    string // resets and sign-in links are for this person
	Role      Role   // invitations: the role the person gets
	OrgID     string // invitations: the organisation the person joins
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
}

// Usable reports whether t can still be used at now.
func (t *Token) Usable(now time.Time) bool {
	return t.UsedAt == nil && t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// Throttle counts failed sign-ins for one key (an account or a client address), so the
// delay before the next attempt can grow. It lives in the database so that every portal
// process sees the same count.
type Throttle struct {
	Key          string
	Failures     int
	LastFailure  time.Time
	BlockedUntil time.Time
}

// UserFilter selects users; zero fields match everyone.
type UserFilter struct {
	Query string // matched against name and e-mail, case-insensitively
	OrgID string
	Role  Role
}

// AccountStore persists people, organisations, sessions, one-time links, throttles and the
// audit log.
type AccountStore interface {
	// FindUser returns the user with id, or ENOTFOUND.
	FindUser(ctx context.Context, id string) (*User, error)
	// FindUserByIdentity returns the user who signs in with (provider, subject), or ENOTFOUND.
	FindUserByIdentity(ctx context.Context, provider, subject string) (*User, error)
	// FindUsers returns the users matching f, by name.
	FindUsers(ctx context.Context, f UserFilter) ([]*User, error)
	// CreateUser stores a new user and its identities; ECONFLICT when the e-mail or an
	// identity already belongs to someone.
	CreateUser(ctx context.Context, u *User) error
	// UpdateUser replaces the stored user with u (identities included); ECONFLICT when a
	// new identity belongs to someone else, ENOTFOUND when there is no such user.
	UpdateUser(ctx context.Context, u *User) error

	FindOrganisation(ctx context.Context, id string) (*Organisation, error)
	FindOrganisations(ctx context.Context) ([]*Organisation, error)
	// CreateOrganisation stores a new organisation with the directory listing of
	// o.ListingID(); ECONFLICT when the id is taken (the "id" field) or when that listing
	// is another organisation's (the "listing" field).
	CreateOrganisation(ctx context.Context, o *Organisation) error
	// UpdateOrganisation stores o's names, group and verification; its directory listing
	// stays as stored. ENOTFOUND when there is no such organisation.
	UpdateOrganisation(ctx context.Context, o *Organisation) error
	// LinkListing makes the directory listing listingID the organisation orgID's ("" or
	// orgID: the listing of its own id). A listing is one organisation's: of two
	// concurrent links of one listing, one succeeds and the other, and any link of a
	// listing that is another organisation's, gets ECONFLICT; ENOTFOUND when there is no
	// organisation orgID.
	LinkListing(ctx context.Context, orgID, listingID string) error

	CreateSession(ctx context.Context, s *Session) error
	// AuthVersion returns a value that changes whenever a session ends or a person
	// changes: at once for a change through this process, within a fraction of a second
	// for another process's. It is cheap enough to ask on every request (no database round
	// trip while nothing changed): what a process's memory of who is signed in is checked
	// against.
	AuthVersion(ctx context.Context) (string, error)
	// FindSession returns the session with id, or ENOTFOUND.
	FindSession(ctx context.Context, id string) (*Session, error)
	// TouchSession records that the session was used at t.
	TouchSession(ctx context.Context, id string, t time.Time) error
	DeleteSession(ctx context.Context, id string) error

	CreateToken(ctx context.Context, t *Token) error
	// FindToken returns the token with id, or ENOTFOUND.
	FindToken(ctx context.Context, id string) (*Token, error)
	// FindTokens returns the tokens of kind, newest first.
	FindTokens(ctx context.Context, kind TokenKind) ([]*Token, error)
	// UseToken marks the token used at t. Of two concurrent calls, exactly one succeeds;
	// the other, and any call on a used or revoked token, gets ECONFLICT.
	UseToken(ctx context.Context, id string, t time.Time) error
	// RevokeToken marks the token revoked at t; ECONFLICT when it was already used.
	RevokeToken(ctx context.Context, id string, t time.Time) error

	// FindThrottle returns the throttle of key; a key never seen has a zero Throttle.
	FindThrottle(ctx context.Context, key string) (*Throttle, error)
	SaveThrottle(ctx context.Context, t *Throttle) error
	DeleteThrottle(ctx context.Context, key string) error

	// SweepSessions deletes the sessions past their absolute expiry at now or unused since
	// idleBefore, and returns how many it deleted.
	SweepSessions(ctx context.Context, now, idleBefore time.Time) (int, error)
	// SweepThrottles deletes the throttles whose last failure is before before.
	SweepThrottles(ctx context.Context, before time.Time) (int, error)

	AuditLog
	// FindAudit returns the newest entries first, at most limit of them.
	FindAudit(ctx context.Context, limit int) ([]*AuditEntry, error)
}
