package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

func forbidden(format string, args ...any) error {
	return portal.Errorf(portal.EFORBIDDEN, format, args...)
}

// manageUser loads the person with userID for an actor who must be allowed to manage
// users; nobody manages their own account this way, so an admin cannot lock themselves
// out by mistake.
func (s *Service) manageUser(ctx context.Context, actor *portal.User, userID string) (*portal.User, error) {
	switch {
	case !portal.Can(actor, portal.ActionManageUsers):
		return nil, forbidden("you may not manage people's accounts")
	case actor.ID == userID:
		return nil, forbidden("you may not change your own role, organisation or access")
	}
	return s.Store.FindUser(ctx, userID)
}

// SetRole gives the person with userID role, if actor may manage users and give that role;
// audited as "user.role".
func (s *Service) SetRole(ctx context.Context, actor *portal.User, userID string, role portal.Role) error {
	if role.Rank() < 1 {
		return portal.FieldError("role", "unknown role %q", role)
	}
	if !portal.CanAssign(actor, role) {
		return forbidden("you may not give the role %s", role)
	}
	u, err := s.manageUser(ctx, actor, userID)
	if err != nil || u.Role == role {
		return err
	}
	before := struct {
		Role portal.Role `json:"role"`
	}{u.Role}
	u.Role = role
	after := before
	after.Role = role
	return s.updateUser(ctx, actor, u, "user.role", before, after)
}

// SetOrganisation moves the person with userID to the organisation orgID ("" for none),
// which must exist; audited as "user.org".
func (s *Service) SetOrganisation(ctx context.Context, actor *portal.User, userID, orgID string) error {
	u, err := s.manageUser(ctx, actor, userID)
	if err != nil || u.OrgID == orgID {
		return err
	}
	if err := s.checkOrganisation(ctx, orgID); err != nil {
		return err
	}
	type org struct {
		OrgID string `json:"org"`
	}
	before := org{u.OrgID}
	u.OrgID = orgID
	return s.updateUser(ctx, actor, u, "user.org", before, org{orgID})
}

// SetDisabled disables or enables the account of the person with userID. Disabling ends
// all their sessions at once. Audited as "user.disable" or "user.enable".
func (s *Service) SetDisabled(ctx context.Context, actor *portal.User, userID string, disabled bool) error {
	u, err := s.manageUser(ctx, actor, userID)
	if err != nil || u.Disabled == disabled {
		return err
	}
	type state struct {
		Disabled bool `json:"disabled"`
	}
	u.Disabled = disabled
	action := "user.enable"
	if disabled {
		u.SessionEpoch++
		action = "user.disable"
	}
	return s.updateUser(ctx, actor, u, action, state{!disabled}, state{disabled})
}

// updateUser stores u, changed by actor, and audits the change.
func (s *Service) updateUser(ctx context.Context, actor *portal.User, u *portal.User, action string, before, after any) error {
	u.UpdatedAt = s.now()
	if err := u.Validate(); err != nil {
		return err
	}
	if err := s.saveUser(ctx, u); err != nil {
		return err
	}
	return s.audit(ctx, actor.ID, action, u.ID, before, after)
}

// orgAuditEntry is what the audit log keeps of an organisation.
type orgAuditEntry struct {
	NameMN   string                  `json:"name_mn"`
	NameEN   string                  `json:"name_en"`
	Group    portal.StakeholderGroup `json:"group"`
	Verified bool                    `json:"verified"`
}

func orgAudit(o *portal.Organisation) orgAuditEntry {
	return orgAuditEntry{NameMN: o.NameMN, NameEN: o.NameEN, Group: o.Group, Verified: o.Verified}
}

func canManageOrgs(actor *portal.User) error {
	if !portal.Can(actor, portal.ActionManageOrgs) {
		return forbidden("you may not manage organisations")
	}
	return nil
}

// CreateOrganisation stores the new organisation o, verified at once when o.Verified is
// set; audited as "organisation.create". It is ECONFLICT when the ID is taken.
func (s *Service) CreateOrganisation(ctx context.Context, actor *portal.User, o *portal.Organisation) error {
	if err := canManageOrgs(actor); err != nil {
		return err
	}
	o.NameMN, o.NameEN = strings.TrimSpace(o.NameMN), strings.TrimSpace(o.NameEN)
	if err := o.Validate(); err != nil {
		return err
	}
	now := s.now()
	o.CreatedAt, o.UpdatedAt = now, now
	setVerified(o, o.Verified, actor.ID, now)
	if err := s.Store.CreateOrganisation(ctx, o); err != nil {
		return err
	}
	return s.audit(ctx, actor.ID, "organisation.create", o.ID, nil, orgAudit(o))
}

// UpdateOrganisation changes the names and stakeholder group of the organisation o.ID to
// those of o; verification changes only through VerifyOrganisation. On success o holds
// what was stored. Audited as "organisation.update".
func (s *Service) UpdateOrganisation(ctx context.Context, actor *portal.User, o *portal.Organisation) error {
	if err := canManageOrgs(actor); err != nil {
		return err
	}
	old, err := s.Store.FindOrganisation(ctx, o.ID)
	if err != nil {
		return err
	}
	next := *old
	next.NameMN, next.NameEN, next.Group = strings.TrimSpace(o.NameMN), strings.TrimSpace(o.NameEN), o.Group
	if err := next.Validate(); err != nil {
		return err
	}
	next.UpdatedAt = s.now()
	if err := s.Store.UpdateOrganisation(ctx, &next); err != nil {
		return err
	}
	*o = next
	return s.audit(ctx, actor.ID, "organisation.update", o.ID, orgAudit(old), orgAudit(&next))
}

// VerifyOrganisation marks the organisation with id verified by actor, or withdraws the
// verification; audited as "organisation.verify" or "organisation.unverify".
func (s *Service) VerifyOrganisation(ctx context.Context, actor *portal.User, id string, verified bool) error {
	if err := canManageOrgs(actor); err != nil {
		return err
	}
	o, err := s.Store.FindOrganisation(ctx, id)
	if err != nil || o.Verified == verified {
		return err
	}
	type state struct {
		Verified bool `json:"verified"`
	}
	now := s.now()
	setVerified(o, verified, actor.ID, now)
	o.UpdatedAt = now
	if err := s.Store.UpdateOrganisation(ctx, o); err != nil {
		return err
	}
	action := "organisation.unverify"
	if verified {
		action = "organisation.verify"
	}
	return s.audit(ctx, actor.ID, action, o.ID, state{!verified}, state{verified})
}

func setVerified(o *portal.Organisation, verified bool, by string, now time.Time) {
	o.Verified = verified
	if verified {
		o.VerifiedAt, o.VerifiedBy = &now, by
	} else {
		o.VerifiedAt, o.VerifiedBy = nil, ""
	}
}
