package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
)

// Hook runs inside ApplyObservation's transaction, after the store's writes
// and before the commit, so that what it writes (River enqueues alert jobs
// and completes its own job) commits or rolls back with them. An error rolls
// everything back.
type Hook func(ctx context.Context, tx pgx.Tx, a Applied) error

// Applied is what ApplyObservation did.
type Applied struct {
	// CheckID is the id of the stored check; zero when Dropped.
	CheckID int64
	// Dropped: the observation was made with credentials that have since
	// been rotated, so nothing was written. Ledger is then the current one.
	Dropped bool
	// Tenant as it stands after the apply (its next check may have moved).
	Tenant Tenant
	// Ledger after the evaluation.
	Ledger health.Ledger
	// Events the evaluation produced, stored and in Evaluate's order.
	Events []StoredEvent
}

// ApplyObservation records one check of a tenant and its consequences in
// one transaction. It locks the tenant and its ledger row, which serialises
// concurrent checks of one tenant; then, unless the observation is stale
// (its generation is not the tenant's: see Applied.Dropped), it stores the
// check, evaluates the observation against the ledger with the store's
// policy, and writes the new ledger, the incident changes and the events.
// A ledger awaiting confirmation of a loss brings the tenant's next check
// forward to ConfirmDelay from now. hook, if not nil, runs last in the
// same transaction, for stale observations too.
//
// A removed tenant yields ErrTenantGone before anything is written: the
// caller should abandon the work. A paused tenant is still applied, since
// an operator may check a paused tenant on purpose.
func (s *Store) ApplyObservation(ctx context.Context, tenantID int64, obs health.Observation, hook Hook) (Applied, error) {
	var (
		applied Applied
		hookErr error
	)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if applied, err = s.apply(ctx, tx, tenantID, obs); err != nil {
			return err
		}
		if hook != nil {
			hookErr = hook(ctx, tx, applied)
		}
		return hookErr
	})
	switch {
	case err == nil:
		return applied, nil
	case hookErr != nil:
		// The hook's errors are the caller's own; translating a River
		// unique violation into ErrConflict would mislead.
		return Applied{}, fmt.Errorf("applying a check of tenant %d: %w", tenantID, err)
	default:
		return Applied{}, translate(err, fmt.Sprintf("applying a check of tenant %d", tenantID))
	}
}

// apply does ApplyObservation's writes in tx.
func (s *Store) apply(ctx context.Context, tx pgx.Tx, tenantID int64, obs health.Observation) (Applied, error) {
	var (
		t      Tenant
		ledger health.Ledger
	)
	err := tx.QueryRow(ctx, `
		SELECT `+tenantColumns+`, l.ledger
		FROM tenants t JOIN ledgers l ON l.tenant_id = t.id
		WHERE t.id = $1
		FOR NO KEY UPDATE OF t, l`, tenantID,
	).Scan(append(tenantScanTargets(&t), &ledger)...)
	if err != nil {
		return Applied{}, err
	}
	if t.RemovedAt != nil {
		return Applied{}, fmt.Errorf("tenant %q: %w", t.ExternalID, ErrTenantGone)
	}
	if obs.Generation != t.Generation {
		return Applied{Dropped: true, Tenant: t, Ledger: ledger}, nil
	}

	now := s.clock()
	if obs.ObservedAt.IsZero() {
		obs.ObservedAt = now
	}
	checkID, err := insertCheck(ctx, tx, tenantID, obs, now)
	if err != nil {
		return Applied{}, err
	}
	obs.CheckID = checkID
	next, events := s.policy.Evaluate(ledger, obs, now)

	incidentIDs, err := syncIncidents(ctx, tx, tenantID, checkID, next, events, now)
	if err != nil {
		return Applied{}, err
	}
	stored := make([]StoredEvent, 0, len(events))
	for _, ev := range events {
		if ev.CheckID == 0 {
			ev.CheckID = checkID
		}
		var incidentID int64
		if ev.Kind == health.EventIncidentOpened || ev.Kind == health.EventIncidentResolved {
			incidentID = incidentIDs[ev.Code]
		}
		se, err := insertIncidentEvent(ctx, tx, tenantID, ev, incidentID, nil)
		if err != nil {
			return Applied{}, fmt.Errorf("storing a %s event: %w", ev.Kind, err)
		}
		stored = append(stored, se)
	}

	// Evaluate promises that an inconclusive observation changes nothing,
	// so the ledger row is rewritten only when something may have changed.
	if obs.Conclusive() {
		if _, err := tx.Exec(ctx, `UPDATE ledgers SET ledger = $2, updated_at = $3 WHERE tenant_id = $1`,
			tenantID, next, now); err != nil {
			return Applied{}, fmt.Errorf("storing the ledger: %w", err)
		}
	}
	if next.AwaitingConfirmation() {
		err := tx.QueryRow(ctx, `
			UPDATE tenants SET next_check_at = least(next_check_at, $2)
			WHERE id = $1 RETURNING next_check_at`, tenantID, now.Add(s.confirmDelay),
		).Scan(&t.NextCheckAt)
		if err != nil {
			return Applied{}, fmt.Errorf("scheduling the confirming check: %w", err)
		}
	}
	return Applied{CheckID: checkID, Tenant: t, Ledger: next, Events: stored}, nil
}

// insertCheck stores the observation as a check and returns its id. The
// JSON copy leaves out check_id: the row's id is the check id, and a zero
// inside the evidence would only mislead.
func insertCheck(ctx context.Context, tx pgx.Tx, tenantID int64, obs health.Observation, now time.Time) (int64, error) {
	body, err := json.Marshal(obs)
	if err != nil {
		return 0, fmt.Errorf("encoding the observation: %w", err)
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO checks (tenant_id, generation, client_id, observed_at, recorded_at, conclusive, api_calls, observation)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb - 'check_id')
		RETURNING id`,
		tenantID, obs.Generation, obs.ClientID, obs.ObservedAt, now, obs.Conclusive(), obs.APICalls, body,
	).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("storing the check: %w", err)
	}
	return id, nil
}

// syncIncidents makes the incidents table agree with the evaluated ledger
// and returns the incident id of every code opened, seen or resolved by this
// check. Resolutions come from the events; openings and sightings from the
// ledger's incidents this check touched (LastCheckID), written with one
// upsert against the "one open incident per code" index.
func syncIncidents(ctx context.Context, tx pgx.Tx, tenantID, checkID int64, next health.Ledger,
	events []health.Event, now time.Time,
) (map[health.Code]int64, error) {
	ids := make(map[health.Code]int64)
	for _, ev := range events {
		if ev.Kind != health.EventIncidentResolved {
			continue
		}
		rows, err := tx.Query(ctx, `
			UPDATE incidents SET resolved_at = $3, resolved_check_id = $4
			WHERE tenant_id = $1 AND code = $2 AND resolved_at IS NULL
			RETURNING id`, tenantID, ev.Code, now, checkID)
		if err != nil {
			return nil, fmt.Errorf("resolving incident %s: %w", ev.Code, err)
		}
		// The ledger and the table change together, so the row exists; if
		// it somehow did not, recording the resolution without an id beats
		// failing this tenant's every check from now on.
		resolved, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, fmt.Errorf("resolving incident %s: %w", ev.Code, err)
		}
		if len(resolved) > 0 {
			ids[ev.Code] = resolved[0]
		}
	}

	for _, code := range slices.Sorted(maps.Keys(next.Incidents)) {
		inc := next.Incidents[code]
		if inc.LastCheckID != checkID {
			continue
		}
		if !code.Valid() {
			return nil, fmt.Errorf("the ledger holds an incident with unknown code %q", code)
		}
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO incidents (tenant_id, code, kind, capability, opened_at, last_seen_at, occurrences,
				first_check_id, last_check_id, scopes, evidence)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (tenant_id, code) WHERE resolved_at IS NULL DO UPDATE SET
				last_seen_at = excluded.last_seen_at,
				occurrences = excluded.occurrences,
				last_check_id = excluded.last_check_id,
				scopes = excluded.scopes,
				evidence = excluded.evidence
			RETURNING id`,
			tenantID, code, code.Kind(), code.Capability(), inc.OpenedAt, inc.LastSeenAt, inc.Occurrences,
			inc.FirstCheckID, inc.LastCheckID, scopeStrings(inc.Scopes), inc.Evidence,
		).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("storing incident %s: %w", code, err)
		}
		ids[code] = id
	}
	return ids, nil
}
