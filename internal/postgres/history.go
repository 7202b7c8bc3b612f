package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
)

// Incident states as IncidentRecord.State spells them.
const (
	StateOpen     = "open"
	StateResolved = "resolved"
)

// IncidentRecord is one incident as history shows it, with the catalog's
// words for its code.
type IncidentRecord struct {
	ID               int64             `json:"id"`
	TenantID         int64             `json:"tenant_id"`
	TenantExternalID string            `json:"tenant_external_id"`
	Code             health.Code       `json:"code"`
	Kind             health.Kind       `json:"kind"`
	Capability       health.Capability `json:"capability"`
	// State is StateOpen or StateResolved.
	State      string     `json:"state"`
	OpenedAt   time.Time  `json:"opened_at"`
	LastSeenAt time.Time  `json:"last_seen_at"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
	// Occurrences counts the checks that showed the problem.
	Occurrences  int   `json:"occurrences"`
	FirstCheckID int64 `json:"first_check_id"`
	LastCheckID  int64 `json:"last_check_id"`
	// ResolvedCheckID is the check that found the problem gone; zero while
	// open or when removing the tenant closed the incident.
	ResolvedCheckID int64          `json:"resolved_check_id,omitempty"`
	Scopes          []health.Scope `json:"scopes,omitempty"`
	Evidence        string         `json:"evidence,omitempty"`
	// Title, Message and Remedy come from the troubleshooting catalog.
	Title   string   `json:"title"`
	Message string   `json:"message"`
	Remedy  []string `json:"remedy"`
}

// HistoryFilter selects incidents; zero fields do not filter.
type HistoryFilter struct {
	// TenantExternalID: only the live tenant with this external id.
	TenantExternalID string
	Code             health.Code
	OpenOnly         bool
	// Since: only incidents opened at or after this time.
	Since time.Time
	// Limit: 100 when zero, at most 1000.
	Limit int
}

// selectIncidents selects incidents (aliased i, with their tenants as t)
// in scanIncident's order; callers append the conditions.
const selectIncidents = `SELECT i.id, i.tenant_id, t.external_id, i.code, i.kind, i.capability, i.opened_at,
	i.last_seen_at, i.resolved_at, i.occurrences, i.first_check_id, i.last_check_id,
	coalesce(i.resolved_check_id, 0), i.scopes, i.evidence
	FROM incidents i JOIN tenants t ON t.id = i.tenant_id`

func scanIncident(row pgx.CollectableRow) (IncidentRecord, error) {
	var (
		r      IncidentRecord
		scopes []string
	)
	err := row.Scan(&r.ID, &r.TenantID, &r.TenantExternalID, &r.Code, &r.Kind, &r.Capability, &r.OpenedAt,
		&r.LastSeenAt, &r.ResolvedAt, &r.Occurrences, &r.FirstCheckID, &r.LastCheckID,
		&r.ResolvedCheckID, &scopes, &r.Evidence)
	if err != nil {
		return r, err
	}
	r.Scopes = toScopes(scopes)
	r.State = StateOpen
	if r.ResolvedAt != nil {
		r.State = StateResolved
	}
	if info, ok := health.Lookup(r.Code); ok {
		r.Title, r.Message, r.Remedy = info.Title, info.Message, info.Remedy
	}
	return r, nil
}

// History returns matching incidents, most recently opened first.
func (s *Store) History(ctx context.Context, f HistoryFilter) ([]IncidentRecord, error) {
	limit, err := pageSize(f.Limit)
	if err != nil {
		return nil, err
	}
	if f.Code != "" && !f.Code.Valid() {
		return nil, invalid("code", "must be one of ICD-100-A … ICD-104-B")
	}
	w, err := s.tenantFilter(ctx, f.TenantExternalID, "i.tenant_id")
	if err != nil {
		return nil, err
	}
	return queryIncidents(ctx, s.pool, w, f, limit)
}

// queryIncidents runs History's query on q with the tenant condition
// already in w.
func queryIncidents(ctx context.Context, q querier, w filter, f HistoryFilter, limit int) ([]IncidentRecord, error) {
	if f.Code != "" {
		w.add("i.code = ?", f.Code)
	}
	if f.OpenOnly {
		w.conds = append(w.conds, "i.resolved_at IS NULL")
	}
	if !f.Since.IsZero() {
		w.add("i.opened_at >= ?", f.Since)
	}
	sql, args := w.query(selectIncidents, "i.opened_at DESC, i.id DESC", limit)
	return queryAll(ctx, q, "listing incidents", scanIncident, sql, args...)
}
