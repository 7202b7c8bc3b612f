package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
)

// failedAlertsShown bounds TenantStatus.FailedAlerts, and failedAlertsWindow
// how far back it looks: status is a glance, history has the rest.
const (
	failedAlertsShown  = 20
	failedAlertsWindow = 7 * 24 * time.Hour
)

// TenantStatus is everything known about one tenant now. What follows
// from the ledger (suspected codes, scope states) is left to its methods.
type TenantStatus struct {
	Tenant Tenant        `json:"tenant"`
	Ledger health.Ledger `json:"ledger"`
	// Open lists the open incidents, most recently opened first.
	Open []IncidentRecord `json:"open"`
	// LastCheckAt and LastCheckID describe the latest stored check; nil and
	// zero before the first.
	LastCheckAt *time.Time `json:"last_check_at,omitempty"`
	LastCheckID int64      `json:"last_check_id,omitempty"`
	// FailedAlerts lists recent alert_failed events (the last week, at most
	// 20), newest first: alerts that never reached a sink.
	FailedAlerts []StoredEvent `json:"failed_alerts"`
}

// Status returns the status of the live tenant with that external id, read
// from one snapshot so that its parts agree.
func (s *Store) Status(ctx context.Context, externalID string) (TenantStatus, error) {
	var st TenantStatus
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			err := tx.QueryRow(ctx, `
				SELECT `+tenantColumns+`, l.ledger
				FROM tenants t JOIN ledgers l ON l.tenant_id = t.id
				WHERE t.external_id = $1 AND t.removed_at IS NULL`, externalID,
			).Scan(append(tenantScanTargets(&st.Tenant), &st.Ledger)...)
			if err != nil {
				return err
			}
			var w filter
			w.add("i.tenant_id = ?", st.Tenant.ID)
			if st.Open, err = queryIncidents(ctx, tx, w, HistoryFilter{OpenOnly: true}, maxPageSize); err != nil {
				return err
			}
			var at time.Time
			err = tx.QueryRow(ctx, `
				SELECT id, observed_at FROM checks WHERE tenant_id = $1
				ORDER BY observed_at DESC LIMIT 1`, st.Tenant.ID).Scan(&st.LastCheckID, &at)
			switch {
			case err == nil:
				st.LastCheckAt = &at
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
			st.FailedAlerts, err = queryAll(ctx, tx, "listing failed alerts", scanEvent, selectEvents+`
				WHERE e.tenant_id = $1 AND e.kind = $2 AND e.at >= $3
				ORDER BY e.at DESC, e.id DESC LIMIT $4`,
				st.Tenant.ID, health.EventAlertFailed, s.clock().Add(-failedAlertsWindow), failedAlertsShown)
			return err
		})
	if err != nil {
		return TenantStatus{}, translate(err, fmt.Sprintf("reading the status of tenant %q", externalID))
	}
	return st, nil
}
