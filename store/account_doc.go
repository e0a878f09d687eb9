package store

import (
	"time"

	"github.com/gobidialogue/portal"
)

// The document types below are how people, organisations, sessions, one-time links, throttles
// and the audit log look in the database; see guideline_doc.go for why they are apart from the
// root package's types. Times are written in UTC; optional times are stored as null when nil.

// userDoc is a document in the users collection.
type userDoc struct {
	ID           string        `bson:"_id"`
	Email        string        `bson:"email"`
	Name         string        `bson:"name"`
	OrgID        string        `bson:"org_id"`
	Role         string        `bson:"role"`
	Language     string        `bson:"language"`
	Disabled     bool          `bson:"disabled"`
	PasswordHash string        `bson:"password_hash"`
	Identities   []identityDoc `bson:"identities"`
	SessionEpoch int           `bson:"session_epoch"`
	CreatedAt    time.Time     `bson:"created_at"`
	UpdatedAt    time.Time     `bson:"updated_at"`
	LastSignIn   time.Time     `bson:"last_sign_in"`
	// Version counts the writes of the document, so that UpdateUser replaces exactly the
	// version whose claims it compared (see UpdateUser). It is not part of portal.User.
	Version int64 `bson:"version"`
}

type identityDoc struct {
	Provider string    `bson:"provider"`
	Subject  string    `bson:"subject"`
	Email    string    `bson:"email"`
	LinkedAt time.Time `bson:"linked_at"`
}

// claimDoc is a document in the identities or the emails collection: the claim of one user on
// a sign-in identity or an e-mail address, keyed by it (see claim), so that finding who holds
// it, and refusing a second holder, is a lookup or an insert by _id.
type claimDoc struct {
	ID     string `bson:"_id"`
	UserID string `bson:"user_id"`
	Email  string `bson:"email"` // the identity's e-mail, for a person reading the database
	// ClaimedAt tells a claim being written by a CreateUser or UpdateUser in progress, which
	// is young, from one that such a call left behind when it failed (see abandoned).
	ClaimedAt time.Time `bson:"claimed_at"`
}

// organisationDoc is a document in the organisations collection.
type organisationDoc struct {
	ID     string `bson:"_id"`
	NameMN string `bson:"name_mn"`
	NameEN string `bson:"name_en"`
	Group  string `bson:"group"`
	// DirectoryID is set only when the organisation's listing is not the one of its own
	// id; an organisation stored before listings were linked has none, and so is the
	// organisation of the listing of its id.
	DirectoryID string     `bson:"directory_id,omitempty"`
	Verified    bool       `bson:"verified"`
	VerifiedAt  *time.Time `bson:"verified_at"`
	VerifiedBy  string     `bson:"verified_by"`
	CreatedAt   time.Time  `bson:"created_at"`
	UpdatedAt   time.Time  `bson:"updated_at"`
}

// sessionDoc is a document in the sessions collection.
type sessionDoc struct {
	ID         string    `bson:"_id"`
	UserID     string    `bson:"user_id"`
	Epoch      int       `bson:"epoch"`
	Provider   string    `bson:"provider"`
	CreatedAt  time.Time `bson:"created_at"`
	LastSeenAt time.Time `bson:"last_seen_at"`
	ExpiresAt  time.Time `bson:"expires_at"`
}

// tokenDoc is a document in the tokens collection.
type tokenDoc struct {
	ID        string     `bson:"_id"`
	Kind      string     `bson:"kind"`
	Email     string     `bson:"email"`
	UserID    string     `bson:"user_id"`
	Role      string     `bson:"role"`
	OrgID     string     `bson:"org_id"`
	CreatedBy string     `bson:"created_by"`
	CreatedAt time.Time  `bson:"created_at"`
	ExpiresAt time.Time  `bson:"expires_at"`
	UsedAt    *time.Time `bson:"used_at"`
	RevokedAt *time.Time `bson:"revoked_at"`
}

// tokenEndDoc is a document in the token_ends collection: what ended a token, its use or its
// revocation, keyed by the token's ID so that of two attempts only the first insert succeeds.
type tokenEndDoc struct {
	ID  string    `bson:"_id"`
	End string    `bson:"end"` // endUsed or endRevoked
	At  time.Time `bson:"at"`
}

const (
	endUsed    = "used"
	endRevoked = "revoked"
)

// throttleDoc is a document in the throttles collection.
type throttleDoc struct {
	Key          string    `bson:"_id"`
	Failures     int       `bson:"failures"`
	LastFailure  time.Time `bson:"last_failure"`
	BlockedUntil time.Time `bson:"blocked_until"`
}

// auditDoc is a document in the audit collection.
type auditDoc struct {
	ID      string    `bson:"_id"`
	At      time.Time `bson:"at"`
	ActorID string    `bson:"actor_id"`
	Action  string    `bson:"action"`
	Target  string    `bson:"target"`
	Before  string    `bson:"before"`
	After   string    `bson:"after"`
}

func toUserDoc(u *portal.User, version int64) *userDoc {
	d := &userDoc{
		ID:           u.ID,
		Email:        u.Email,
		Name:         u.Name,
		OrgID:        u.OrgID,
		Role:         string(u.Role),
		Language:     string(u.Language),
		Disabled:     u.Disabled,
		PasswordHash: u.PasswordHash,
		SessionEpoch: u.SessionEpoch,
		CreatedAt:    u.CreatedAt.UTC(),
		UpdatedAt:    u.UpdatedAt.UTC(),
		LastSignIn:   u.LastSignIn.UTC(),
		Version:      version,
	}
	if u.Identities != nil {
		d.Identities = make([]identityDoc, len(u.Identities))
		for i, id := range u.Identities {
			d.Identities[i] = identityDoc{Provider: id.Provider, Subject: id.Subject, Email: id.Email, LinkedAt: id.LinkedAt.UTC()}
		}
	}
	return d
}

func (d *userDoc) user() *portal.User {
	u := &portal.User{
		ID:           d.ID,
		Email:        d.Email,
		Name:         d.Name,
		OrgID:        d.OrgID,
		Role:         portal.Role(d.Role),
		Language:     portal.Language(d.Language),
		Disabled:     d.Disabled,
		PasswordHash: d.PasswordHash,
		SessionEpoch: d.SessionEpoch,
		CreatedAt:    d.CreatedAt,
		UpdatedAt:    d.UpdatedAt,
		LastSignIn:   d.LastSignIn,
	}
	if d.Identities != nil {
		u.Identities = make([]portal.Identity, len(d.Identities))
		for i, id := range d.Identities {
			u.Identities[i] = portal.Identity{Provider: id.Provider, Subject: id.Subject, Email: id.Email, LinkedAt: id.LinkedAt}
		}
	}
	return u
}

func toOrganisationDoc(o *portal.Organisation) *organisationDoc {
	return &organisationDoc{
		ID:          o.ID,
		NameMN:      o.NameMN,
		NameEN:      o.NameEN,
		Group:       string(o.Group),
		DirectoryID: o.DirectoryID,
		Verified:    o.Verified,
		VerifiedAt:  utcPtr(o.VerifiedAt),
		VerifiedBy:  o.VerifiedBy,
		CreatedAt:   o.CreatedAt.UTC(),
		UpdatedAt:   o.UpdatedAt.UTC(),
	}
}

func (d *organisationDoc) organisation() *portal.Organisation {
	return &portal.Organisation{
		ID:          d.ID,
		NameMN:      d.NameMN,
		NameEN:      d.NameEN,
		Group:       portal.StakeholderGroup(d.Group),
		DirectoryID: d.DirectoryID,
		Verified:    d.Verified,
		VerifiedAt:  d.VerifiedAt,
		VerifiedBy:  d.VerifiedBy,
		CreatedAt:   d.CreatedAt,
		UpdatedAt:   d.UpdatedAt,
	}
}

func toSessionDoc(s *portal.Session) *sessionDoc {
	return &sessionDoc{
		ID:         s.ID,
		UserID:     s.UserID,
		Epoch:      s.Epoch,
		Provider:   s.Provider,
		CreatedAt:  s.CreatedAt.UTC(),
		LastSeenAt: s.LastSeenAt.UTC(),
		ExpiresAt:  s.ExpiresAt.UTC(),
	}
}

func (d *sessionDoc) session() *portal.Session {
	return &portal.Session{
		ID:         d.ID,
		UserID:     d.UserID,
		Epoch:      d.Epoch,
		Provider:   d.Provider,
		CreatedAt:  d.CreatedAt,
		LastSeenAt: d.LastSeenAt,
		ExpiresAt:  d.ExpiresAt,
	}
}

func toTokenDoc(t *portal.Token) *tokenDoc {
	return &tokenDoc{
		ID:        t.ID,
		Kind:      string(t.Kind),
		Email:     t.Email,
		UserID:    t.UserID,
		Role:      string(t.Role),
		OrgID:     t.OrgID,
		CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt.UTC(),
		ExpiresAt: t.ExpiresAt.UTC(),
		UsedAt:    utcPtr(t.UsedAt),
		RevokedAt: utcPtr(t.RevokedAt),
	}
}

func (d *tokenDoc) token() *portal.Token {
	return &portal.Token{
		ID:        d.ID,
		Kind:      portal.TokenKind(d.Kind),
		Email:     d.Email,
		UserID:    d.UserID,
		Role:      portal.Role(d.Role),
		OrgID:     d.OrgID,
		CreatedBy: d.CreatedBy,
		CreatedAt: d.CreatedAt,
		ExpiresAt: d.ExpiresAt,
		UsedAt:    d.UsedAt,
		RevokedAt: d.RevokedAt,
	}
}

func toThrottleDoc(t *portal.Throttle) *throttleDoc {
	return &throttleDoc{Key: t.Key, Failures: t.Failures, LastFailure: t.LastFailure.UTC(), BlockedUntil: t.BlockedUntil.UTC()}
}

func (d *throttleDoc) throttle() *portal.Throttle {
	return &portal.Throttle{Key: d.Key, Failures: d.Failures, LastFailure: d.LastFailure, BlockedUntil: d.BlockedUntil}
}

func toAuditDoc(e *portal.AuditEntry) *auditDoc {
	return &auditDoc{
		ID: e.ID, At: e.At.UTC(), ActorID: e.ActorID, Action: e.Action, Target: e.Target, Before: e.Before, After: e.After,
	}
}

func (d *auditDoc) entry() *portal.AuditEntry {
	return &portal.AuditEntry{
		ID: d.ID, At: d.At, ActorID: d.ActorID, Action: d.Action, Target: d.Target, Before: d.Before, After: d.After,
	}
}
