package alert

import (
	"strconv"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

// State says whether an alert reports a problem or its end.
type State string

// The two states a receiver sees.
const (
	StateFiring   State = "firing"
	StateResolved State = "resolved"
)

// Kind says which transition an alert reports.
type Kind string

// The kinds of alert.
const (
	KindIncidentOpened   Kind = "incident_opened"
	KindIncidentResolved Kind = "incident_resolved"
	// KindScopeRevoked is a scope that was granted and is now revoked while
	// its capability still holds through another scope.
	KindScopeRevoked Kind = "scope_revoked"
	// KindReminder repeats a B incident that is still open.
	KindReminder Kind = "reminder"
	// KindTest is sent on request to prove a sink works end to end.
	KindTest Kind = "test"
)

// Alert is one notification, ready for any sink. It never carries a
// credential: everything in it may be shown to whoever receives it. The JSON
// form lets a delivery job carry it; receivers get WebhookBody's form instead.
type Alert struct {
	// EventID is the primary event's id: the incident's opening or
	// resolution, or the revocation for a scope-only warning. Together with
	// Reminder and Test it makes the idempotency key.
	EventID int64 `json:"event_id"`
	// EventIDs lists every event folded into this alert, ascending.
	EventIDs []int64 `json:"event_ids"`
	// Reminder numbers a reminder (1 for the first); zero otherwise.
	Reminder int `json:"reminder,omitempty"`

	// IncidentID is the incident the alert is about (zero for a scope-only
	// warning or a test). An incident's firing, reminder and resolved alerts
	// share it, so receivers can pair them.
	IncidentID int64 `json:"incident_id,omitempty"`
	// CheckID is the check that produced the events, for finding its evidence
	// in the history; zero for reminders and tests.
	CheckID int64 `json:"check_id,omitempty"`

	TenantID   int64  `json:"tenant_id"`             // grantwatch's internal id
	Tenant     string `json:"tenant"`                // the tenant's external id
	TenantName string `json:"tenant_name,omitempty"` // human-readable name, if known

	// Code is the incident's code; empty for a scope-only warning and a test.
	Code       health.Code       `json:"code,omitempty"`
	Capability health.Capability `json:"capability,omitempty"`
	Severity   health.Severity   `json:"severity"`
	State      State             `json:"state"`
	Kind       Kind              `json:"kind"`

	Title    string         `json:"title"`
	Message  string         `json:"message"`
	Remedy   []string       `json:"remedy,omitempty"`
	Scopes   []health.Scope `json:"scopes,omitempty"`
	Evidence string         `json:"evidence,omitempty"` // short, secret-free summary

	// OccurredAt is when the reported transition happened (for a reminder or a
	// test: when the alert was made).
	OccurredAt time.Time `json:"occurred_at"`
	// OpenedAt is when the incident opened; zero for a scope-only warning.
	OpenedAt time.Time `json:"opened_at,omitzero"`
	// ResolvedAt is set on resolved alerts only.
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`

	// Link points operators at the tenant's incidents in the API; empty when
	// no public URL is configured.
	Link string `json:"link,omitempty"`
	// Test marks an alert sent by TestAlert; receivers should not page on it.
	Test bool `json:"test,omitempty"`
}

// IdempotencyKey is the key receivers de-duplicate on. A redelivery of the
// same alert always carries the same key, and different alerts never share
// one: an event's alert is keyed by the event id, a reminder by the opening
// event and the reminder's number, and a test by the moment it was made.
func (a Alert) IdempotencyKey() string {
	switch {
	case a.Test:
		return "test-" + strconv.FormatInt(a.OccurredAt.UnixNano(), 10)
	case a.Reminder > 0:
		return strconv.FormatInt(a.EventID, 10) + "-reminder-" + strconv.Itoa(a.Reminder)
	default:
		return strconv.FormatInt(a.EventID, 10)
	}
}

// Firing reports whether the alert reports a problem rather than its end.
func (a Alert) Firing() bool { return a.State != StateResolved }
