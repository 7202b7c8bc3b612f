package view

import (
	"encoding/json"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// Status is everything known about one tenant now: the `status --json`
// contract and the answer of GET /v1/tenants/{id}/status.
type Status struct {
	Tenant    Tenant                  `json:"tenant"`
	Open      []Incident              `json:"open"`
	Suspected []health.Code           `json:"suspected"`
	Scopes    map[health.Scope]string `json:"scopes"`
	// LastCheckAt is null before the first check.
	LastCheckAt *time.Time    `json:"last_check_at"`
	Undelivered []Undelivered `json:"undelivered_alerts"`
}

// Undelivered is an alert that never reached its sink: one alert_failed
// event, with what the delivery job recorded about it.
type Undelivered struct {
	EventID int64       `json:"event_id"`
	Tenant  string      `json:"tenant,omitempty"`
	At      time.Time   `json:"at"`
	Code    health.Code `json:"code,omitempty"`
	Detail  string      `json:"detail,omitempty"`
	// The alert (the event it announced and the key receivers
	// de-duplicate on), the sink that never took it, how often delivery was
	// tried and the last error.
	AlertEventID   int64  `json:"alert_event_id,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	Sink           string `json:"sink,omitempty"`
	Attempts       int    `json:"attempts,omitempty"`
	Error          string `json:"error,omitempty"`
}

// NewStatus shows a tenant's status.
func NewStatus(st postgres.TenantStatus) Status {
	out := Status{
		Tenant: NewTenant(st.Tenant), Open: NewIncidents(st.Open), Suspected: List(st.Ledger.Suspected()),
		Scopes: ScopeStates(st.Ledger.ScopeStates()), LastCheckAt: utcPtr(st.LastCheckAt),
		Undelivered: make([]Undelivered, 0, len(st.FailedAlerts)),
	}
	for _, ev := range st.FailedAlerts {
		out.Undelivered = append(out.Undelivered, NewUndelivered(ev))
	}
	return out
}

// NewUndelivered shows one alert_failed event. Its data is the delivery
// job's record; an event whose data does not parse (written by an older
// version) still shows, with what the event itself says.
func NewUndelivered(ev postgres.StoredEvent) Undelivered {
	u := Undelivered{EventID: ev.ID, Tenant: ev.TenantExternalID, At: ev.At.UTC(), Code: ev.Code, Detail: ev.Detail}
	var data struct {
		AlertEventID   int64  `json:"alert_event_id"`
		IdempotencyKey string `json:"idempotency_key"`
		Sink           string `json:"sink"`
		Attempts       int    `json:"attempts"`
		Error          string `json:"error"`
	}
	if len(ev.Data) > 0 && json.Unmarshal(ev.Data, &data) == nil {
		u.AlertEventID, u.IdempotencyKey, u.Sink = data.AlertEventID, data.IdempotencyKey, data.Sink
		u.Attempts, u.Error = data.Attempts, data.Error
	}
	return u
}
