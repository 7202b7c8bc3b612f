package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
)

// DueReminder is an open B incident whose next reminder ClaimReminders has
// claimed: the reminder is counted and stamped in the caller's transaction,
// so it must be enqueued there too.
type DueReminder struct {
	// Number is the reminder to send: 1 for the first, one more each time.
	Number int
	// Incident is the incident as it stands now (its latest scopes and
	// evidence).
	Incident IncidentRecord
	// TenantName is the tenant's human-readable name.
	TenantName string
	// Opened is the incident_opened event; a reminder is keyed on its id.
	// Its ID is zero when the event is missing (history pruned), in which
	// case no reminder can be keyed and the caller should skip it.
	Opened StoredEvent
}

// ClaimReminders claims up to limit open B incidents of live, unpaused
// tenants whose last alert (the opening, or the last reminder) was made at
// least every before now, oldest first. Each one's reminder count goes up
// by one and its last reminder time becomes now, in the caller's
// transaction: a caller that enqueues the reminders in the same
// transaction sends each number exactly once, whatever crashes. Incidents
// another transaction holds (a check of the tenant in flight) are skipped
// and come up again in the next scan. A partial index on the due time keeps
// the cost proportional to the reminders due.
func (s *Store) ClaimReminders(ctx context.Context, tx pgx.Tx, now time.Time, every time.Duration, limit int) ([]DueReminder, error) {
	switch {
	case limit <= 0:
		return nil, invalid("limit", "must be positive")
	case every <= 0:
		return nil, invalid("every", "must be positive")
	}
	now = now.Truncate(time.Microsecond)
	rows, err := tx.Query(ctx, `
		WITH due AS (
			SELECT i.id
			FROM incidents i JOIN tenants t ON t.id = i.tenant_id
			WHERE i.resolved_at IS NULL AND i.kind = 'B'
				AND coalesce(i.last_reminded_at, i.opened_at) <= $1
				AND NOT t.paused AND t.removed_at IS NULL
			ORDER BY coalesce(i.last_reminded_at, i.opened_at)
			LIMIT $2
			FOR NO KEY UPDATE OF i SKIP LOCKED
		)
		UPDATE incidents i SET reminders = i.reminders + 1, last_reminded_at = $3
		FROM due, tenants t WHERE i.id = due.id AND t.id = i.tenant_id
		RETURNING i.id, i.reminders, t.name`, now.Add(-every), limit, now)
	if err != nil {
		return nil, translate(err, "claiming due reminders")
	}
	type claim struct {
		number     int
		tenantName string
	}
	claims := make(map[int64]claim)
	var (
		id int64
		c  claim
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &c.number, &c.tenantName}, func() error {
		claims[id] = c
		return nil
	}); err != nil {
		return nil, translate(err, "claiming due reminders")
	}
	if len(claims) == 0 {
		return nil, nil
	}

	ids := slices.Collect(maps.Keys(claims))
	incidents, err := s.IncidentsByID(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	opened, err := queryAll(ctx, tx, "reading the events that opened reminded incidents", scanEvent,
		selectEvents+` WHERE e.incident_id = ANY($1) AND e.kind = $2`, ids, health.EventIncidentOpened)
	if err != nil {
		return nil, err
	}
	openedBy := make(map[int64]StoredEvent, len(opened))
	for _, e := range opened {
		openedBy[e.IncidentID] = e
	}

	due := make([]DueReminder, 0, len(incidents))
	for _, inc := range incidents {
		c := claims[inc.ID]
		due = append(due, DueReminder{Number: c.number, Incident: inc, TenantName: c.tenantName, Opened: openedBy[inc.ID]})
	}
	return due, nil
}

// IncidentsByID returns the incidents with these ids, oldest opening
// first; ids that match nothing are left out. With a transaction it reads
// what that transaction sees (an apply's just-resolved incident, say); with
// a nil tx it reads from the pool.
func (s *Store) IncidentsByID(ctx context.Context, tx pgx.Tx, ids []int64) ([]IncidentRecord, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryAll(ctx, s.in(tx), fmt.Sprintf("reading %d incidents", len(ids)), scanIncident,
		selectIncidents+` WHERE i.id = ANY($1) ORDER BY i.opened_at, i.id`, ids)
}
