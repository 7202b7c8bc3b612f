package alert

import (
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

// Event is one stored history entry, as Plan needs it: the domain event plus
// what the store knows around it.
type Event struct {
	// ID is the event's id in the store; it becomes the alert's idempotency
	// key, so it must be unique and never reused.
	ID         int64
	TenantID   int64
	Tenant     string // the tenant's external id
	TenantName string
	// IncidentID is the incident an incident_opened or incident_resolved
	// event belongs to (zero otherwise). Receivers pair an incident's firing
	// and resolved alerts on it.
	IncidentID int64
	// OpenedAt is when that incident opened; for an incident_opened event it
	// may be left zero (the event's time is used).
	OpenedAt time.Time
	// Evidence is the incident's short, secret-free evidence summary. When it
	// is empty the event's Detail is used instead.
	Evidence string

	health.Event
}

// evidence returns the best summary the event carries.
func (e Event) evidence() string {
	if e.Evidence != "" {
		return e.Evidence
	}
	return e.Detail
}

// openedAt returns when the event's incident opened.
func (e Event) openedAt() time.Time {
	if e.OpenedAt.IsZero() && e.Kind == health.EventIncidentOpened {
		return e.At
	}
	return e.OpenedAt
}
