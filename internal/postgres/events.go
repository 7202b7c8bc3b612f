package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
)

// StoredEvent is an event of a tenant's history with its store identity.
type StoredEvent struct {
	// ID is unique and never reused: alert receivers de-duplicate on it.
	ID               int64  `json:"id"`
	TenantID         int64  `json:"tenant_id"`
	TenantExternalID string `json:"tenant_external_id"`
	health.Event
	// IncidentID is the incident an incident_opened or incident_resolved
	// event belongs to; zero otherwise.
	IncidentID int64 `json:"incident_id,omitempty"`
	// Data is the structured detail an adapter attached, as JSON.
	Data json.RawMessage `json:"data,omitempty"`
}

// EventFilter selects events; zero fields do not filter.
type EventFilter struct {
	// TenantExternalID: only the live tenant with this external id.
	TenantExternalID string
	Kinds            []health.EventKind
	// Since: only events at or after this time.
	Since time.Time
	// Limit: 100 when zero, at most 1000.
	Limit int
}

// selectEvents selects events (aliased e, with their tenants as t) in
// scanEvent's order; callers append the conditions.
const selectEvents = `SELECT e.id, e.tenant_id, t.external_id, e.kind, e.at, coalesce(e.code, ''),
	coalesce(e.capability, ''), e.scopes, e.severity, coalesce(e.check_id, 0), e.summary,
	coalesce(e.incident_id, 0), e.detail
	FROM events e JOIN tenants t ON t.id = e.tenant_id`

func scanEvent(row pgx.CollectableRow) (StoredEvent, error) {
	var (
		e      StoredEvent
		scopes []string
	)
	err := row.Scan(&e.ID, &e.TenantID, &e.TenantExternalID, &e.Kind, &e.At, &e.Code,
		&e.Capability, &scopes, &e.Severity, &e.CheckID, &e.Detail, &e.IncidentID, &e.Data)
	e.Scopes = toScopes(scopes)
	return e, err
}

// RecordEvent appends an event an adapter produced (alert delivered or
// failed, say) to a tenant's history. With a transaction it commits or
// rolls back with the caller's other writes; with a nil tx it is written at
// once. A zero At means now and a zero Severity means info. detail, if not
// nil, is stored as JSON and must hold nothing secret.
func (s *Store) RecordEvent(ctx context.Context, tx pgx.Tx, tenantID int64, ev health.Event, detail any) (StoredEvent, error) {
	if ev.Kind == "" {
		return StoredEvent{}, invalid("kind", "must be set")
	}
	if ev.At.IsZero() {
		ev.At = s.clock()
	}
	if ev.Severity == "" {
		ev.Severity = health.SeverityInfo
	}
	stored, err := insertEvent(ctx, s.in(tx), tenantID, ev, detail)
	if err != nil {
		return StoredEvent{}, translate(err, fmt.Sprintf("recording %s for tenant %d", ev.Kind, tenantID))
	}
	return stored, nil
}

// insertEvent appends one event without an incident.
func insertEvent(ctx context.Context, q querier, tenantID int64, ev health.Event, detail any) (StoredEvent, error) {
	return insertIncidentEvent(ctx, q, tenantID, ev, 0, detail)
}

// insertIncidentEvent appends one event; incidentID zero means none.
func insertIncidentEvent(ctx context.Context, q querier, tenantID int64, ev health.Event, incidentID int64, detail any) (StoredEvent, error) {
	var data json.RawMessage
	if detail != nil {
		var err error
		if data, err = json.Marshal(detail); err != nil {
			return StoredEvent{}, fmt.Errorf("encoding the detail of a %s event: %w", ev.Kind, err)
		}
	}
	// The time is cut and the detail read back as PostgreSQL stores them,
	// so that the returned event equals the one later queries return.
	ev.At = ev.At.Truncate(time.Microsecond)
	stored := StoredEvent{TenantID: tenantID, Event: ev, IncidentID: incidentID}
	err := q.QueryRow(ctx, `
		INSERT INTO events (tenant_id, kind, code, capability, severity, scopes, check_id, incident_id, at, summary, detail)
		VALUES ($1, $2, nullif($3, ''), nullif($4, ''), $5, $6, nullif($7, 0), nullif($8, 0), $9, $10, $11)
		RETURNING id, (SELECT external_id FROM tenants WHERE id = $1), detail`,
		tenantID, ev.Kind, ev.Code, ev.Capability, ev.Severity, scopeStrings(ev.Scopes), ev.CheckID,
		incidentID, ev.At, ev.Detail, data,
	).Scan(&stored.ID, &stored.TenantExternalID, &stored.Data)
	return stored, err
}

// Events returns matching events, newest first.
func (s *Store) Events(ctx context.Context, f EventFilter) ([]StoredEvent, error) {
	limit, err := pageSize(f.Limit)
	if err != nil {
		return nil, err
	}
	w, err := s.tenantFilter(ctx, f.TenantExternalID, "e.tenant_id")
	if err != nil {
		return nil, err
	}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		w.add("e.kind = ANY(?)", kinds)
	}
	if !f.Since.IsZero() {
		w.add("e.at >= ?", f.Since)
	}
	sql, args := w.query(selectEvents, "e.at DESC, e.id DESC", limit)
	return queryAll(ctx, s.pool, "listing events", scanEvent, sql, args...)
}

// tenantFilter starts a filter on column (a tenant id) for the live tenant
// with that external id; an empty id starts an empty filter. Resolving the
// id first turns an unknown tenant into ErrNotFound rather than an empty
// list.
func (s *Store) tenantFilter(ctx context.Context, externalID, column string) (filter, error) {
	var w filter
	if externalID == "" {
		return w, nil
	}
	var id int64
	err := s.pool.QueryRow(ctx,
		`SELECT id FROM tenants WHERE external_id = $1 AND removed_at IS NULL`, externalID).Scan(&id)
	if err != nil {
		return w, translate(err, fmt.Sprintf("finding tenant %q", externalID))
	}
	w.add(column+" = ?", id)
	return w, nil
}

func scopeStrings(scopes []health.Scope) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = string(s)
	}
	return out
}

func toScopes(s []string) []health.Scope {
	if len(s) == 0 {
		return nil
	}
	out := make([]health.Scope, len(s))
	for i, v := range s {
		out[i] = health.Scope(v)
	}
	return out
}
