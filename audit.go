package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry records one change a person made: who, what, when, before and after.
type AuditEntry struct {
	ID      string
	At      time.Time
	ActorID string // "" for the command line
	Action  string // such as "user.role", "organisation.verify", "directory.org.import"
	Target  string // the ID of what was changed
	Before  string // JSON of the state before, or ""
	After   string // JSON of the state after, or ""
}

// ConfidentialMark stands in an audit entry for what must never be written there: a
// confidential location's address and coordinates.
const ConfidentialMark = "[confidential]"

// AuditLog is where every change a person makes is recorded.
type AuditLog interface {
	AppendAudit(ctx context.Context, e *AuditEntry) error
}

// Audit records in log that actorID ("" for the command line) did action to target at
// the time at, with the states before and after as JSON. A nil state, a nil map among
// them, is left empty: JSON null says no more than nothing. It is the one way operations
// write the audit log; states must already show confidential values as ConfidentialMark.
func Audit(ctx context.Context, log AuditLog, at time.Time, actorID, action, target string, before, after any) error {
	e := &AuditEntry{At: at, ActorID: actorID, Action: action, Target: target}
	for _, s := range []struct {
		v   any
		out *string
	}{{before, &e.Before}, {after, &e.After}} {
		if s.v == nil {
			continue
		}
		b, err := json.Marshal(s.v)
		if err != nil {
			return fmt.Errorf("audit %s %s: %w", action, target, err)
		}
		if string(b) != "null" {
			*s.out = string(b)
		}
	}
	if err := log.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("audit %s %s: %w", action, target, err)
	}
	return nil
}
