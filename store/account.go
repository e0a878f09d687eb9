package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gobidialogue/portal"
)

// People are keyed three ways: by user ID (the _id of users), by sign-in identity and by e-mail
// address. The last two are claims, documents whose _id is the identity or the address and that
// name the user holding it (see claimDoc), so that every lookup is by _id, which the embedded
// engine answers from an index, and so that "at most one user per identity or address" rests on
// the one uniqueness both engines enforce atomically: that of _id.
//
// There are no transactions, so a user and its claims are written one after the other, claims
// first, and the user document is the truth: a claim counts only while its user lists it.
// Readers check that (FindUserByIdentity). Writers take over a claim whose user no longer lists
// it once it is older than claimLease, so a call that died part way blocks an address or an
// identity for at most that long.

// claimLease protects a claim that its user does not list yet: the CreateUser or UpdateUser that
// wrote it is still running. Calls take milliseconds; the lease is long enough for one stalled
// behind a slow database.
const claimLease = 10 * time.Minute

// claim is one key a user holds alone: a sign-in identity or an e-mail address.
type claim struct {
	coll  *mongo.Collection // identities or emails
	key   string            // the claim's _id
	email string            // stored with the claim, for a person reading the database

	provider, subject string // of an identity; empty for an e-mail address
}

// identityKey returns the _id of the claim on (provider, subject). Providers never contain
// "|" (claims rejects them), so two identities cannot share a key.
func identityKey(provider, subject string) string { return provider + "|" + subject }

func (c claim) String() string {
	if c.provider == "" {
		return "e-mail " + c.key
	}
	return fmt.Sprintf("%s identity %s", c.provider, c.subject)
}

// taken is the error of a user claiming what another user holds. The message may reach an
// admin's form, never a sign-in page: handlers that sign people in must not tell an attacker
// which addresses have accounts.
func (c claim) taken() error {
	if c.provider == "" {
		msg := fmt.Sprintf("e-mail %s is already used by another account", c.key)
		return &portal.Error{Code: portal.ECONFLICT, Message: msg, Fields: map[string]string{"email": msg}}
	}
	who := c.subject
	if c.email != "" && c.email != c.subject {
		who += " (" + c.email + ")"
	}
	return portal.Errorf(portal.ECONFLICT, "%s sign-in %s is already linked to another account", c.provider, who)
}

// claims returns the claims u needs: its e-mail address, normalised, and each distinct identity.
// It returns the claims of the valid parts of u and, with them, an EINVALID error for the first
// invalid part, which must not be saved.
func (db *DB) claims(u *portal.User) ([]claim, error) {
	var out []claim
	email, err := portal.NormalizeEmail(u.Email)
	if err == nil {
		out = append(out, claim{coll: db.emails, key: email, email: email})
	}
	seen := map[string]bool{}
	for _, id := range u.Identities {
		key := identityKey(id.Provider, id.Subject)
		if id.Provider == "" || id.Subject == "" || strings.Contains(id.Provider, "|") {
			err = cmp.Or(err, error(portal.FieldError("identities", "sign-in identity %q of provider %q is not valid", id.Subject, id.Provider)))
			continue
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, claim{coll: db.identities, key: key, email: id.Email, provider: id.Provider, subject: id.Subject})
		}
	}
	return out, err
}

// holds reports whether the stored user d lists the claim c.
func holds(d *userDoc, c claim) bool {
	if c.provider == "" {
		email, err := portal.NormalizeEmail(d.Email)
		return err == nil && email == c.key
	}
	return slices.ContainsFunc(d.Identities, func(id identityDoc) bool {
		return id.Provider == c.provider && id.Subject == c.subject
	})
}

// FindUser returns the user with id, or ENOTFOUND.
func (db *DB) FindUser(ctx context.Context, id string) (*portal.User, error) {
	d, err := db.findUserDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.user(), nil
}

func (db *DB) findUserDoc(ctx context.Context, id string) (*userDoc, error) {
	var d userDoc
	if err := db.users.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		return nil, translate(err, portal.Errorf(portal.ENOTFOUND, "user %s not found", id), "find user %s", id)
	}
	return &d, nil
}

// FindUserByIdentity returns the user who signs in with (provider, subject), or ENOTFOUND: two
// lookups by _id, the claim and then the user, who must still list the identity.
func (db *DB) FindUserByIdentity(ctx context.Context, provider, subject string) (*portal.User, error) {
	notFound := portal.Errorf(portal.ENOTFOUND, "no user signs in with %s identity %s", provider, subject)
	var c claimDoc
	err := db.identities.FindOne(ctx, bson.M{"_id": identityKey(provider, subject)}).Decode(&c)
	if err != nil {
		return nil, translate(err, notFound, "find %s identity %s", provider, subject)
	}
	var d userDoc
	if err := db.users.FindOne(ctx, bson.M{"_id": c.UserID}).Decode(&d); err != nil {
		return nil, translate(err, notFound, "find user %s of %s identity %s", c.UserID, provider, subject)
	}
	if !holds(&d, claim{provider: provider, subject: subject}) {
		return nil, notFound // a claim left behind (see claimLease)
	}
	return d.user(), nil
}

// FindUsers returns the users matching f, by name (in Mongolian alphabetical order) and then
// by ID. The organisation and role go to the server, which a MongoDB answers from an index; the
// query is matched here, as a substring of the lower-cased name or e-mail: MongoDB's $regex
// would need escaping and still not fold Cyrillic case the same way.
func (db *DB) FindUsers(ctx context.Context, f portal.UserFilter) ([]*portal.User, error) {
	filter := bson.D{}
	if f.OrgID != "" {
		filter = append(filter, bson.E{Key: "org_id", Value: f.OrgID})
	}
	if f.Role != "" {
		filter = append(filter, bson.E{Key: "role", Value: string(f.Role)})
	}
	var docs []userDoc
	cur, err := db.users.Find(ctx, filter)
	if err == nil {
		err = cur.All(ctx, &docs)
	}
	if err != nil {
		return nil, translate(err, nil, "find users %+v", f)
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	var us []*portal.User
	for i := range docs {
		d := &docs[i]
		if q == "" || strings.Contains(strings.ToLower(d.Name), q) || strings.Contains(strings.ToLower(d.Email), q) {
			us = append(us, d.user())
		}
	}
	slices.SortFunc(us, func(a, b *portal.User) int {
		return cmp.Or(portal.CompareNames(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return us, nil
}

// CreateUser stores u and claims its e-mail address and identities: the claims first, so that
// a second user with the same address or identity fails before anything of theirs is stored,
// and the user last. When it fails, it deletes the claims it wrote.
func (db *DB) CreateUser(ctx context.Context, u *portal.User) error {
	if u.ID == "" {
		return portal.Errorf(portal.EINVALID, "a user without an ID cannot be saved")
	}
	claims, err := db.claims(u)
	if err != nil {
		return err
	}
	var wrote []claim
	for _, c := range claims {
		w, err := db.claim(ctx, c, u.ID, false)
		if err != nil {
			db.release(ctx, u.ID, wrote, nil)
			return err
		}
		if w {
			wrote = append(wrote, c)
		}
	}
	if _, err := db.users.InsertOne(ctx, toUserDoc(u, 1)); err != nil {
		db.release(ctx, u.ID, wrote, nil)
		if mongo.IsDuplicateKeyError(err) {
			return &portal.Error{Code: portal.ECONFLICT, Message: fmt.Sprintf("user %s already exists", u.ID), Err: err}
		}
		return translate(err, nil, "create user %s", u.ID)
	}
	return nil
}

// updateUser is UpdateUser without its version claim (auth.go). It replaces the stored user with u: it claims what u lists and the stored user does
// not, replaces the user, and then deletes the claims that only the replaced version listed.
//
// The replacement names the version it compared the claims with, and is retried with a fresh
// comparison when another write came first, so the claims deleted are those of the version
// replaced. (On MongoDB that is exact; the embedded engine checks the version and writes in two
// steps, which leaves a window of microseconds.)
func (db *DB) updateUser(ctx context.Context, u *portal.User) error {
	claims, err := db.claims(u)
	if err != nil {
		return err
	}
	cur, err := db.findUserDoc(ctx, u.ID)
	if err != nil {
		return err
	}
	var wrote []claim
	for _, c := range claims {
		// Claims the stored user lists are checked too: one that a failed call deleted, or
		// that another user took over, is repaired or reported here.
		w, err := db.claim(ctx, c, u.ID, holds(cur, c))
		if err != nil {
			db.release(ctx, u.ID, wrote, cur)
			return err
		}
		if w {
			wrote = append(wrote, c)
		}
	}
	for attempt := 1; ; attempt++ {
		res, err := db.users.ReplaceOne(ctx, bson.M{"_id": u.ID, "version": cur.Version}, toUserDoc(u, cur.Version+1))
		if err != nil {
			db.release(ctx, u.ID, wrote, cur)
			return translate(err, nil, "update user %s", u.ID)
		}
		if res.MatchedCount == 1 {
			break
		}
		if cur, err = db.findUserDoc(ctx, u.ID); err != nil || attempt == 3 {
			db.release(ctx, u.ID, wrote, cur)
			return cmp.Or(err, error(portal.Errorf(portal.ECONFLICT, "user %s was changed at the same time; try again", u.ID)))
		}
	}
	db.release(ctx, u.ID, db.dropped(cur, claims), nil)
	return nil
}

// dropped returns the claims that the stored user d lists and keep does not.
func (db *DB) dropped(d *userDoc, keep []claim) []claim {
	held, _ := db.claims(d.user()) // what is invalid was never claimed
	return slices.DeleteFunc(held, func(c claim) bool {
		return slices.ContainsFunc(keep, func(k claim) bool { return k.coll == c.coll && k.key == c.key })
	})
}

// claim makes c belong to userID and reports whether it wrote the claim. held says the stored
// user already lists c, so that a claim already theirs needs no new lease. A claim of another
// user is taken over when abandoned, and is otherwise ECONFLICT.
func (db *DB) claim(ctx context.Context, c claim, userID string, held bool) (wrote bool, err error) {
	for range 3 {
		var cur claimDoc
		err := c.coll.FindOne(ctx, bson.M{"_id": c.key}).Decode(&cur)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			// Looking first, rather than inserting and reading the duplicate key error, keeps
			// the embedded engine quiet: it logs every failed command as a warning.
			d := claimDoc{ID: c.key, UserID: userID, Email: c.email, ClaimedAt: time.Now().UTC()}
			_, err := c.coll.InsertOne(ctx, d)
			if mongo.IsDuplicateKeyError(err) {
				continue // claimed meanwhile: look again
			}
			return err == nil, translate(err, nil, "claim %s", c)
		case err != nil:
			return false, translate(err, nil, "find claim on %s", c)
		case cur.UserID == userID && held:
			return false, nil
		case cur.UserID == userID:
			// Left by an earlier call that failed: renew the lease, or another user could take
			// it over before this call lists it.
			_, err := c.coll.UpdateOne(ctx, bson.M{"_id": c.key, "user_id": userID}, bson.M{"$set": bson.M{"claimed_at": time.Now().UTC()}})
			return false, translate(err, nil, "renew claim on %s", c)
		}
		if ok, err := db.abandoned(ctx, c, &cur); err != nil || !ok {
			return false, cmp.Or(err, c.taken())
		}
		// Delete it unless it changed since we read it, then claim it as if new. (On the
		// embedded engine the condition and the delete are two steps, so two users taking over
		// the same abandoned claim in the same microsecond could both succeed.)
		filter := bson.M{"_id": c.key, "user_id": cur.UserID, "claimed_at": cur.ClaimedAt}
		if _, err := c.coll.DeleteOne(ctx, filter); err != nil {
			return false, translate(err, nil, "take over claim on %s", c)
		}
	}
	return false, portal.Errorf(portal.ECONFLICT, "%s was claimed at the same time; try again", c)
}

// abandoned reports whether the claim cur, of another user, was left behind: it is older than
// claimLease and its user does not list it.
func (db *DB) abandoned(ctx context.Context, c claim, cur *claimDoc) (bool, error) {
	if time.Since(cur.ClaimedAt) < claimLease {
		return false, nil
	}
	var owner userDoc
	err := db.users.FindOne(ctx, bson.M{"_id": cur.UserID}).Decode(&owner)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return true, nil
	case err != nil:
		return false, translate(err, nil, "find user %s holding %s", cur.UserID, c)
	}
	return !holds(&owner, c), nil
}

// release deletes the claims cs of userID, except those the stored user keep lists. It is
// best effort: a claim it fails to delete is abandoned, and taken over by the next user who
// needs it, so its errors are not worth failing a call that has otherwise succeeded or already
// failed. It runs to the end even when ctx is cancelled, within releaseTimeout.
func (db *DB) release(ctx context.Context, userID string, cs []claim, keep *userDoc) {
	if len(cs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	for _, c := range cs {
		if keep == nil || !holds(keep, c) {
			_, _ = c.coll.DeleteOne(ctx, bson.M{"_id": c.key, "user_id": userID})
		}
	}
}

// releaseTimeout bounds release when the database does not answer.
const releaseTimeout = 5 * time.Second
