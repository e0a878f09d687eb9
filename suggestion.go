package portal

import "time"

// SuggestionStatus is where a suggested edit stands.
type SuggestionStatus string

const (
	SuggestionPending  SuggestionStatus = "pending"
	SuggestionAccepted SuggestionStatus = "accepted"
	SuggestionRejected SuggestionStatus = "rejected"
)

// Suggestion is an edit of a service that a member proposed, waiting for the secretariat.
type Suggestion struct {
	ID        string
	ServiceID string
	OrgID     string // the directory organisation of the service
	By        string // user id
	ByName    string
	Created   time.Time
	// Base is the service as the member saw it, Proposed as they would have it: the
	// fields where the two differ are the suggestion.
	Base, Proposed Service
	Note           string // why, in the member's words
	Status         SuggestionStatus
	Reason         string // why it was rejected
	DecidedBy      string // user id
	DecidedByName  string
	DecidedAt      time.Time
}

// SuggestionFilter selects suggestions; empty fields select all.
type SuggestionFilter struct {
	Status    SuggestionStatus
	By        string
	ServiceID string
	Limit     int
}
