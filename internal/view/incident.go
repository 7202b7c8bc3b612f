package view

import (
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// Incident is one incident: an element of the `history --json` contract and
// of the HTTP API's incident lists.
type Incident struct {
	ID     int64       `json:"id"`
	Tenant string      `json:"tenant"`
	Code   health.Code `json:"code"`
	State  string      `json:"state"` // postgres.StateOpen or postgres.StateResolved
	// OpenedAt, ResolvedAt (null while open) and LastSeenAt are in UTC.
	OpenedAt    time.Time      `json:"opened_at"`
	ResolvedAt  *time.Time     `json:"resolved_at"`
	LastSeenAt  time.Time      `json:"last_seen_at"`
	Occurrences int            `json:"occurrences"`
	Scopes      []health.Scope `json:"scopes"`
	Evidence    string         `json:"evidence,omitempty"`
	// Message and Remedy are the troubleshooting page's words for the code.
	Message string   `json:"message"`
	Remedy  []string `json:"remedy"`
}

// NewIncident shows one stored incident.
func NewIncident(r postgres.IncidentRecord) Incident {
	return Incident{
		ID: r.ID, Tenant: r.TenantExternalID, Code: r.Code, State: r.State,
		OpenedAt: r.OpenedAt.UTC(), ResolvedAt: utcPtr(r.ResolvedAt), LastSeenAt: r.LastSeenAt.UTC(),
		Occurrences: r.Occurrences, Scopes: List(r.Scopes), Evidence: r.Evidence,
		Message: r.Message, Remedy: List(r.Remedy),
	}
}

// NewIncidents shows stored incidents in their order; none shows as [].
func NewIncidents(recs []postgres.IncidentRecord) []Incident {
	out := make([]Incident, 0, len(recs))
	for _, r := range recs {
		out = append(out, NewIncident(r))
	}
	return out
}
