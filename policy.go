package portal

// Action is something a person may try to do. Every route names the action it performs, and
// this file is the one place that says who may do what: handlers ask Can, templates are
// given the answers, and nothing else compares roles.
type Action string

const (
	ActionView        Action = "view"         // public pages, feeds and data
	ActionSignIn      Action = "sign_in"      // the sign-in, reset and invitation pages
	ActionProfile     Action = "profile"      // one's own profile, sessions and sign-in methods
	ActionAdmin       Action = "admin"        // the admin home
	ActionInvite      Action = "invite"       // create and revoke invitations
	ActionManageOrgs  Action = "manage_orgs"  // create, edit and verify organisations
	ActionManageUsers Action = "manage_users" // change a person's role or organisation, disable them
	ActionViewAudit   Action = "view_audit"   // read the audit log

	// ActionViewConfidential is seeing a confidential location's address and coordinates.
	// The role is not enough: CanSeeConfidential also wants a verified organisation.
	ActionViewConfidential Action = "view_confidential"
	ActionSuggestEdit      Action = "suggest_edit"   // suggest an edit of a directory entry
	ActionEditDirectory    Action = "edit_directory" // edit and verify entries, review suggestions
)

// policy gives the lowest role that may perform each action. The secretariat onboards
// organisations and people (it verifies organisations and sends invitations); only admins
// change roles, disable accounts and read the audit log.
var policy = map[Action]Role{
	ActionView:        RoleVisitor,
	ActionSignIn:      RoleVisitor,
	ActionProfile:     RoleMember,
	ActionAdmin:       RoleSecretariat,
	ActionInvite:      RoleSecretariat,
	ActionManageOrgs:  RoleSecretariat,
	ActionManageUsers: RoleAdmin,
	ActionViewAudit:   RoleAdmin,

	ActionViewConfidential: RoleMember,
	ActionSuggestEdit:      RoleMember,
	ActionEditDirectory:    RoleSecretariat,
}

// RoleOf returns the role u acts with: visitor for nil or a disabled account.
func RoleOf(u *User) Role {
	if u == nil || u.Disabled || u.Role.Rank() < 1 {
		return RoleVisitor
	}
	return u.Role
}

// Can reports whether u (nil for a visitor) may perform a. An action missing from the
// policy is allowed to nobody.
func Can(u *User, a Action) bool {
	min, ok := policy[a]
	return ok && RoleOf(u).AtLeast(min)
}

// MinRole returns the lowest role allowed to perform a, and whether a is in the policy.
func MinRole(a Action) (Role, bool) {
	r, ok := policy[a]
	return r, ok
}

// CanAssign reports whether u may give a person role r: an admin may give any role, and
// the secretariat (through invitations) any role below admin.
func CanAssign(u *User, r Role) bool {
	switch RoleOf(u) {
	case RoleAdmin:
		return r.Rank() >= 1
	case RoleSecretariat:
		return r.Rank() >= 1 && r != RoleAdmin
	}
	return false
}

// CanSeeConfidential reports whether u may see the address and coordinates of a
// confidential location (a shelter): a signed-in person whose role allows it and whose
// organisation org (u's own, looked up by the caller; nil when u has none) is verified. The
// secretariat and admins, who keep the directory, always may.
func CanSeeConfidential(u *User, org *Organisation) bool {
	if !Can(u, ActionViewConfidential) {
		return false
	}
	if Can(u, ActionEditDirectory) {
		return true
	}
	return org != nil && org.ID == u.OrgID && org.Verified
}
